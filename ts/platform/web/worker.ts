/**
 * Entry of the engine thread in a browser: a module Web Worker started by ./engine.ts. Its first
 * message is the compiled core; then the same host as in Node, with the browser's transports.
 */
import { WasmCore } from "../../host/abi.js"
import type { ToFacade, ToHost } from "../../host/channel/protocol.js"
import { channelEnd, type Rings } from "../../host/channel/ring.js"
import { Host } from "../../host/host.js"
import { transports } from "./engine.js"

interface WorkerScope {
  onmessage: ((event: MessageEvent) => void) | null
  postMessage(message: unknown, transfer: Transferable[]): void
}
const scope = globalThis as unknown as WorkerScope

scope.onmessage = (first: MessageEvent<{ module: WebAssembly.Module; rings?: Rings }>) => {
  const { module, rings } = first.data
  // With rings (channel/ring.ts), what does not go through them comes posted.
  const end = channelEnd<ToHost, ToFacade>((message, transfer) => scope.postMessage(message, transfer),
    rings && { out: rings.toFacade, inp: rings.toHost })
  new Host(new WasmCore(module), end.port, { unrefHandles: false, transferBodies: true, transports })
  scope.onmessage = (event) => end.arrived(event.data)
}
