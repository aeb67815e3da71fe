/**
 * The socket base: zeromq.js v6's Socket, with send/receive over the channel's credit scheme
 * (ts/host/channel/protocol.ts). It never interprets a message: the core does all routing; this
 * class packs messages into batches, resolves sends within the credit the host reports, and hands
 * out received messages.
 */
import { BatchReader, BatchWriter, type BodyBytes } from "../host/channel/batch.js"
import { RECV_BYTES, RECV_WINDOW, SEND_WINDOW } from "../host/channel/protocol.js"
import { ZW_OPT, ZW_SOCKET, ZW_STATUS } from "../host/zmqw.js"
import { type Context, context as defaultContext } from "./context.js"
import { checkEndpoint } from "./endpoint.js"
import { BUSY_BIND, BUSY_RECEIVE, BUSY_SEND, type ZmqError, zmqError } from "./errors.js"
import { MONITOR, Observer } from "./observer.js"
import type { MonitorEvent } from "../host/monitor.js"
import type { HostApi } from "../host/channel/protocol.js"
import type { Link, LinkedSocket } from "./link.js"
import { toParts, type MessageLike } from "./message.js"
import { checkOption, encodeOption, OPTIONS, type OptionRow } from "./options.js"
import { Pending } from "./pending.js"
import { bytesOf } from "../host/bytes.js"

export type { MessageLike } from "./message.js"
export type Message = Buffer

export type SocketType =
  | "pair" | "publisher" | "subscriber" | "request" | "reply" | "dealer" | "router"
  | "pull" | "push" | "xpublisher" | "xsubscriber" | "stream"

/** libzmq's socket type numbers by zeromq.js's names. */
export const SOCKET_TYPES: Record<SocketType, number> = {
  pair: ZW_SOCKET.PAIR, publisher: ZW_SOCKET.PUB, subscriber: ZW_SOCKET.SUB, request: ZW_SOCKET.REQ,
  reply: ZW_SOCKET.REP, dealer: ZW_SOCKET.DEALER, router: ZW_SOCKET.ROUTER, pull: ZW_SOCKET.PULL,
  push: ZW_SOCKET.PUSH, xpublisher: ZW_SOCKET.XPUB, xsubscriber: ZW_SOCKET.XSUB, stream: ZW_SOCKET.STREAM,
}

/** Return credit to the host after this many received messages, or bytes, were consumed. */
const CREDIT_CHUNK = RECV_WINDOW / 4
const CREDIT_CHUNK_BYTES = RECV_BYTES / 4
const RESOLVED: Promise<void> = Promise.resolve()



export abstract class Socket implements LinkedSocket {
  readonly context: Context
  private readonly link: Link
  private readonly handle: number
  private readonly typeNumber: number
  private readonly values = new Map<string, unknown>()
  private isClosed = false
  /** The engine died (link.ts, die()): every call fails with this error from then on. */
  private deadError: ZmqError | undefined
  private endpoint: string | null = null
  private binding = false
  /** Addresses connected and not yet disconnected (ENOENT is decided here, synchronously). */
  private readonly connected: string[] = []
  /** `events`, made on first use (the host emits events only from then on). */
  private observer: Observer | undefined

  // send side: see the credit rule in protocol.ts
  private readonly writer = new BatchWriter()
  private sent = 0
  private taken = 0
  private cap = 0
  private flags = 0
  /** Control calls (connect, setopt, ...) the host has not answered yet. */
  private calls = 0
  private sendWait: Pending<void> | undefined
  /** The message of the waiting send. */
  private sendParts: (Uint8Array | string)[] = []
  /** The waiting send is answered (see answered()): its message's number, else 0. */
  private sendSeq = 0

  // receive side
  /** Received messages not yet taken: batches as they came, or what dropQueued() kept. */
  private readonly inbox: Array<Pick<BatchReader, "remaining" | "next">> = []
  private consumed = 0
  private consumedBytes = 0
  private receiveWait: Pending<Buffer[]> | undefined
  /** Lockstep sockets (see lockstep()): a message is asked of the host and not yet received. */
  private demanding = false

  protected constructor(type: SocketType, options: Record<string, unknown> = {}) {
    this.context = (options.context as Context | undefined) ?? defaultContext
    this.typeNumber = SOCKET_TYPES[type]
    this.link = this.context.link
    // Inline, the engine writes the user's large Buffers as they are (zeromq.js sends by reference).
    this.writer.copyBodies = !this.link.inline
    this.writer.lender = this.link.lender
    this.handle = this.link.register(this)
    this.control("open", [this.handle, this.typeNumber, this.lockstep() ? 0 : RECV_WINDOW])
    for (const [key, value] of Object.entries(options)) {
      if (key === "context") continue
      if (!(key in this)) throw new TypeError(`Cannot add property ${key}, object is not extensible`)
      ;(this as Record<string, unknown>)[key] = value
    }
  }

