/**
 * The one module that owns the wasm core's memory. Every export of native/include/zmqw.h is wrapped
 * here once, with branded id types; nothing else in the host touches wasm memory or raw pointers.
 *
 * Memory rules (see zmqw.h): byte areas the core returns are valid until the next call, so the
 * views returned by connOutput/recv/effects must be consumed (copied or parsed) before calling
 * into the core again. Views over `memory.buffer` are re-derived whenever the memory has grown.
 */

import { ZW_ERR_NAMES, ZW_FRAMING } from "./zmqw.js"

export type SocketId = number & { readonly __brand: "SocketId" }
export type ConnId = number & { readonly __brand: "ConnId" }
export type DialerId = number & { readonly __brand: "DialerId" }

/** zw_err names by value (generated from zmqw.h). */
export const ZwErr = ZW_ERR_NAMES
export type ZwErrName = (typeof ZwErr)[number]

/** zw_err values by name. */
const E = Object.fromEntries(ZwErr.map((name, value) => [name, value])) as Record<ZwErrName, number>

/** zmqw.h's ZW_FRAMING_*: how a transport carries a connection (the core picks the engine). */
export type Framing = (typeof ZW_FRAMING)[keyof typeof ZW_FRAMING]

export class CoreError extends Error {
  constructor(readonly call: string, readonly err: ZwErrName) {
    super(`${call}: ${err}`)
  }
}

/** The exports zmqw.h declares, in header order. A test checks the wasm against this list. */
export const ABI_EXPORTS = [
  "zw_init", "zw_scratch", "zw_alloc", "zw_free", "zw_advance", "zw_socket_open", "zw_socket_close",
  "zw_setopt", "zw_getopt", "zw_accept", "zw_connect", "zw_disconnect", "zw_dial_result",
  "zw_conn_input", "zw_conn_body", "zw_conn_output", "zw_conn_closed", "zw_conn_alive", "zw_inproc_bind", "zw_inproc_unbind",
  "zw_inproc_connect", "zw_send", "zw_recv", "zw_status",
  "zw_effects",
] as const

interface Exports {
  memory: WebAssembly.Memory
  _initialize?: () => void
  zw_init(): number
  zw_scratch(): number
  zw_alloc(size: number, outPtr: number): number
  zw_free(ptr: number): number
  zw_advance(now: number, outNext: number): number
  zw_socket_open(type: number, outSock: number): number
  zw_socket_close(sock: number): number
  zw_setopt(sock: number, opt: number, val: number, len: number): number
  zw_getopt(sock: number, opt: number, val: number, inoutLen: number): number
  zw_accept(sock: number, framing: number, outConn: number): number
  zw_connect(sock: number, outDialer: number): number
  zw_disconnect(dialer: number): number
  zw_dial_result(dialer: number, ok: number, framing: number, outConn: number): number
  zw_conn_input(conn: number, data: number, len: number, outUsed: number, outBody: number): number
  zw_conn_body(conn: number, body: number): number
  zw_conn_output(conn: number, outPtr: number, outLen: number, outBody: number): number
  zw_conn_closed(conn: number): number
  zw_conn_alive(conn: number): number
  zw_inproc_bind(sock: number, name: number, len: number): number
  zw_inproc_unbind(sock: number, name: number, len: number): number
  zw_inproc_connect(sock: number, name: number, len: number, outLink: number): number
  zw_send(sock: number, batch: number, len: number, outMsgs: number): number
  zw_recv(sock: number, maxMsgs: number, maxBytes: number, outPtr: number, outLen: number, outMsgs: number): number
  zw_status(sock: number, outCap: number, outFlags: number): number
  zw_effects(outPtr: number, outLen: number): number
}

/** getRandomValues fills at most this many bytes per call (Web Crypto's limit). */
const ENTROPY_CHUNK = 65536

/** The host's bodies by id (zmqw.h's body refs), for the core's reads of their bytes. */
export type BodyLookup = (id: number) => Uint8Array | undefined

