/**
 * The socket base: zeromq.js v6's Socket, with send/receive over the channel's credit scheme
 * (ts/host/channel/protocol.ts). It never interprets a message: the core does all routing; this
 * class packs messages into batches, resolves sends within the credit the host reports, and hands
 * out received messages.
 */
import { BatchReader, BatchWriter, type BodyBytes } from "../host/channel/batch.js"
import { RECV_BYTES, RECV_WINDOW, SEND_WINDOW } from "../host/channel/protocol.js"
import { ZW_LIMIT, ZW_OPT, ZW_SOCKET, ZW_STATUS } from "../host/zmqw.js"
import { CLOSE_SOCKET, Context, context as defaultContext, OPEN_SOCKET } from "./context.js"
import { checkEndpoint } from "./endpoint.js"
import { BUSY_BIND, BUSY_RECEIVE, BUSY_SEND, type ZmqError, zmqError } from "./errors.js"
import { HOLD, MONITOR, Observer } from "./observer.js"
import type { MonitorEvent } from "../host/monitor.js"
import type { HostApi } from "../host/channel/protocol.js"
import type { Link, LinkedSocket } from "./link.js"
import { toParts, type MessageLike } from "./message.js"
import { checkOption, coerceNumber, encodeOption, IMMEDIATE_OPTIONS, MECHANISMS, mechanismAfter, OPTIONS,
  optionRow, type OptionRow, type OptionType } from "./options.js"
import { assignOptions, checkArgCount, construct, isObject, nativeClass, warn } from "./native.js"
import type { SocketOptions } from "./sockets.js"
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

// libzmq option numbers the socket itself looks at.
const OPT_TYPE = 16
const OPT_LINGER = 17
const OPT_RCVTIMEO = 27
const OPT_SNDTIMEO = 28
const OPT_LAST_ENDPOINT = 32
const OPT_MANDATORY = 33
const OPT_MECHANISM = 43
const OPT_CONFLATE = 54
const OPT_SNDHWM = 23
const OPT_IMMEDIATE = 39
const OPT_RELAXED = 53
const OPT_IPV6 = 42

/** The typed getters and setters agree with an option's own type in size, as libzmq checks
 *  optvallen: a 4-byte option is not read through the 64-bit getter. */
function sameSize(a: OptionType, b: OptionType): boolean {
  const size = (t: OptionType) => (t === "String" ? 0 : t === "Int64" || t === "Uint64" ? 8 : 4)
  return size(a) === size(b)
}

/** @internal Symbols of the Proxy's access to its sockets (api/proxy.ts). */
export const PROXY_END = Symbol("proxyEnd")
export const PROXY_RUN = Symbol("proxyRun")

/** zeromq.js resolves at most this many sends and receives in a row in the call; the next one
 *  waits for a later turn of the event loop, so that a loop of awaited sends cannot starve
 *  timers and I/O (socket.cc, max_sync_operations). */
const MAX_SYNC_OPERATIONS = 512
const macrotask: (f: () => void) => void =
  (globalThis as { setImmediate?: (f: () => void) => void }).setImmediate ?? ((f) => setTimeout(f, 0))

/** Socket type numbers this build has (libzmq's 0..11; the draft types are not built). */
const TYPE_COUNT = 12
/** Every socket type can be asked to send and to receive (zeromq.js's Socket has both methods);
 *  for these libzmq answers ENOTSUP, which a waiting call gets when it ends. */
const CANNOT_SEND = new Set<number>([ZW_SOCKET.SUB, ZW_SOCKET.PULL])
const CANNOT_RECEIVE = new Set<number>([ZW_SOCKET.PUB, ZW_SOCKET.PUSH])
/** Types whose send never waits (the core drops, or fails the one message): writable at once. */
const NEVER_BLOCKS = new Set<number>([ZW_SOCKET.PUB, ZW_SOCKET.XPUB, ZW_SOCKET.ROUTER, ZW_SOCKET.STREAM, ZW_SOCKET.XSUB])
/** Types whose connect() makes a pipe at once (without `immediate`) that sends load-balance
 *  over: libzmq takes up to SNDHWM messages into it before the peer is even there. */
const CONNECT_PIPE = new Set<number>([ZW_SOCKET.PUSH, ZW_SOCKET.DEALER, ZW_SOCKET.PAIR, ZW_SOCKET.REQ])

