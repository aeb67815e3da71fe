/**
 * The data plane over shared memory (DESIGN.md section 3): where SharedArrayBuffer and
 * Atomics.waitAsync are usable (Node always; a browser page only when cross-origin isolated),
 * each direction of the channel is a single-producer single-consumer byte ring, and the ops that
 * travel most (send, msgs, credit, status) are written into it instead of being posted: no
 * structured clone, no transfer, no buffer to hand back, one memcpy of the batch each way.
 *
 * Every other op (control calls and their answers, ops with bodies beside the batch, lent-body
 * windows) still goes by postMessage, as does a batch the ring has no room for at that moment:
 * nothing ever waits for space. Order is kept by numbering: each unit (a ring record, or a
 * posted group of ops) takes the producer's next sequence number, and the consumer takes units
 * strictly in that order from whichever path holds the next one. So ops reach the other side in
 * the order they were posted, as with the plain port, in one onmessage call per wake-up.
 *
 * Layout of one ring (a SharedArrayBuffer): a control block of Int32 words, then CAP bytes of
 * records. HEAD and TAIL count bytes written and consumed modulo 2^32 (CAP is a power of two, so
 * a position is the count modulo CAP); WAKE is bumped after each publish and waited on. A record
 * is 8-aligned: i32 length (whole record), i32 kind, i32 seq, i32 socket, f64 a, f64 b, f64 c,
 * i32 payload bytes, i32 unused, then the payload. A record that would cross the end is preceded
 * by a PAD record filling the rest.
 */
import { batchPool } from "./batch.js"
import type { Port } from "./protocol.js"

/** Bytes of records per direction. A batch up to half of it is written into the ring. */
export const RING_BYTES = 2 << 20
const CTL_BYTES = 64
const HEAD = 0
const TAIL = 1
const WAKE = 2
const REC = 48
const MAX_PAYLOAD = RING_BYTES / 2

const enum Kind {
  Pad = 0,
  Send = 1,
  Msgs = 2,
  Credit = 3,
  Status = 4,
}

/** The two rings of one channel; made by the facade, passed to the engine thread. */
export interface Rings {
  toHost: SharedArrayBuffer
  toFacade: SharedArrayBuffer
}

/** A posted unit in ring mode: its sequence number and its ops. */
interface Posted<T> {
  q: number
  ops: T[]
}

/** Whether this thread can run the rings (SharedArrayBuffer, and waitAsync to wait without
 *  blocking; a page must be cross-origin isolated to have the first). */
export function ringsUsable(): boolean {
  const g = globalThis as { crossOriginIsolated?: boolean; process?: unknown }
  if (typeof SharedArrayBuffer !== "function") return false
  if (typeof (Atomics as { waitAsync?: unknown }).waitAsync !== "function") return false
  return g.crossOriginIsolated !== false || g.process !== undefined
}

export function makeRings(): Rings {
  return { toHost: new SharedArrayBuffer(CTL_BYTES + RING_BYTES), toFacade: new SharedArrayBuffer(CTL_BYTES + RING_BYTES) }
}

const align8 = (n: number) => (n + 7) & ~7

/** An op of either direction, as the ring sees it (write() and read() know the kinds). */
type AnyOp = { t: string; [k: string]: unknown }

/** What each end counts, for the tests that check which path the ops took. */
export interface RingCounts {
  records: number
  posted: number
}

/**
 * One end of a channel in ring mode: writes its ops into `out` (or posts them), reads the other
 * side's from `inp` and from `posted()`.
 */
export class RingPort<In, Out> implements Port<In, Out> {
  onmessage: ((ops: In[]) => void) | undefined
  readonly counts: RingCounts = { records: 0, posted: 0 }
  private readonly outCtl: Int32Array
  private readonly outView: DataView
  private readonly outBytes: Uint8Array
  private readonly inCtl: Int32Array
  private readonly inView: DataView
  private readonly inBytes: Uint8Array
  private nextSeq = 0
  private expect = 0
  private readonly waiting: Posted<In>[] = []
  private draining = false

  constructor(out: SharedArrayBuffer, inp: SharedArrayBuffer, private readonly send: (unit: Posted<Out>, transfer: ArrayBuffer[]) => void) {
    this.outCtl = new Int32Array(out, 0, CTL_BYTES / 4)
    this.outView = new DataView(out, CTL_BYTES)
    this.outBytes = new Uint8Array(out, CTL_BYTES)
    this.inCtl = new Int32Array(inp, 0, CTL_BYTES / 4)
    this.inView = new DataView(inp, CTL_BYTES)
    this.inBytes = new Uint8Array(inp, CTL_BYTES)
    this.wait()
  }

