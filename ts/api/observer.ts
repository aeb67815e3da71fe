/**
 * Observer: a socket's monitor events, as zeromq.js's (`socket.events`). The host emits them
 * (ts/host/host.ts, monitor.ts) once the Observer asks; they are read with receive() (or `for
 * await`), or with on()/off(), which are exclusive, as in zeromq.js. "end" comes last, when the
 * socket closes, and reading it closes the Observer.
 */
import { zmqError, type ZmqError } from "./errors.js"
import type { MonitorEvent } from "../host/monitor.js"
import type { Socket } from "./socket.js"

export interface EventAddress {
  address: string
}
export interface EventInterval {
  interval: number
}
export interface EventError<E = ZmqError> {
  error: E
}
/** A handshake:error:protocol's error: zeromq.js's CodedException. */
export interface ProtoError extends Error {
  code: string
}
/** A handshake:error:auth's error (ZAP status 300/400/500; with the security issue). */
export interface AuthError extends Error {
  status: 300 | 400 | 500
}

type EventFor<T extends string, D = object> = { type: T } & D
export type Event =
  | EventFor<"accept", EventAddress>
  | EventFor<"accept:error", EventAddress & EventError>
  | EventFor<"bind", EventAddress>
  | EventFor<"bind:error", EventAddress & EventError>
  | EventFor<"connect", EventAddress>
  | EventFor<"connect:delay", EventAddress>
  | EventFor<"connect:retry", EventAddress & EventInterval>
  | EventFor<"close", EventAddress>
  | EventFor<"close:error", EventAddress & EventError>
  | EventFor<"disconnect", EventAddress>
  | EventFor<"end">
  | EventFor<"handshake", EventAddress>
  | EventFor<"handshake:error:protocol", EventAddress & EventError<ProtoError>>
  | EventFor<"handshake:error:auth", EventAddress & EventError<AuthError>>
  | EventFor<"handshake:error:other", EventAddress & EventError>
  | EventFor<"unknown">
export type EventType = Event["type"]
export type EventOfType<E extends EventType = EventType> = Extract<Event, { type: E }>

/** How the Observer asks its socket for events (a symbol: no name added to zeromq's API). */
export const MONITOR: unique symbol = Symbol("zeromq-wasm.monitor")
export const HOLD: unique symbol = Symbol("zeromq-wasm.hold")

/** The part of a socket the Observer talks to. */
export interface Observed {
  /** Starts or stops the host's events for this socket. */
  [MONITOR](on: boolean): void
  /** Keeps the process alive (or lets it go) while a receive() waits, as zeromq.js's poller. */
  [HOLD](on: boolean): void
}

const EVENT_TYPES = new Set<string>(["accept", "accept:error", "bind", "bind:error", "connect", "connect:delay",
  "connect:retry", "close", "close:error", "disconnect", "end", "handshake", "handshake:error:protocol",
  "handshake:error:auth", "handshake:error:other"])
const AUTH_TEXT: Record<number, string> = { 300: "Temporary error", 400: "Authentication failure", 500: "Internal error" }

const EMITTER_MODE =
  "Observer is in event emitter mode. After a call to events.on() it is not possible to read events with events.receive()."
const BUSY_OBSERVER = "Observer is busy reading; only one receive operation may be in progress at any time"

type Listener = (event: Event) => void

export class Observer {
  private queue: Event[] = []
  private waiter: { resolve(e: Event | undefined): void; reject(e: Error): void } | undefined
  private isClosed = false
  private listeners: Map<string, Listener[]> | undefined
  private readonly socket: Observed

  /** zeromq.js's `new Observer(socket)` (what `socket.events` gives, once per socket). */
  constructor(socket: Socket) {
    const observed = socket as unknown as Partial<Observed>
    if (typeof socket !== "object" || socket === null || typeof observed[MONITOR] !== "function") {
      throw new TypeError("Socket must be a socket object")
    }
    this.socket = observed as Observed
    this.socket[MONITOR](true)
  }

  /** Whether the Observer was closed, by close() or because its socket closed ("end" read). */
  get closed(): boolean {
    return this.isClosed
  }

