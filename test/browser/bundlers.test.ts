// The package through a user's bundler with no configuration at all: an app that imports
// "zeromq-wasm" is built with esbuild and with Vite, served as built, and run in headless
// Chromium against their REP bound on ws:// in Node. The bundle carries its worker and its wasm
// (ts/platform/web/embedded.ts), so there is nothing for a bundler to copy.
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { fileURLToPath } from "node:url"
import type { Browser } from "playwright-core"
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest"
import { closeCreated, their } from "../lib/impls.js"
import { launch, openPage, serve } from "./chromium.js"

const REPO = fileURLToPath(new URL("../..", import.meta.url))
const APP = `import * as zmq from "zeromq-wasm"
window.zmq = zmq
window.ready = true
`
const HTML = `<!doctype html><html><head><meta charset="utf-8"><link rel="icon" href="data:,"></head>
<body><script type="module" src="./main.js"></script></body></html>
`

let browser: Browser
let dir: string
beforeAll(async () => {
  browser = await launch()
  // An app of its own, with the package installed as a dependency (a link to this repository).
  dir = mkdtempSync(join(tmpdir(), "zmqw-app-"))
  mkdirSync(join(dir, "node_modules"))
  symlinkSync(REPO, join(dir, "node_modules", "zeromq-wasm"))
  writeFileSync(join(dir, "main.js"), APP)
  writeFileSync(join(dir, "index.html"), HTML)
})
afterAll(async () => {
  await browser?.close()
  if (dir) rmSync(dir, { recursive: true, force: true })
})
afterEach(closeCreated)

const builds: Record<string, (out: string) => Promise<void>> = {
  async esbuild(out) {
    const esbuild = await import("esbuild")
    await esbuild.build({ entryPoints: [join(dir, "main.js")], bundle: true, format: "esm", outfile: join(out, "main.js"), logLevel: "silent" })
    writeFileSync(join(out, "index.html"), HTML)
  },
  async vite(out) {
    const vite = await import("vite")
    await vite.build({ root: dir, logLevel: "silent", configFile: false, build: { outDir: out, emptyOutDir: true } })
  },
}

for (const [name, build] of Object.entries(builds)) {
  describe(`built with ${name}, no configuration`, () => {
    it("REQ in the page → their REP, engine in a Web Worker and inline", async () => {
      const out = join(dir, `dist-${name}`)
      await build(out)
      const site = await serve(false, out, "index.html")
      const { page, errors } = await openPage(browser, site)
      try {
        const rep = their.socket("Reply")
        await rep.bind("ws://127.0.0.1:*/zmq")
        const serving = (async () => {
          for (let i = 0; i < 2; i++) {
            const [q] = await rep.receive()
            await rep.send(`${q}!`)
          }
        })()
        const got = await page.evaluate(async (endpoint) => {
          const zmq = (window as unknown as { zmq: typeof import("zeromq") & { Context: new (o?: object) => unknown } }).zmq
          const out: string[] = []
          for (const inline of [false, true]) {
            const req = new zmq.Request({ context: new zmq.Context({ inline }) } as never)
            req.connect(endpoint)
            await req.send(inline ? "inline" : "worker")
            const [r] = await req.receive()
            out.push(new TextDecoder().decode(r))
            req.close()
          }
          return out
        }, rep.lastEndpoint!)
        await serving
        expect(got).toEqual(["worker!", "inline!"])
        expect(errors).toEqual([])
      } finally {
        await page.close()
        await site.close()
      }
    })
  })
}
