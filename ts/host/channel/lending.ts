/**
 * Bodies lent, not copied (worker mode): a body over LEND_MIN bytes stays in the user's Buffer on
 * the facade's thread, and the engine thread asks for it a window at a time as its connections
 * write it ("want" → "chunk" ops), so a large send() costs the copy of one window instead of a
 * copy of the whole body into fresh memory (on the VMs we measured, filling fresh pages costs
 * ~5 µs per 4 KiB: 1.25 s for 256 MiB, ~20 ms for the same copy into warm buffers), and the
 * sender holds the message once plus a few windows rather than twice. Each window is copied
 * into a pooled buffer (batch.ts's BodyPool) that comes back once written. The facade lets go
 * of the Buffer when the host says the body is done with ("unlend"): the core released it and
 * every connection has written it. As zeromq.js sends a Buffer by reference, bytes rewritten
 * after send() may change what is written. The host's side is host/lent.ts.
 */
import { bodyPool } from "./batch.js"

export { LEND_MIN } from "./batch.js"
/** The unit the host asks for; the first one (the head) travels with the send. */
export const LEND_WINDOW = 1 << 20
/** Windows a connection writing a lent body asks for ahead of the one it writes. */
export const LEND_AHEAD = 3

/**
 * A lent body as a batch names it. Facade → host: `head` is its first window (min(size,
 * LEND_WINDOW) bytes), which also serves the core's reads of its bytes (a PUB's topic match;
 * so a subscription longer than LEND_WINDOW is matched against zeros past it). Host → facade (a
 * lent body received over inproc): no head, the facade copies the body from its Buffer.
 */
export interface LentRef {
  f: number
  size: number
  head?: ArrayBuffer
}

export function isLent(body: unknown): body is LentRef {
  return typeof body === "object" && body !== null && "f" in body
}

/** A window of `bytes` from `off`, copied into a pooled buffer of its own (transferable). */
function windowOf(bytes: Uint8Array, off: number, len: number): ArrayBuffer {
  const b = bodyPool.get(len) ?? new ArrayBuffer(len)
  new Uint8Array(b).set(bytes.subarray(off, off + len))
  return b
}

/** The facade's side: the Buffers lent to one host (one per Link). */
export class Lender {
  private readonly lent = new Map<number, Uint8Array>()
  private next = 1

  /** Bodies lent now (tests). */
  get size(): number {
    return this.lent.size
  }

  lend(bytes: Uint8Array): LentRef {
    const f = this.next++
    this.lent.set(f, bytes)
    return { f, size: bytes.length, head: windowOf(bytes, 0, Math.min(bytes.length, LEND_WINDOW)) }
  }

  /** The host's "want": a window of body f, or undefined if f is not lent (a bug upstream). */
  window(f: number, off: number, len: number): ArrayBuffer | undefined {
    const bytes = this.lent.get(f)
    return bytes && off + len <= bytes.length ? windowOf(bytes, off, len) : undefined
  }

  /** A whole copy of body f, for a receiver of it over inproc (its messages are copies). */
  copy(ref: LentRef): ArrayBuffer {
    const bytes = this.lent.get(ref.f)
    const out = new ArrayBuffer(ref.size)
    if (bytes) new Uint8Array(out).set(bytes.subarray(0, ref.size))
    return out
  }

  forget(f: number): void {
    this.lent.delete(f)
  }

  clear(): void {
    this.lent.clear()
  }
}