/**
 * The wasm's imports (test/unit/wasm.test.ts checks there are no others): the host's entropy
 * (zmqw.h's zw_host_entropy: crypto.getRandomValues into the core's memory), the bytes of a body
 * the host holds (zw_host_body_read: the few a PUB's topic match or a routing id needs), and the
 * growth notice a standalone emscripten module asks for, needless here because every access
 * re-derives its views. `memory` is the instance's, known only once it exists.
 */
function wasmImports(memory: () => WebAssembly.Memory, body: () => BodyLookup): WebAssembly.Imports {
  return {
    env: {
      emscripten_notify_memory_growth: () => {},
      zw_host_body_read: (id: number, offset: number, dst: number, len: number) => {
        const to = new Uint8Array(memory().buffer, dst, len)
        const from = body()(id >>> 0)
        // The core reads only bodies it holds, within them; past a lent body's head (a topic
        // match against a subscription longer than it, channel/lending.ts) and anything else
        // reads zeros.
        if (from && offset + len <= from.length) to.set(from.subarray(offset, offset + len))
        else to.fill(0)
      },
      zw_host_entropy: (ptr: number, len: number) => {
        for (let off = 0; off < len; off += ENTROPY_CHUNK) {
          const n = Math.min(ENTROPY_CHUNK, len - off)
          crypto.getRandomValues(new Uint8Array(memory().buffer, ptr + off, n))
        }
      },
    },
  }
}

const STAGING_MIN = 64 * 1024

export class WasmCore {
  private readonly x: Exports
  private bytes: Uint8Array
  private view: DataView
  private readonly out: number
  private staging = 0
  private stagingSize = 0

  /** Where the core's reads of host bodies go (the host sets it; none: every body reads zeros). */
  bodies: BodyLookup = () => undefined

  /** Instantiates the core (synchronously: the module is compiled already). */
  constructor(module: WebAssembly.Module) {
    let exports: Exports | undefined
    const imports = wasmImports(() => (exports as Exports).memory, () => this.bodies)
    const instance = new WebAssembly.Instance(module, imports)
    this.x = exports = instance.exports as unknown as Exports
    this.x._initialize?.()
    this.bytes = new Uint8Array(this.x.memory.buffer)
    this.view = new DataView(this.x.memory.buffer)
    this.check("zw_init", this.x.zw_init())
    // Out-parameters live in the core's static scratch area; its address never changes.
    this.out = this.x.zw_scratch()
    this.stage(STAGING_MIN)
  }

  // ---- memory -------------------------------------------------------------------------------

  /** The wasm memory's size: it only grows, so a flat figure means nothing in the core grows. */
  get memoryBytes(): number {
    return this.x.memory.buffer.byteLength
  }

  private refresh(): void {
    if (this.bytes.buffer !== this.x.memory.buffer) {
      this.bytes = new Uint8Array(this.x.memory.buffer)
      this.view = new DataView(this.x.memory.buffer)
    }
  }

  private check(call: string, rc: number): void {
    if (rc !== 0) throw new CoreError(call, ZwErr[rc] ?? "EINVAL")
  }

  private allocRaw(size: number): number {
    this.check("zw_alloc", this.x.zw_alloc(size, this.out))
    this.refresh()
    return this.view.getUint32(this.out, true)
  }

  /** Makes the staging area at least `size` bytes and returns its address. */
  private stage(size: number): number {
    if (size > this.stagingSize) {
      if (this.staging) this.x.zw_free(this.staging)
      let n = Math.max(STAGING_MIN, this.stagingSize)
      while (n < size) n *= 2
      this.staging = this.allocRaw(n)
      this.stagingSize = n
    }
    return this.staging
  }

  /** Copies `data` into the staging area; returns its address. */
  private put(data: Uint8Array): number {
    const p = this.stage(data.length)
    this.refresh()
    this.bytes.set(data, p)
    return p
  }

  private u32(i: number): number {
    return this.view.getUint32(this.out + 4 * i, true)
  }

