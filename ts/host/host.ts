/**
 * The host: one wasm core, its transports and its timer, on the engine thread (a Worker by
 * default, or the user's thread in inline mode).
 *
 * Every event (ops from the facade, bytes from a stream, a dial finishing, the timer) ends with
 * one `turn()`: advance the core's clock, move user messages in and out of the core, obey the
 * effects it queued, report what changed to the facade. The host never parses a frame or picks a
 * peer: it only moves bytes and follows effects.
 */
import type { Duplex } from "node:stream"
import { type ConnId, CoreError, type DialerId, type SocketId, type WasmCore } from "./abi.js"
import { messageOffset } from "./channel/batch.js"
import {
  type ErrorInfo,
  type HostApi,
  type Port,
  RECV_BATCH_BYTES,
  RECV_WINDOW,
  type ToFacade,
  type ToHost,
} from "./channel/protocol.js"
import { StreamConn, type StreamSink } from "./transports/stream.js"
import { type Listener, type Transport, TransportError } from "./transports/transport.js"
import { tcp } from "./transports/tcp.js"

/** Effect kinds, zmqw.h's zw_effect_kind. */
const enum Fx {
  Dial = 1,
  Output = 2,
  Close = 3,
  Pause = 4,
  Resume = 5,
  Status = 6,
  SocketGone = 7,
  Handshake = 8,
  DialStop = 9,
}
const FX_HEADER = 12

interface Effect {
  kind: number
  reason: number
  id: number
  arg: number
  text: string
}

interface HostSocket {
  readonly handle: number
  readonly id: SocketId
  /** Batches from the facade the core has not taken yet, in order. */
  pending: { b: Uint8Array; n: number }[]
  /** Messages the core has taken since the socket opened (reported to the facade). */
  taken: number
  lastTaken: number
  lastCap: number
  lastFlags: number
  /** Messages the facade will still accept ahead of its receive() calls. */
  recvCredit: number
  closing: boolean
  /** Listeners by the address bound and by their resolved endpoint. */
  listeners: Map<string, Listener>
  dialers: Map<string, DialerId[]>
}

const transports: Record<string, Transport> = { tcp }

function transportOf(address: string): Transport {
  const t = transports[address.slice(0, address.indexOf("://"))]
  if (!t) throw new TransportError("EPROTONOSUPPORT")
  return t
}

const textDecoder = new TextDecoder()

export interface HostOptions {
  /** Inline mode: no handle of the host may keep the process alive on its own. */
  unrefHandles: boolean
}

export class Host implements HostApi, StreamSink {
  private readonly sockets = new Map<number, HostSocket>()
  private readonly byId = new Map<SocketId, HostSocket>()
  private readonly conns = new Map<ConnId, StreamConn>()
  private readonly dialers = new Map<DialerId, { sock: HostSocket; address: string }>()
  /** Sockets whose sends, receives or status need a look in this turn. */
  private readonly dirty = new Set<HostSocket>()
  private outOps: ToFacade[] = []
  private outTransfer: ArrayBuffer[] = []
  private flushQueued = false
  private timer: ReturnType<typeof setTimeout> | undefined
  private timerAt = -1
  private inTurn = false

  constructor(
    private readonly core: WasmCore,
    private readonly port: Port<ToHost, ToFacade>,
    private readonly options: HostOptions,
  ) {
    port.onmessage = (ops) => this.receive(ops)
  }

  // ---- facade ops ----------------------------------------------------------------------------

  private receive(ops: ToHost[]): void {
    this.tick()
    for (const op of ops) {
      switch (op.t) {
        case "call":
          this.call(op.id, op.m, op.a)
          break
        case "send": {
          const sock = this.sockets.get(op.s)
          if (sock && !sock.closing) {
            sock.pending.push({ b: new Uint8Array(op.b, 0, op.len), n: op.n })
            this.dirty.add(sock)
          }
          break
        }
        case "credit": {
          const sock = this.sockets.get(op.s)
          if (sock) {
            sock.recvCredit += op.n
            this.dirty.add(sock)
          }
          break
        }
      }
    }
    this.turn()
  }

