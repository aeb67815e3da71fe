/**
 * Message batches in the core's format (zmqw.h): per frame a u32le header (bit 31 = more frames
 * follow, low 31 bits = length) then the body. One writer packs many messages into one growing
 * buffer, so a message costs a header and a copy, never an allocation of its own.
 */
import { ZW_LIMIT } from "../zmqw.js"

export const BATCH_MORE = ZW_LIMIT.BATCH_MORE
const LEN_MASK = ZW_LIMIT.BATCH_LEN_MASK

const encoder = new TextEncoder()

export class BatchWriter {
  private buf: Uint8Array
  private view: DataView
  private len = 0
  /** Whole messages in the current batch. */
  count = 0

  constructor(initial = 16 * 1024) {
    this.buf = new Uint8Array(initial)
    this.view = new DataView(this.buf.buffer)
  }

  get bytes(): number {
    return this.len
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
      if (typeof part === "string") {
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

  /**
   * Hands out the batch (bytes [0, len) of b, transferable) and starts a new one. A mostly full
   * buffer is handed over as it is, so large messages are not copied a second time, and a new one
   * of the same capacity replaces it (the next batch is likely as large); a mostly empty one is
   * copied out and the buffer kept.
   */
  take(): { b: ArrayBuffer; len: number; n: number } {
    const out = { b: this.buf.buffer as ArrayBuffer, len: this.len, n: this.count }
    if (this.len >= this.buf.length / 2) {
      this.buf = new Uint8Array(this.buf.length)
      this.view = new DataView(this.buf.buffer)
    } else {
      out.b = (this.buf.buffer as ArrayBuffer).slice(0, this.len)
    }
    this.len = 0
    this.count = 0
    return out
  }
}

/** Reads messages off a received batch; parts are Buffer views into the batch (no copy). */
export class BatchReader {
  private readonly view: DataView
  private off = 0

  constructor(private readonly buf: ArrayBuffer, public remaining: number) {
    this.view = new DataView(buf)
  }

  next(): Buffer[] {
    const parts: Buffer[] = []
    for (;;) {
      const h = this.view.getUint32(this.off, true)
      const len = h & LEN_MASK
      parts.push(Buffer.from(this.buf, this.off + 4, len))
      this.off += 4 + len
      if (!(h & BATCH_MORE)) break
    }
    this.remaining--
    return parts
  }
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
