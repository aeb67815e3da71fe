/**
 * Message batches in the core's format (zmqw.h): per frame a u32le header (bit 31 = more frames
 * follow, bit 30 = a body by ref, low 30 bits = length) then the body. One writer packs many
 * messages into one growing buffer, so a small message costs a header and a copy, never an
 * allocation of its own. A body of ZW_BODY_MIN bytes or more is not packed: the batch names it
 * (a ref frame: its index in the batch's `bodies`, from 1, and its size) and it travels beside
 * the batch, so that it reaches the socket's write with at most one copy (none inline) and never
 * enters wasm memory; the host gives it an id of its own (host/bodies.ts).
 */
import { ZW_LIMIT } from "../zmqw.js"
import type { Lender, LentRef } from "./lending.js"
import { view } from "../bytes.js"

export const BATCH_MORE = ZW_LIMIT.BATCH_MORE
export const BATCH_REF = ZW_LIMIT.BATCH_REF
export const REF_LEN = ZW_LIMIT.BATCH_REF_LEN
export const BODY_MIN = ZW_LIMIT.BODY_MIN
const LEN_MASK = ZW_LIMIT.BATCH_LEN_MASK

/** A body's bytes beside a batch: an ArrayBuffer of exactly its bytes (transferred), or inline
 *  the user's own bytes. */
export type BodyBytes = ArrayBuffer | Uint8Array
/** A body beside a batch: its bytes, or (worker mode, large) lent (lending.ts). */
export type Body = BodyBytes | LentRef

const encoder = new TextEncoder()

/**
 * Batch buffers the host has finished with, back for reuse: a socket that sends without pause
 * (a PUB nobody keeps up with) would otherwise leave a fresh ArrayBuffer of garbage per batch,
 * hundreds of MiB a minute that the thread's allocator keeps once it has them. One pool per
 * thread; bounded, so a burst does not stay allocated.
 */
export class BatchPool {
  private readonly free: ArrayBuffer[] = []
  private bytes = 0

  constructor(private readonly maxBuffers = 16, private readonly maxBytes = 8 << 20) {}

  /** A buffer of at least `min` bytes, or undefined. */
  get(min: number): ArrayBuffer | undefined {
    for (let i = this.free.length - 1; i >= 0; i--) {
      const b = this.free[i]
      if (b.byteLength >= min) {
        this.free.splice(i, 1)
        this.bytes -= b.byteLength
        return b
      }
    }
    return undefined
  }

  put(b: ArrayBuffer): void {
    if (b.byteLength === 0 || this.free.length >= this.maxBuffers || this.bytes + b.byteLength > this.maxBytes) return
    this.free.push(b)
    this.bytes += b.byteLength
  }
}

/** The facade's thread's pool (the host hands finished batches back: a "batches" op). */
export const batchPool = new BatchPool()

/** The largest body whose buffer comes back for reuse (see BodyPool). */
export const POOLED_BODY_MAX = 4 << 20
/** Worker mode: bodies of more bytes than this are lent (lending.ts), a smaller one is copied
 *  into a pooled buffer. Defined here, where both it and the pool are used. */
export const LEND_MIN = POOLED_BODY_MAX

/**
 * Body buffers back from the engine thread (a "bodies" op), for the next bodies of the same
 * size: in worker mode each large body is copied into an ArrayBuffer of its own, and a fresh one
 * costs its page faults (on the VMs we measured, a fresh 64 KiB buffer takes 8x as long to fill as
 * a reused one) and is garbage on the engine thread once written, freed only when that thread's
 * V8 gets round to it. A steady stream of equal sizes reuses a few buffers instead. Exact sizes
 * (a body's buffer is exactly its bytes, batch.ts's Body); bounded in bytes.
 */
export class BodyPool {
  private readonly free = new Map<number, ArrayBuffer[]>()
  private bytes = 0

  constructor(private readonly maxBytes = 8 << 20) {}

  get(size: number): ArrayBuffer | undefined {
    const list = this.free.get(size)
    const b = list?.pop()
    if (b) this.bytes -= size
    return b
  }