  private call(id: number, method: keyof HostApi, args: unknown[]): void {
    // Messages sent before this call reach the core before it (send, then close or disconnect).
    for (const sock of this.dirty) this.moveMessages(sock)
    const ret = (v?: unknown, e?: ErrorInfo) => this.emit(e ? { t: "ret", id, e } : { t: "ret", id, v })
    try {
      const v = (this[method] as (...a: unknown[]) => unknown)(...args)
      if (v instanceof Promise) {
        v.then(
          (value) => {
            ret(value)
            this.turn()
          },
          (err) => {
            ret(undefined, toErrorInfo(err, args[1]))
            this.turn()
          },
        )
      } else {
        ret(v)
      }
    } catch (err) {
      ret(undefined, toErrorInfo(err, args[1]))
    }
  }

  open(handle: number, type: number): void {
    const id = this.core.socketOpen(type)
    const sock: HostSocket = {
      handle,
      id,
      pending: [],
      taken: 0,
      lastTaken: 0,
      lastCap: -1,
      lastFlags: -1,
      recvCredit: RECV_WINDOW,
      closing: false,
      listeners: new Map(),
      dialers: new Map(),
    }
    this.sockets.set(handle, sock)
    this.byId.set(id, sock)
    this.dirty.add(sock)
  }

  close(handle: number): void {
    const sock = this.sockets.get(handle)
    if (!sock || sock.closing) return
    sock.closing = true
    sock.pending = []
    for (const l of new Set(sock.listeners.values())) l.close()
    sock.listeners.clear()
    this.core.socketClose(sock.id)
  }

  setopt(handle: number, opt: number, value: Uint8Array): void {
    const sock = this.sock(handle)
    this.core.setopt(sock.id, opt, value)
    this.dirty.add(sock)
  }

  async bind(handle: number, address: string): Promise<string> {
    const sock = this.sock(handle)
    const listener = await transportOf(address).listen(address, (stream) => this.accepted(sock, stream))
    if (this.options.unrefHandles) listener.unref()
    if (sock.closing) {
      listener.close()
      throw new TransportError("EBADF")
    }
    sock.listeners.set(address, listener)
    sock.listeners.set(listener.endpoint, listener)
    return listener.endpoint
  }

  async unbind(handle: number, address: string): Promise<void> {
    const sock = this.sock(handle)
    const listener = sock.listeners.get(address)
    if (!listener) throw new TransportError("ENOENT")
    for (const [key, l] of sock.listeners) if (l === listener) sock.listeners.delete(key)
    listener.close()
  }

  connect(handle: number, address: string): void {
    const sock = this.sock(handle)
    transportOf(address) // refuses an unknown scheme before the core makes a dialer
    const dialer = this.core.connect(sock.id)
    this.dialers.set(dialer, { sock, address })
    const list = sock.dialers.get(address) ?? []
    list.push(dialer)
    sock.dialers.set(address, list)
    this.dirty.add(sock)
  }

  disconnect(handle: number, address: string): void {
    const sock = this.sock(handle)
    const dialer = sock.dialers.get(address)?.shift()
    if (dialer === undefined) throw new TransportError("ENOENT")
    if (!sock.dialers.get(address)?.length) sock.dialers.delete(address)
    this.core.disconnect(dialer)
  }

  private sock(handle: number): HostSocket {
    const sock = this.sockets.get(handle)
    if (!sock || sock.closing) throw new TransportError("ENOTSOCK")
    return sock
  }

  // ---- streams -------------------------------------------------------------------------------

  private accepted(sock: HostSocket, stream: Duplex): void {
    if (sock.closing) {
      stream.destroy()
      return
    }
    this.tick()
    const conn = this.core.accept(sock.id)
    this.conns.set(conn, new StreamConn(conn, stream, this, this.options.unrefHandles))
    this.turn()
  }