  // ---- producing -----------------------------------------------------------------------------

  post(ops: Out[], transfer: ArrayBuffer[]): void {
    let group: Out[] | undefined
    let wrote = false
    for (const op of ops as unknown as AnyOp[]) {
      // Batches handed back are this thread's own copies (made when a record was read): they
      // stay in this thread's pool, the other side never lent them.
      if (op.t === "batches") {
        for (const b of op.b as ArrayBuffer[]) batchPool.put(b)
        continue
      }
      // Records and a posted group may not interleave within one post: the group's number is
      // taken at its first op, so once a group is open the rest of the post joins it.
      if (!group && this.write(op)) wrote = true
      else (group ??= []).push(op as unknown as Out)
    }
    if (wrote) this.publish()
    if (!group) return
    const q = (this.nextSeq = (this.nextSeq + 1) | 0)
    const mine = new Set<ArrayBuffer>()
    for (const op of group as unknown as AnyOp[]) collect(op, mine)
    this.counts.posted++
    this.send({ q, ops: group }, transfer.filter((b) => mine.has(b)))
  }

  /** Writes one op as a record, if it is of a kind the ring carries and there is room. */
  private write(op: AnyOp): boolean {
    let kind: Kind
    let a = 0, b = 0, c = 0
    let payload: Uint8Array | undefined
    switch (op.t) {
      case "send":
        if (op.bodies) return false
        kind = Kind.Send
        a = op.n as number
        payload = new Uint8Array(op.b as ArrayBuffer, 0, op.len as number)
        break
      case "msgs":
        if (op.bodies) return false
        kind = Kind.Msgs
        a = op.n as number
        payload = new Uint8Array(op.b as ArrayBuffer)
        break
      case "credit":
        kind = Kind.Credit
        a = op.n as number
        b = op.bytes as number
        break
      case "status":
        kind = Kind.Status
        a = op.taken as number
        b = op.cap as number
        c = op.flags as number
        break
      default:
        return false
    }
    const plen = payload ? payload.byteLength : 0
    if (plen > MAX_PAYLOAD) return false
    const size = align8(REC + plen)
    const head = Atomics.load(this.outCtl, HEAD) >>> 0
    const tail = Atomics.load(this.outCtl, TAIL) >>> 0
    const pos = head % RING_BYTES
    const toEnd = RING_BYTES - pos
    const pad = toEnd < size ? toEnd : 0
    if (((head - tail) >>> 0) + pad + size > RING_BYTES) return false
    let at = pos
    if (pad) {
      this.outView.setInt32(at, pad, true)
      this.outView.setInt32(at + 4, Kind.Pad, true)
      at = 0
    }
    const seq = (this.nextSeq = (this.nextSeq + 1) | 0)
    const v = this.outView
    v.setInt32(at, size, true)
    v.setInt32(at + 4, kind, true)
    v.setInt32(at + 8, seq, true)
    v.setInt32(at + 12, op.s as number, true)
    v.setFloat64(at + 16, a, true)
    v.setFloat64(at + 24, b, true)
    v.setFloat64(at + 32, c, true)
    v.setInt32(at + 40, plen, true)
    if (payload) {
      this.outBytes.set(payload, at + REC)
      // Copied: the batch is free again here (a facade's send batch, a host's received batch).
      batchPool.put(payload.buffer as ArrayBuffer)
    }
    this.counts.records++
    // Published one post at a time (publish()), but HEAD moves now so the next record's room
    // is computed from here; the consumer reads HEAD only after WAKE changes or on its own
    // wake-up, and a record is whole before HEAD passes it.
    Atomics.store(this.outCtl, HEAD, (head + pad + size) | 0)
    return true
  }

  private publish(): void {
    Atomics.add(this.outCtl, WAKE, 1)
    Atomics.notify(this.outCtl, WAKE)
  }

  // ---- consuming -----------------------------------------------------------------------------

  /** A unit that came by postMessage. */
  posted(unit: Posted<In>): void {
    // Not a unit (an engine bug; the tests post one): handed on as it is, so that it fails
    // where the receiver catches its failures (the host: a fatal error the facade is told of).
    if (typeof unit?.q !== "number") return this.onmessage?.(unit as never)
    this.waiting.push(unit)
    this.drain()
  }

  private wait(): void {
    for (;;) {
      const seen = Atomics.load(this.inCtl, WAKE)
      this.drain()
      const w = (Atomics as unknown as AtomicsWaitAsync).waitAsync(this.inCtl, WAKE, seen)
      if (!w.async) continue
      void w.value.then(() => this.wait())
      return
    }
  }

