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
import { ZW_CLOSE, ZW_FX, ZW_OPT, ZW_SOCKET } from "./zmqw.js"
import { Bodies } from "./bodies.js"
import { messageOffset } from "./channel/batch.js"
import { Flusher } from "./channel/flusher.js"
import {
  type ErrorInfo,
  type HostApi,
  type HostStats,
  type Port,
  RECV_BATCH_BYTES,
  RECV_BYTES,
  type ToFacade,
  type ToHost,
} from "./channel/protocol.js"
import { DirectRead, StreamConn, type StreamSink } from "./transports/stream.js"
import { type Listener, type Transport, TransportError } from "./transports/transport.js"
import { bindErrorAddress, endEvents, type MonitorEvent } from "./monitor.js"
import { isTransportOption, setTransportOption, type TlsSettings } from "./transports/tls.js"
import { copy, ownBuffer } from "./bytes.js"

import { HostProxy } from "./proxy.js"

const FX_HEADER = 12
/** Bytes offered to the core after a large body (see feed). */
const PROBE_BYTES = 256

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
  /** Its socket type (zmqw.h's numbers). */
  readonly type: number
  /** wss:// settings (transports/tls.ts), kept here: the core never sees TLS. */
  readonly tls: TlsSettings
  /** Batches from the facade the core has not taken yet, in order; `withdrawn` marks one
   *  message the facade took back (its place is kept, so every message keeps its number). */
  pending: { b: Uint8Array; n: number; withdrawn?: true; recycle?: ArrayBuffer }[]
  /** Messages the core has taken since the socket opened (reported to the facade). */
  taken: number
  lastTaken: number
  lastCap: number
  lastFlags: number
  /** Messages, and bytes, the facade will still accept ahead of its receive() calls (bytes:
   *  Infinity for a lockstep socket, which asks per message; may go below 0 by one message). */
  recvCredit: number
  recvBytes: number
  /** The credit it opened with (0: lockstep). */
  readonly recvWindow: number
  closing: boolean
  /** Listeners by the address bound and by their resolved endpoint. */
  listeners: Map<string, Listener>
  dialers: Map<string, DialerId[]>
  /** Its transport streams not yet closed, including those of a socket the core finished. */
  streams: Set<StreamConn>
  /** When lingering must stop (performance.now() ms), or Infinity; set by close(). */
  lingerUntil: number
  /** The core finished the socket; "gone" waits until `streams` has flushed and closed. */
  finished: boolean
  /** Cuts the streams off when the linger deadline passes with bytes still unwritten. */
  lingerTimer: ReturnType<typeof setTimeout> | undefined
  /** The Observer wants its events (monitor()). */
  monitored: boolean
  /** The Proxy this socket is an end of, while it runs (proxy.ts). */
  proxy?: HostProxy
}

/** A connection as the Observer's events tell of it: its endpoint, whether its handshake
 *  completed, and whether its end was reported already (at the core's close or the stream's). */
interface Watched {
  sock: HostSocket
  address: string
  handshaken: boolean
  ended?: true
}


/** The transport of an address among `transports`, for a socket of `type`: a STREAM socket's raw
 *  bytes have no message framing in this build (libzmq has one for ws), so ENOTSUP over one. */
function transportOf(transports: Record<string, Transport>, address: string, type: number): Transport {
  const t = transports[address.slice(0, address.indexOf("://"))]
  if (!t) throw new TransportError("EPROTONOSUPPORT")
  if (t.messages && type === ZW_SOCKET.STREAM) throw new TransportError("ENOTSUP", "STREAM sockets do not support ws:// here")
  return t
}

const textDecoder = new TextDecoder()
const textEncoder = new TextEncoder()

/** The name of an inproc:// address as the core keys it (UTF-8), or undefined for others. */
function inprocName(address: string): Uint8Array | undefined {
  return address.startsWith("inproc://") ? textEncoder.encode(address.slice(9)) : undefined
}

