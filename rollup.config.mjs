// Bundles tsc's output (build/ts) into the published dist/:
//   dist/index.js   ESM entry (Node)      dist/index.cjs  CommonJS entry (Node)
//   dist/worker.js  engine thread entry (always ESM; started by path from either entry)
//   dist/browser/worker.js   the browser's engine thread, one self-contained file
//   dist/browser/index.js    the browser's entry: the same code with ts/platform/web in place of
//                   ts/platform/node, no node: import at all, and carrying both the worker's
//                   code and the wasm core (ts/platform/web/embedded.ts), so that it is one file
//                   a page or any bundler takes as it is
//   dist/draft.js, dist/v5-compat.js (and .cjs)   the other entries: thin modules over the main
//                   entry's public API, which they import as ./index.js (./index.cjs), so that
//                   every entry shares one default context and one set of classes
// In Node the wasm core is not bundled: it ships as wasm/zmqw.wasm, found relative to dist/.
// ws (a dependency) stays an import, as node: modules do.
import { readFileSync } from "node:fs"
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

/** Fills ts/platform/web/embedded.ts in: the worker built just before, and the wasm. */
const embed = {
  name: "embed",
  load(id) {
    if (!id.endsWith("/platform/web/embedded.js")) return null
    const worker = readFileSync("dist/browser/worker.js", "utf8")
    const wasm = readFileSync("wasm/zmqw.wasm").toString("base64")
    return `export const workerSource = ${JSON.stringify(worker)}\nexport const wasmBase64 = ${JSON.stringify(wasm)}\n`
  },
}

/** The secondary entries import the main entry's public API (build/ts/index.js) as a sibling file. */
const mainEntry = (ext) => ({
  name: "main-entry",
  resolveId(source, importer) {
    if (importer && resolve(dirname(importer), source) === resolve("build/ts/index.js")) {
      return { id: `./index.${ext}`, external: true }
    }
    return null
  },
})

const entries = ["draft", "v5-compat"]

export default [
  ...entries.flatMap((name) => [
    { input: `build/ts/${name}.js`, output: { file: `dist/${name}.js`, format: "es" }, external, plugins: [mainEntry("js")] },
    { input: `build/ts/${name}.js`, output: { file: `dist/${name}.cjs`, format: "cjs" }, external, plugins: [mainEntry("cjs")] },
  ]),
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
    input: "build/ts/platform/web/worker.js",
    output: { file: "dist/browser/worker.js", format: "es" },
    plugins: [webPlatform, browserOnly],
  },
  {
    input: "build/ts/index.js",
    output: { file: "dist/browser/index.js", format: "es", inlineDynamicImports: true },
    plugins: [webPlatform, browserOnly, embed],
  },
]