  put(b: ArrayBuffer): void {
    const size = b.byteLength
    if (size === 0 || size > POOLED_BODY_MAX || this.bytes + size > this.maxBytes) return
    let list = this.free.get(size)
    if (!list) this.free.set(size, (list = []))
    list.push(b)
    this.bytes += size
  }
}

/** The facade's thread's body pool. */
export const bodyPool = new BodyPool()

export class BatchWriter {
  private buf: Uint8Array
  private view: DataView
  private len = 0
  /** Whole messages in the current batch. */
  count = 0
  /** The current batch's bodies, in the order its ref frames name them. */
  private bodies: Body[] = []
  /** Bytes of those bodies (they count towards a batch's size as their bytes do). */
  bodyBytes = 0
  /**
   * Copy each body once into an ArrayBuffer of its own, to be transferred to the engine thread
   * (a user's Buffer cannot be: it is theirs, often a slice of Node's pool). Inline (false) the
   * user's bytes are sent by reference, as zeromq.js sends a Buffer.
   */
  copyBodies = true
  /** Worker mode: where bodies over LEND_MIN bytes are lent instead of copied (lending.ts). */
  lender: Lender | undefined

  constructor(initial = 16 * 1024) {
    this.buf = new Uint8Array(initial)
    this.view = new DataView(this.buf.buffer)
  }

  /** Bytes of the current batch, its bodies included. */
  get bytes(): number {
    return this.len + this.bodyBytes
  }

  private reserve(n: number): void {
    const need = this.len + n
    if (need <= this.buf.length) return
    let size = this.buf.length * 2
    while (size < need) size *= 2
    const next = new Uint8Array(size)
    next.set(this.buf.subarray(0, this.len))
    this.buf = next
    this.view = new DataView(next.buffer)
  }

  /** Appends one message; parts are bytes or strings (encoded as UTF-8 in place). */
  add(parts: ReadonlyArray<Uint8Array | string>): void {
    const last = parts.length - 1
    for (let i = 0; i <= last; i++) {
      const part = parts[i]
      const more = i < last ? BATCH_MORE : 0
      if (part.length >= BODY_MIN) {
        this.addBody(typeof part === "string" ? encoder.encode(part) : part, more, typeof part === "string")
      } else if (typeof part === "string") {
        // At most 3 bytes per UTF-16 unit; write first, then patch the header with the length.
        this.reserve(4 + part.length * 3)
        const { written } = encoder.encodeInto(part, this.buf.subarray(this.len + 4))
        this.view.setUint32(this.len, (written | more) >>> 0, true)
        this.len += 4 + written
      } else {
        this.reserve(4 + part.length)
        this.view.setUint32(this.len, (part.length | more) >>> 0, true)
        this.buf.set(part, this.len + 4)
        this.len += 4 + part.length
      }
    }
    this.count++
  }

  /** A ref frame for a large body; `own`: the bytes are ours already (an encoded string). */
  private addBody(bytes: Uint8Array, more: number, own: boolean): void {
    let body: Body = bytes
    // Over LEND_MIN the user's bytes stay here, lent (an encoded string is ours already and
    // moves as it is).
    if (this.copyBodies && !own && this.lender && bytes.length > LEND_MIN) {
      body = this.lender.lend(bytes)
    } else if (this.copyBodies) {
      const pooled = own ? undefined : bodyPool.get(bytes.byteLength)
      if (pooled) new Uint8Array(pooled).set(bytes)
      body = pooled ?? (own && bytes.byteOffset === 0 && bytes.byteLength === bytes.buffer.byteLength
        ? (bytes.buffer as ArrayBuffer)
        : (bytes.buffer as ArrayBuffer).slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength))
    }
    this.bodies.push(body)
    this.bodyBytes += bytes.length
    this.reserve(4 + REF_LEN)
    this.view.setUint32(this.len, (BATCH_REF | more | REF_LEN) >>> 0, true)
    this.view.setUint32(this.len + 4, this.bodies.length, true)
    this.view.setUint32(this.len + 8, bytes.length, true)
    this.len += 4 + REF_LEN
  }

  /**
   * Hands out the batch (bytes [0, len) of b, transferable) and starts a new one. A mostly full
   * buffer is handed over as it is, so large messages are not copied a second time, and a new one
   * of the same capacity replaces it (the next batch is likely as large); a mostly empty one is
   * copied out and the buffer kept. Either comes from the pool when it has one.
   */
  take(): { b: ArrayBuffer; len: number; n: number; bodies: Body[] } {
    const out = { b: this.buf.buffer as ArrayBuffer, len: this.len, n: this.count, bodies: this.bodies }
    this.bodies = []
    this.bodyBytes = 0
    if (this.len >= this.buf.length / 2) {
      this.buf = new Uint8Array(batchPool.get(this.buf.length) ?? new ArrayBuffer(this.buf.length))
      this.view = new DataView(this.buf.buffer)
    } else {
      const copy = batchPool.get(this.len)
      if (copy) new Uint8Array(copy).set(this.buf.subarray(0, this.len))
      out.b = copy ?? (this.buf.buffer as ArrayBuffer).slice(0, this.len)
    }
    this.len = 0
    this.count = 0
    return out
  }
}