export interface HostOptions {
  /** Inline mode: no handle of the host may keep the process alive on its own. */
  unrefHandles: boolean
  /** Worker mode: received bodies go to the facade as transferred ArrayBuffers (inline: as is). */
  transferBodies: boolean
  /** The transports by scheme (the runtime's: ts/platform). */
  transports: Record<string, Transport>
}

export class Host implements HostApi, StreamSink {
  private readonly sockets = new Map<number, HostSocket>()
  private readonly byId = new Map<SocketId, HostSocket>()
  private readonly conns = new Map<ConnId, StreamConn>()
  /** The socket each stream was made for (kept after the core finished the socket). */
  private readonly owners = new Map<StreamConn, HostSocket>()
  private readonly dialers = new Map<DialerId, { sock: HostSocket; address: string }>()
  /** What the Observer's events say of each connection (monitor.ts). */
  private readonly watched = new Map<ConnId, Watched>()
  /** Sockets whose sends, receives or status need a look in this turn. */
  private readonly dirty = new Set<HostSocket>()
  private outOps: ToFacade[] = []
  /** Batch buffers the core has taken whole, going back to the facade's pool. */
  private recycled: ArrayBuffer[] = []
  private outTransfer: ArrayBuffer[] = []
  private readonly flusher = new Flusher(() => this.flush())
  private timer: ReturnType<typeof setTimeout> | undefined
  private timerAt = -1
  private inTurn = false
  /** The engine failed (an exception out of the core or the host's own code): see fatal(). */
  private dead = false
  /** Large bodies the core holds by id (zmqw.h's body refs). */
  private readonly bodies = new Bodies({
    returned: () => this.flushSoon(),
    want: (f, off, len) => {
      this.emit({ t: "want", f, off, len })
      this.flushSoon()
    },
    unlend: (f) => {
      this.unlent.push(f)
      this.flushSoon()
    },
  })
  /** Where dialed streams read when not into a body (transports/stream.ts's DirectRead). */
  private readonly scratch = new Uint8Array(64 * 1024)
  private readonly scratchProbe = this.scratch.subarray(0, PROBE_BYTES)
  /** Lent bodies done with since the last flush (one "unlend" op). */
  private unlent: number[] = []

  constructor(
    private readonly core: WasmCore,
    private readonly port: Port<ToHost, ToFacade>,
    private readonly options: HostOptions,
  ) {
    port.onmessage = (ops) => this.safely(() => this.receive(ops))
    core.bodies = (id) => this.bodies.get(id)
  }

  /** @internal For tests: bodies held for the core now. */
  get bodiesHeld(): number {
    return this.bodies.size
  }

  /**
   * Runs one event from outside (the facade's ops, a stream, a dial, a timer). Nothing may throw
   * out of it: in a worker an uncaught exception kills the thread without a word, inline it
   * lands in some unrelated stream handler of the user's process. A failure here means the host
   * can no longer follow the core (zw_effects' ZW_ENOMEM, a bug), so it is fatal: see fatal().
   */
  private safely(event: () => void): void {
    if (this.dead) return
    try {
      event()
    } catch (err) {
      this.fatal(err)
    }
  }