  private dial(dialer: DialerId): void {
    const entry = this.dialers.get(dialer)
    if (!entry) return
    const transport = transportOf(entry.address)
    const stream = transport.dial(entry.address)
    if (this.options.unrefHandles) (stream as { unref?: () => void }).unref?.()
    let settled = false
    const fail = () => {
      if (settled) return
      settled = true
      stream.destroy()
      if (this.dialers.has(dialer)) {
        this.tick()
        this.core.dialResult(dialer, false)
        this.turn()
      }
    }
    stream.once("error", fail)
    stream.once("close", fail)
    stream.once(transport.connectEvent, () => {
      if (settled) return
      settled = true
      stream.off("error", fail)
      stream.off("close", fail)
      if (!this.dialers.has(dialer)) {
        stream.destroy()
        return
      }
      this.tick()
      const conn = this.core.dialResult(dialer, true)
      if (conn === undefined) {
        stream.destroy()
        return
      }
      this.conns.set(conn, new StreamConn(conn, stream, this, this.options.unrefHandles))
      this.turn()
    })
  }

  input(conn: StreamConn, chunk: Buffer): void {
    if (!this.core.connInput(conn.id, chunk)) conn.destroy()
    this.turn()
  }

  drained(conn: StreamConn): void {
    this.writeOut(conn)
    this.turn()
  }

  closed(conn: StreamConn): void {
    if (this.conns.get(conn.id) !== conn) return
    this.conns.delete(conn.id)
    this.core.connClosed(conn.id)
    this.turn()
  }

  /** Pulls output from the core into the stream until none is left or the stream is full. */
  private writeOut(conn: StreamConn): void {
    // Corked, the pieces (a large frame comes as header, then body) leave in one writev.
    conn.cork()
    while (!conn.blocked && !conn.isGone) {
      const out = this.core.connOutput(conn.id)
      if (out.length === 0) break
      conn.write(Buffer.from(out)) // copy: the view dies with the next core call
    }
    conn.uncork()
  }

  // ---- the turn ------------------------------------------------------------------------------

  /**
   * Moves the core's clock to now. Called at every entry before anything that may start a
   * timer (a connection's handshake deadline, a reconnect), so no timer starts from a stale time.
   */
  private tick(): void {
    this.schedule(this.core.advance(performance.now()))
  }

  /** Brings the core and the facade up to date after an event. */
  private turn(): void {
    if (this.inTurn) return // nested event (a synchronous stream callback): the outer turn loops
    this.inTurn = true
    try {
      this.tick()
      for (let round = 0; ; round++) {
        for (const sock of this.dirty) this.moveMessages(sock)
        const effects = this.drainEffects()
        if (effects.length === 0) break
        for (const fx of effects) this.apply(fx)
      }
      for (const sock of this.dirty) this.report(sock)
      this.dirty.clear()
    } finally {
      this.inTurn = false
    }
    this.flushSoon()
  }

  /** Offers pending batches to the core and takes received messages the facade has room for. */
  private moveMessages(sock: HostSocket): void {
    if (sock.closing) return
    while (sock.pending.length) {
      const head = sock.pending[0]
      const took = this.core.send(sock.id, head.b)
      sock.taken += took
      if (took === head.n) {
        sock.pending.shift()
        continue
      }
      if (took > 0) sock.pending[0] = { b: head.b.subarray(messageOffset(head.b, took)), n: head.n - took }
      break
    }
    while (sock.recvCredit > 0) {
      const { batch, msgs } = this.core.recv(sock.id, sock.recvCredit, RECV_BATCH_BYTES)
      if (msgs === 0) break
      const copy = batch.slice().buffer as ArrayBuffer
      this.emit({ t: "msgs", s: sock.handle, b: copy, n: msgs }, copy)
      sock.recvCredit -= msgs
    }
  }

  private report(sock: HostSocket): void {
    if (sock.closing || !this.byId.has(sock.id)) return
    const { capacity, flags } = this.core.status(sock.id)
    if (capacity === sock.lastCap && sock.taken === sock.lastTaken && flags === sock.lastFlags) return
    sock.lastCap = capacity
    sock.lastTaken = sock.taken
    sock.lastFlags = flags
    this.emit({ t: "status", s: sock.handle, taken: sock.taken, cap: capacity, flags })
  }

