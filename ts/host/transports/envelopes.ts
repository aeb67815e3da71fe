/**
 * The core's MESSAGE framing (zmqw.h) as seen by a WebSocket transport: each WebSocket message
 * travels between host and core as an envelope, `u32le length` then the payload. `EnvelopeCutter`
 * turns the envelopes the core writes back into whole messages; `envelopeHead` makes the header
 * for one received. Plain Uint8Array: shared by the Node transport (message-stream.ts, over `ws`)
 * and the browser's (web/ws.ts, over the WebSocket API).
 */

export const ENVELOPE_HEAD = 4
/** Up to this size a received message is copied behind its header (one chunk, one host turn);
 *  a larger one is handed over after its header as it is. */
export const JOIN_MAX = 8192

/** The envelope header for a message of `length` bytes. */
export function envelopeHead(length: number): Uint8Array {
  const head = new Uint8Array(ENVELOPE_HEAD)
  new DataView(head.buffer).setUint32(0, length, true)
  return head
}

/** One envelope and the message behind it, in one buffer (for small messages: one chunk). */
export function envelope(message: Uint8Array): Uint8Array {
  const out = new Uint8Array(ENVELOPE_HEAD + message.length)
  new DataView(out.buffer).setUint32(0, message.length, true)
  out.set(message, ENVELOPE_HEAD)
  return out
}

export class EnvelopeCutter {
  private readonly head = new Uint8Array(ENVELOPE_HEAD)
  private headHave = 0
  private left = 0
  private parts: Uint8Array[] = []

  /** Cuts whole messages out of `chunk` (envelopes may span chunks), in order. A message that
   *  came in one piece is a view of the chunk, not a copy. */
  cut(chunk: Uint8Array, each: (message: Uint8Array) => void): void {
    for (let off = 0; off < chunk.length; ) {
      if (this.left === 0 && this.parts.length === 0) {
        const k = Math.min(ENVELOPE_HEAD - this.headHave, chunk.length - off)
        this.head.set(chunk.subarray(off, off + k), this.headHave)
        this.headHave += k
        off += k
        if (this.headHave < ENVELOPE_HEAD) break
        this.headHave = 0
        this.left = new DataView(this.head.buffer).getUint32(0, true)
        if (this.left > 0) continue
        each(new Uint8Array(0)) // not written by the core (a payload has a flags byte), but whole
        continue
      }
      const k = Math.min(this.left, chunk.length - off)
      this.parts.push(off === 0 && k === chunk.length ? chunk : chunk.subarray(off, off + k))
      this.left -= k
      off += k
      if (this.left > 0) break
      const message = this.parts.length === 1 ? this.parts[0] : join(this.parts)
      this.parts = []
      each(message)
    }
  }
}

function join(parts: Uint8Array[]): Uint8Array {
  let n = 0
  for (const p of parts) n += p.length
  const out = new Uint8Array(n)
  let off = 0
  for (const p of parts) {
    out.set(p, off)
    off += p.length
  }
  return out
}