  /** Stops the engine: every stream and listener goes, and the facade fails all that waits. */
  private fatal(err: unknown): void {
    this.dead = true
    if (this.timer) clearTimeout(this.timer)
    for (const conn of this.conns.values()) conn.destroy()
    for (const sock of this.sockets.values()) {
      for (const l of new Set(sock.listeners.values())) l.close()
      if (sock.lingerTimer) clearTimeout(sock.lingerTimer)
    }
    this.outOps = []
    this.recycled = []
    this.outTransfer = []
    this.unlent = []
    this.bodies.clear()
    this.port.post([{ t: "fatal", detail: err instanceof Error ? err.message : String(err) }], [])
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
            const b = new Uint8Array(op.b, 0, op.len)
            if (op.bodies) this.bodies.adopt(b, op.bodies)
            sock.pending.push({ b, n: op.n, recycle: op.b })
            this.dirty.add(sock)
          }
          break
        }
        case "credit": {
          const sock = this.sockets.get(op.s)
          if (sock) {
            // A lockstep socket takes back a demand that was met meanwhile: clamp at none.
            sock.recvCredit = Math.max(0, sock.recvCredit + op.n)
            sock.recvBytes += op.bytes
            this.dirty.add(sock)
          }
          break
        }
        case "withdraw": {
          const sock = this.sockets.get(op.s)
          if (sock && !sock.closing) this.withdraw(sock, op.seq)
          break
        }
        case "chunk":
          for (const conn of this.bodies.arrive(op.f, op.off, op.b)) this.writeOut(conn as StreamConn)
          break
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

  open(handle: number, type: number, recvWindow: number): void {
    const id = this.core.socketOpen(type)
    const sock: HostSocket = {
      handle,
      id,
      type,
      tls: {},
      pending: [],
      taken: 0,
      lastTaken: 0,
      lastCap: -1,
      lastFlags: -1,
      recvCredit: recvWindow,
      recvBytes: recvWindow ? RECV_BYTES : Infinity,
      recvWindow,
      closing: false,
      listeners: new Map(),
      dialers: new Map(),
      streams: new Set(),
      lingerUntil: Infinity,
      finished: false,
      lingerTimer: undefined,
      monitored: false,
    }
    this.sockets.set(handle, sock)
    this.byId.set(id, sock)
    this.dirty.add(sock)
  }

  close(handle: number): void {
    const sock = this.sockets.get(handle)
    if (!sock || sock.closing) return
    // The monitor's last words, as libzmq's: each listener closes, then the monitor stops.
    for (const l of new Set(sock.listeners.values())) this.event(sock, { e: "close", a: l.endpoint })
    this.event(sock, { e: "end" })
    sock.monitored = false
    sock.closing = true
    sock.proxy?.stop()
    // Batches the core could not take before the close (all of them reached it first, see
    // call()) are dropped here, as libzmq drops what a closing socket's pipes could not hold.
    for (const p of sock.pending) this.bodies.drop(p.b)
    sock.pending = []
    const raw = this.core.getopt(sock.id, ZW_OPT.LINGER)
    const linger = new DataView(raw.buffer, raw.byteOffset, 4).getInt32(0, true)
    sock.lingerUntil = linger < 0 ? Infinity : performance.now() + linger
    for (const l of new Set(sock.listeners.values())) l.close()
    sock.listeners.clear()
    this.core.socketClose(sock.id)
  }

  setopt(handle: number, opt: number, value: Uint8Array): void {
    const sock = this.sock(handle)
    if (isTransportOption(opt)) return setTransportOption(sock.tls, opt, value)
    this.core.setopt(sock.id, opt, value)
    this.dirty.add(sock)
  }

  async bind(handle: number, address: string): Promise<string> {
    const sock = this.sock(handle)
    const name = inprocName(address)
    if (name) {
      this.core.inprocBind(sock.id, name) // never reaches a transport: the core joins the pipes
      this.dirty.add(sock)
      return address
    }
    const transport = transportOf(this.options.transports, address, sock.type)
    let endpoint = address
    let listener: Listener
    try {
      listener = await transport.listen(address, {
        onStream: (stream, reader) => this.accepted(sock, stream, transport, endpoint, reader as DirectRead | undefined),
        reader: () => this.directRead(),
      }, sock.tls)
    } catch (err) {
      // libzmq's monitor: the socket it had opened closes (no address yet), the bind failed.
      if (err instanceof TransportError && /^EADDR|^EACCES/.test(err.code)) {
        this.event(sock, { e: "close" })
        this.event(sock, { e: "bind:error", a: bindErrorAddress(address), c: err.code })
      }
      throw err
    }
    if (this.options.unrefHandles) listener.unref()
    if (sock.closing) {
      listener.close()
      throw new TransportError("EBADF")
    }
    endpoint = listener.endpoint
    sock.listeners.set(address, listener)
    sock.listeners.set(listener.endpoint, listener)
    this.event(sock, { e: "bind", a: endpoint })
    return listener.endpoint
  }

  async unbind(handle: number, address: string): Promise<void> {
    const sock = this.sock(handle)
    const name = inprocName(address)
    if (name) return this.core.inprocUnbind(sock.id, name)
    const listener = sock.listeners.get(address)
    if (!listener) throw new TransportError("ENOENT")
    for (const [key, l] of sock.listeners) if (l === listener) sock.listeners.delete(key)
    listener.close()
    this.event(sock, { e: "close", a: listener.endpoint })
  }

  /** zeromq.js's Proxy.run(): resolves once TERMINATE came, or a socket closed under it. */
  proxy(front: number, back: number): Promise<void> {
    const a = this.sock(front)
    const b = this.sock(back)
    return new Promise<void>((resolve) => {
      new HostProxy(a, b, resolve)
      this.dirty.add(a)
      this.dirty.add(b)
    })
  }

  /** PAUSE, RESUME or TERMINATE for the proxy socket `front` is an end of. */
  proxyControl(front: number, command: "PAUSE" | "RESUME" | "TERMINATE"): void {
    const sock = this.sock(front)
    const proxy = sock.proxy
    if (!proxy) return
    if (command === "TERMINATE") return proxy.stop()
    proxy.paused = command === "PAUSE"
    this.dirty.add(proxy.front as HostSocket)
    this.dirty.add(proxy.back as HostSocket)
  }

  monitor(handle: number, on: boolean): void {
    this.sock(handle).monitored = on
  }

  connect(handle: number, address: string): void {
    const sock = this.sock(handle)
    const name = inprocName(address)
    if (!name) transportOf(this.options.transports, address, sock.type) // refuses an unknown scheme before the core makes a dialer
    const dialer = name ? this.core.inprocConnect(sock.id, name) : this.core.connect(sock.id)
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

  stats(): HostStats {
    let pendingMessages = 0
    let lentMessages = 0
    let lentBytes = 0
    for (const sock of this.sockets.values()) {
      for (const p of sock.pending) pendingMessages += p.n
      if (sock.recvWindow) {
        lentMessages += sock.recvWindow - sock.recvCredit
        lentBytes += RECV_BYTES - sock.recvBytes
      }
    }
    return {
      sockets: this.sockets.size,
      connections: this.conns.size,
      dialers: this.dialers.size,
      bodies: this.bodies.size,
      pendingMessages,
      lentMessages,
      lentBytes,
      wasmBytes: this.core.memoryBytes,
      returnedBodies: this.bodies.returnedTotal,
      lentBodies: this.bodies.lentCount,
    }
  }

  private sock(handle: number): HostSocket {
    const sock = this.sockets.get(handle)
    if (!sock || sock.closing) throw new TransportError("ENOTSOCK")
    return sock
  }

  // ---- streams -------------------------------------------------------------------------------

  private accepted(sock: HostSocket, stream: Duplex, transport: Transport, endpoint: string, direct: DirectRead | undefined): void {
    if (sock.closing || this.dead) {
      stream.destroy()
      return
    }
    this.safely(() => {
      this.tick()
      const conn = this.core.accept(sock.id, transport.framingOf(stream))
      const streamConn = new StreamConn(conn, stream, this, this.options.unrefHandles)
      this.adopt(sock, streamConn)
      this.watch(sock, conn, endpoint, "accept", transport)
      direct?.attach(streamConn)
      this.turn()
    })
  }

  private dial(dialer: DialerId): void {
    const entry = this.dialers.get(dialer)
    if (!entry) return
    const transport = transportOf(this.options.transports, entry.address, entry.sock.type)
    const direct = this.directRead()
    const stream = transport.dial(entry.address, direct.onread, entry.sock.tls)
    if (this.options.unrefHandles) (stream as { unref?: () => void }).unref?.()
    this.event(entry.sock, { e: "connect:delay", a: entry.address })
    let settled = false
    const fail = () => {
      if (settled) return
      settled = true
      stream.destroy()
      if (this.dialers.has(dialer)) {
        this.safely(() => {
          this.tick()
          this.event(entry.sock, { e: "close", a: entry.address })
          this.core.dialResult(dialer, false)
          this.turn()
        })
      }
    }
    stream.once("error", fail)
    stream.once("close", fail)
    stream.once(transport.connectEvent, () => {
      if (settled) return
      settled = true
      stream.off("error", fail)
      stream.off("close", fail)
      if (!this.dialers.has(dialer) || this.dead) {
        stream.destroy()
        return
      }
      this.safely(() => {
        this.tick()
        const conn = this.core.dialResult(dialer, true, transport.framingOf(stream))
        if (conn === undefined) {
          stream.destroy()
          return
        }
        const streamConn = new StreamConn(conn, stream, this, this.options.unrefHandles)
        this.adopt(entry.sock, streamConn)
        this.watch(entry.sock, conn, entry.address, "connect", transport)
        direct.attach(streamConn)
        this.turn()
      })
    })
  }

  /**
   * A connection the Observer will hear of: "accept" or "connect" now, and over ws:// also
   * "handshake" (libzmq's ws engine reports its WebSocket handshake, then ZMTP's: two events).
   */
  private watch(sock: HostSocket, conn: ConnId, address: string, first: string, transport: Transport): void {
    this.watched.set(conn, { sock, address, handshaken: false })
    this.event(sock, { e: first, a: address })
    if (transport.messages) this.event(sock, { e: "handshake", a: address })
  }

  /** A watched connection ends: the Observer hears why, unless the user asked for it (the
   *  core's reason NONE: a disconnect, unbind or close). */
  private ended(seen: Watched, reason: number | undefined, errorCode: string | undefined): void {
    seen.ended = true
    if (reason === ZW_CLOSE.NONE) return
    for (const event of endEvents(seen.address, seen.handshaken, reason, errorCode)) this.event(seen.sock, event)
  }

  private event(sock: HostSocket, event: MonitorEvent): void {
    if (sock.monitored && !sock.closing) this.emit({ t: "event", s: sock.handle, ...event })
  }

  /** Reads of a stream straight into the host's buffers (transports/stream.ts). */
  private directRead(): DirectRead {
    return new DirectRead(this.scratch, this.scratchProbe, this)
  }

  private adopt(sock: HostSocket, conn: StreamConn): void {
    this.conns.set(conn.id, conn)
    this.owners.set(conn, sock)
    sock.streams.add(conn)
  }

  input(conn: StreamConn, chunk: Buffer): void {
    this.safely(() => {
      this.feed(conn, chunk)
      this.turn()
    })
  }

  /**
   * Bytes read go to the core, except the bodies of large frames: the core stops at such a
   * frame's header and the host collects its body here, one copy from the stream's chunks into
   * a buffer of its own (which later moves to the facade as it is), then names it.
   */
  private feed(conn: StreamConn, chunk: Uint8Array): void {
    for (let off = 0; off < chunk.length; ) {
      if (conn.body) {
        const body = conn.body
        const k = Math.min(body.length - conn.bodyHave, chunk.length - off)
        body.set(chunk.subarray(off, off + k), conn.bodyHave)
        conn.bodyHave += k
        off += k
        if (conn.bodyHave < body.length) return
        this.bodyDone(conn)
        continue
      }
      // Right after a body the next header may start another: offer a small window first, so a
      // large body's bytes are not copied into wasm memory only to be refused.
      const end = conn.probe ? Math.min(chunk.length, off + PROBE_BYTES) : chunk.length
      const taken = this.core.connInput(conn.id, off === 0 && end === chunk.length ? chunk : chunk.subarray(off, end))
      if (!taken) {
        conn.destroy()
        return
      }
      conn.probe = taken.body !== 0
      off += taken.used
      if (taken.body) {
        conn.body = ownBuffer(taken.body) // its own ArrayBuffer: transferable
        conn.bodyHave = 0
      } else if (taken.used === 0) {
        return
      }
    }
  }

  bodyRead(conn: StreamConn, n: number): void {
    this.safely(() => {
      conn.bodyHave += n
      if (conn.bodyHave < (conn.body as Uint8Array).length) return
      this.bodyDone(conn)
      this.turn()
    })
  }

  /** The large body being collected is whole: the core gets it by its id. */
  private bodyDone(conn: StreamConn): void {
    const body = conn.body as Uint8Array
    conn.body = undefined
    conn.probe = true
    const id = this.bodies.adoptReceived(body)
    if (!this.core.connBody(conn.id, id)) this.bodies.release(id)
  }

  drained(conn: StreamConn): void {
    this.safely(() => {
      this.writeOut(conn)
      this.turn()
    })
  }

  closed(conn: StreamConn): void {
    this.safely(() => this.streamClosed(conn))
  }

  private streamClosed(conn: StreamConn): void {
    this.bodies.leave(conn)
    const sock = this.owners.get(conn)
    this.owners.delete(conn)
    if (sock) {
      sock.streams.delete(conn)
      if (sock.finished && sock.streams.size === 0) this.gone(sock)
    }
    if (this.conns.get(conn.id) !== conn) return
    this.conns.delete(conn.id)
    const seen = this.watched.get(conn.id)
    this.watched.delete(conn.id)
    // The transport ended first: the peer hung up, or the stream failed.
    if (seen && !seen.ended) this.ended(seen, undefined, conn.errorCode)
    this.core.connClosed(conn.id)
    this.turn()
  }

  /** Pulls output from the core into the stream until none is left or the stream is full. */
  private writeOut(conn: StreamConn): void {
    // Corked, the pieces (a large frame comes as header, then body) leave in one writev.
    conn.cork()
    while (!conn.blocked && !conn.isGone) {
      // A lent body comes from the facade a window at a time; the core's output waits for it.
      if (conn.lent) {
        if (this.bodies.writeLent(conn)) continue
        break
      }
      const out = this.core.connOutput(conn.id)
      if (typeof out === "number") {
        // A body the host holds: written as it is (the stream keeps it until it is out, whatever
        // the core's release says meanwhile; a buffer that goes back waits for the write).
        this.bodies.writeTo(out, conn)
        continue
      }
      if (out.length === 0) break
      conn.write(copy(out)) // copy: the view dies with the next core call
    }
    conn.uncork()
    if (conn.endAfterLent && !conn.lent) {
      conn.endAfterLent = false
      conn.end()
    }
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

  /**
   * Message number seq (counted as `taken` counts) goes back to the facade if it is still here:
   * it is the last one sent (an answered send is the socket's only one in flight), so it is the
   * last message of the last batch.
   */
  private withdraw(sock: HostSocket, seq: number): void {
    this.moveMessages(sock) // a send with timeout 0 still goes if it can go now
    const held = sock.pending.reduce((sum, p) => sum + p.n, 0)
    if (seq !== sock.taken + held || held === 0) return // taken or refused already
    const last = sock.pending[sock.pending.length - 1]
    if (last.withdrawn) return
    sock.pending.pop()
    const at = messageOffset(last.b, last.n - 1)
    this.bodies.drop(last.b.subarray(at))
    if (last.n > 1) sock.pending.push({ b: last.b.subarray(0, at), n: last.n - 1 })
    sock.pending.push({ b: last.b.subarray(0, 0), n: 1, withdrawn: true })
    this.dirty.add(sock)
  }

  /** The message the core would not take is dropped; the facade hears why (answered sends). */
  private refuse(sock: HostSocket, code: string): void {
    sock.taken++
    this.emit({ t: "refused", s: sock.handle, seq: sock.taken, code })
  }

  /** Offers pending batches to the core and takes received messages the facade has room for
   *  (or, for a Proxy's socket, forwards them to its partner). */
  private moveMessages(sock: HostSocket): void {
    if (sock.closing) return
    this.offer(sock)
    if (sock.proxy) {
      const proxy = sock.proxy
      proxy.forward(sock, this.core, this.bodies, (to) => this.offer(to as HostSocket), (from, b, n, bodies) => {
        this.emit({ t: "msgs", s: (from as HostSocket).handle, b, n, bodies }, b)
      })
      // The partner may read again once this socket's queue is empty.
      if (sock.pending.length === 0) this.dirty.add(proxy.partner(sock) as HostSocket)
      return
    }
    this.receiveForFacade(sock)
  }

  /** Offers the socket's pending batches to the core, in order, as far as it takes them. */
  private offer(sock: HostSocket): void {
    while (sock.pending.length) {
      const head = sock.pending[0]
      if (head.withdrawn) {
        sock.pending.shift()
        this.refuse(sock, "EAGAIN")
        continue
      }
      const { took, refused } = this.core.send(sock.id, head.b)
      sock.taken += took
      let done = took
      if (refused) {
        this.bodies.drop(head.b.subarray(messageOffset(head.b, took), messageOffset(head.b, took + 1)))
        this.refuse(sock, refused)
        done++
      }
      if (done === head.n) {
        sock.pending.shift()
        if (head.recycle) this.recycled.push(head.recycle) // the core copied it all
        continue
      }
      if (done > 0) {
        sock.pending[0] = { b: head.b.subarray(messageOffset(head.b, done)), n: head.n - done, recycle: head.recycle }
      }
      if (refused) continue
      break
    }
  }

  /** Takes the received messages the facade has room for. */
  private receiveForFacade(sock: HostSocket): void {
    while (sock.recvCredit > 0 && sock.recvBytes > 0) {
      const { batch, msgs } = this.core.recv(sock.id, sock.recvCredit, Math.min(RECV_BATCH_BYTES, sock.recvBytes))
      if (msgs === 0) break
      const { b, bodies, bytes } = this.bodies.forFacade(batch, this.options.transferBodies)
      if (sock.recvWindow) sock.recvBytes -= bytes
      this.emit({ t: "msgs", s: sock.handle, b, n: msgs, bodies }, b)
      if (bodies) for (const body of bodies) if (body instanceof ArrayBuffer) this.outTransfer.push(body)
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
      case ZW_FX.DIAL:
        this.dial(fx.id as DialerId)
        break
      case ZW_FX.OUTPUT: {
        const conn = this.conns.get(fx.id as ConnId)
        if (conn) this.writeOut(conn)
        break
      }
      case ZW_FX.CLOSE: {
        // Reported now, before the re-dial the core has already scheduled (its ZW_FX_RETRY).
        const seen = this.watched.get(fx.id as ConnId)
        if (seen && !seen.ended) this.ended(seen, fx.reason, undefined)
        const conn = this.conns.get(fx.id as ConnId)
        if (conn) {
          this.writeOut(conn) // an ERROR command may be queued for the peer
          if (conn.lent) conn.endAfterLent = true // the rest of the body first
          else conn.end()
        }
        break
      }
      case ZW_FX.PAUSE:
        this.conns.get(fx.id as ConnId)?.pause()
        break
      case ZW_FX.RESUME:
        this.conns.get(fx.id as ConnId)?.resume()
        break
      case ZW_FX.STATUS: {
        const sock = this.byId.get(fx.id as SocketId)
        if (sock) this.dirty.add(sock)
        break
      }
      case ZW_FX.SOCKET_GONE: {
        const sock = this.byId.get(fx.id as SocketId)
        if (sock) this.finish(sock)
        break
      }
      case ZW_FX.DIAL_STOP: {
        const entry = this.dialers.get(fx.id as DialerId)
        if (entry) {
          this.dialers.delete(fx.id as DialerId)
          const list = entry.sock.dialers.get(entry.address)
          const i = list?.indexOf(fx.id as DialerId) ?? -1
          if (list && i >= 0) list.splice(i, 1)
        }
        break
      }
      case ZW_FX.HANDSHAKE: {
        const seen = this.watched.get(fx.id as ConnId)
        if (seen) {
          seen.handshaken = true
          this.event(seen.sock, { e: "handshake", a: seen.address })
        }
        break
      }
      case ZW_FX.PING: {
        // ZWS heartbeats ping at the WebSocket level. A stream that cannot (a browser's
        // WebSocket has no ping) counts as answered: the peer's pings, answered by the browser,
        // are what watches such a connection.
        const conn = this.conns.get(fx.id as ConnId)
        const stream = conn?.stream as { ping?(pong: () => void): boolean } | undefined
        const alive = () => this.safely(() => {
          this.core.connAlive(fx.id as ConnId)
          this.turn()
        })
        if (conn && !stream?.ping?.(alive)) this.core.connAlive(fx.id as ConnId)
        break
      }
      case ZW_FX.RETRY: {
        const entry = this.dialers.get(fx.id as DialerId)
        if (entry) this.event(entry.sock, { e: "connect:retry", a: entry.address, n: fx.arg })
        break
      }
      case ZW_FX.RELEASE:
        this.bodies.release(fx.id)
        break
    }
  }

  // ---- the end of a socket ------------------------------------------------------------------

  /**
   * The core is done with a socket: every byte it had for the socket's peers was handed to the
   * streams, which were told to end (ZW_FX_CLOSE). Those bytes may still sit in the streams'
   * buffers, and a process that exits now loses them: a user who sends and then closes must see
   * the tail arrive, as libzmq delivers it before zmq_ctx_term returns. So the facade hears
   * "gone" (and stops holding the process) only once the streams have flushed and closed, or
   * when the linger deadline cuts them off (at once for linger 0).
   */
  private finish(sock: HostSocket): void {
    this.byId.delete(sock.id)
    this.dirty.delete(sock)
    sock.finished = true
    const left = sock.lingerUntil - performance.now()
    if (sock.streams.size === 0) {
      this.gone(sock)
    } else if (left <= 0) {
      for (const conn of sock.streams) conn.destroy()
    } else if (left < Infinity) {
      sock.lingerTimer = setTimeout(() => {
        for (const conn of sock.streams) conn.destroy()
      }, Math.ceil(left))
      if (this.options.unrefHandles) sock.lingerTimer.unref?.()
    }
  }

  private gone(sock: HostSocket): void {
    if (sock.lingerTimer) clearTimeout(sock.lingerTimer)
    sock.lingerTimer = undefined
    this.sockets.delete(sock.handle)
    this.emit({ t: "gone", s: sock.handle })
    this.flushSoon()
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
      this.safely(() => this.turn())
    }, Math.max(0, Math.ceil(deadline - performance.now())))
    if (this.options.unrefHandles) this.timer.unref?.()
  }

  private emit(op: ToFacade, transfer?: ArrayBuffer): void {
    this.outOps.push(op)
    if (transfer) this.outTransfer.push(transfer)
  }

  /** See Flusher: at the end of this job the first time in a turn, then once per turn. */
  private flushSoon(): void {
    if (this.outOps.length === 0 && this.recycled.length === 0 && this.bodies.returned.length === 0 && this.unlent.length === 0) return
    this.flusher.soon()
  }

  private flush(): void {
    this.flusher.flushing()
    if (this.recycled.length) {
      this.outOps.push({ t: "batches", b: this.recycled })
      this.outTransfer.push(...this.recycled)
      this.recycled = []
    }
    const returned = this.bodies.returned
    if (returned.length) {
      this.outOps.push({ t: "bodies", b: returned })
      this.outTransfer.push(...returned)
      this.bodies.returned = []
    }
    if (this.unlent.length) {
      this.outOps.push({ t: "unlend", f: this.unlent })
      this.unlent = []
    }
    const ops = this.outOps
    const transfer = this.outTransfer
    this.outOps = []
    this.outTransfer = []
    if (ops.length) this.port.post(ops, transfer)
  }
}

/** @internal Exported for test/unit/core-errors.test.ts. */
export function toErrorInfo(err: unknown, address: unknown): ErrorInfo {
  const addr = typeof address === "string" ? address : undefined
  if (err instanceof TransportError) return { code: err.code, address: addr, detail: err.message }
  // The core's zw_err names are libzmq's errno names, which are the codes zeromq.js reports;
  // ts/api/errors.ts has a row (errno, wording) for each.
  if (err instanceof CoreError) return { code: err.err, address: addr, detail: err.message }
  return { code: "EINVAL", address: addr, detail: String(err) }
}