  /** Delivers, in sequence order, every unit that has arrived by either path. */
  private drain(): void {
    if (this.draining) return
    this.draining = true
    const ops: In[] = []
    try {
      for (;;) {
        const next = (this.expect + 1) | 0
        if (this.waiting.length && this.waiting[0].q === next) {
          for (const op of (this.waiting.shift() as Posted<In>).ops) ops.push(op)
          this.expect = next
          continue
        }
        const op = this.read(next)
        if (!op) break
        ops.push(op)
        this.expect = next
      }
      if (ops.length) this.onmessage?.(ops)
    } finally {
      this.draining = false
    }
  }

  /** The record at the ring's tail if it is number `seq`, consumed. */
  private read(seq: number): In | undefined {
    let tail = Atomics.load(this.inCtl, TAIL) >>> 0
    const head = Atomics.load(this.inCtl, HEAD) >>> 0
    if (tail === head) return undefined
    let at = tail % RING_BYTES
    const v = this.inView
    if (v.getInt32(at + 4, true) === Kind.Pad) {
      tail = (tail + v.getInt32(at, true)) >>> 0
      Atomics.store(this.inCtl, TAIL, tail | 0)
      if (tail === head) return undefined
      at = 0
    }
    if (v.getInt32(at + 8, true) !== seq) return undefined
    const size = v.getInt32(at, true)
    const s = v.getInt32(at + 12, true)
    const a = v.getFloat64(at + 16, true)
    const b = v.getFloat64(at + 24, true)
    const c = v.getFloat64(at + 32, true)
    const plen = v.getInt32(at + 40, true)
    let op: AnyOp
    switch (v.getInt32(at + 4, true) as Kind) {
      case Kind.Send: {
        // The host may hold it past this call (at the HWM), so it is copied out, into a pooled
        // buffer: the host hands it back as a "batches" op, which post() keeps here.
        const buf = batchPool.get(plen) ?? new ArrayBuffer(plen)
        new Uint8Array(buf, 0, plen).set(this.inBytes.subarray(at + REC, at + REC + plen))
        op = { t: "send", s, b: buf, len: plen, n: a }
        break
      }
      case Kind.Msgs: {
        // The user's Buffers are views into it: a buffer of its own, never pooled.
        const buf = this.inBytes.slice(at + REC, at + REC + plen).buffer
        op = { t: "msgs", s, b: buf, n: a }
        break
      }
      case Kind.Credit:
        op = { t: "credit", s, n: a, bytes: b }
        break
      default:
        op = { t: "status", s, taken: a, cap: b, flags: c }
    }
    Atomics.store(this.inCtl, TAIL, (tail + size) | 0)
    this.counts.records++
    return op as unknown as In
  }
}

interface AtomicsWaitAsync {
  waitAsync(a: Int32Array, index: number, value: number): { async: false; value: string } | { async: true; value: Promise<string> }
}

/** The ArrayBuffers an op carries (what of a post's transfer list belongs to a posted group). */
function collect(op: AnyOp, into: Set<ArrayBuffer>): void {
  for (const value of Object.values(op)) {
    if (value instanceof ArrayBuffer) into.add(value)
    else if (Array.isArray(value)) {
      for (const item of value) {
        if (item instanceof ArrayBuffer) into.add(item)
        else if (item && typeof item === "object" && (item as { head?: unknown }).head instanceof ArrayBuffer) into.add((item as { head: ArrayBuffer }).head)
      }
    }
  }
}

/**
 * One end of the channel over a thread's postMessage (`send`): with rings (`out` to write,
 * `inp` to read), a RingPort; without, a port that posts every op as it is. `arrived` takes
 * what the other thread posted; `counts` is the ring's, for the tests.
 */
export function channelEnd<In, Out>(
  send: (message: unknown, transfer: ArrayBuffer[]) => void,
  rings: { out: SharedArrayBuffer; inp: SharedArrayBuffer } | undefined,
): { port: Port<In, Out>; arrived(message: unknown): void; counts: RingCounts | undefined } {
  if (rings) {
    const ring = new RingPort<In, Out>(rings.out, rings.inp, send)
    return { port: ring, arrived: (unit) => ring.posted(unit as Posted<In>), counts: ring.counts }
  }
  const port: Port<In, Out> = { post: (ops, transfer) => send(ops, transfer ?? []), onmessage: undefined }
  return { port, arrived: (ops) => port.onmessage?.(ops as In[]), counts: undefined }
}
