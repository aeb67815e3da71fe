/**
 * Context: one engine (a wasm core and its transports) shared by the sockets created with it.
 * By default the engine runs in a Worker; `new Context({inline: true})` runs it on this thread.
 * zeromq.js's context options are a table (options.ts, CONTEXT_OPTIONS) read and written through
 * its native get/set<Type>Option methods, with libzmq's checks.
 */
import { Link } from "./link.js"
import { workersAvailable } from "../platform/node/engine.js"
import { zmqError } from "./errors.js"
import { assignOptions, checkArgCount, construct, isObject, nativeClass } from "./native.js"
import { CONTEXT_OPTIONS, type ContextOptionRow, coerceNumber } from "./options.js"

export interface ContextOptions {
  /** Run the engine on the caller's thread instead of a worker (lowest latency, no thread). */
  inline: boolean
  ioThreads: number
  maxSockets: number
  maxMessageSize: number
  ipv6: boolean
  blocky: boolean
  threadPriority: number
  threadSchedulingPolicy: number
}

/** @internal A socket of this context opens (EMFILE past maxSockets) or closes. */
export const OPEN_SOCKET = Symbol("openSocket")
/** @internal */
export const CLOSE_SOCKET = Symbol("closeSocket")

/** @hidden The implementation of zeromq.js's Context (exported as `Context`, below). */
export class ContextImpl {
  #link: Link | undefined
  readonly #inline: boolean
  /** By row: ZMQ_SOCKET_LIMIT and ZMQ_THREAD_PRIORITY share a number (one is read, one written). */
  readonly #values = new Map<ContextOptionRow, number | boolean>()
  #open = 0

  constructor(options?: Partial<ContextOptions>) {
    checkArgCount(arguments.length, 1)
    if (options !== undefined && !isObject(options)) throw new TypeError("Options must be an object")
    this.#inline = options?.inline === true
    Object.seal(this)
    if (options) assignOptions(this, options, "Context", "inline")
  }

  /** Whether the engine runs on this thread (`{inline: true}`). */
  get inline(): boolean {
    return this.#inline
  }

  /** @internal The engine starts with the first socket. */
  get link(): Link {
    // Where no worker can be started (a SharedWorker in Chromium has no Worker), inline.
    // The link reads blocky at exit through a weak reference: it must not keep the Context alive.
    const self = new WeakRef(this)
    this.#link ??= new Link(this.#inline || !workersAvailable(), () => self.deref()?.blocky ?? true)
    return this.#link
  }

  /** @internal libzmq's ctx create_socket: EMFILE once maxSockets sockets are open. */
  [OPEN_SOCKET](): void {
    if (this.#open >= (this.#get(2, "Int32") as number)) throw zmqError("EMFILE")
    this.#open++
  }

  /** @internal */
  [CLOSE_SOCKET](): void {
    this.#open--
  }

  getBoolOption(id: number): boolean {
    checkArgCount(arguments.length, 1)
    return this.#get(id, "Bool") as boolean
  }

  setBoolOption(id: number, value: boolean): void {
    checkArgCount(arguments.length, 2)
    if (typeof value !== "boolean") throw new TypeError("Option value must be a boolean")
    this.#set(id, value, "Bool")
  }

  getInt32Option(id: number): number {
    checkArgCount(arguments.length, 1)
    return this.#get(id, "Int32") as number
  }

  setInt32Option(id: number, value: number): void {
    checkArgCount(arguments.length, 2)
    if (typeof value !== "number") throw new TypeError("Option value must be a number")
    this.#set(id, coerceNumber("Int32", value), "Int32")
  }

  #row(id: unknown, access: "get" | "set"): ContextOptionRow {
    if (typeof id !== "number") throw new TypeError("Identifier must be a number")
    const row = CONTEXT_OPTIONS.find((r) => r.zmq === id && !(access === "get" ? r.writeOnly : r.readOnly))
    if (!row) throw zmqError("EINVAL")
    return row
  }

  #get(id: unknown, type?: "Bool" | "Int32"): number | boolean | undefined {
    const row = this.#row(id, "get")
    const value = this.#values.get(row) ?? row.default
    return type === "Bool" ? value === true || value === 1 : typeof value === "boolean" ? Number(value) : value
  }

  #set(id: unknown, value: number | boolean, type: "Bool" | "Int32"): void {
    const row = this.#row(id, "set")
    const n = Number(value)
    // ZMQ_MAX_SOCKETS is bounded by the socket limit; the others by their minimum.
    if (n < (row.min ?? -Infinity) || (row.zmq === 2 && n > 65535)) throw zmqError("EINVAL")
    this.#values.set(row, row.type === "Bool" ? (type === "Bool" ? value : n !== 0) : n)
  }
}

/** Context options as properties, over the typed methods (zeromq.js's defineOpt). */
for (const row of CONTEXT_OPTIONS) {
  const get = `get${row.type}Option` as const
  const set = `set${row.type}Option` as const
  type Typed = Record<string, (id: number, value?: unknown) => unknown>
  const desc: PropertyDescriptor = { enumerable: false, configurable: false }
  if (!row.writeOnly) desc.get = function (this: Typed) { return this[get](row.zmq) }
  if (!row.readOnly) desc.set = function (this: Typed, value: unknown) { this[set](row.zmq, value) }
  Object.defineProperty(ContextImpl.prototype, row.name, desc)
}

export interface ContextImpl {
  /** ZMQ_IO_THREADS. Stored only: the engine is one thread (a worker, or inline). */
  ioThreads: number
  /** ZMQ_MAX_SOCKETS: the number of sockets this context may have open (EMFILE beyond). */
  maxSockets: number
  /** ZMQ_SOCKET_LIMIT: the largest value maxSockets takes. */
  readonly maxSocketsLimit: number
  /** ZMQ_THREAD_PRIORITY. Write only; stored only (a worker has no OS thread priority). */
  threadPriority: number
  /** ZMQ_THREAD_SCHED_POLICY. Write only; stored only, as threadPriority. */
  threadSchedulingPolicy: number
  /** ZMQ_MAX_MSGSZ. Stored only: each socket's maxMessageSize is what applies. */
  maxMessageSize: number
  /** ZMQ_IPV6. */
  ipv6: boolean
  /** ZMQ_BLOCKY: whether exit waits for queued messages. */
  blocky: boolean
}

/** zeromq.js's Context: a native class (see native.ts). */
export const Context = nativeClass(ContextImpl, function Context(...args: unknown[]) {
  return construct(ContextImpl, new.target, args)
})
export type Context = ContextImpl

/** The context of sockets created without one. */
export const context = new Context()