  // ---- state ---------------------------------------------------------------------------------

  get type(): SocketType {
    return (Object.keys(SOCKET_TYPES) as SocketType[])[this.typeNumber]
  }

  get closed(): boolean {
    return this.isClosed
  }

  /** Whether a message can be received right now without waiting. */
  get readable(): boolean {
    return this.inbox.length > 0 || (this.flags & ZW_STATUS.READABLE) !== 0
  }

  /** Whether a message can be sent right now without waiting. */
  get writable(): boolean {
    return this.credit() > 0
  }

  get lastEndpoint(): string | null {
    return this.endpoint
  }

  /** The socket's Observer: the same object each time; closed with the socket. */
  get events(): Observer {
    if (this.isClosed) throw zmqError("ENOTSOCK") // zeromq.js's, for a closed socket
    this.observer ??= new Observer(this)
    return this.observer
  }

  /** @internal Starts or stops the host's monitor events (the Observer's constructor). */
  [MONITOR](on: boolean): void {
    if (!on && (this.isClosed || this.deadError)) return // the host has stopped them already
    if (this.isClosed) throw zmqError("EBADF")
    if (this.deadError) throw this.deadError
    void this.control("monitor", [this.handle, on])
  }

  /** @internal */
  onEvent(event: MonitorEvent): void {
    this.observer?.push(event)
  }

  // ---- options -------------------------------------------------------------------------------

  /** @internal */
  getOption(row: OptionRow): unknown {
    if (row.unreadable) throw zmqError("EINVAL")
    if (row.writeOnly) return undefined
    return this.values.has(row.name) ? this.values.get(row.name) : row.default
  }

  /** @internal */
  setOption(row: OptionRow, value: unknown): void {
    if (this.isClosed) throw zmqError("ENOTSOCK")
    if (this.deadError) throw this.deadError
    const checked = checkOption(row, value)
    this.values.set(row.name, checked)
    if (!row.local) this.control("setopt", [this.handle, row.zmq, encodeOption(row, checked)])
  }

  /** @internal SUBSCRIBE/UNSUBSCRIBE are actions, not stored options. */
  protected setSubscription(option: number, prefix: Uint8Array): Promise<void> {
    return this.control("setopt", [this.handle, option, prefix])
  }

  /** Set while a SUB's filter change is on its way to the host: what the host sent before it
   *  applied the change arrives meanwhile and passes this filter too (see dropQueued()). */
  protected queuedFilter: ((first: Buffer) => boolean) | undefined

  /**
   * connect(address, {routingId}) of ROUTER and STREAM: the peer of this connect gets that
   * routing id (ZMQ_CONNECT_ROUTING_ID, used by the next connect only), as zeromq.js sets it.
   */
  protected connectAs(address: string, routingId: unknown): void {
    if (routingId) {
      this.checkOpen()
      if (typeof routingId !== "string") throw new TypeError("Option value must be a string or buffer")
      const id = bytesOf(routingId)
      if (id.length > 255) throw zmqError("EINVAL")
      this.control("setopt", [this.handle, ZW_OPT.CONNECT_ROUTING_ID, id])
    }
    Socket.prototype.connect.call(this, address)
  }

  /** @internal Whether a boolean option was set true (readable or not). */
  protected hasOption(name: string): boolean {
    return this.values.get(name) === true
  }

  private option(name: string): number {
    return this.getOption(OPTIONS.find((r) => r.name === name) as OptionRow) as number
  }

  // ---- endpoints -----------------------------------------------------------------------------

  async bind(address: string): Promise<void> {
    this.endpoint = await this.listenCall("bind", address)
  }

  async unbind(address: string): Promise<void> {
    await this.listenCall("unbind", address)
  }

  /** bind/unbind: one at a time per socket (EBUSY otherwise), as in zeromq.js. */
  private async listenCall<M extends "bind" | "unbind">(method: M, address: string) {
    this.checkOpen()
    if (this.binding) throw zmqError("EBUSY", { message: BUSY_BIND })
    checkEndpoint(address, true)
    this.binding = true
    try {
      return await this.link.call(method, [this.handle, address] as Parameters<HostApi[M]>)
    } finally {
      this.binding = false
    }
  }

  connect(address: string): void {
    this.checkOpen()
    checkEndpoint(address, false)
    this.connected.push(address)
    this.control("connect", [this.handle, address])
  }

