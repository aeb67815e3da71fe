// Bundles tsc's output (build/ts) into the published dist/:
//   dist/index.js   ESM entry      dist/index.cjs  CommonJS entry
//   dist/worker.js  engine thread entry (always ESM; started by path from either entry)
// The wasm core is not bundled: it ships as wasm/zmqw.wasm, found relative to dist/.
// ws (a dependency) stays an import, as node: modules do.
const external = [/^node:/, "ws"]

export default [
  {
    input: { index: "build/ts/index.js", worker: "build/ts/host/worker.js" },
    output: { dir: "dist", format: "es", entryFileNames: "[name].js", chunkFileNames: "[name].js" },
    external,
  },
  {
    input: "build/ts/index.js",
    output: { file: "dist/index.cjs", format: "cjs", inlineDynamicImports: true },
    external,
  },
]
