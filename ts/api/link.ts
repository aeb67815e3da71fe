/**
 * The facade's end of the channel to its host, one per Context: starts the host (in a Worker,
 * or inline on this thread), batches ops per event-loop turn, answers control calls, routes what
 * the host sends back to the sockets, and keeps the process alive exactly while something waits.
 * If the engine thread dies, every waiter and every later call fails with ETERM (see die()).
 */
import type { Worker } from "node:worker_threads"
import { WasmCore } from "../host/abi.js"
import { batchPool, type Body, type BodyBytes, bodyPool } from "../host/channel/batch.js"
import { isLent, Lender } from "../host/channel/lending.js"
import { Flusher } from "../host/channel/flusher.js"
import type { ErrorInfo, HostApi, Port, ToFacade, ToHost } from "../host/channel/protocol.js"
import { Host } from "../host/host.js"
import type { MonitorEvent } from "../host/monitor.js"
import type { RingCounts } from "../host/channel/ring.js"
import { coreModule, type EngineThread, exitWarning, onProcessIdle, startEngine, transports } from "../platform/node/engine.js"
import { type ZmqError, zmqError } from "./errors.js"

/** What a socket exposes to the link for incoming ops. */
export interface LinkedSocket {
  onStatus(taken: number, cap: number, flags: number): void
  onRefused(seq: number, code: string): void
  onMessages(batch: ArrayBuffer, n: number, bodies?: BodyBytes[]): void
  onGone(): void
  /** A monitor event for the socket's Observer. */
  onEvent(event: MonitorEvent): void
  /** The engine died: fail the waiting send and receive with err, and every later call. */
  onDead(err: ZmqError): void
  /** Moves the socket's unflushed messages into the op stream (keeps ops in user order). */
  cut(): void
  /** The process is exiting with the socket open: close it (see Link.atExit). */
  closeAtExit(blocky: boolean): void
}

/** Flush at once past this many batched bytes, so a long synchronous send loop cannot pile up. */
const FLUSH_BYTES = 256 * 1024

export class Link {
  private readonly port: Port<ToFacade, ToHost>
  private readonly worker: EngineThread | undefined
  private keepAlive: ReturnType<typeof setInterval> | undefined
  private ops: ToHost[] = []
  private transfer: ArrayBuffer[] = []
  private bytes = 0
  private readonly flusher = new Flusher(() => this.flush())
  private nextCall = 1
  private readonly calls = new Map<number, { resolve(v: unknown): void; reject(e: Error): void }>()
  private readonly sockets = new Map<number, LinkedSocket>()
  /** Sockets with messages not yet cut into ops. */
  private readonly unflushed = new Set<LinkedSocket>()
  private nextHandle = 1
  /** Pending sends, receives, calls and lingering sockets: while > 0 the process stays up. */
  private holds = 0
  /** Worker mode: the Buffers of large bodies the host asks for a window at a time. */
  readonly lender: Lender | undefined
  /** Set once the engine thread has died; every call fails with it from then on. */
  private dead: ZmqError | undefined

  /** @param blocky the context's option, read at exit (see atExit) */
  constructor(readonly inline: boolean, private readonly blocky: () => boolean = () => true) {
    LINKS.add(new WeakRef(this))
    if (inline) {
      const hostEnd: Port<ToHost, ToFacade> = {
        post: (ops) => this.receive(ops),
        onmessage: undefined,
      }
      const start = (module: WebAssembly.Module) =>
        new Host(new WasmCore(module), hostEnd, { unrefHandles: true, transferBodies: false, transports })
      const module = coreModule()
      if (module instanceof WebAssembly.Module) {
        this.inlineHost = start(module)
        this.port = { post: (ops) => hostEnd.onmessage?.(ops), onmessage: undefined }
      } else {
        // A browser compiles the core asynchronously: ops wait for it, in order.
        let queued: ToHost[][] | undefined = []
        module.then(
          (m) => {
            this.inlineHost = start(m)
            for (const ops of queued ?? []) hostEnd.onmessage?.(ops)
            queued = undefined
          },
          (err) => this.die(err),
        )
        this.port = { post: (ops) => (queued ? queued.push(ops) : hostEnd.onmessage?.(ops)), onmessage: undefined }
      }
    } else {
      const worker = startEngine((ops) => this.receive(ops), (err) => this.die(err))
      this.worker = worker
      this.lender = new Lender()
      this.port = { post: (ops, transfer) => worker.post(ops, transfer ?? []), onmessage: undefined }
    }
  }

