/**
 * Context: one engine (a wasm core and its transports) shared by the sockets created with it.
 * By default the engine runs in a Worker; `new Context({inline: true})` runs it on this thread.
 */
import { Link } from "./link.js"
import { workersAvailable } from "../platform/node/engine.js"

export interface ContextOptions {
  /** Run the engine on the caller's thread instead of a worker (lowest latency, no thread). */
  inline: boolean
  /** Accepted for zeromq.js compatibility; the engine decides its own threads. */
  ioThreads: number
  /** Accepted for zeromq.js compatibility. */
  blocky: boolean
  /** Accepted for zeromq.js compatibility. */
  maxSockets: number
}

export class Context {
  /** @internal */
  private linkInstance: Link | undefined
  readonly inline: boolean
  ioThreads = 1
  blocky = true
  maxSockets = 1023

  constructor(options: Partial<ContextOptions> = {}) {
    this.inline = options.inline ?? false
    for (const [key, value] of Object.entries(options)) {
      if (key === "inline") continue
      if (!(key in this)) throw new TypeError(`Cannot add property ${key}, object is not extensible`)
      ;(this as Record<string, unknown>)[key] = value
    }
    Object.seal(this)
  }

  /** @internal The engine starts with the first socket. */
  get link(): Link {
    // Where no worker can be started (a SharedWorker in Chromium has no Worker), inline.
    this.linkInstance ??= new Link(this.inline || !workersAvailable())
    return this.linkInstance
  }
}

/** The context of sockets created without one. */
export const context = new Context()
