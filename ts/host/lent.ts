/**
 * The host's side of a lent body (channel/lending.ts): a large body whose bytes stay with the
 * facade. The host holds its head (the first window, which the send brought: it serves the
 * core's reads) and, per connection writing it, the windows around where that connection is:
 * each writer asks for up to LEND_AHEAD windows ahead, a window arriving wakes the writers
 * waiting for it, and a window goes back to the facade's pool once every writer is past it and
 * its writes have called back (a stream keeps the bytes it was given until then). A connection
 * that starts the body later (another subscriber, a reconnect) asks again for what was dropped.
 * While a connection writes a lent body the host pulls no more output for it from the core, so
 * the stream's bytes stay in order. Once the core has released the body and no writer is left,
 * the facade is told to let go of the Buffer.
 */
import { LEND_AHEAD, LEND_WINDOW } from "./channel/lending.js"

/** What a lent body writes to: a stream connection (transports/stream.ts). */
export interface LentSink {
  readonly blocked: boolean
  write(bytes: Uint8Array, done?: () => void): void
  /** Where this sink is in the lent body it writes, if any. */
  lent: LentWriter | undefined
}

export interface LentWriter {
  readonly body: LentBody
  /** The next byte of the body to write. */
  off: number
}

/** What a lent body needs from its host. */
export interface LentHost {
  want(f: number, off: number, len: number): void
  /** A window's buffer goes back to the facade's pool. */
  giveBack(b: ArrayBuffer): void
  /** The body is done with: the facade may let go of it. */
  done(body: LentBody): void
}

interface Window {
  bytes: Uint8Array
  /** Writes of it not yet called back. */
  writes: number
}

export class LentBody {
  /** Windows held, by offset (a multiple of LEND_WINDOW); 0 is the head. */
  private readonly windows = new Map<number, Window>()
  /** Offsets asked for and not arrived. */
  private readonly wanted = new Set<number>()
  private readonly writers = new Set<LentSink>()
  private released = false
  private finished = false

  constructor(readonly f: number, readonly size: number, head: ArrayBuffer, private readonly host: LentHost) {
    this.windows.set(0, { bytes: new Uint8Array(head), writes: 0 })
  }

  /** The first window, for the core's reads of the body's bytes. */
  get head(): Uint8Array {
    return (this.windows.get(0) as Window).bytes
  }

  /** `sink` starts writing the body (the core showed it its id). */
  start(sink: LentSink): void {
    sink.lent = { body: this, off: 0 }
    this.writers.add(sink)
  }

  /**
   * Writes what `sink` can of the body now: true once it has written all of it (the sink leaves
   * the body), false when it waits for a window or for the stream to drain.
   */
  write(sink: LentSink): boolean {
    const w = sink.lent as LentWriter
    while (w.off < this.size) {
      const at = w.off // always a window's start: a writer writes whole windows
      this.prefetch(at)
      const win = this.windows.get(at)
      if (!win) return false
      win.writes++
      w.off = at + win.bytes.length // a writer's place is always a window's start, or the end
      sink.write(win.bytes, () => {
        win.writes--
        this.sweep()
      })
      if (sink.blocked && w.off < this.size) return false
    }
    this.leave(sink)
    return true
  }

  /** A window the facade sent (answering a want). */
  arrive(off: number, b: ArrayBuffer): LentSink[] {
    this.wanted.delete(off)
    if (this.finished) {
      this.host.giveBack(b)
      return []
    }
    this.windows.set(off, { bytes: new Uint8Array(b), writes: 0 })
    const waiting = [...this.writers].filter((s) => (s.lent as LentWriter).off === off)
    this.sweep()
    return waiting
  }

  /** `sink` stops writing the body (done, or its connection closed). */
  leave(sink: LentSink): void {
    if (sink.lent?.body !== this) return
    sink.lent = undefined
    this.writers.delete(sink)
    this.sweep()
  }

  /** The core let go of the body (ZW_FX_RELEASE, or its message was dropped untaken). */
  release(): void {
    this.released = true
    this.sweep()
  }

  /** Forgets everything (the host is stopping): nothing goes back. */
  clear(): void {
    this.finished = true
    this.windows.clear()
    this.writers.clear()
  }

  private prefetch(at: number): void {
    for (let k = 0, off = at; k <= LEND_AHEAD && off < this.size; k++, off += LEND_WINDOW) {
      if (this.windows.has(off) || this.wanted.has(off)) continue
      this.wanted.add(off)
      this.host.want(this.f, off, Math.min(LEND_WINDOW, this.size - off))
    }
  }

  /**
   * Gives back every window that no writer is before and near (within its LEND_AHEAD): a writer
   * far behind asks again when it gets there, so what the host holds does not grow with the gap
   * between a fast and a slow connection. Finishes the body when nothing is left.
   */
  private sweep(): void {
    if (this.finished) return
    const reach = (LEND_AHEAD + 1) * LEND_WINDOW
    for (const [at, win] of this.windows) {
      if (win.writes > 0 || (at === 0 && !this.released)) continue
      const end = at + win.bytes.length
      let needed = false
      for (const s of this.writers) {
        const off = (s.lent as LentWriter).off
        if (off < end && off + reach > at) needed = true
      }
      if (needed) continue
      this.windows.delete(at)
      this.host.giveBack(win.bytes.buffer as ArrayBuffer)
    }
    if (this.released && this.writers.size === 0 && this.windows.size === 0) {
      this.finished = true
      this.host.done(this)
    }
  }
}
