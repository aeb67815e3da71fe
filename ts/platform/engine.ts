/**
 * What ts/platform/node/engine.ts and ts/platform/web/engine.ts both export, typed once: the
 * link (ts/api/link.ts) is written against these, whichever runtime's module the build put in.
 */
import type { ToHost } from "../host/channel/protocol.js"
import type { RingCounts } from "../host/channel/ring.js"

/** Where the core comes from: a URL (in Node also a path), its bytes, or a compiled Module. */
export type WasmSource = string | URL | ArrayBuffer | Uint8Array | WebAssembly.Module

/** An engine thread as the link sees it. */
export interface EngineThread {
  post(ops: ToHost[], transfer: ArrayBuffer[]): void
  /** Whether it keeps the process alive (Node; nothing to do in a browser). */
  ref(): void
  unref(): void
  /** For tests: the Worker itself. */
  readonly worker: unknown
  /** For tests: how many ops went through the rings and how many groups were posted (ring
   *  mode, channel/ring.ts); undefined when every op is posted. */
  readonly ring: RingCounts | undefined
}