/** @hidden The implementation of zeromq.js's Socket (exported as `Socket`, below). */
export class SocketImpl implements LinkedSocket {
  /** Released at close(), as zeromq.js does: a closed socket keeps no Context alive (the link
   *  holds the socket until the host has let it go). */
  #context: Context | undefined
  readonly #link: Link
  readonly #handle: number
  readonly #typeNumber: number
  /** Option values set, by libzmq option number (the rest read as their row's default). */
  readonly #values = new Map<number, unknown>()
  #mechanism = 0
  #isClosed = false
  /** close() was called while a bind, an unbind or a Proxy ran: it closes when that settles. */
  #closeAfterBind = false
  /** The other end of the Proxy this socket is an end of, while it runs (api/proxy.ts). */
  #proxied: SocketImpl | undefined
  /** The engine died (link.ts, die()): every call fails with this error from then on. */
  #deadError: ZmqError | undefined
  #endpoint: string | null = null
  #binding = false
  /** Endpoints bound or connected and not yet unbound or disconnected (zeromq.js counts them
   *  to warn about options that take effect only at the next connect or bind). */
  #endpoints = 0
  /** Addresses connected and not yet disconnected (ENOENT is decided here, synchronously). */
  readonly #connected: string[] = []
  /** Endpoints bound and not unbound, in pairs: the address as bound, and as resolved. */
  readonly #bound: string[] = []
  /** `events`, made on first use (the host emits events only from then on). */
  #observer: Observer | undefined

  // send side: see the credit rule in protocol.ts
  readonly #writer = new BatchWriter()
  #sent = 0
  #taken = 0
  #cap = 0
  #flags = 0
  /** Control calls (connect, setopt, ...) the host has not answered yet. */
  #calls = 0
  #sendWait: Pending<void> | undefined
  /** The message of the waiting send. */
  #sendParts: (Uint8Array | string)[] = []
  /** The waiting send is answered (see answered()): its message's number, else 0. */
  #sendSeq = 0

  // receive side
  /** Received messages not yet taken: batches as they came, or what dropQueued() kept. */
  readonly #inbox: Array<Pick<BatchReader, "remaining" | "next">> = []
  #consumed = 0
  #consumedBytes = 0
  #receiveWait: Pending<Buffer[]> | undefined
  /** Lockstep sockets (see lockstep()): a message is asked of the host and not yet received. */
  #demanding = false
  /** Sends and receives resolved in the call since one last waited (see MAX_SYNC_OPERATIONS). */
  #syncOps = 0

