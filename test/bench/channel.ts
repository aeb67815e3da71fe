// The two channels between the facade and an engine worker, side by side in one process: the
// SharedArrayBuffer rings (ts/host/channel/ring.ts; what a cross-origin isolated page uses) and
// transferred batches (Node's default; a page that is not isolated). Two contexts, one per
// channel (ZEROMQ_WASM_CHANNEL is read as each engine starts), measured in alternation,
// medians of the rounds: PUSH→PULL at 16 B, 4 KiB and 64 KiB over TCP loopback, REQ↔REP p50/p99.
//
// usage: channel [--rounds=5] [--scale=F] [--json]
import * as ours from "zeromq-wasm"
import { args } from "./proc.js"

const rounds = Number(args.get("rounds") ?? 5)
const scale = Number(args.get("scale") ?? process.env.BENCH_SCALE ?? 1)
const n = (count: number) => Math.max(100, Math.round(count * scale))

type Ctx = InstanceType<typeof ours.Context>

function context(channel: "ring" | "batches"): Ctx {
  process.env.ZEROMQ_WASM_CHANNEL = channel
  const c = new ours.Context()
  void (c as unknown as { link: unknown }).link // starts the engine now, with this channel
  delete process.env.ZEROMQ_WASM_CHANNEL
  return c
}

async function throughput(context: Ctx, size: number, messages: number): Promise<number> {
  const pull = new ours.Pull({ context, linger: 0 })
  await pull.bind("tcp://127.0.0.1:*")
  const push = new ours.Push({ context, linger: 0 })
  push.connect(pull.lastEndpoint!)
  const body = Buffer.alloc(size, 7)
  await push.send(body)
  await pull.receive()
  const start = performance.now()
  const got = (async () => {
    for (let i = 0; i < messages; i++) await pull.receive()
  })()
  for (let i = 0; i < messages; i++) await push.send(body)
  await got
  const ms = performance.now() - start
  push.close()
  pull.close()
  return (messages / ms) * 1000
}

async function roundTrips(context: Ctx, count: number): Promise<[p50: number, p99: number]> {
  const rep = new ours.Reply({ context, linger: 0 })
  await rep.bind("tcp://127.0.0.1:*")
  const req = new ours.Request({ context, linger: 0 })
  req.connect(rep.lastEndpoint!)
  const serving = (async () => {
    for (let i = 0; i < count; i++) await rep.send(await rep.receive())
  })()
  const us: number[] = []
  for (let i = 0; i < count; i++) {
    const start = performance.now()
    await req.send("x")
    await req.receive()
    us.push((performance.now() - start) * 1000)
  }
  await serving
  req.close()
  rep.close()
  us.sort((a, b) => a - b)
  return [us[count >> 1], us[Math.floor(count * 0.99)]]
}

const channels = { ring: context("ring"), batches: context("batches") }
type Figures = Record<"t16" | "t4k" | "t64k" | "p50" | "p99", number[]>
const results: Record<string, Figures> = {}
for (const name of Object.keys(channels)) results[name] = { t16: [], t4k: [], t64k: [], p50: [], p99: [] }
for (let r = 0; r < rounds; r++) {
  for (const name of r % 2 ? ["ring", "batches"] : ["batches", "ring"]) {
    const c = channels[name as keyof typeof channels]
    const f = results[name]
    f.t16.push(await throughput(c, 16, n(300_000)))
    f.t4k.push(await throughput(c, 4096, n(40_000)))
    f.t64k.push(await throughput(c, 65536, n(5_000)))
    const [p50, p99] = await roundTrips(c, n(3_000))
    f.p50.push(p50)
    f.p99.push(p99)
  }
}
const median = (a: number[]) => [...a].sort((x, y) => x - y)[a.length >> 1]
const rows = Object.entries(results).map(([channel, f]) => ({
  channel,
  msgsPerSec16: median(f.t16),
  msgsPerSec4k: median(f.t4k),
  msgsPerSec64k: median(f.t64k),
  p50us: median(f.p50),
  p99us: median(f.p99),
}))
if (args.has("json")) {
  console.log(JSON.stringify({ rounds, scale, rows }, null, 2))
} else {
  console.log(`\nThe facade↔worker channel, ours/worker over TCP loopback (medians of ${rounds} alternating rounds)`)
  console.log(["channel".padEnd(8), "16 B msg/s", "4 KiB msg/s", "64 KiB msg/s", "rtt p50 µs", "rtt p99 µs"].join("  "))
  for (const row of rows) {
    console.log([row.channel.padEnd(8), row.msgsPerSec16.toFixed(0).padStart(10), row.msgsPerSec4k.toFixed(0).padStart(11),
      row.msgsPerSec64k.toFixed(0).padStart(12), row.p50us.toFixed(0).padStart(10), row.p99us.toFixed(0).padStart(10)].join("  "))
  }
  const [ring, batches] = rows
  console.log(`ring / batches: 16 B ${(ring.msgsPerSec16 / batches.msgsPerSec16).toFixed(2)}x, 4 KiB ${(ring.msgsPerSec4k / batches.msgsPerSec4k).toFixed(2)}x, ` +
    `64 KiB ${(ring.msgsPerSec64k / batches.msgsPerSec64k).toFixed(2)}x, p50 ${(ring.p50us / batches.p50us).toFixed(2)}x`)
}
process.exit(0)
