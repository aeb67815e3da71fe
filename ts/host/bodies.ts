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
import { isLent, type LentRef } from "./channel/lending.js"
import { LentBody, type LentHost, type LentSink } from "./lent.js"
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

/** What the bodies need from the host for lent bodies (lent.ts). */
export interface BodiesHost {
  /** A buffer is ready in `returned` (the host flushes soon). */
  returned(): void
  /** Ask the facade for a window of lent body f. */
  want(f: number, off: number, len: number): void
  /** Lent body f is done with. */
  unlend(f: number): void
}

export class Bodies {
  /** Every body by id (a lent one by its head: what the core's reads see). */
  private readonly held = new Map<number, Uint8Array>()
  /** Lent bodies (worker mode, over LEND_MIN bytes) by id, and by the facade's number. */
  private readonly lent = new Map<number, LentBody>()
  private readonly byLender = new Map<number, LentBody>()
  private readonly lentHost: LentHost
  /** Ids of bodies collected from connections (see adoptReceived). */
  private readonly received = new Set<number>()
  private readonly returnable = new Map<number, Returnable>()
  /** Buffers to hand back to the facade (the host posts them in a "bodies" op). */
  returned: ArrayBuffer[] = []
  /** Buffers handed back so far (the host's stats). */
  returnedTotal = 0
  private next = 1

  constructor(private readonly host: BodiesHost) {
    this.lentHost = {
      want: (f, off, len) => host.want(f, off, len),
      giveBack: (b) => this.giveBack(b),
      done: (body) => {
        this.byLender.delete(body.f)
        host.unlend(body.f)
      },
    }
  }

  /** Lent bodies not yet done with (the host's stats). */
  get lentCount(): number {
    return this.byLender.size
  }

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
        if (isLent(body)) {
          const lent = new LentBody(body.f, body.size, body.head as ArrayBuffer, this.lentHost)
          this.lent.set(id, lent)
          this.byLender.set(body.f, lent)
          this.held.set(id, lent.head)
          view.setUint32(off + 4, id, true)
          off += 4 + (h & LEN_MASK)
          continue
        }
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
  writeTo(id: number, stream: LentSink): void {
    const lent = this.lent.get(id)
    if (lent) return lent.start(stream) // the host then calls writeLent until it is written
    const bytes = this.held.get(id) ?? EMPTY
    const entry = this.returnable.get(id)
    if (!entry) return stream.write(bytes)
    entry.writes++
    stream.write(bytes, () => {
      entry.writes--
      this.settle(entry)
    })
  }

  /**
   * Writes what `sink` can of the lent body it is writing: true once it is all written (the
   * host may pull output from the core again), false while it waits for a window or a drain.
   */
  writeLent(sink: LentSink): boolean {
    return (sink.lent as NonNullable<LentSink["lent"]>).body.write(sink)
  }

  /** A window of lent body f arrived: the sinks waiting for it, to write again. */
  arrive(f: number, off: number, b: ArrayBuffer): LentSink[] {
    const lent = this.byLender.get(f)
    if (lent) return lent.arrive(off, b)
    this.giveBack(b) // done with meanwhile (a writer's connection closed)
    return []
  }

  /** `sink`'s connection is gone: it writes no more of its lent body. */
  leave(sink: LentSink): void {
    sink.lent?.body.leave(sink)
  }

  /** The core is done with a body (ZW_FX_RELEASE). */
  release(id: number): void {
    this.held.delete(id)
    this.received.delete(id)
    const lent = this.lent.get(id)
    if (lent) {
      this.lent.delete(id)
      lent.release()
      return
    }
    const entry = this.returnable.get(id)
    if (entry) {
      this.returnable.delete(id)
      entry.released = true
      this.settle(entry)
    }
  }

  private settle(entry: Returnable): void {
    if (!entry.released || entry.writes > 0) return
    this.giveBack(entry.bytes.buffer as ArrayBuffer)
  }

  private giveBack(b: ArrayBuffer): void {
    this.returned.push(b)
    this.returnedTotal++
    this.host.returned()
  }

  /** The messages of a batch (part) the core never took: their bodies go. */
  drop(batch: Uint8Array): void {
    for (const id of bodyIds(batch)) this.release(id)
  }

  clear(): void {
    for (const lent of this.byLender.values()) lent.clear()
    this.held.clear()
    this.received.clear()
    this.returnable.clear()
    this.lent.clear()
    this.byLender.clear()
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
        const id = view.getUint32(off + 4, true)
        if (!this.received.has(id) && !this.lent.has(id)) extra += size - REF_LEN
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
      const lent = h & BATCH_REF ? this.lent.get(id) : undefined
      if (h & BATCH_REF && (lent || this.received.has(id))) {
        if (lent) {
          // Sent over inproc by this facade: it copies the body from the Buffer it lent.
          bodies.push({ f: lent.f, size: lent.size } satisfies LentRef)
        } else {
          const body = this.held.get(id) as Uint8Array
          this.received.delete(id)
          bodies.push(transfer ? (body.buffer as ArrayBuffer) : body)
        }
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