  private area(ptr: number, len: number): Uint8Array {
    this.refresh()
    return this.bytes.subarray(ptr, ptr + len)
  }

  // ---- time ---------------------------------------------------------------------------------

  /** Sets the time, fires due timers; returns the next deadline in ms or -1. */
  advance(nowMs: number): number {
    this.check("zw_advance", this.x.zw_advance(nowMs, this.out))
    this.refresh()
    return this.view.getFloat64(this.out, true)
  }

  // ---- sockets ------------------------------------------------------------------------------

  socketOpen(type: number): SocketId {
    this.check("zw_socket_open", this.x.zw_socket_open(type, this.out))
    this.refresh()
    return this.u32(0) as SocketId
  }

  socketClose(sock: SocketId): void {
    this.check("zw_socket_close", this.x.zw_socket_close(sock))
  }

  setopt(sock: SocketId, opt: number, value: Uint8Array): void {
    const p = this.put(value)
    this.check("zw_setopt", this.x.zw_setopt(sock, opt, p, value.length))
  }

  getopt(sock: SocketId, opt: number, capacity = 256): Uint8Array {
    const p = this.stage(capacity)
    this.refresh()
    this.view.setUint32(this.out, capacity, true)
    this.check("zw_getopt", this.x.zw_getopt(sock, opt, p, this.out))
    this.refresh()
    return this.bytes.slice(p, p + this.u32(0))
  }

  // ---- connections --------------------------------------------------------------------------

  accept(sock: SocketId, framing: Framing): ConnId {
    this.check("zw_accept", this.x.zw_accept(sock, framing, this.out))
    this.refresh()
    return this.u32(0) as ConnId
  }

  connect(sock: SocketId): DialerId {
    this.check("zw_connect", this.x.zw_connect(sock, this.out))
    this.refresh()
    return this.u32(0) as DialerId
  }

  disconnect(dialer: DialerId): void {
    this.check("zw_disconnect", this.x.zw_disconnect(dialer))
  }

  /**
   * ok: a new connection id; failed: undefined (the core schedules a retry). Also undefined when
   * the dialer is already gone (its socket finished lingering while the dial was under way).
   */
  dialResult(dialer: DialerId, ok: boolean, framing: Framing = ZW_FRAMING.STREAM): ConnId | undefined {
    const rc = this.x.zw_dial_result(dialer, ok ? 1 : 0, framing, this.out)
    if (rc === E.ENOENT) return undefined
    this.check("zw_dial_result", rc)
    if (!ok) return undefined
    this.refresh()
    return this.u32(0) as ConnId
  }

  /**
   * Offers bytes read; undefined if the core no longer knows the connection. used: bytes taken;
   * body: when not 0, the next `body` bytes are a large body the host collects and names with
   * connBody (zmqw.h).
   */
  connInput(conn: ConnId, data: Uint8Array): { used: number; body: number } | undefined {
    const p = this.put(data)
    const rc = this.x.zw_conn_input(conn, p, data.length, this.out, this.out + 4)
    if (rc === E.ENOENT) return undefined
    // EPROTO: the peer broke the protocol; the core has queued a CLOSE effect with the reason.
    if (rc === E.EPROTO) return { used: data.length, body: 0 }
    this.check("zw_conn_input", rc)
    this.refresh()
    return { used: this.u32(0), body: this.u32(1) }
  }

  /** Names the body connInput asked for; false if the connection is gone (the body is ours). */
  connBody(conn: ConnId, body: number): boolean {
    const rc = this.x.zw_conn_body(conn, body)
    if (rc === E.ENOENT) return false
    this.check("zw_conn_body", rc)
    return true
  }

  /**
   * A view of pending output (empty when none), valid until the next call into the core; or the
   * id of a host body whose bytes come next (all of them: the host writes its own copy).
   */
  connOutput(conn: ConnId): Uint8Array | number {
    const rc = this.x.zw_conn_output(conn, this.out, this.out + 4, this.out + 8)
    if (rc === E.ENOENT) return new Uint8Array(0)
    this.check("zw_conn_output", rc)
    this.refresh()
    const body = this.u32(2)
    return body !== 0 ? body : this.area(this.u32(0), this.u32(1))
  }

