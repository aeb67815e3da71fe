// Headless Chromium for the browser tests: Debian's chromium driven by playwright-core, and a
// static server of the repository (the page, dist/browser, wasm/) on loopback, so that the page
// is itself on a local address (Chromium refuses ws:// to loopback from other origins).
import { existsSync } from "node:fs"
import { readFile } from "node:fs/promises"
import { createServer, type Server } from "node:http"
import type { AddressInfo } from "node:net"
import { dirname, extname, join, normalize } from "node:path"
import { fileURLToPath } from "node:url"
import { type Browser, chromium, type Page } from "playwright-core"

/** The repository: the nearest directory up from here with the package's package.json (this
 *  file also runs compiled, from build/test/browser, for the browser benchmark). */
const ROOT = (() => {
  for (let dir = fileURLToPath(new URL(".", import.meta.url)); dir !== dirname(dir); dir = dirname(dir)) {
    if (existsSync(join(dir, "package.json")) && existsSync(join(dir, "wasm/zmqw.wasm"))) return dir
  }
  throw new Error("chromium.ts: cannot find the repository")
})()
const TYPES: Record<string, string> = {
  ".html": "text/html",
  ".js": "text/javascript",
  ".wasm": "application/wasm",
}
/** Debian's chromium (installed by scripts/system-deps.sh); CHROMIUM overrides. */
const EXECUTABLE = process.env.CHROMIUM ?? "/usr/bin/chromium"

export interface Site {
  url: string
  close(): Promise<void>
}

/** Serves a directory (the repository, with test/browser/page.html as "/"); with `isolated`,
 *  as a cross-origin isolated page (COOP + COEP). */
export async function serve(isolated = false, root = ROOT, index = "test/browser/page.html"): Promise<Site> {
  const server: Server = createServer(async (req, res) => {
    const path = normalize(decodeURIComponent(new URL(req.url ?? "/", "http://x").pathname))
    const file = join(root, path === "/" ? index : path)
    if (!file.startsWith(root)) return res.writeHead(403).end()
    try {
      const body = await readFile(file)
      const headers: Record<string, string> = { "Content-Type": TYPES[extname(file)] ?? "application/octet-stream" }
      if (isolated) {
        headers["Cross-Origin-Opener-Policy"] = "same-origin"
        headers["Cross-Origin-Embedder-Policy"] = "require-corp"
      }
      res.writeHead(200, headers).end(body)
    } catch {
      res.writeHead(404).end()
    }
  })
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve))
  const { port } = server.address() as AddressInfo
  return {
    url: `http://127.0.0.1:${port}/`,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  }
}

export async function launch(args: string[] = []): Promise<Browser> {
  return chromium.launch({ executablePath: EXECUTABLE, args: ["--no-sandbox", ...args] })
}

/** A fresh page with the package loaded (window.zmq, window.ready); page errors and console
 *  errors are collected for the test to check. */
export async function openPage(browser: Browser, site: Site): Promise<{ page: Page; errors: string[] }> {
  const page = await browser.newPage()
  const errors: string[] = []
  page.on("pageerror", (err) => errors.push(String(err)))
  page.on("console", (msg) => {
    // Chromium logs every failed WebSocket connection attempt: expected while a peer is down.
    if (msg.type() === "error" && !/^WebSocket connection to .* failed/.test(msg.text())) errors.push(msg.text())
  })
  await page.goto(site.url)
  await page.waitForFunction(() => (window as unknown as { ready?: boolean }).ready === true)
  return { page, errors }
}
