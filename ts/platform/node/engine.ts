/**
 * What the facade needs from Node.js to run an engine (the browser's is ../web/engine.ts; the
 * browser bundle swaps this module for that one, rollup.config.mjs): the core compiled, an engine
 * thread, and the transports an inline host carries.
 */
import { readFileSync } from "node:fs"
import { fileURLToPath } from "node:url"
import { Worker } from "node:worker_threads"
import type { ToFacade, ToHost } from "../../host/channel/protocol.js"
import { channelEnd, makeRings, ringsUsable } from "../../host/channel/ring.js"
import type { EngineThread, WasmSource } from "../engine.js"
export type { EngineThread, WasmSource }
import type { Transport } from "../../host/transports/transport.js"
import { ipc } from "../../host/transports/ipc.js"
import { tcp } from "../../host/transports/tcp.js"
import { ws, wss } from "../../host/transports/ws.js"

/** The transports of a host in Node: tcp, ipc, ws and wss (inproc never reaches them). */
export const transports: Record<string, Transport> = { tcp, ipc, ws, wss }


let compiled: WebAssembly.Module | undefined
let source: WasmSource | undefined

/** Tells the package where its core is, before the first socket (the default is the package's
 *  own wasm/zmqw.wasm); the same call as in a browser. */
export function setWasm(wasm: WasmSource): void {
  source = wasm
  compiled = undefined
}

function compile(from: WasmSource): WebAssembly.Module {
  if (from instanceof WebAssembly.Module) return from
  if (from instanceof ArrayBuffer || from instanceof Uint8Array) return new WebAssembly.Module(from as BufferSource)
  return new WebAssembly.Module(readFileSync(typeof from === "string" && !from.startsWith("file:") ? from : fileURLToPath(from)))
}

/** The core, compiled once per process (synchronously: a Module can be posted to any worker). */
export function coreModule(): WebAssembly.Module | Promise<WebAssembly.Module> {
  compiled ??= compile(source ?? new URL("../wasm/zmqw.wasm", import.meta.url))
  return compiled
}

/**
 * Whether the channel runs over shared memory (channel/ring.ts). In Node it can always, but by
 * default it does not: measured here side by side in one process (docs/architecture.md), the
 * rings moved 16 B and 64 KiB messages about as fast as transferred batches (+6% to +15%) and
 * 4 KiB ones 9 to 20% slower (a ring costs a copy each way that a transfer does not), with
 * round trips a few percent shorter. ZEROMQ_WASM_CHANNEL=ring chooses them (the tests run both).
 */
function useRings(): boolean {
  return ringsUsable() && process.env.ZEROMQ_WASM_CHANNEL === "ring"
}

/** Node can always start a worker thread. */
export function workersAvailable(): boolean {
  return true
}

/** Starts the engine in a worker thread; `receive` gets its ops, `die` its end. */
export function startEngine(receive: (ops: ToFacade[]) => void, die: (cause: unknown) => void): EngineThread {
  const entry = fileURLToPath(new URL("./worker.js", import.meta.url))
  const rings = useRings() ? makeRings() : undefined
  const worker = new Worker(entry, {
    workerData: { module: coreModule(), rings },
    // None of the process's flags: a worker inherits them by default, and Node refuses many
    // in a worker (V8's --expose-gc or --max-old-space-size, --input-type, ...). The engine
    // is plain JavaScript and wasm and needs none of them (V8 flags are process-wide anyway).
    execArgv: [],
  })
  const end = channelEnd<ToFacade, ToHost>((message, transfer) => worker.postMessage(message, transfer),
    rings && { out: rings.toHost, inp: rings.toFacade })
  end.port.onmessage = receive
  worker.on("message", end.arrived)
  // An uncaught exception in the engine thread comes as "error" (then "exit"); a worker that
  // stops otherwise only as "exit". The link never stops its worker, so either is a death.
  worker.on("error", die)
  worker.on("exit", (code) => die(new Error(`zeromq-wasm: the engine worker exited with code ${code}`)))
  worker.unref()
  return {
    post: (ops, transfer) => end.port.post(ops, transfer),
    ref: () => worker.ref(),
    unref: () => worker.unref(),
    worker,
    ring: end.counts,
  }
}

/**
 * Calls `flush` each time the process is about to exit because nothing is left to do (Node's
 * "beforeExit"; an explicit process.exit() skips it, as it skips libzmq's context termination
 * in zeromq.js). What `flush` starts keeps the process alive until it is done.
 */
export function onProcessIdle(flush: () => void): void {
  process.on("beforeExit", flush)
}

/** A warning written as Node prints its own (zeromq.js prints this one itself at exit). */
export function exitWarning(text: string): void {
  process.stderr.write(`(node:${process.pid}) WARNING: ${text}\n`)
}