  /** Stops the events; a waiting receive() resolves with undefined, as zeromq.js's does. */
  close(): void {
    if (this.isClosed) return
    this.isClosed = true
    this.queue = []
    this.socket[MONITOR](false)
    const waiter = this.waiter
    this.waiter = undefined
    waiter?.resolve(undefined)
  }

  /** The next event: at once if one is queued, else when it comes. */
  receive(): Promise<Event> {
    if (this.listeners) throw new Error(EMITTER_MODE)
    if (this.isClosed) throw zmqError("EBADF")
    if (this.waiter) throw zmqError("EBUSY", { message: BUSY_OBSERVER })
    const next = this.queue.shift()
    if (next) return Promise.resolve(this.taken(next))
    this.socket[HOLD](true)
    return new Promise<Event | undefined>((resolve, reject) => {
      const done = () => this.socket[HOLD](false)
      this.waiter = {
        resolve: (e) => (done(), resolve(e)),
        reject: (e) => (done(), reject(e)),
      }
    }) as Promise<Event>
  }

  /** Event emitter mode: `listener` gets every event of this type (receive() may not be used). */
  on<E extends EventType>(type: E, listener: (event: EventOfType<E>) => void): this {
    if (!this.listeners) {
      this.listeners = new Map()
      // What was queued before the first listener is delivered to the listeners, in order.
      queueMicrotask(() => this.dispatch())
    }
    const list = this.listeners.get(type) ?? []
    list.push(listener as Listener)
    this.listeners.set(type, list)
    return this
  }

  off<E extends EventType>(type: E, listener: (event: EventOfType<E>) => void): this {
    const list = this.listeners?.get(type)
    const i = list?.indexOf(listener as Listener) ?? -1
    if (list && i >= 0) list.splice(i, 1)
    return this
  }

  async *[Symbol.asyncIterator](): AsyncGenerator<Event, undefined> {
    while (!this.isClosed) {
      const event = await this.receive()
      if (event === undefined) return undefined // closed while waiting
      yield event
    }
    return undefined
  }

  /** @internal An event from the host. */
  push(raw: MonitorEvent): void {
    if (this.isClosed) return
    const event = toEvent(raw)
    const waiter = this.waiter
    if (waiter) {
      this.waiter = undefined
      waiter.resolve(this.taken(event))
    } else {
      this.queue.push(event)
      if (this.listeners) this.dispatch()
    }
  }

  /** @internal The engine died: a waiting receive() fails with its error; the Observer ends. */
  fail(err: ZmqError): void {
    const waiter = this.waiter
    this.waiter = undefined
    this.isClosed = true
    this.queue = []
    waiter?.reject(err)
  }

  /** "end" closes the Observer as it is read (zeromq.js closes its monitor socket then). */
  private taken(event: Event): Event {
    if (event.type === "end") {
      this.isClosed = true
      this.queue = []
    }
    return event
  }

  private dispatch(): void {
    while (this.queue.length && this.listeners) {
      const event = this.taken(this.queue.shift() as Event)
      for (const listener of [...(this.listeners.get(event.type) ?? [])]) listener(event)
    }
  }
}

function toEvent(raw: MonitorEvent): Event {
  if (!EVENT_TYPES.has(raw.e)) return { type: "unknown" }
  const event: Record<string, unknown> = { type: raw.e }
  if (raw.a !== undefined) event.address = raw.a
  switch (raw.e) {
    case "connect:retry":
      event.interval = raw.n
      break
    case "bind:error":
    case "accept:error":
    case "close:error":
    case "handshake:error:other":
      event.error = zmqError(raw.c ?? "EINVAL")
      break
    case "handshake:error:protocol": {
      const err = new Error(raw.c?.startsWith("ERR_ZAP") ? "ZAP protocol error" : "ZMTP protocol error") as ProtoError
      err.code = raw.c ?? "ERR_ZMTP_UNSPECIFIED"
      event.error = err
      break
    }
    case "handshake:error:auth": {
      const err = new Error(AUTH_TEXT[raw.n ?? 0] ?? "Unknown error") as AuthError
      err.status = raw.n as AuthError["status"]
      event.error = err
      break
    }
  }
  return event as Event
}
