// Bundles tsc's output (build/ts) into the published dist/:
//   dist/index.js   ESM entry (Node)      dist/index.cjs  CommonJS entry (Node)
//   dist/worker.js  engine thread entry (always ESM; started by path from either entry)
//   dist/browser/index.js, dist/browser/worker.js   the browser's: the same code with
//                   ts/platform/web in place of ts/platform/node, and no node: import at all
// The wasm core is not bundled: it ships as wasm/zmqw.wasm, found relative to dist/.
// ws (a dependency) stays an import, as node: modules do.
import { dirname, resolve } from "node:path"

const external = [/^node:/, "ws"]

/** Every import of platform/node/<file> becomes platform/web/<file>. */
const webPlatform = {
  name: "web-platform",
  resolveId(source, importer) {
    if (!importer || !source.includes("platform/node/")) return null
    return resolve(dirname(importer), source.replace("platform/node/", "platform/web/"))
  },
}

/** Fails the browser build on any node: import or bare package left (it must run unbundled). */
const browserOnly = {
  name: "browser-only",
  resolveId(source, importer) {
    if (importer && !source.startsWith(".") && !source.startsWith("/")) {
      this.error(`the browser bundle may not import "${source}" (from ${importer})`)
    }
    return null
  },
}

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
  {
    input: { index: "build/ts/index.js", worker: "build/ts/platform/web/worker.js" },
    output: { dir: "dist/browser", format: "es", entryFileNames: "[name].js", chunkFileNames: "[name].js" },
    plugins: [webPlatform, browserOnly],
  },
]
