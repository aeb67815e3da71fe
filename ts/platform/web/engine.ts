/**
 * What the facade needs from a browser (or a Web Worker, or Deno) to run an engine: the browser
 * bundle puts this module where ../node/engine.ts is (rollup.config.mjs). Same exports, same
 * contracts, no `node:` import.
 *
 * The core: compiled asynchronously, from the bytes the bundle carries (embedded.ts), or from
 * what the page gave `setWasm()` first: a URL, the bytes, or a compiled WebAssembly.Module
 * (unbundled, from the file beside the package's dist/). Ops wait for it in order.
 */
import type { ToFacade, ToHost } from "../../host/channel/protocol.js"
import { channelEnd, makeRings, ringsUsable } from "../../host/channel/ring.js"
import type { EngineThread, WasmSource } from "../engine.js"
export type { EngineThread, WasmSource }
import type { Transport } from "../../host/transports/transport.js"
import { wasmBase64, workerSource } from "./embedded.js"
import { ws } from "./ws.js"

/** The transports of a host in a browser: ws:// (and wss://, through the page's TLS) to connect. */
export const transports: Record<string, Transport> = { ws, wss: ws }


let source: WasmSource | undefined
let compiled: Promise<WebAssembly.Module> | undefined

/** Tells the package where its core is, before the first socket (a bundler that moved the file,
 *  a page that has the bytes already). */
export function setWasm(wasm: WasmSource): void {
  source = wasm
  compiled = undefined
}

/** The core's default place: beside the bundle, as the package lays it out (dist/browser/ ->
 *  wasm/). A bundler that understands `new URL(..., import.meta.url)` copies the file. */
const defaultUrl = (): URL => new URL("../../wasm/zmqw.wasm", import.meta.url)

async function compile(from: WasmSource): Promise<WebAssembly.Module> {
  if (from instanceof WebAssembly.Module) return from
  if (from instanceof ArrayBuffer || from instanceof Uint8Array) return WebAssembly.compile(from as BufferSource)
  const response = await fetch(from)
  if (!response.ok) throw new Error(`zeromq-wasm: cannot load the core from ${String(from)}: HTTP ${response.status}`)
  return WebAssembly.compile(await response.arrayBuffer())
}

/** The core's bytes carried by the bundle (embedded.ts), decoded. */
function embeddedWasm(): Uint8Array | undefined {
  if (!wasmBase64) return undefined
  const text = atob(wasmBase64)
  const bytes = new Uint8Array(text.length)
  for (let i = 0; i < text.length; i++) bytes[i] = text.charCodeAt(i)
  return bytes
}

export function coreModule(): WebAssembly.Module | Promise<WebAssembly.Module> {
  if (source instanceof WebAssembly.Module) return source
  compiled ??= compile(source ?? embeddedWasm() ?? defaultUrl())
  return compiled
}

/** The engine worker: the bundle's own copy of its code (a blob: URL, so no file is needed), or
 *  worker.js beside this module. */
function workerUrl(): URL | string {
  if (!workerSource) return new URL("./worker.js", import.meta.url)
  return URL.createObjectURL(new Blob([workerSource], { type: "text/javascript" }))
}

/** Whether this scope can start a Web Worker: a page and a dedicated worker can; Chromium gives
 *  a SharedWorker no Worker constructor (its contexts then run the engine inline). */
export function workersAvailable(): boolean {
  return typeof Worker === "function"
}

/**
 * Starts the engine in a module Web Worker (worker.js beside the bundle). Its first message is
 * the compiled core, and the rings when the page can share memory (cross-origin isolated:
 * channel/ring.ts); otherwise every op is posted, batches transferred. Ops posted before the
 * core is compiled wait here, in order.
 */
export function startEngine(receive: (ops: ToFacade[]) => void, die: (cause: unknown) => void): EngineThread {
  const worker = new Worker(workerUrl(), { type: "module" })
  const rings = ringsUsable() ? makeRings() : undefined
  const end = channelEnd<ToFacade, ToHost>((message, transfer) => worker.postMessage(message, transfer),
    rings && { out: rings.toHost, inp: rings.toFacade })
  end.port.onmessage = receive
  worker.onmessage = (event) => end.arrived(event.data)
  worker.onerror = (event) => die(new Error(`zeromq-wasm: the engine worker failed: ${event.message}`))
  const post = (ops: ToHost[], transfer: ArrayBuffer[]) => end.port.post(ops, transfer)
  let queued: Array<[ToHost[], ArrayBuffer[]]> | undefined = []
  Promise.resolve(coreModule()).then(
    (module) => {
      worker.postMessage({ module, rings })
      for (const [ops, transfer] of queued ?? []) post(ops, transfer)
      queued = undefined
    },
    (err) => die(err),
  )
  return {
    post: (ops, transfer) => (queued ? queued.push([ops, transfer]) : post(ops, transfer)),
    // A page is not a process: nothing to keep alive.
    ref: () => {},
    unref: () => {},
    worker,
    ring: end.counts,
  }
}

/** A page or worker does not "exit": nothing to flush (see platform/node). */
export function onProcessIdle(_flush: () => void): void {}

export function exitWarning(text: string): void {
  console.warn(text)
}
