/**
 * Entry of the engine thread in a browser: a module Web Worker started by ./engine.ts. Its first
 * message is the compiled core; then the same host as in Node, with the browser's transports.
 */
import { WasmCore } from "../../host/abi.js"
import type { Port, ToFacade, ToHost } from "../../host/channel/protocol.js"
import { Host } from "../../host/host.js"
import { transports } from "./engine.js"

interface WorkerScope {
  onmessage: ((event: MessageEvent) => void) | null
  postMessage(message: unknown, transfer: Transferable[]): void
}
const scope = globalThis as unknown as WorkerScope

const port: Port<ToHost, ToFacade> = {
  post: (ops, transfer) => scope.postMessage(ops, transfer ?? []),
  onmessage: undefined,
}
scope.onmessage = (first: MessageEvent<{ module: WebAssembly.Module }>) => {
  new Host(new WasmCore(first.data.module), port, { unrefHandles: false, transferBodies: true, transports })
  scope.onmessage = (event: MessageEvent<ToHost[]>) => port.onmessage?.(event.data)
}
