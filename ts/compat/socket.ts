/**
 * The legacy Socket: an EventEmitter over one v6 socket. Received messages become "message"
 * events with the frames as arguments, sends take a callback, binds a callback and a "bind"
 * event, options are numbers, short names or accessors (options.ts). Failures with no callback
 * to go to are "error" events, as in v5.
 */
import { EventEmitter } from "node:events"
import * as zmq from "../index.js"
import { ZMQ_SNDMORE } from "./constants.js"
import { legacyError } from "./errors.js"
import { type Done, Inbound, Outbound, type Sink } from "./flow.js"
import { relayEvents } from "./monitor.js"
import { options, type ShortOption } from "./option-numbers.js"
import { type OptionTarget, readOption, writeOption } from "./options.js"
import { openSocket, type SocketType } from "./types.js"

type Callback = (err?: Error) => void

/** Options that zeromq.js has only on sockets that can send, or receive. */
/** Types whose sends the engine answers one by one (see close()). */
const ANSWERED = new Set<SocketType>(["router", "xrep", "stream"])

/** The v6 socket's methods, which not every type has (a PULL has no send). */
type V6Socket = Omit<zmq.Socket, "send" | "receive"> & {
  send?(message: zmq.MessageLike[]): Promise<void>
  receive?(): Promise<zmq.Message[]>
}

/** What proxy() plugs into: where a socket's received messages go, and its send queue. */
export interface Plumbing {
  /** Replaces the "message" event as the destination of received messages. */
  redirect(sink: Sink): void
  /** Queues a whole message; resolves when the v6 socket took it (or failed it). */
  deliver(frames: zmq.MessageLike[]): Promise<void>
  readonly canReceive: boolean
}
const plumbing = new WeakMap<Socket, Plumbing>()

/** @internal */
export function plumbingOf(socket: Socket): Plumbing {
  return plumbing.get(socket) as Plumbing
}

export class Socket extends EventEmitter {
  // v5 sockets carry their options as properties (`socket.linger = 0`), and v5 code adds its own.
  [key: string]: any

  type: SocketType
  readonly #v6: V6Socket
  readonly #typeNumber: number
  /** Parts given with ZMQ_SNDMORE, waiting for the send() that completes the message. */
  #parts: zmq.MessageLike[] = []
  #paused = false
  /** close() was called (the v6 socket may close a moment later: see close()). */
  #closed = false
  #monitoring = false
  /** The last bind or unbind still running: the next waits for it (v6 takes one at a time). */
  #listening: Promise<void> | undefined
  readonly #inbound: Inbound | undefined
  readonly #outbound: Outbound

