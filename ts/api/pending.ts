/**
 * One waiting send() or receive(): its promise, its timeout, and the hold that keeps the process
 * alive while it waits (link.ts). Expiry only marks it: the socket decides between EFSM and
 * EAGAIN once it knows the host's current state (socket.ts, settle()).
 */
import type { Link } from "./link.js"

export class Pending<T> {
  /** The timeout has passed (always, for a timeout of 0). */
  expired: boolean
  readonly promise: Promise<T>
  private timer: ReturnType<typeof setTimeout> | undefined
  private done!: (value: T) => void
  private fail!: (err: Error) => void

  constructor(private readonly link: Link, timeout: number, onExpire: () => void) {
    this.expired = timeout === 0
    this.promise = new Promise<T>((resolve, reject) => {
      this.done = resolve
      this.fail = reject
    })
    link.hold()
    if (timeout > 0) {
      this.timer = setTimeout(() => {
        this.expired = true
        onExpire()
      }, timeout)
    }
  }

  resolve(value: T): void {
    this.finish()
    this.done(value)
  }

  reject(err: Error): void {
    this.finish()
    this.fail(err)
  }

  private finish(): void {
    if (this.timer) clearTimeout(this.timer)
    this.link.release()
  }
}
