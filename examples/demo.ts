// The live weather dashboard (`npm run demo`): the guide's weather server publishing over tcp://
// and ws:// at once, and a page (examples/demo/index.html) that subscribes from the browser to
// the zip codes typed in and charts their average temperature.
//
// usage: demo [http-port=8000] [ws-port=8001] [tcp-port=5556] [zip-range=10000-10009]
//   The page is http://127.0.0.1:<http-port>/; a libzmq SUB can connect to tcp://127.0.0.1:<tcp-port>
//   at the same time (e.g. node build/examples/wuclient.js tcp://127.0.0.1:5556 10001).
import { readFile } from "node:fs/promises"
import { createServer } from "node:http"
import type { AddressInfo } from "node:net"
import { extname, join, normalize } from "node:path"
import { fileURLToPath } from "node:url"
import * as zmq from "zeromq-wasm"

const [httpPort = "8000", wsPort = "8001", tcpPort = "5556", range = "10000-10009"] = process.argv.slice(2)
const [low, high] = range.split("-").map(Number)
const randomInt = (min: number, max: number) => min + Math.floor(Math.random() * (max - min + 1))
const ROOT = fileURLToPath(new URL("../..", import.meta.url)) // build/examples -> the repository

// One PUB, two transports: every subscriber gets the same stream whichever way it came.
const publisher = new zmq.Publisher()
await publisher.bind(`tcp://127.0.0.1:${tcpPort}`)
const tcpEndpoint = publisher.lastEndpoint
await publisher.bind(`ws://127.0.0.1:${wsPort}/weather`)
const wsEndpoint = publisher.lastEndpoint

// The page and the browser bundle, from the repository (the page asks /config for the endpoint).
const TYPES: Record<string, string> = { ".html": "text/html", ".js": "text/javascript" }
const FILES: Record<string, string> = { "/": "examples/demo/index.html", "/zeromq-wasm.js": "dist/browser/index.js" }
const server = createServer(async (req, res) => {
  const path = normalize(new URL(req.url ?? "/", "http://x").pathname)
  if (path === "/config") return res.writeHead(200, { "Content-Type": "application/json" }).end(JSON.stringify({ endpoint: wsEndpoint }))
  const file = FILES[path]
  if (!file) return res.writeHead(404).end()
  const body = await readFile(join(ROOT, file))
  res.writeHead(200, { "Content-Type": TYPES[extname(file)] ?? "application/octet-stream" }).end(body)
})
await new Promise<void>((resolve) => server.listen(Number(httpPort), "127.0.0.1", resolve))
const { port } = server.address() as AddressInfo
console.log(`demo: open http://127.0.0.1:${port}/ (weather on ${wsEndpoint} and ${tcpEndpoint}, zip codes ${low}-${high})`)

// The guide's weather server, paced to a few hundred updates a second so that a chart can follow.
for (;;) {
  for (let i = 0; i < 20; i++) {
    const zipcode = String(randomInt(low, high)).padStart(5, "0")
    await publisher.send(`${zipcode} ${randomInt(-80, 135)} ${randomInt(10, 60)}`)
  }
  await new Promise((resolve) => setTimeout(resolve, 50))
}