  register(socket: LinkedSocket): number {
    const handle = this.nextHandle++
    if (this.dead) socket.onDead(this.dead)
    else this.sockets.set(handle, socket)
    return handle
  }

  /** @internal For tests: the host, inline (its bodies held can be counted). */
  inlineHost: Host | undefined

  /** @internal For tests: what went through the rings (channel/ring.ts), if the channel has them. */
  get ring(): RingCounts | undefined {
    return this.worker?.ring
  }

  /** @internal For tests: the engine's worker (undefined inline), so that a test can kill it. */
  get thread(): Worker | undefined {
    return this.worker?.worker as Worker | undefined
  }

  /**
   * The engine thread is gone: nothing sent to it will be answered, so every waiter fails now
   * (pending control calls here, each socket's waiting send and receive through onDead) and so
   * does every later call on this context's sockets. The error is ETERM, "Context was
   * terminated": what libzmq answers, and zeromq.js reports, for every call on a socket whose
   * context can no longer run it. It says the context is finished as a whole, which EBADF
   * ("Socket is closed") would not; the worker's own error is kept as its `cause`.
   */
  private die(cause: unknown): void {
    if (this.dead) return
    const err = zmqError("ETERM", { cause })
    this.dead = err
    for (const call of this.calls.values()) call.reject(err)
    this.calls.clear()
    for (const socket of this.sockets.values()) socket.onDead(err)
    this.sockets.clear()
    this.unflushed.clear()
    this.ops = []
    this.transfer = []
    this.bytes = 0
    this.lender?.clear()
    // hold() and release() do nothing from now on: no waiter failed above and no lingering
    // socket (whose "gone" will never come) may keep the process up.
    this.worker?.unref()
  }

  /**
   * The process has nothing left to do but has open sockets: they close, as zeromq.js closes
   * every socket and terminates libzmq's context at exit, so what they still queue is delivered
   * within each socket's linger (-1: until delivered; with `blocky` false an unset linger is
   * 0), and the process exits once they are gone. If that takes over 500 ms, the warning
   * zeromq.js prints then.
   */
  atExit(): boolean {
    if (this.dead) return false
    const open = [...this.sockets.values()]
    if (open.length === 0) return false
    const blocky = this.blocky()
    for (const socket of open) socket.closeAtExit(blocky)
    return blocky
  }

  /** Whether any socket is still held (closed and lingering, or open). */
  get busy(): boolean {
    return !this.dead && this.holds > 0
  }

  // ---- liveness ------------------------------------------------------------------------------

  hold(): void {
    if (this.dead || this.holds++ > 0) return
    if (this.worker) this.worker.ref()
    else this.keepAlive = setInterval(() => {}, 1 << 30)
  }

  release(): void {
    if (this.dead || --this.holds > 0) return
    if (this.worker) this.worker.unref()
    else if (this.keepAlive) clearInterval(this.keepAlive)
    this.keepAlive = undefined
  }

  // ---- outgoing ------------------------------------------------------------------------------

  /** A control call whose answer the caller awaits. */
  call<M extends keyof HostApi>(method: M, args: Parameters<HostApi[M]>): Promise<Awaited<ReturnType<HostApi[M]>>> {
    if (this.dead) return Promise.reject(this.dead)
    const id = this.nextCall++
    this.hold()
    const promise = new Promise<Awaited<ReturnType<HostApi[M]>>>((resolve, reject) => {
      this.calls.set(id, {
        resolve: (v) => {
          this.release()
          resolve(v as Awaited<ReturnType<HostApi[M]>>)
        },
        reject: (e) => {
          this.release()
          reject(e)
        },
      })
    })
    this.push({ t: "call", id, m: method, a: args })
    return promise
  }

  /** A control call nobody waits for (the facade checked it already). */
  tell<M extends keyof HostApi>(method: M, args: Parameters<HostApi[M]>): void {
    this.call(method, args).catch(() => {})
  }

  private push(op: ToHost): void {
    // Messages a socket batched before this op must reach the host before it.
    for (const s of this.unflushed) s.cut()
    this.unflushed.clear()
    this.ops.push(op)
    this.flushSoon()
  }

  /** A socket has batched messages to go. */
  pending(socket: LinkedSocket, bytes: number): void {
    if (this.dead) return
    this.unflushed.add(socket)
    this.bytes += bytes
    if (this.bytes >= FLUSH_BYTES) this.flush()
    else this.flushSoon()
  }