  connClosed(conn: ConnId): void {
    const rc = this.x.zw_conn_closed(conn)
    if (rc !== E.ENOENT /* already forgotten */) this.check("zw_conn_closed", rc)
  }

  /** The peer answered a WebSocket ping (heartbeats). */
  connAlive(conn: ConnId): void {
    const rc = this.x.zw_conn_alive(conn)
    if (rc !== E.ENOENT /* already forgotten */) this.check("zw_conn_alive", rc)
  }

  // ---- inproc -------------------------------------------------------------------------------

  /** Binds an inproc name (the bytes after "inproc://"); EADDRINUSE if it is bound. */
  inprocBind(sock: SocketId, name: Uint8Array): void {
    const p = this.put(name)
    this.check("zw_inproc_bind", this.x.zw_inproc_bind(sock, p, name.length))
  }

  /** ENOENT if the socket has not bound the name. */
  inprocUnbind(sock: SocketId, name: Uint8Array): void {
    const p = this.put(name)
    this.check("zw_inproc_unbind", this.x.zw_inproc_unbind(sock, p, name.length))
  }

  /** An inproc connect: its id is a dialer's for disconnect() and DIAL_STOP. */
  inprocConnect(sock: SocketId, name: Uint8Array): DialerId {
    const p = this.put(name)
    this.check("zw_inproc_connect", this.x.zw_inproc_connect(sock, p, name.length, this.out))
    this.refresh()
    return this.u32(0) as DialerId
  }

  // ---- messages -----------------------------------------------------------------------------

  /** Offers a batch; returns how many whole messages the socket took. */
  /**
   * Offers a batch; took = whole messages taken. refused: the core refused the first message it
   * did not take for what it is (EHOSTUNREACH: no such routing id; EINVAL: not a STREAM's
   * [id][data]); it stays the host's, which drops it and tells the facade.
   */
  send(sock: SocketId, batch: Uint8Array): { took: number; refused?: "EHOSTUNREACH" | "EINVAL" } {
    const p = this.put(batch)
    const rc = this.x.zw_send(sock, p, batch.length, this.out)
    // EFSM/ENOTSUP: the socket cannot send in its state; the facade waits, as zeromq.js does.
    if (rc === E.EFSM || rc === E.ENOTSUP) return { took: 0 }
    if (rc === E.EHOSTUNREACH) return { took: 0, refused: "EHOSTUNREACH" }
    if (rc === E.EINVAL) return { took: 0, refused: "EINVAL" }
    this.check("zw_send", rc)
    this.refresh()
    return { took: this.u32(0) }
  }

  /** Takes ready messages as a batch view (valid until the next call); msgs = 0 when none. */
  recv(sock: SocketId, maxMsgs: number, maxBytes: number): { batch: Uint8Array; msgs: number } {
    const rc = this.x.zw_recv(sock, maxMsgs, maxBytes, this.out, this.out + 4, this.out + 8)
    if (rc === E.EFSM || rc === E.ENOTSUP) return { batch: new Uint8Array(0), msgs: 0 }
    this.check("zw_recv", rc)
    this.refresh()
    const msgs = this.u32(2)
    return { batch: msgs ? this.area(this.u32(0), this.u32(1)) : new Uint8Array(0), msgs }
  }

  status(sock: SocketId): { capacity: number; flags: number } {
    this.check("zw_status", this.x.zw_status(sock, this.out, this.out + 4))
    this.refresh()
    return { capacity: this.u32(0), flags: this.u32(1) }
  }

  /** Drained effect records (format in zmqw.h); valid until the next call. */
  effects(): Uint8Array {
    this.check("zw_effects", this.x.zw_effects(this.out, this.out + 4))
    this.refresh()
    return this.area(this.u32(0), this.u32(1))
  }
}