  /**
   * zeromq.js's `new Socket(type, options)`: the type is libzmq's number (the classes in
   * sockets.ts pass theirs), the options are assigned after the socket is sealed.
   */
  constructor(type: number, options?: SocketOptions<Socket>) {
    checkArgCount(arguments.length, 2)
    if (typeof type !== "number") throw new TypeError("Socket type must be a number")
    if (options !== undefined && !isObject(options)) throw new TypeError("Options must be an object")
    const context = options && "context" in options ? options.context : defaultContext
    // N-API's unwrap of a non-Context: a plain Error, without code.
    if (!(context instanceof Context)) throw new Error("Invalid argument")
    const typeNumber = type | 0
    if (typeNumber !== type || typeNumber < 0 || typeNumber >= TYPE_COUNT) throw zmqError("EINVAL")
    this.#context = context
    this.#typeNumber = typeNumber
    this.#link = context.link
    // What the core's first report will say, known now (see connect() for what a connect adds):
    // a REQ must send first and a REP receive first; the types whose send never blocks can send.
    if (typeNumber === ZW_SOCKET.REQ) this.#flags = ZW_STATUS.RECV_FSM
    if (typeNumber === ZW_SOCKET.REP) this.#flags = ZW_STATUS.SEND_FSM
    if (NEVER_BLOCKS.has(typeNumber)) this.#cap = ZW_LIMIT.CAPACITY_UNBOUNDED
    context[OPEN_SOCKET]() // EMFILE past maxSockets
    // Inline, the engine writes the user's large Buffers as they are (zeromq.js sends by reference).
    this.#writer.copyBodies = !this.#link.inline
    this.#writer.lender = this.#link.lender
    this.#handle = this.#link.register(this)
    this.control("open", [this.#handle, this.#typeNumber, this.lockstep() ? 0 : RECV_WINDOW])
    if (context.ipv6) this.#values.set(OPT_IPV6, true) // libzmq: the context's ZMQ_IPV6
    Object.seal(this)
    if (options) {
      try {
        assignOptions(this, options, "Socket", "context")
      } catch (err) {
        this.close()
        throw err
      }
    }
  }

  // ---- state ---------------------------------------------------------------------------------

  get context(): Context {
    return this.#context as Context
  }

  get closed(): boolean {
    return this.#isClosed
  }

  /** Whether a message can be received right now without waiting. */
  get readable(): boolean {
    return this.#inbox.length > 0 || (this.#flags & ZW_STATUS.READABLE) !== 0
  }

  /** Whether a message can be sent right now without waiting. */
  get writable(): boolean {
    return this.credit() > 0
  }

  /** The socket's Observer: the same object each time; closed with the socket. */
  get events(): Observer {
    if (this.#isClosed) throw zmqError("ENOTSOCK") // zeromq.js's, for a closed socket
    this.#observer ??= new Observer(this as unknown as Socket)
    return this.#observer
  }

  /** @internal Starts or stops the host's monitor events (the Observer's constructor). */
  [MONITOR](on: boolean): void {
    if (!on && (this.#isClosed || this.#deadError)) return // the host has stopped them already
    if (this.#isClosed) throw zmqError("EBADF")
    if (this.#deadError) throw this.#deadError
    void this.control("monitor", [this.#handle, on])
  }

  /** @internal A waiting Observer receive() keeps the process up (link.ts, hold()). */
  [HOLD](on: boolean): void {
    if (on) this.#link.hold()
    else this.#link.release()
  }

  /** @internal */
  onEvent(event: MonitorEvent): void {
    this.#observer?.push(event)
  }

  // ---- options: zeromq.js's native get/set<Type>Option, by libzmq option number --------------

  getBoolOption(id: number): boolean {
    return this.#getOption(id, "Bool", arguments.length) as boolean
  }

  setBoolOption(id: number, value: boolean): void {
    this.#setOption(id, "Bool", value, arguments.length)
  }

  getInt32Option(id: number): number {
    return this.#getOption(id, "Int32", arguments.length) as number
  }

  setInt32Option(id: number, value: number): void {
    this.#setOption(id, "Int32", value, arguments.length)
  }

  getUint32Option(id: number): number {
    return this.#getOption(id, "Uint32", arguments.length) as number
  }

  setUint32Option(id: number, value: number): void {
    this.#setOption(id, "Uint32", value, arguments.length)
  }

  getInt64Option(id: number): number {
    return this.#getOption(id, "Int64", arguments.length) as number
  }

  setInt64Option(id: number, value: number): void {
    this.#setOption(id, "Int64", value, arguments.length)
  }

  getUint64Option(id: number): number {
    return this.#getOption(id, "Uint64", arguments.length) as number
  }

  setUint64Option(id: number, value: number): void {
    this.#setOption(id, "Uint64", value, arguments.length)
  }

  getStringOption(id: number): string | null {
    return this.#getOption(id, "String", arguments.length) as string | null
  }

  setStringOption(id: number, value: string | Buffer | null): void {
    this.#setOption(id, "String", value, arguments.length)
  }

  /** zmq_getsockopt through zeromq.js's typed getter. */
  #getOption(id: unknown, type: OptionType, argc: number): unknown {
    checkArgCount(argc, 1)
    if (typeof id !== "number") throw new TypeError("Identifier must be a number")
    if (this.#isClosed) throw zmqError("ENOTSOCK")
    const row = optionRow(id, this.#typeNumber)
    if (row.writeOnly || row.unreadable || !sameSize(row.type, type)) throw zmqError("EINVAL")
    switch (row.zmq) {
      case OPT_TYPE: return this.#typeNumber
      case OPT_LAST_ENDPOINT: return this.#endpoint
      case OPT_MECHANISM: return this.#mechanism
    }
    const value = this.#values.has(row.zmq) ? this.#values.get(row.zmq) : row.default
    if (type === "Bool") return value === true || (typeof value === "number" && value !== 0)
    if (type !== "String" && typeof value === "boolean") return Number(value)
    return value
  }

  /** zmq_setsockopt through zeromq.js's typed setter: its argument checks, coercions and
   *  warning, then libzmq's checks; the value goes to the core unless the facade owns it. */
  #setOption(id: unknown, type: OptionType, value: unknown, argc: number): void {
    checkArgCount(argc, 2)
    if (typeof id !== "number") throw new TypeError("Identifier must be a number")
    // zeromq.js checks the value's JS type before anything else.
    if (type === "Bool" && typeof value !== "boolean") throw new TypeError("Option value must be a boolean")
    if (type === "String" && value !== null && typeof value !== "string" && !(value instanceof Uint8Array)) {
      throw new TypeError("Option value must be a string or buffer")
    }
    if (type !== "Bool" && type !== "String" && typeof value !== "number") {
      throw new TypeError("Option value must be a number")
    }
    if (!IMMEDIATE_OPTIONS.has(id) && (this.#endpoints > 0 || this.#binding)) {
      warn("Socket option will not take effect until next connect/bind.")
    }
    if (this.#isClosed) throw zmqError("ENOTSOCK")
    if (this.#deadError) throw this.#deadError
    const row = optionRow(id, this.#typeNumber)
    if (row.readOnly || !sameSize(row.type, type)) throw zmqError("EINVAL")
    // A Bool row set through a number setter (or the reverse) takes the number as libzmq does.
    const given = row.type === "Bool" && typeof value === "number" ? coerceNumber("Int32", value) !== 0 : value
    const checked = checkOption(row, row.type !== "Bool" && typeof given === "boolean" ? Number(given) : given)
    this.#values.set(row.zmq, checked)
    this.#mechanism = mechanismAfter(this.#mechanism, row.zmq, checked)
    if (!row.local && !row.inert) this.control("setopt", [this.#handle, row.zmq, encodeOption(row, checked)])
  }

  /** @internal SUBSCRIBE/UNSUBSCRIBE are actions, not stored options. */
  protected setSubscription(option: number, prefix: Uint8Array): Promise<void> {
    return this.control("setopt", [this.#handle, option, prefix])
  }

  /** Set while a SUB's filter change is on its way to the host: what the host sent before it
   *  applied the change arrives meanwhile and passes this filter too (see dropQueued()). */
  #queuedFilter: ((first: Buffer) => boolean) | undefined

  protected setQueuedFilter(filter: ((first: Buffer) => boolean) | undefined): void {
    this.#queuedFilter = filter
  }

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
      this.control("setopt", [this.#handle, ZW_OPT.CONNECT_ROUTING_ID, id])
    }
    SocketImpl.prototype.connect.call(this, address)
  }

  /**
   * What a connect adds to the send capacity, known here without asking the host, so that
   * `connect(); send(a); send(b)` resolves both at once, as with libzmq (whose connect makes the
   * pipe at once): SNDHWM more messages (unbounded with SNDHWM 0 or conflate), one for a REQ
   * whose turn it is, the first pipe only for a PAIR; nothing with `immediate`. The host's next
   * report replaces the estimate with the core's own count.
   */
  #connectedPipe(): void {
    const type = this.#typeNumber
    if (!CONNECT_PIPE.has(type) || this.#hasOption(OPT_IMMEDIATE)) return
    const hwm = (this.#values.get(OPT_SNDHWM) as number | undefined) ?? 1000
    const room = hwm === 0 || this.#hasOption(OPT_CONFLATE) ? ZW_LIMIT.CAPACITY_UNBOUNDED : hwm
    if (type === ZW_SOCKET.REQ) {
      if (!(this.#flags & ZW_STATUS.SEND_FSM)) this.#cap = Math.max(this.#cap, 1)
    } else if (type === ZW_SOCKET.PAIR) {
      this.#cap = Math.max(this.#cap, room)
    } else {
      this.#cap = Math.min(ZW_LIMIT.CAPACITY_UNBOUNDED, this.#cap + room)
    }
  }

  /** Whether a boolean option was set true (readable or not). */
  #hasOption(id: number): boolean {
    return this.#values.get(id) === true
  }

  /** sendTimeout or receiveTimeout (-1 unless set; a type without the property has the default). */
  #timeout(id: typeof OPT_SNDTIMEO | typeof OPT_RCVTIMEO): number {
    return (this.#values.get(id) as number | undefined) ?? -1
  }

  // ---- endpoints -----------------------------------------------------------------------------

  /** Binds; the returned promise settles when the transport listens (or failed to). While it
   *  is in flight the socket is blocked: connect, disconnect, send, receive, bind and unbind
   *  throw EBUSY, and close() waits for it (zeromq.js's State::Blocked). */
  bind(address: string): Promise<void> {
    return this.listenCall("bind", address, arguments.length)
  }

  unbind(address: string): Promise<void> {
    return this.listenCall("unbind", address, arguments.length)
  }

  /**
   * bind and unbind run in the engine; what libzmq decides from the address alone comes as the
   * promise's rejection, as in zeromq.js (only argument errors and a closed or blocked socket
   * throw). libzmq's unbind and disconnect are one operation (zmq_unbind, zmq_disconnect:
   * term_endpoint), so each takes an address of either kind; zeromq.js counts an endpoint per
   * bind attempt, failed or not, and uncounts one per unbind.
   */
  private listenCall(method: "bind" | "unbind", address: string, argc: number): Promise<void> {
    checkArgCount(argc, 1)
    if (typeof address !== "string") throw new TypeError("Address must be a string")
    this.checkOpen()
    let target: string
    try {
      target = checkEndpoint(address, method === "bind", this.#hasOption(OPT_IPV6))
    } catch (err) {
      if (method === "bind") this.#endpoints++
      return Promise.reject(err)
    }
    if (method === "unbind" && this.#connected.includes(address)) {
      this.#disconnected(address, target)
      return RESOLVED
    }
    this.#binding = true
    const settle = () => {
      this.#binding = false
      if (method === "bind") this.#endpoints++
      else this.#endpoints--
      if (this.#closeAfterBind) this.close()
    }
    return this.#link.call(method, [this.#handle, target]).then(
      (endpoint) => {
        if (method === "bind") {
          this.#endpoint = endpoint as string
          this.#bound.push(address, endpoint as string)
        } else {
          this.#unbound(address)
        }
        settle()
      },
      (err) => {
        settle()
        throw err
      },
    )
  }

  connect(address: string): void {
    checkArgCount(arguments.length, this.#typeNumber === ZW_SOCKET.ROUTER || this.#typeNumber === ZW_SOCKET.STREAM ? 2 : 1)
    if (typeof address !== "string") throw new TypeError("Address must be a string")
    this.checkOpen()
    const target = checkEndpoint(address, false)
    this.#connected.push(address)
    this.#endpoints++
    this.#endpoint = address
    this.control("connect", [this.#handle, target])
    this.#connectedPipe()
  }

  disconnect(address: string): void {
    checkArgCount(arguments.length, 1)
    if (typeof address !== "string") throw new TypeError("Address must be a string")
    this.checkOpen()
    const target = checkEndpoint(address, false)
    if (this.#connected.includes(address)) return this.#disconnected(address, target)
    if (!this.#bound.includes(address)) throw zmqError("ENOENT", { address })
    // A bound endpoint: libzmq's disconnect unbinds it (the engine answers later; nothing waits).
    this.#unbound(address)
    this.#endpoints--
    this.control("unbind", [this.#handle, address])
  }

  #disconnected(address: string, target: string): void {
    this.#connected.splice(this.#connected.indexOf(address), 1)
    this.#endpoints--
    this.control("disconnect", [this.#handle, target])
  }

  /** Forgets a bound endpoint by either of its names (as bound, or as resolved). */
  #unbound(address: string): void {
    const i = this.#bound.indexOf(address)
    if (i < 0) return
    this.#bound.splice(i - (i % 2), 2)
  }

  /**
   * Closes the socket. Queued messages are still sent for up to `linger` ms in the background;
   * a pending send() or receive() is rejected with EAGAIN, as in zeromq.js. During a bind or
   * unbind the socket closes once that has settled (`closed` is false until then).
   */
  close(): void {
    checkArgCount(arguments.length, 0)
    if (this.#isClosed) return
    if (this.#binding || this.#proxied) {
      this.#closeAfterBind = true
      return
    }
    this.#isClosed = true
    // zeromq.js releases the context at close (`socket.context` is then undefined), so that a
    // closed socket the link still holds until the host lets it go keeps no Context alive.
    this.#context?.[CLOSE_SOCKET]()
    this.#context = undefined
    // An Error costs its stack trace: made only for a call that is waiting.
    // zeromq.js ends a waiting call by trying it once more: libzmq answers ENOTSUP for a type
    // that cannot, EFSM where the socket's state forbids it, and EAGAIN otherwise.
    if (this.#sendWait) this.failSend(zmqError(this.#failure(CANNOT_SEND, ZW_STATUS.SEND_FSM)))
    else this.#sendSeq = 0
    if (this.#receiveWait) this.failReceive(zmqError(this.#failure(CANNOT_RECEIVE, ZW_STATUS.RECV_FSM)))
    this.#link.hold() // until the host says the socket is gone (linger is over)
    this.#link.tell("close", [this.#handle])
  }

  /** @internal The process exits with this socket open (link.ts, atExit): it closes, and with
   *  `blocky` false an unset linger is 0 (libzmq's ZMQ_BLOCKY). */
  closeAtExit(blocky: boolean): void {
    if (this.#isClosed) return
    if (!blocky && !this.#values.has(OPT_LINGER)) this.setInt32Option(OPT_LINGER, 0)
    this.#closeAfterBind = true
    if (!this.#binding && !this.#proxied) this.close()
  }

  #failure(cannot: Set<number>, fsm: number): string {
    return cannot.has(this.#typeNumber) ? "ENOTSUP" : this.#flags & fsm ? "EFSM" : "EAGAIN"
  }

  /**
   * A control call nobody awaits (the facade checked it already). Counted, because until the
   * host has answered it, what the facade knows of the socket's state may be out of date.
   */
  /** A control call; the promise settles (never rejects) once the host has answered it. */
  private control<M extends keyof HostApi>(method: M, args: Parameters<HostApi[M]>): Promise<void> {
    this.#calls++
    const done = () => {
      this.#calls--
      this.settle()
    }
    return this.#link.call(method, args).then(done, done)
  }

  /**
   * Whether each send's outcome depends on its message, so that only the core can tell it: a
   * STREAM, or a ROUTER with `mandatory`, fails a send to an unknown routing id (EHOSTUNREACH)
   * and waits at that one peer's HWM. Such a send() waits for the host's answer about its own
   * message instead of resolving within credit (see protocol.ts).
   */
  private answered(): boolean {
    return this.#typeNumber === ZW_SOCKET.STREAM || (this.#typeNumber === ZW_SOCKET.ROUTER && this.#hasOption(OPT_MANDATORY))
  }

  /**
   * Whether receiving changes what the socket may do next, so that a message must stay in the
   * core until the user takes it: a REQ may send again, a REP must reply, only once its message
   * is received. Such a socket asks the host for one message per receive() instead of having
   * messages pushed ahead (libzmq's REQ refuses a second send while the reply is unread).
   */
  private lockstep(): boolean {
    return this.#typeNumber === ZW_SOCKET.REQ || this.#typeNumber === ZW_SOCKET.REP
  }

  /** The host has seen everything this socket sent it, and reported the state after it. */
  private upToDate(): boolean {
    return this.#calls === 0 && this.#sent === this.#taken
  }

  /**
   * Fails an expired send or receive, once the state it is judged on is current. zeromq.js
   * judges a timed-out operation by trying it: libzmq then answers EFSM if the socket's state
   * forbids it (REQ sending twice, REP sending before a request) and EAGAIN otherwise. Judging
   * on a stale report would give EAGAIN for a REQ that has in fact just sent, or refuse a send
   * that a connect() made just before would allow.
   */
  private settle(): void {
    // With nothing bound or connected no peer can have changed the state: what the facade
    // knows is what the core would answer, at once (zeromq.js's sendTimeout 0 fails in the call).
    if (this.#endpoints > 0 && !this.upToDate()) return
    if (this.#sendWait?.expired && !this.#sendSeq) {
      this.failSend(zmqError(this.#failure(CANNOT_SEND, ZW_STATUS.SEND_FSM)))
    }
    if (this.#receiveWait?.expired) {
      this.failReceive(zmqError(this.#failure(CANNOT_RECEIVE, ZW_STATUS.RECV_FSM)))
    }
  }

  /** zeromq.js's ValidateOpen: what every call on the socket checks first. */
  private checkOpen(): void {
    if (this.#binding || this.#proxied) throw zmqError("EBUSY", { message: BUSY_BIND })
    if (this.#isClosed) throw zmqError("EBADF")
    if (this.#deadError) throw this.#deadError
  }

  // ---- send ----------------------------------------------------------------------------------

  private credit(): number {
    return Math.min(this.#cap, SEND_WINDOW) - (this.#sent - this.#taken)
  }

  /** @internal */
  send(message: MessageLike | MessageLike[]): Promise<void> {
    if (message === undefined) throw new TypeError("Message must be present")
    checkArgCount(arguments.length, 1)
    this.checkOpen()
    if (this.#sendWait) throw zmqError("EBUSY", { message: BUSY_SEND })
    const parts = toParts(message)
    if (parts.length === 0) return RESOLVED // zeromq.js: a message of no frames sends nothing
    if (this.answered()) return this.sendAnswered(parts)
    const timeout = this.#timeout(OPT_SNDTIMEO)
    const now = this.credit() > 0
    if (now && (timeout === 0 || this.#syncOps++ < MAX_SYNC_OPERATIONS)) {
      this.enqueue(parts)
      return RESOLVED
    }
    const wait = new Pending<void>(this.#link, timeout, () => this.settle())
    this.#sendWait = wait
    this.#sendParts = parts
    if (now) macrotask(() => this.#sendLater())
    else this.settle()
    return wait.promise
  }

  /**
   * Sends one message and waits for the host's answer about it: taken (resolves), or refused
   * with an error (rejects). At the send timeout the facade asks for it back ("withdraw"): the
   * host answers EAGAIN if it still held it, or the answer it already gave.
   */
  private sendAnswered(parts: (Uint8Array | string)[]): Promise<void> {
    this.enqueue(parts)
    const seq = this.#sent
    const wait = new Pending<void>(this.#link, this.#timeout(OPT_SNDTIMEO), () => this.#link.withdraw(this.#handle, seq))
    this.#sendWait = wait
    this.#sendSeq = seq
    if (wait.expired) this.#link.withdraw(this.#handle, seq) // sendTimeout 0: only if it fits now
    return wait.promise
  }

  private enqueue(parts: (Uint8Array | string)[]): void {
    const before = this.#writer.bytes
    this.#writer.add(parts)
    this.#sent++
    // A REQ that sent waits for its reply: known here before the host says so, for a send that
    // is still waiting when the socket closes (EFSM, as zeromq.js's last try gives).
    if (this.#typeNumber === ZW_SOCKET.REQ && !this.#hasOption(OPT_RELAXED)) {
      this.#flags = (this.#flags | ZW_STATUS.SEND_FSM) & ~ZW_STATUS.RECV_FSM
    }
    this.#link.pending(this, this.#writer.bytes - before)
  }

  private failSend(err: Error): void {
    const wait = this.#sendWait
    this.#sendWait = undefined
    this.#sendSeq = 0
    wait?.reject(err)
  }

  /** @internal The host dropped message number seq with this error (see sendAnswered). */
  onRefused(seq: number, code: string): void {
    if (seq === this.#sendSeq) this.failSend(zmqError(code))
  }

  /** A waiting send goes if it can now; zeromq.js counts synchronous resolutions afresh. */
  #sendLater(): void {
    const wait = this.#sendWait
    if (!wait || this.#sendSeq || this.credit() <= 0) return
    this.#syncOps = 0
    this.#sendWait = undefined
    this.enqueue(this.#sendParts)
    wait.resolve()
  }

  /** @internal */
  cut(): void {
    if (this.#writer.count === 0) return
    const { b, len, n, bodies } = this.#writer.take()
    this.#link.sendBatch(this.#handle, b, len, n, bodies)
  }

  /** @internal */
  onStatus(taken: number, cap: number, flags: number): void {
    this.#taken = taken
    this.#cap = cap
    this.#flags = flags
    const wait = this.#sendWait
    if (wait && this.#sendSeq) {
      // Taken (a refusal comes before the status that counts it, and has failed it already).
      if (taken >= this.#sendSeq) {
        this.#sendWait = undefined
        this.#sendSeq = 0
        wait.resolve()
      }
    } else {
      this.#sendLater()
    }
    this.settle()
  }

  // ---- receive -------------------------------------------------------------------------------

  /** @internal */
  receive(): Promise<Buffer[]> {
    checkArgCount(arguments.length, 0)
    this.checkOpen()
    if (this.#receiveWait) throw zmqError("EBUSY", { message: BUSY_RECEIVE })
    const timeout = this.#timeout(OPT_RCVTIMEO)
    const now = this.#inbox.length > 0
    if (now && (timeout === 0 || this.#syncOps++ < MAX_SYNC_OPERATIONS)) return Promise.resolve(this.take())
    const wait = new Pending<Buffer[]>(this.#link, timeout, () => this.settle())
    this.#receiveWait = wait
    if (now) {
      macrotask(() => this.#receiveLater())
      return wait.promise
    }
    if (this.lockstep() && !this.#demanding) {
      this.#demanding = true
      this.#link.credit(this.#handle, 1, 0)
    }
    this.settle()
    return wait.promise
  }

  private take(): Buffer[] {
    const reader = this.#inbox[0]
    const parts = reader.next()
    if (reader.remaining === 0) this.#inbox.shift()
    this.consume(parts)
    return parts
  }

  /** A received message is gone from the inbox: its credit goes back to the host in chunks. */
  private consume(parts: Buffer[]): void {
    if (this.lockstep()) return // credit is asked per receive()
    // Each frame weighs 4 + its size, as the host counts it (zmqw.h's zw_recv max_bytes).
    for (const part of parts) this.#consumedBytes += 4 + part.length
    if (++this.#consumed >= CREDIT_CHUNK || this.#consumedBytes >= CREDIT_CHUNK_BYTES) {
      this.#link.credit(this.#handle, this.#consumed, this.#consumedBytes)
      this.#consumed = 0
      this.#consumedBytes = 0
    }
  }

  /**
   * Drops the messages received ahead of receive() whose first frame `keep` refuses, keeping the
   * others in order. A SUB's filter changed: libzmq's SUB filters at receive time, so a message
   * that arrived before an unsubscribe is not returned after it (the core's SUB filters what it
   * still holds the same way; these are the ones already handed to the facade).
   */
  protected dropQueued(keep: (first: Buffer) => boolean): void {
    if (this.#inbox.length === 0) return
    const kept: Buffer[][] = []
    for (const reader of this.#inbox) {
      while (reader.remaining > 0) {
        const parts = reader.next()
        if (keep(parts[0])) kept.push(parts)
        else this.consume(parts)
      }
    }
    this.#inbox.length = 0
    if (kept.length) this.#inbox.push({ remaining: kept.length, next() { this.remaining--; return kept.shift() as Buffer[] } })
  }

  private failReceive(err: Error): void {
    const wait = this.#receiveWait
    this.#receiveWait = undefined
    if (wait && this.#demanding) {
      // Nobody waits any more: the message stays in the core (the host clamps at 0 if it was
      // already on its way, and then it is simply the next one received).
      this.#link.credit(this.#handle, -1, 0)
      this.#demanding = false
    }
    wait?.reject(err)
  }

  /** @internal What a Proxy (api/proxy.ts) needs of its sockets: their engine, their handle,
   *  and whether they are bound or connected. */
  [PROXY_END](): { link: Link; handle: number; endpoints: number; closed: boolean } {
    return { link: this.#link, handle: this.#handle, endpoints: this.#endpoints, closed: this.#isClosed }
  }

  /** @internal The Proxy starts (partner) or ends (undefined). While it runs the socket is
   *  blocked (EBUSY, as zeromq.js's State::Blocked) and the engine forwards its messages; what
   *  the facade already holds, or is handed (host/proxy.ts), is relayed to the partner here. */
  [PROXY_RUN](partner: SocketImpl | undefined): void {
    this.#proxied = partner
    if (partner) this.#relay()
    else if (this.#closeAfterBind) this.close()
  }

  /** Moves every message this facade holds to the Proxy partner's send queue, in order. */
  #relay(): void {
    const partner = this.#proxied as SocketImpl
    while (this.#inbox.length > 0) partner.enqueue(this.take())
  }

  /** @internal */
  onMessages(batch: ArrayBuffer, n: number, bodies?: BodyBytes[]): void {
    if (this.#isClosed) return
    this.#inbox.push(new BatchReader(batch, n, bodies))
    if (this.#proxied) return this.#relay()
    this.#demanding = false
    if (this.#queuedFilter) this.dropQueued(this.#queuedFilter)
    // CONFLATE keeps only the newest message; the core conflates its pipes, and messages it has
    // already handed over (ahead of receive()) are conflated here the same way.
    if (this.#values.get(OPT_CONFLATE) === true) {
      let queued = this.#inbox.reduce((sum, r) => sum + r.remaining, 0)
      for (; queued > 1; queued--) this.take()
    }
    this.#receiveLater()
  }

  /** A waiting receive takes the next message if there is one now (and counts afresh). */
  #receiveLater(): void {
    const wait = this.#receiveWait
    if (!wait || this.#inbox.length === 0) return
    this.#syncOps = 0
    this.#receiveWait = undefined
    wait.resolve(this.take())
  }

  /** @internal */
  onGone(): void {
    this.#link.release()
  }

  /** @internal */
  onDead(err: ZmqError): void {
    this.#deadError = err
    this.#observer?.fail(err)
    this.failSend(err)
    this.failReceive(err)
  }

  /** zeromq.js's iterator: done once the socket is closed (also when close() ends a waiting
   *  receive with EAGAIN); any other error is thrown; a second concurrent next() is EBUSY. */
  [Symbol.asyncIterator](): AsyncIterator<Buffer[], undefined> {
    return {
      next: async (): Promise<IteratorResult<Buffer[], undefined>> => {
        if (this.#isClosed) return { done: true } as IteratorReturnResult<undefined>
        try {
          return { value: await this.receive(), done: false }
        } catch (err) {
          if (this.#isClosed && (err as ZmqError).code === "EAGAIN") return { done: true } as IteratorReturnResult<undefined>
          throw err
        }
      },
    }
  }
}

/** Makes an option row an accessor on a class's prototype, over the typed get/set methods by
 *  option number, as zeromq.js's defineOpt does (not enumerable; a getter or a setter only
 *  where zeromq.js has only one). */
export function defineOption(cls: { prototype: object }, row: OptionRow): void {
  if (Object.prototype.hasOwnProperty.call(cls.prototype, row.name)) return
  const get = `get${row.type}Option` as const
  const set = `set${row.type}Option` as const
  type Typed = Record<string, (id: number, value?: unknown) => unknown>
  const desc: PropertyDescriptor = { enumerable: false, configurable: false }
  if (!row.writeOnly) {
    desc.get = row.zmq === OPT_MECHANISM
      ? function (this: Typed) { return MECHANISMS[this[get](row.zmq) as number] ?? null }
      : function (this: Typed) { return this[get](row.zmq) }
  }
  if (!row.readOnly) {
    desc.set = function (this: Typed, value: unknown) { this[set](row.zmq, value) }
  }
  Object.defineProperty(cls.prototype, row.name, desc)
}

/** zeromq.js's Socket: a native class (see native.ts); sockets.ts's classes extend it. */
export const Socket = nativeClass(SocketImpl, function Socket(...args: unknown[]) {
  return construct(SocketImpl, new.target, args)
})
export type Socket = SocketImpl

// Options every socket type has; type-specific rows are defined on their classes (sockets.ts).
for (const row of OPTIONS) if (!row.sockets) defineOption(Socket, row)

export interface SocketImpl {
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
  // The rows' doc comments in options.ts say what each does here, and which have no effect.
  /** ZMQ_TYPE: libzmq's socket type number. */
  readonly type: number
  /** ZMQ_LAST_ENDPOINT: the endpoint last bound (as resolved) or connected. */
  readonly lastEndpoint: string | null
  /** ZMQ_MECHANISM: from the plain and curve options. */
  readonly securityMechanism: null | "plain" | "curve" | "gssapi"
  /** ZMQ_THREAD_SAFE: false for every type in this build. */
  readonly threadSafe: boolean
  affinity: number
  rate: number
  recoveryInterval: number
  backlog: number
  tcpKeepalive: number
  tcpKeepaliveCount: number
  tcpKeepaliveIdle: number
  tcpKeepaliveInterval: number
  tcpAcceptFilter: string | null
  ipv6: boolean
  plainServer: boolean
  plainUsername: string | null
  plainPassword: string | null
  curveServer: boolean
  curvePublicKey: string | null
  curveSecretKey: string | null
  curveServerKey: string | null
  zapDomain: string | null
  typeOfService: number
  socksProxy: string | null
  connectTimeout: number
  tcpMaxRetransmitTimeout: number
  multicastMaxTransportDataUnit: number
  vmciBufferSize: number
  vmciBufferMinSize: number
  vmciBufferMaxSize: number
  vmciConnectTimeout: number
  interface: string | null
  zapEnforceDomain: boolean
  loopbackFastPath: boolean
  /** Listen on, or connect to, a WebSocket over TLS (see options.ts). */
  wssKeyPem: string | null
  wssCertPem: string | null
  wssTrustPem: string | null
  wssHostname: string | null
  wssTrustSystem: boolean
}

/** Sockets that can send. */
export interface Writable<M extends MessageLike | MessageLike[] = MessageLike | MessageLike[]> {
  /** ZMQ_SNDBUF (see options.ts). */
  sendBufferSize: number
  /** ZMQ_MULTICAST_HOPS (see options.ts). */
  multicastHops: number
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
  /** ZMQ_RCVBUF (see options.ts). */
  receiveBufferSize: number
  /** ZMQ_RCVHWM: messages queued per peer before reading from it pauses; 0 = no limit. */
  receiveHighWaterMark: number
  /** ZMQ_RCVTIMEO: ms receive() waits before failing with EAGAIN; -1 = forever. */
  receiveTimeout: number
  /** Resolves with the parts of the next message. Only one receive may wait at a time. */
  receive(): Promise<M>
  [Symbol.asyncIterator](): AsyncIterator<M, undefined>
}
