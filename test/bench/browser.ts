// Browser → Node over ws://, side by side with zeromq in one run: from a page in headless
// Chromium (test/browser/chromium.ts), our REQ (engine in a Web Worker, and inline) against their
// REP bound in Node, and our PUSH to their PULL with 16-byte messages; the reference is zeromq's
// own REQ and PUSH in Node over ws:// to the same kind of peer. Ratios are ours / zeromq's.
//
// usage: browser [--roundtrips=N] [--messages=N] [--json]
import * as native from "zeromq"
import { launch, openPage, serve } from "../browser/chromium.js"
import { args } from "./proc.js"

const roundtrips = Number(args.get("roundtrips") ?? 2000)
const messages = Number(args.get("messages") ?? 50_000)
const json = args.has("json")

async function theirs<K extends "Reply" | "Pull">(kind: K) {
  const socket = new native[kind]({ linger: 0 }) as InstanceType<(typeof native)[K]>
  await socket.bind("ws://127.0.0.1:*/bench")
  return socket
}

function echo(rep: native.Reply) {
  return (async () => {
    try {
      for (;;) await rep.send(await rep.receive())
    } catch (err) {
      if (!rep.closed) throw err
    }
  })()
}

function drain(pull: native.Pull, n: number) {
  return (async () => {
    for (let i = 0; i < n; i++) await pull.receive()
  })()
}

interface Row { who: string; usPerRoundtrip: number; msgsPerSec: number }
const rows: Row[] = []

// zeromq in Node, the reference.
{
  const rep = await theirs("Reply")
  const echoing = echo(rep)
  const req = new native.Request({ linger: 0 })
  req.connect(rep.lastEndpoint!)
  const body = Buffer.alloc(16, 0x61)
  for (let i = 0; i < 100; i++) await req.send(body), await req.receive()
  let start = performance.now()
  for (let i = 0; i < roundtrips; i++) await req.send(body), await req.receive()
  const us = ((performance.now() - start) * 1000) / roundtrips
  req.close()
  rep.close()
  await echoing
  const pull = await theirs("Pull")
  const push = new native.Push({ linger: 0 })
  push.connect(pull.lastEndpoint!)
  const got = drain(pull, messages)
  start = performance.now()
  for (let i = 0; i < messages; i++) await push.send(body)
  await got
  rows.push({ who: "zeromq (Node)", usPerRoundtrip: us, msgsPerSec: messages / ((performance.now() - start) / 1000) })
  push.close()
  pull.close()
}

const [browser, site, isolatedSite] = await Promise.all([launch(), serve(), serve(true)])
const { page } = await openPage(browser, site)
// In a cross-origin isolated page the channel to the Web Worker is the SharedArrayBuffer rings
// (ts/host/channel/ring.ts); otherwise batches are transferred. Inline has no channel.
const { page: isolatedPage } = await openPage(browser, isolatedSite)
for (const [inline, isolated] of [[false, false], [true, false], [false, true]]) {
  const rep = await theirs("Reply")
  const echoing = echo(rep)
  const pull = await theirs("Pull")
  const got = drain(pull, messages + 100)
  const result = await (isolated ? isolatedPage : page).evaluate(
    async ({ repAt, pullAt, inline, roundtrips, messages }) => {
      const zmq = (window as unknown as { zmq: typeof import("zeromq") & { Context: new (o?: object) => unknown } }).zmq
      const context = new zmq.Context({ inline })
      const req = new zmq.Request({ context } as never)
      req.connect(repAt)
      const body = new Uint8Array(16).fill(0x61)
      for (let i = 0; i < 100; i++) await req.send(body), await req.receive()
      let start = performance.now()
      for (let i = 0; i < roundtrips; i++) await req.send(body), await req.receive()
      const us = ((performance.now() - start) * 1000) / roundtrips
      req.close()
      const push = new zmq.Push({ context } as never)
      push.connect(pullAt)
      for (let i = 0; i < 100; i++) await push.send(body) // warm-up, counted by the drain
      start = performance.now()
      for (let i = 0; i < messages; i++) await push.send(body)
      return { us, start, sendMs: performance.now() - start }
    },
    { repAt: rep.lastEndpoint!, pullAt: pull.lastEndpoint!, inline, roundtrips, messages },
  )
  const t0 = performance.now()
  await got // the last message received in Node: the page's sends plus what was still in flight
  const tail = performance.now() - t0
  rows.push({
    who: `ours in Chromium (${inline ? "inline" : isolated ? "Web Worker, rings" : "Web Worker"})`,
    usPerRoundtrip: result.us,
    msgsPerSec: messages / ((result.sendMs + tail) / 1000),
  })
  rep.close()
  pull.close()
  await echoing
}
// The floor: a bare WebSocket echo between the page and Node's `ws`, no ZeroMQ at all.
{
  const { WebSocketServer } = await import("ws")
  const server = new WebSocketServer({ host: "127.0.0.1", port: 0 })
  await new Promise((resolve) => server.once("listening", resolve))
  server.on("connection", (socket) => socket.on("message", (data: Buffer) => socket.send(data)))
  const us = await page.evaluate(
    async ({ url, roundtrips }) => {
      const ws = new WebSocket(url)
      ws.binaryType = "arraybuffer"
      await new Promise((resolve) => (ws.onopen = resolve))
      let arrived: () => void = () => {}
      ws.onmessage = () => arrived()
      const once = () => new Promise<void>((resolve) => ((arrived = resolve), ws.send(new Uint8Array(16))))
      for (let i = 0; i < 100; i++) await once()
      const start = performance.now()
      for (let i = 0; i < roundtrips; i++) await once()
      ws.close()
      return ((performance.now() - start) * 1000) / roundtrips
    },
    { url: `ws://127.0.0.1:${(server.address() as { port: number }).port}/`, roundtrips },
  )
  rows.push({ who: "bare WebSocket echo (floor)", usPerRoundtrip: us, msgsPerSec: NaN })
  server.close()
}
await browser.close()
await site.close()
await isolatedSite.close()

const base = rows[0]
if (json) {
  console.log(JSON.stringify({ roundtrips, messages, rows }, null, 2))
} else {
  console.log("\nBrowser → Node over ws:// (16 B): REQ→their REP round trip, PUSH→their PULL throughput")
  console.log(["who".padEnd(34), "µs/roundtrip", "msgs/s", "rtt vs zeromq", "tput vs zeromq"].join("  "))
  for (const row of rows) {
    const tput = Number.isNaN(row.msgsPerSec) ? "" : Math.round(row.msgsPerSec).toLocaleString("en-US")
    const tputRatio = row === base || Number.isNaN(row.msgsPerSec) ? "" : `${(row.msgsPerSec / base.msgsPerSec).toFixed(2)}x`
    console.log([row.who.padEnd(34), row.usPerRoundtrip.toFixed(1).padStart(12), tput.padStart(6),
      row === base ? "" : `${(row.usPerRoundtrip / base.usPerRoundtrip).toFixed(2)}x`.padStart(13), tputRatio.padStart(14)].join("  "))
  }
}
process.exit(0)
