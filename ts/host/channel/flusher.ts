/**
 * When a side of the channel posts what it has gathered. The first flush of an event-loop turn
 * goes out at the end of the current job (a microtask), so a lone request or reply does not wait
 * for the loop to come round; later ones in the same turn wait for setImmediate. On the facade a
 * loop of `await send()` runs entirely in microtasks, and batching what it sends until it yields
 * is what makes a batch worth posting; on the engine thread one poll phase runs many stream
 * callbacks (a read per connection, a drain), and posting once after them, not after each, is
 * what keeps postMessage (with its transfers, ~15 µs) off the per-message path.
 */
import { nextTurn } from "../bytes.js"

export class Flusher {
  private queued = false
  private flushedThisTurn = false

  constructor(private readonly flush: () => void) {}

  /** Asks for a flush, at the time said above; nothing more if one is asked for already. */
  soon(): void {
    if (this.queued) return
    this.queued = true
    if (this.flushedThisTurn) nextTurn(this.run)
    else queueMicrotask(this.run)
  }

  /** To be called by a flush made directly (not through soon()): it counts as this turn's. */
  flushing(): void {
    this.queued = false
    if (!this.flushedThisTurn) {
      this.flushedThisTurn = true
      nextTurn(() => (this.flushedThisTurn = false))
    }
  }

  private readonly run = (): void => {
    if (!this.queued) return // flushed directly meanwhile
    this.flush()
  }
}