  disconnect(address: string): void {
    this.checkOpen()
    checkEndpoint(address, false)
    const i = this.connected.indexOf(address)
    if (i < 0) throw zmqError("ENOENT", { address })
    this.connected.splice(i, 1)
    this.control("disconnect", [this.handle, address])
  }

  /**
   * Closes the socket. Queued messages are still sent for up to `linger` ms in the background;
   * a pending send() or receive() is rejected with EAGAIN, as in zeromq.js.
   */
  close(): void {
    if (this.isClosed) return
    this.isClosed = true
    // An Error costs its stack trace: made only for a call that is waiting.
    if (this.sendWait) this.failSend(zmqError("EAGAIN"))
    else this.sendSeq = 0
    if (this.receiveWait) this.failReceive(zmqError("EAGAIN"))
    this.link.hold() // until the host says the socket is gone (linger is over)
    this.link.tell("close", [this.handle])
  }

  /**
   * A control call nobody awaits (the facade checked it already). Counted, because until the
   * host has answered it, what the facade knows of the socket's state may be out of date.
   */
  /** A control call; the promise settles (never rejects) once the host has answered it. */
  private control<M extends keyof HostApi>(method: M, args: Parameters<HostApi[M]>): Promise<void> {
    this.calls++
    const done = () => {
      this.calls--
      this.settle()
    }
    return this.link.call(method, args).then(done, done)
  }

  /**
   * Whether each send's outcome depends on its message, so that only the core can tell it: a
   * STREAM, or a ROUTER with `mandatory`, fails a send to an unknown routing id (EHOSTUNREACH)
   * and waits at that one peer's HWM. Such a send() waits for the host's answer about its own
   * message instead of resolving within credit (see protocol.ts).
   */
  protected answered(): boolean {
    return false
  }

  /**
   * Whether receiving changes what the socket may do next, so that a message must stay in the
   * core until the user takes it: a REQ may send again, a REP must reply, only once its message
   * is received. Such a socket asks the host for one message per receive() instead of having
   * messages pushed ahead (libzmq's REQ refuses a second send while the reply is unread).
   */
  protected lockstep(): boolean {
    return false
  }

  /** The host has seen everything this socket sent it, and reported the state after it. */
  private upToDate(): boolean {
    return this.calls === 0 && this.sent === this.taken
  }

  /**
   * Fails an expired send or receive, once the state it is judged on is current. zeromq.js
   * judges a timed-out operation by trying it: libzmq then answers EFSM if the socket's state
   * forbids it (REQ sending twice, REP sending before a request) and EAGAIN otherwise. Judging
   * on a stale report would give EAGAIN for a REQ that has in fact just sent, or refuse a send
   * that a connect() made just before would allow.
   */
  private settle(): void {
    if (!this.upToDate()) return
    if (this.sendWait?.expired && !this.sendSeq) {
      this.failSend(zmqError(this.flags & ZW_STATUS.SEND_FSM ? "EFSM" : "EAGAIN"))
    }
    if (this.receiveWait?.expired) {
      this.failReceive(zmqError(this.flags & ZW_STATUS.RECV_FSM ? "EFSM" : "EAGAIN"))
    }
  }

  private checkOpen(): void {
    if (this.isClosed) throw zmqError("EBADF")
    if (this.deadError) throw this.deadError
  }

  // ---- send ----------------------------------------------------------------------------------

  private credit(): number {
    return Math.min(this.cap, SEND_WINDOW) - (this.sent - this.taken)
  }

  /** @internal */
  send(message: MessageLike | MessageLike[]): Promise<void> {
    if (message === undefined) throw new TypeError("Message must be present")
    if (this.isClosed) return Promise.reject(zmqError("EBADF"))
    if (this.deadError) return Promise.reject(this.deadError)
    if (this.sendWait) return Promise.reject(zmqError("EBUSY", { message: BUSY_SEND }))
    const parts = toParts(message)
    if (this.answered()) return this.sendAnswered(parts)
    if (this.credit() > 0) {
      this.enqueue(parts)
      return RESOLVED
    }
    const wait = new Pending<void>(this.link, this.option("sendTimeout"), () => this.settle())
    this.sendWait = wait
    this.sendParts = parts
    this.settle()
    return wait.promise
  }