  constructor(type: SocketType) {
    super()
    const { socket, typeNumber } = openSocket(type)
    this.type = type
    this.#v6 = socket as unknown as V6Socket
    this.#typeNumber = typeNumber
    const state = { closed: () => this.#closed, paused: () => this.#paused }
    this.#outbound = new Outbound(state, (frames) => this.#send(frames))
    const v6 = this.#v6
    if (typeof v6.receive === "function") {
      this.#inbound = new Inbound(state, () => (v6.receive as () => Promise<zmq.Message[]>).call(v6),
        (frames) => process.nextTick(() => this.emit("message", ...frames)),
        (err) => this.#receiveFailed(err))
      this.#inbound.start()
    }
    plumbing.set(this, {
      redirect: (sink) => {
        if (this.#inbound) this.#inbound.sink = sink
      },
      deliver: (frames) => new Promise((resolve) => this.#outbound.add(frames, () => resolve())),
      canReceive: this.#inbound !== undefined,
    })
  }

  #send(frames: zmq.MessageLike[]): Promise<void> {
    if (this.#closed) return Promise.reject(legacyError("EBADF"))
    const v6 = this.#v6
    // libzmq's answer to a send on a socket type that cannot send (PULL, SUB).
    if (typeof v6.send !== "function") return Promise.reject(legacyError("ENOTSUP"))
    return v6.send(frames)
  }

  /**
   * A receive failed while the socket is open. A timeout (receiveTimeout set) is reported and
   * reading goes on, as in v5; anything else (the engine died; EBUSY, which only another reader
   * of the v6 socket could cause) stops reading, since every later receive would fail the same
   * way at once. zeromq.js's v5 layer does not report EBUSY; neither does this.
   */
  #receiveFailed(err: unknown): boolean {
    const code = (err as { code?: string }).code
    if (code === "EBUSY") return false
    process.nextTick(() => this.emit("error", err))
    return code === "EAGAIN"
  }

  get closed(): boolean {
    return this.#closed
  }

  // ---- endpoints ---------------------------------------------------------------------------

  bind(address: string, cb?: Callback): this {
    this.#listen("bind", address, cb ?? null)
    return this
  }

  unbind(address: string, cb?: Callback): this {
    this.#listen("unbind", address, cb ?? null)
    return this
  }

  /**
   * v6's sockets cannot bind synchronously (the engine is another thread's, or the event
   * loop's): the bind is issued at once (after a bind or unbind of this socket still running,
   * as v6 takes one at a time), so it reaches the engine before a connect() made after it; a
   * failure is an "error" event. No "bind" event, as with v5's bindSync.
   */
  bindSync(address: string): void {
    this.#listen("bind", address, undefined)
  }

  unbindSync(address: string): void {
    this.#listen("unbind", address, undefined)
  }

  /** cb: the callback, or null for none (both emit "bind"/"unbind"); undefined for the *Sync
   *  forms, which emit nothing on success. */
  #listen(method: "bind" | "unbind", address: string, cb: Callback | null | undefined): void {
    if (this.#closed) throw legacyError("EBADF") // synchronously, as zeromq.js's bind
    const call = () => this.#v6[method](address)
    const running = this.#listening ? this.#listening.then(call) : call()
    const settled: Promise<void> = running.then(
      () => {
        if (cb === undefined) return
        process.nextTick(() => {
          this.emit(method, address)
          cb?.()
        })
      },
      (err: Error) => process.nextTick(() => (cb ? cb(err) : this.emit("error", err))),
    )
    this.#listening = settled
    void settled.then(() => {
      if (this.#listening === settled) this.#listening = undefined
    })
  }

  connect(address: string): this {
    this.#checkOpen()
    this.#v6.connect(address)
    return this
  }

  disconnect(address: string): this {
    this.#checkOpen()
    this.#v6.disconnect(address)
    return this
  }

  /** What the v6 socket would throw once closed, for the moment it may still be open. */
  #checkOpen(): void {
    if (this.#closed) throw legacyError("EBADF")
  }

  /**
   * A ROUTER (with mandatory) or STREAM send is answered by the engine, a moment later; libzmq
   * answers at once, so with zeromq.js a send to an unknown peer has failed with EHOSTUNREACH
   * before a close() right after it. The v6 socket here would fail it with EAGAIN at close(), so
   * it is closed once that answer is in — when the send has a timeout, which bounds the wait.
   * The legacy socket is closed at once either way.
   */
  close(): this {
    if (this.#closed) return this
    this.#closed = true
    this.#outbound.drop()
    const answer = this.#outbound.inFlight
    const v6 = this.#v6 as unknown as { sendTimeout?: number; close(): void }
    if (answer && ANSWERED.has(this.type) && (v6.sendTimeout ?? -1) >= 0) void answer.then(() => v6.close())
    else v6.close()
    return this
  }

  // ---- messages ----------------------------------------------------------------------------

  /**
   * Queues a message. With ZMQ_SNDMORE in flags the parts wait for the next send() without it,
   * which sends them all as one message and owns the callback.
   */
  send(message: zmq.MessageLike[] | zmq.MessageLike, flags: number | undefined | null = 0, cb?: Callback): this {
    this.#parts = this.#parts.concat(message)
    if (((flags ?? 0) | 0) & ZMQ_SNDMORE) return this
    const frames = this.#parts
    this.#parts = []
    const done: Done = cb ?? ((err) => {
      if (err && !this.#closed) this.emit("error", err)
    })
    this.#outbound.add(frames, done)
    return this
  }

  read(): never {
    throw new Error("read() has been removed from compatibility mode; use on('message', ...) instead.")
  }

  /** Stops "message" events (what arrives meanwhile is kept) and sending, until resume(). */
  pause(): void {
    this.#paused = true
  }

  resume(): void {
    this.#paused = false
    this.#inbound?.start()
    this.#outbound.flush()
  }

  subscribe(filter: string): this {
    this.#subscriber().subscribe(filter)
    return this
  }

  unsubscribe(filter: string): this {
    this.#subscriber().unsubscribe(filter)
    return this
  }

  #subscriber(): zmq.Subscriber {
    if (this.#v6 instanceof zmq.Subscriber) return this.#v6
    throw new Error("Subscriber socket required")
  }

  // ---- monitor -----------------------------------------------------------------------------

  /**
   * Emits libzmq's events on this socket under v5's names (monitor.ts). v5 polled them every
   * `interval` ms, `numEvents` at a time; they now arrive as they happen, so both are ignored.
   */
  monitor(interval?: number, numEvents?: number): this {
    if (interval || numEvents) {
      process.emitWarning("monitor() arguments are ignored in compatibility mode: events are delivered as they happen")
    }
    if (this.#closed) throw legacyError("ENOTSOCK") // as the v6 socket's events, once closed
    const events = this.#v6.events
    if (this.#monitoring && !events.closed) return this
    this.#monitoring = true
    void relayEvents(events, (name, value, address, error) => this.emit(name, value, address, error), (err) => {
      if (!this.#closed) this.emit("error", err)
    })
    return this
  }

  unmonitor(): this {
    if (this.#closed) throw legacyError("ENOTSOCK")
    this.#v6.events.close()
    this.#monitoring = false
    return this
  }

  // ---- options -----------------------------------------------------------------------------

  setsockopt(option: number | ShortOption, value: any): this {
    writeOption(this.#target(), option, value)
    return this
  }

  getsockopt(option: number | ShortOption): string | number | boolean | null {
    return readOption(this.#target(), option) as string | number | boolean | null
  }

  #target(): OptionTarget {
    const v6 = this.#v6
    return {
      get: (property) => this.#optionValue(property),
      set: (property, value) => this.#setOptionValue(property, value),
      state: () => {
        if (this.#closed) throw legacyError("ENOTSOCK")
        return { typeNumber: this.#typeNumber, readable: v6.readable, writable: v6.writable, lastEndpoint: v6.lastEndpoint }
      },
      subscribe: (prefix) => this.#subscriberFor("subscribe").subscribe(prefix as string),
      unsubscribe: (prefix) => this.#subscriberFor("unsubscribe").unsubscribe(prefix as string),
    }
  }

  /** ZMQ_SUBSCRIBE on a socket that is not a SUB: zeromq.js fails with a TypeError. */
  #subscriberFor(method: string): zmq.Subscriber {
    if (this.#v6 instanceof zmq.Subscriber) return this.#v6
    throw new TypeError(`${method}() requires a sub socket`)
  }

  /** The v6 property: zeromq.js's sockets have send options only where they can send and
   *  receive options only where they can receive, as the v6 classes do; undefined elsewhere. */
  #optionValue(property: string): unknown {
    if (this.#closed) throw legacyError("ENOTSOCK")
    const v6 = this.#v6 as unknown as Record<string, unknown>
    return property in v6 ? v6[property] : undefined
  }

  #setOptionValue(property: string, value: unknown): void {
    if (this.#closed) throw legacyError("ENOTSOCK")
    const v6 = this.#v6 as unknown as Record<string, unknown>
    // zeromq.js's sockets are sealed: an option the type does not have cannot be added.
    if (!(property in v6)) throw new TypeError(`Cannot add property ${property}, object is not extensible`)
    v6[property] = value
  }
}

// The short names as accessors (`socket.linger`); a string value is set as its UTF-8 bytes,
// as v5 did.
for (const name of Object.keys(options) as ShortOption[]) {
  if (Object.prototype.hasOwnProperty.call(Socket.prototype, name)) continue
  Object.defineProperty(Socket.prototype, name, {
    get(this: Socket) {
      return this.getsockopt(name)
    },
    set(this: Socket, value: unknown) {
      this.setsockopt(name, typeof value === "string" ? Buffer.from(value, "utf8") : value)
    },
  })
}

/** Creates a socket of a legacy type; `options` are set on it by name (`{linger: 0}`). */
export function createSocket(type: SocketType, options: { [key: string]: any } = {}): Socket {
  const socket = new Socket(type)
  for (const key of Object.keys(options)) socket[key] = options[key]
  return socket
}