  /** A socket hands over its cut batch. */
  sendBatch(handle: number, b: ArrayBuffer, len: number, n: number, bodies: Body[]): void {
    if (this.dead) return
    this.ops.push({ t: "send", s: handle, b, len, n, bodies: bodies.length ? bodies : undefined })
    // A worker's bodies are ArrayBuffers of their own (batch.ts), or lent with a head of their
    // own (lending.ts): they move, not copy.
    for (const body of bodies) {
      if (body instanceof ArrayBuffer) this.transfer.push(body)
      else if (isLent(body) && body.head) this.transfer.push(body.head)
    }
    this.transfer.push(b)
  }

  /** Asks the host to drop message number seq of a socket if it has not taken it yet. */
  withdraw(handle: number, seq: number): void {
    if (this.dead) return
    this.push({ t: "withdraw", s: handle, seq })
  }

  credit(handle: number, n: number, bytes: number): void {
    if (this.dead) return
    this.ops.push({ t: "credit", s: handle, n, bytes })
    this.flushSoon()
  }

  /** See Flusher: at the end of this job the first time in a turn, then once per turn. */
  private flushSoon(): void {
    this.flusher.soon()
  }

  private flush(): void {
    this.flusher.flushing()
    for (const s of this.unflushed) s.cut()
    this.unflushed.clear()
    this.bytes = 0
    if (this.ops.length === 0) return
    const ops = this.ops
    const transfer = this.transfer
    this.ops = []
    this.transfer = []
    this.port.post(ops, transfer)
  }

  // ---- incoming ------------------------------------------------------------------------------

  private receive(ops: ToFacade[]): void {
    if (this.dead) return // sent before the death, arrived after it: every waiter has failed
    for (const op of ops) {
      switch (op.t) {
        case "ret": {
          const call = this.calls.get(op.id)
          if (!call) break
          this.calls.delete(op.id)
          if (op.e) call.reject(toError(op.e))
          else call.resolve(op.v)
          break
        }
        case "status":
          this.sockets.get(op.s)?.onStatus(op.taken, op.cap, op.flags)
          break
        case "msgs":
          // A lent body received over inproc is copied now: an "unlend" may follow.
          this.sockets.get(op.s)?.onMessages(op.b, op.n, op.bodies?.map((b) => (isLent(b) ? (this.lender as Lender).copy(b) : b)))
          break
        case "want": {
          const b = this.lender?.window(op.f, op.off, op.len)
          if (b) {
            this.ops.push({ t: "chunk", f: op.f, off: op.off, b })
            this.transfer.push(b)
            this.flushSoon()
          }
          break
        }
        case "unlend":
          for (const f of op.f) this.lender?.forget(f)
          break
        case "batches":
          for (const b of op.b) batchPool.put(b)
          break
        case "bodies":
          for (const b of op.b) bodyPool.put(b)
          break
        case "refused":
          this.sockets.get(op.s)?.onRefused(op.seq, op.code)
          break
        case "event":
          this.sockets.get(op.s)?.onEvent(op)
          break
        case "fatal":
          this.die(new Error(`zeromq-wasm: the engine failed: ${op.detail}`))
          break
        case "gone": {
          const socket = this.sockets.get(op.s)
          this.sockets.delete(op.s)
          socket?.onGone()
          break
        }
      }
    }
  }
}

/** Every link of this thread, for the exit (weakly: a Context may still be collected). */
const LINKS = new Set<WeakRef<Link>>()
let warned = false

onProcessIdle(() => {
  let closing = false
  let blocky = false
  for (const ref of LINKS) {
    const link = ref.deref()
    if (!link) {
      LINKS.delete(ref)
      continue
    }
    const open = link.busy
    blocky = link.atExit() || blocky
    closing ||= open || link.busy
  }
  if (!closing || warned) return
  // zeromq.js's Terminator: a termination still running after 500 ms is worth a warning.
  const started = Date.now()
  const timer = setInterval(() => {
    const busy = [...LINKS].some((ref) => ref.deref()?.busy)
    if (!busy) return clearInterval(timer)
    if (Date.now() - started < 500) return
    clearInterval(timer)
    warned = true
    exitWarning(`Waiting for queued ZeroMQ messages to be delivered.${blocky ? " Set 'context.blocky = false' to change this behaviour." : ""}`)
  }, 50)
  timer.unref?.()
})

function toError(info: ErrorInfo): Error {
  return zmqError(info.code, { address: info.address })
}
