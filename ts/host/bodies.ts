/**
 * The bodies the host holds for the core (zmqw.h's body refs): large message bodies that never
 * enter wasm memory. A batch from the facade names its bodies by their index beside it; `adopt`
 * gives each an id of the host's (written into the batch, which then goes to the core as is) and
 * keeps it until the core's ZW_FX_RELEASE, or until the host drops the message itself (a close, a
 * withdrawn or refused send: the core never took it). The core writes a body to a connection by
 * showing its id (the host writes these bytes, no copy), and reads the few bytes it must inspect
 * through `get` (abi.ts's zw_host_body_read).
 */
import { BATCH_REF, type Body, bodyIds, POOLED_BODY_MAX } from "./channel/batch.js"
import { ZW_LIMIT } from "./zmqw.js"

const LEN_MASK = ZW_LIMIT.BATCH_LEN_MASK
const REF_LEN = ZW_LIMIT.BATCH_REF_LEN
const EMPTY = new Uint8Array(0)

/**
 * A body the facade transferred (worker mode) whose buffer goes back to it for reuse
 * (batch.ts's BodyPool) once the core has released it and every write of it has finished: a
 * stream keeps the bytes it was given until its write callback, so returning one earlier would
 * let the facade overwrite bytes still on their way out.
 */
interface Returnable {
  bytes: Uint8Array
  writes: number
  released: boolean
}

export class Bodies {
  private readonly held = new Map<number, Uint8Array>()
  /** Ids of bodies collected from connections (see adoptReceived). */
  private readonly received = new Set<number>()
  private readonly returnable = new Map<number, Returnable>()
  /** Buffers to hand back to the facade (the host posts them in a "bodies" op). */
  returned: ArrayBuffer[] = []
  /** Buffers handed back so far (the host's stats). */
  returnedTotal = 0
  private next = 1

  /** `onReturned`: a buffer is ready in `returned` (the host flushes soon). */
  constructor(private readonly onReturned: () => void) {}

  /** Bodies held now (tests: everything the core released or the host dropped is gone). */
  get size(): number {
    return this.held.size
  }

  get(id: number): Uint8Array | undefined {
    return this.held.get(id)
  }

  /** Takes a batch's bodies, renaming its ref frames from their index to the host's id. */
  adopt(batch: Uint8Array, bodies: Body[]): void {
    const view = new DataView(batch.buffer, batch.byteOffset, batch.byteLength)
    for (let off = 0; off < batch.length; ) {
      const h = view.getUint32(off, true)
      if (h & BATCH_REF) {
        const body = bodies[view.getUint32(off + 4, true) - 1]
        const id = this.fresh()
        const bytes = body instanceof Uint8Array ? body : new Uint8Array(body)
        this.held.set(id, bytes)
        if (!(body instanceof Uint8Array) && body.byteLength <= POOLED_BODY_MAX) {
          this.returnable.set(id, { bytes, writes: 0, released: false })
        }
        view.setUint32(off + 4, id, true)
      }
      off += 4 + (h & LEN_MASK)
    }
  }

  /**
   * Writes body id to a stream; a body whose buffer goes back is counted until that write's
   * callback (one closure per such write, none for the others).
   */
  writeTo(id: number, stream: { write(bytes: Uint8Array, done?: () => void): void }): void {
    const bytes = this.held.get(id) ?? EMPTY
    const entry = this.returnable.get(id)
    if (!entry) return stream.write(bytes)
    entry.writes++
    stream.write(bytes, () => {
      entry.writes--
      this.settle(entry)
    })
  }

  /** The core is done with a body (ZW_FX_RELEASE). */
  release(id: number): void {
    this.held.delete(id)
    this.received.delete(id)
    const entry = this.returnable.get(id)
    if (entry) {
      this.returnable.delete(id)
      entry.released = true
      this.settle(entry)
    }
  }

  private settle(entry: Returnable): void {
    if (!entry.released || entry.writes > 0) return
    this.returned.push(entry.bytes.buffer as ArrayBuffer)
    this.returnedTotal++
    this.onReturned()
  }

  /** The messages of a batch (part) the core never took: their bodies go. */
  drop(batch: Uint8Array): void {
    for (const id of bodyIds(batch)) this.release(id)
  }

  clear(): void {
    this.held.clear()
    this.received.clear()
    this.returnable.clear()
    this.returned = []
  }

  /** A body collected from a connection (zw_conn_body): only its one frame will name it, so
   *  it may move to the facade as it is. */
  adoptReceived(body: Uint8Array): number {
    const id = this.fresh()
    this.held.set(id, body)
    this.received.add(id)
    return id
  }

  /**
   * A received batch (a view into wasm memory) as the facade gets it: copied out, each ref frame
   * that names a body collected from a connection renamed to its index in `bodies` (the body
   * moves: transferred in worker mode, as is inline), and one naming a body the facade sent
   * (over inproc: PUB's copies may share it) replaced by a copy of its bytes. The core releases
   * those bodies after this turn; nothing here needs them afterwards.
   */
  forFacade(batch: Uint8Array, transfer: boolean): { b: ArrayBuffer; bodies?: Body[]; bytes: number } {
    const view = new DataView(batch.buffer, batch.byteOffset, batch.byteLength)
    let extra = 0
    let refs = 0
    let bodyBytes = 0
    for (let off = 0; off < batch.length; ) {
      const h = view.getUint32(off, true)
      if (h & BATCH_REF) {
        refs++
        const size = view.getUint32(off + 8, true)
        bodyBytes += size - REF_LEN
        if (!this.received.has(view.getUint32(off + 4, true))) extra += size - REF_LEN
      }
      off += 4 + (h & LEN_MASK)
    }
    // What the messages weigh, as zw_recv's max_bytes counts them.
    const bytes = batch.length + bodyBytes
    if (refs === 0) return { b: batch.slice().buffer as ArrayBuffer, bytes }
    const out = new Uint8Array(batch.length + extra)
    const w = new DataView(out.buffer)
    const bodies: Body[] = []
    let to = 0
    for (let off = 0; off < batch.length; ) {
      const h = view.getUint32(off, true)
      const n = h & LEN_MASK
      const id = h & BATCH_REF ? view.getUint32(off + 4, true) : 0
      if (h & BATCH_REF && this.received.has(id)) {
        const body = this.held.get(id) as Uint8Array
        this.received.delete(id)
        bodies.push(transfer ? (body.buffer as ArrayBuffer) : body)
        out.set(batch.subarray(off, off + 4 + n), to)
        w.setUint32(to + 4, bodies.length, true)
        to += 4 + n
      } else if (h & BATCH_REF) {
        const body = this.held.get(id) ?? new Uint8Array(view.getUint32(off + 8, true))
        w.setUint32(to, ((h & ~(BATCH_REF | LEN_MASK)) | body.length) >>> 0, true)
        out.set(body, to + 4)
        to += 4 + body.length
      } else {
        out.set(batch.subarray(off, off + 4 + n), to)
        to += 4 + n
      }
      off += 4 + n
    }
    return { b: out.buffer as ArrayBuffer, bodies: bodies.length ? bodies : undefined, bytes }
  }

  /** An id not in use (ids wrap at 2^32 and skip 0). */
  private fresh(): number {
    for (;;) {
      const id = this.next
      this.next = this.next === 0xffffffff ? 1 : this.next + 1
      if (!this.held.has(id)) return id
    }
  }
}
