/**
 * Entry of the engine thread in a browser: a module Web Worker started by ./engine.ts. Its first
 * message is the compiled core; then the same host as in Node, with the browser's transports.
 */
import { WasmCore } from "../../host/abi.js"
import type { Port, ToFacade, ToHost } from "../../host/channel/protocol.js"
import { RingPort, type Rings } from "../../host/channel/ring.js"
import { Host } from "../../host/host.js"
import { transports } from "./engine.js"

interface WorkerScope {
  onmessage: ((event: MessageEvent) => void) | null
  postMessage(message: unknown, transfer: Transferable[]): void
}
const scope = globalThis as unknown as WorkerScope

scope.onmessage = (first: MessageEvent<{ module: WebAssembly.Module; rings?: Rings }>) => {
  const { module, rings } = first.data
  const core = new WasmCore(module)
  const options = { unrefHandles: false, transferBodies: true, transports }
  if (rings) {
    // Shared memory (channel/ring.ts): what does not go through the rings comes posted.
    const port = new RingPort<ToHost, ToFacade>(rings.toFacade, rings.toHost, (unit, transfer) => scope.postMessage(unit, transfer))
    new Host(core, port, options)
    scope.onmessage = (event) => port.posted(event.data)
  } else {
    const port: Port<ToHost, ToFacade> = {
      post: (ops, transfer) => scope.postMessage(ops, transfer ?? []),
      onmessage: undefined,
    }
    new Host(core, port, options)
    scope.onmessage = (event: MessageEvent<ToHost[]>) => port.onmessage?.(event.data)
  }
}