/** Reads messages off a received batch; parts are Buffer views into the batch (no copy). */
/** A Buffer over exactly these bytes and no others: the bytes' own buffer if they fill it, else a copy. */
function ownView(bytes: Uint8Array): Buffer {
  const whole = bytes.byteOffset === 0 && bytes.byteLength === bytes.buffer.byteLength
  return whole ? view(bytes.buffer, 0, bytes.byteLength) : view(bytes.slice().buffer)
}

const typedSlice = Uint8Array.prototype.slice

export class BatchReader {
  private readonly view: DataView
  private off = 0
  /** The batch as one Buffer, which frames are copied out of. */
  private whole: Buffer | undefined

  constructor(private readonly buf: ArrayBuffer, public remaining: number, private readonly bodies?: BodyBytes[]) {
    this.view = new DataView(buf)
  }

  next(): Buffer[] {
    const parts: Buffer[] = []
    for (;;) {
      const h = this.view.getUint32(this.off, true)
      const len = h & LEN_MASK
      if (h & BATCH_REF) {
        // A large body that came beside the batch: the user gets it as it is.
        const body = (this.bodies as BodyBytes[])[this.view.getUint32(this.off + 4, true) - 1]
        parts.push(body instanceof ArrayBuffer ? view(body) : ownView(body))
      } else {
        // Each frame gets an ArrayBuffer of its own, exactly its size, as zeromq.js's frames
        // have (code that views `.buffer` as a typed array relies on it): one copy, out of the
        // batch, which is then garbage as a whole.
        // (TypedArray's own slice on a Buffer over the batch makes a Buffer with a fresh
        // ArrayBuffer: 2× a plain view's cost, where ArrayBuffer's slice and a view cost 10×.)
        this.whole ??= view(this.buf)
        parts.push(typedSlice.call(this.whole, this.off + 4, this.off + 4 + len) as Buffer)
      }
      this.off += 4 + len
      if (!(h & BATCH_MORE)) break
    }
    this.remaining--
    return parts
  }
}

/** The host body ids a batch's ref frames name (the core's batch, after the host's renaming). */
export function bodyIds(batch: Uint8Array): number[] {
  const view = new DataView(batch.buffer, batch.byteOffset, batch.byteLength)
  const ids: number[] = []
  for (let off = 0; off < batch.length; ) {
    const h = view.getUint32(off, true)
    if (h & BATCH_REF) ids.push(view.getUint32(off + 4, true))
    off += 4 + (h & LEN_MASK)
  }
  return ids
}

/** Byte offset where message `index` starts in a batch (for splitting a partly taken batch). */
export function messageOffset(batch: Uint8Array, index: number): number {
  const view = new DataView(batch.buffer, batch.byteOffset, batch.byteLength)
  let off = 0
  while (index > 0) {
    const h = view.getUint32(off, true)
    off += 4 + (h & LEN_MASK)
    if (!(h & BATCH_MORE)) index--
  }
  return off
}