  private drainEffects(): Effect[] {
    const raw = this.core.effects()
    const list: Effect[] = []
    const view = new DataView(raw.buffer, raw.byteOffset, raw.byteLength)
    for (let off = 0; off + FX_HEADER <= raw.length; ) {
      const textLen = view.getUint16(off + 2, true)
      list.push({
        kind: raw[off],
        reason: raw[off + 1],
        id: view.getUint32(off + 4, true),
        arg: view.getUint32(off + 8, true),
        text: textLen ? textDecoder.decode(raw.subarray(off + FX_HEADER, off + FX_HEADER + textLen)) : "",
      })
      off += FX_HEADER + textLen
    }
    return list
  }

  private apply(fx: Effect): void {
    switch (fx.kind) {
      case Fx.Dial:
        this.dial(fx.id as DialerId)
        break
      case Fx.Output: {
        const conn = this.conns.get(fx.id as ConnId)
        if (conn) this.writeOut(conn)
        break
      }
      case Fx.Close: {
        const conn = this.conns.get(fx.id as ConnId)
        if (conn) {
          this.writeOut(conn) // an ERROR command may be queued for the peer
          conn.end()
        }
        break
      }
      case Fx.Pause:
        this.conns.get(fx.id as ConnId)?.pause()
        break
      case Fx.Resume:
        this.conns.get(fx.id as ConnId)?.resume()
        break
      case Fx.Status: {
        const sock = this.byId.get(fx.id as SocketId)
        if (sock) this.dirty.add(sock)
        break
      }
      case Fx.SocketGone: {
        const sock = this.byId.get(fx.id as SocketId)
        if (sock) {
          this.byId.delete(sock.id)
          this.sockets.delete(sock.handle)
          this.dirty.delete(sock)
          this.emit({ t: "gone", s: sock.handle })
        }
        break
      }
      case Fx.DialStop: {
        const entry = this.dialers.get(fx.id as DialerId)
        if (entry) {
          this.dialers.delete(fx.id as DialerId)
          const list = entry.sock.dialers.get(entry.address)
          const i = list?.indexOf(fx.id as DialerId) ?? -1
          if (list && i >= 0) list.splice(i, 1)
        }
        break
      }
      case Fx.Handshake:
        break // monitor events come with the Observer
    }
  }

  // ---- timer and output to the facade -------------------------------------------------------

  private schedule(deadline: number): void {
    if (deadline < 0) {
      if (this.timer) clearTimeout(this.timer)
      this.timer = undefined
      this.timerAt = -1
      return
    }
    if (this.timer && this.timerAt === deadline) return
    if (this.timer) clearTimeout(this.timer)
    this.timerAt = deadline
    this.timer = setTimeout(() => {
      this.timer = undefined
      this.timerAt = -1
      this.turn()
    }, Math.max(0, Math.ceil(deadline - performance.now())))
    if (this.options.unrefHandles) this.timer.unref?.()
  }

  private emit(op: ToFacade, transfer?: ArrayBuffer): void {
    this.outOps.push(op)
    if (transfer) this.outTransfer.push(transfer)
  }

  private flushSoon(): void {
    if (this.flushQueued || this.outOps.length === 0) return
    this.flushQueued = true
    queueMicrotask(() => {
      this.flushQueued = false
      const ops = this.outOps
      const transfer = this.outTransfer
      this.outOps = []
      this.outTransfer = []
      if (ops.length) this.port.post(ops, transfer)
    })
  }
}

function toErrorInfo(err: unknown, address: unknown): ErrorInfo {
  const addr = typeof address === "string" ? address : undefined
  if (err instanceof TransportError) return { code: err.code, address: addr, detail: err.message }
  if (err instanceof CoreError) return { code: err.err === "ENOTSOCK" ? "ENOTSOCK" : "EINVAL", address: addr, detail: err.message }
  return { code: "EINVAL", address: addr, detail: String(err) }
}