  /**
   * Sends one message and waits for the host's answer about it: taken (resolves), or refused
   * with an error (rejects). At the send timeout the facade asks for it back ("withdraw"): the
   * host answers EAGAIN if it still held it, or the answer it already gave.
   */
  private sendAnswered(parts: (Uint8Array | string)[]): Promise<void> {
    this.enqueue(parts)
    const seq = this.sent
    const wait = new Pending<void>(this.link, this.option("sendTimeout"), () => this.link.withdraw(this.handle, seq))
    this.sendWait = wait
    this.sendSeq = seq
    if (wait.expired) this.link.withdraw(this.handle, seq) // sendTimeout 0: only if it fits now
    return wait.promise
  }

  private enqueue(parts: (Uint8Array | string)[]): void {
    const before = this.writer.bytes
    this.writer.add(parts)
    this.sent++
    this.link.pending(this, this.writer.bytes - before)
  }

  private failSend(err: Error): void {
    const wait = this.sendWait
    this.sendWait = undefined
    this.sendSeq = 0
    wait?.reject(err)
  }

  /** @internal The host dropped message number seq with this error (see sendAnswered). */
  onRefused(seq: number, code: string): void {
    if (seq === this.sendSeq) this.failSend(zmqError(code))
  }

  /** @internal */
  cut(): void {
    if (this.writer.count === 0) return
    const { b, len, n, bodies } = this.writer.take()
    this.link.sendBatch(this.handle, b, len, n, bodies)
  }

  /** @internal */
  onStatus(taken: number, cap: number, flags: number): void {
    this.taken = taken
    this.cap = cap
    this.flags = flags
    const wait = this.sendWait
    if (wait && this.sendSeq) {
      // Taken (a refusal comes before the status that counts it, and has failed it already).
      if (taken >= this.sendSeq) {
        this.sendWait = undefined
        this.sendSeq = 0
        wait.resolve()
      }
    } else if (wait && this.credit() > 0) {
      this.sendWait = undefined
      this.enqueue(this.sendParts)
      wait.resolve()
    }
    this.settle()
  }

  // ---- receive -------------------------------------------------------------------------------

  /** @internal */
  receive(): Promise<Buffer[]> {
    if (this.isClosed) return Promise.reject(zmqError("EBADF"))
    if (this.deadError) return Promise.reject(this.deadError)
    if (this.receiveWait) return Promise.reject(zmqError("EBUSY", { message: BUSY_RECEIVE }))
    if (this.inbox.length > 0) return Promise.resolve(this.take())
    const wait = new Pending<Buffer[]>(this.link, this.option("receiveTimeout"), () => this.settle())
    this.receiveWait = wait
    if (this.lockstep() && !this.demanding) {
      this.demanding = true
      this.link.credit(this.handle, 1, 0)
    }
    this.settle()
    return wait.promise
  }

  private take(): Buffer[] {
    const reader = this.inbox[0]
    const parts = reader.next()
    if (reader.remaining === 0) this.inbox.shift()
    this.consume(parts)
    return parts
  }

  /** A received message is gone from the inbox: its credit goes back to the host in chunks. */
  private consume(parts: Buffer[]): void {
    if (this.lockstep()) return // credit is asked per receive()
    // Each frame weighs 4 + its size, as the host counts it (zmqw.h's zw_recv max_bytes).
    for (const part of parts) this.consumedBytes += 4 + part.length
    if (++this.consumed >= CREDIT_CHUNK || this.consumedBytes >= CREDIT_CHUNK_BYTES) {
      this.link.credit(this.handle, this.consumed, this.consumedBytes)
      this.consumed = 0
      this.consumedBytes = 0
    }
  }

  /**
   * Drops the messages received ahead of receive() whose first frame `keep` refuses, keeping the
   * others in order. A SUB's filter changed: libzmq's SUB filters at receive time, so a message
   * that arrived before an unsubscribe is not returned after it (the core's SUB filters what it
   * still holds the same way; these are the ones already handed to the facade).
   */
  protected dropQueued(keep: (first: Buffer) => boolean): void {
    if (this.inbox.length === 0) return
    const kept: Buffer[][] = []
    for (const reader of this.inbox) {
      while (reader.remaining > 0) {
        const parts = reader.next()
        if (keep(parts[0])) kept.push(parts)
        else this.consume(parts)
      }
    }
    this.inbox.length = 0
    if (kept.length) this.inbox.push({ remaining: kept.length, next() { this.remaining--; return kept.shift() as Buffer[] } })
  }

  private failReceive(err: Error): void {
    const wait = this.receiveWait
    this.receiveWait = undefined
    if (wait && this.demanding) {
      // Nobody waits any more: the message stays in the core (the host clamps at 0 if it was
      // already on its way, and then it is simply the next one received).
      this.link.credit(this.handle, -1, 0)
      this.demanding = false
    }
    wait?.reject(err)
  }

