/**
 * What the browser bundle carries inside itself, so that it needs no file beside it and no
 * bundler configuration (esbuild, Vite, an import map: each just takes dist/browser/index.js):
 * the engine worker's code, run from a blob: URL, and the core's bytes. rollup.config.mjs fills
 * these in when it builds dist/browser/; unbundled (tsc's output) they are undefined and the
 * files beside the module are used instead.
 */
export const workerSource: string | undefined = undefined
/** wasm/zmqw.wasm, base64. */
export const wasmBase64: string | undefined = undefined
