/**
 * Entry of the engine thread: one host per Worker, fed by the Context that started it. The main
 * thread compiled the core and posts the Module in workerData; it is instantiated here.
 */
import { parentPort, workerData } from "node:worker_threads"
import { WasmCore } from "./abi.js"
import type { ToFacade, ToHost } from "./channel/protocol.js"
import { channelEnd, type Rings } from "./channel/ring.js"
import { Host } from "./host.js"
import { transports } from "../platform/node/engine.js"

const { module, rings } = workerData as { module: WebAssembly.Module; rings?: Rings }
const parent = parentPort
if (!parent) throw new Error("zeromq-wasm: worker.js must run in a worker thread")

const core = new WasmCore(module)
// With rings (channel/ring.ts), what does not go through them comes posted.
const end = channelEnd<ToHost, ToFacade>((message, transfer) => parent.postMessage(message, transfer),
  rings && { out: rings.toFacade, inp: rings.toHost })
new Host(core, end.port, { unrefHandles: false, transferBodies: true, transports })
parent.on("message", end.arrived)