  /** @internal */
  onMessages(batch: ArrayBuffer, n: number, bodies?: BodyBytes[]): void {
    if (this.isClosed) return
    this.inbox.push(new BatchReader(batch, n, bodies))
    this.demanding = false
    if (this.queuedFilter) this.dropQueued(this.queuedFilter)
    // CONFLATE keeps only the newest message; the core conflates its pipes, and messages it has
    // already handed over (ahead of receive()) are conflated here the same way.
    if (this.values.get("conflate") === true) {
      let queued = this.inbox.reduce((sum, r) => sum + r.remaining, 0)
      for (; queued > 1; queued--) this.take()
    }
    const wait = this.receiveWait
    if (wait && this.inbox.length > 0) {
      this.receiveWait = undefined
      wait.resolve(this.take())
    }
  }

  /** @internal */
  onGone(): void {
    this.link.release()
  }

  /** @internal */
  onDead(err: ZmqError): void {
    this.deadError = err
    this.observer?.fail(err)
    this.failSend(err)
    this.failReceive(err)
  }

  /** @internal */
  [Symbol.asyncIterator](): AsyncIterator<Buffer[], undefined> {
    return this.messages()
  }

  /** Ends when the socket is closed, as zeromq.js's iterator does. */
  private async *messages(): AsyncGenerator<Buffer[], undefined> {
    while (!this.isClosed) {
      try {
        yield await this.receive()
      } catch (err) {
        if (this.isClosed) return undefined
        throw err
      }
    }
    return undefined
  }
}

/** Makes an option row an accessor on a class's prototype (zeromq.js's defineOpt). */
export function defineOption(cls: { prototype: object }, row: OptionRow): void {
  Object.defineProperty(cls.prototype, row.name, {
    get(this: Socket) {
      return this.getOption(row)
    },
    set(this: Socket, value: unknown) {
      this.setOption(row, value)
    },
    enumerable: true,
    configurable: false,
  })
}

// Options every socket type has; type-specific rows are defined on their classes (sockets.ts).
for (const row of OPTIONS) if (!row.sockets) defineOption(Socket, row)

export interface Socket {
  /** ZMQ_LINGER: ms queued messages are still sent after close(); -1 = until delivered. */
  linger: number
  /** ZMQ_RECONNECT_IVL: ms between reconnection attempts; -1 = never. */
  reconnectInterval: number
  /** ZMQ_RECONNECT_IVL_MAX: upper bound of the reconnection backoff; 0 = no backoff. */
  reconnectMaxInterval: number
  /** ZMQ_MAXMSGSIZE: largest frame accepted from a peer in bytes; -1 = no limit. */
  maxMessageSize: number
  /** ZMQ_IMMEDIATE: queue messages only to completed connections. */
  immediate: boolean
  /** ZMQ_HANDSHAKE_IVL: ms allowed for the ZMTP handshake; 0 = no limit. */
  handshakeInterval: number
  /** ZMQ_HEARTBEAT_IVL: ms between PINGs on each connection (WebSocket pings over ws://, sent
   *  from Node only: a browser's WebSocket cannot ping, it answers the server's); 0 = none. */
  heartbeatInterval: number
  /** ZMQ_HEARTBEAT_TTL: ms the peer may wait for traffic before it drops us. */
  heartbeatTimeToLive: number
  /** ZMQ_HEARTBEAT_TIMEOUT: ms to wait for traffic after a PING; -1 = heartbeatInterval. */
  heartbeatTimeout: number
}

/** Sockets that can send. */
export interface Writable<M extends MessageLike | MessageLike[] = MessageLike | MessageLike[]> {
  /** ZMQ_SNDHWM: messages queued per peer before send blocks or drops; 0 = no limit. */
  sendHighWaterMark: number
  /** ZMQ_SNDTIMEO: ms send() waits before failing with EAGAIN; -1 = forever. */
  sendTimeout: number
  /**
   * Queues a message (or a multipart message) and resolves as soon as it is within the socket's
   * high-water mark. Only one send may wait at a time (EBUSY otherwise).
   */
  send(message: M): Promise<void>
}

/** Sockets that can receive. */
export interface Readable<M extends object[] = Message[]> {
  /** ZMQ_RCVHWM: messages queued per peer before reading from it pauses; 0 = no limit. */
  receiveHighWaterMark: number
  /** ZMQ_RCVTIMEO: ms receive() waits before failing with EAGAIN; -1 = forever. */
  receiveTimeout: number
  /** Resolves with the parts of the next message. Only one receive may wait at a time. */
  receive(): Promise<M>
  [Symbol.asyncIterator](): AsyncIterator<M, undefined>
}
