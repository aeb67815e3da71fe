/**
 * Entry of the engine thread: one host per Worker, fed by the Context that started it. The main
 * thread compiled the core and posts the Module in workerData; it is instantiated here.
 */
import { parentPort, workerData } from "node:worker_threads"
import { WasmCore } from "./abi.js"
import type { Port, ToFacade, ToHost } from "./channel/protocol.js"
import { RingPort, type Rings } from "./channel/ring.js"
import { Host } from "./host.js"
import { transports } from "../platform/node/engine.js"

const { module, rings } = workerData as { module: WebAssembly.Module; rings?: Rings }
const parent = parentPort
if (!parent) throw new Error("zeromq-wasm: worker.js must run in a worker thread")

const core = new WasmCore(module)
if (rings) {
  // Shared memory (channel/ring.ts): what does not go through the rings comes posted.
  const port = new RingPort<ToHost, ToFacade>(rings.toFacade, rings.toHost, (unit, transfer) => parent.postMessage(unit, transfer))
  new Host(core, port, { unrefHandles: false, transferBodies: true, transports })
  parent.on("message", (unit) => port.posted(unit))
} else {
  const port: Port<ToHost, ToFacade> = {
    post: (ops, transfer) => parent.postMessage(ops, transfer),
    onmessage: undefined,
  }
  new Host(core, port, { unrefHandles: false, transferBodies: true, transports })
  parent.on("message", (ops: ToHost[]) => port.onmessage?.(ops))
}
