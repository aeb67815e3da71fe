// PUSH→PULL throughput and REQ↔REP round-trip latency over TCP loopback (or ws://), for ours
// (worker and inline contexts) and zeromq (native libzmq), interleaved per message size in one
// run. Sender and receiver live in one process, as in zeromq.js's own benchmarks.
//
// usage: bench [--scale=F] [--sizes=16,256,...] [--impls=worker,inline,native] [--transport=tcp|ws]
//              [--json]
//   --scale (or $BENCH_SCALE) multiplies every message count: 0.05 for a quick run.
import * as ours from "zeromq-wasm"
import * as native from "zeromq"

type Zmq = typeof native

interface Impl { name: string; zmq: Zmq; context: unknown }
interface Row {
  impl: string; size: number
  messages: number; msgsPerSec: number; mbPerSec: number
  roundtrips: number; usPerRoundtrip: number
  throughputVsNative?: number; latencyVsNative?: number
}

const args = new Map(process.argv.slice(2).map((arg) => {
  const [key, value = "true"] = arg.replace(/^--/, "").split("=")
  return [key, value] as const
}))
const scale = Number(args.get("scale") ?? process.env.BENCH_SCALE ?? 1)
const sizes = (args.get("sizes") ?? "16,256,4096,65536").split(",").map(Number)
const wanted = (args.get("impls") ?? "worker,inline,native").split(",")
const json = args.has("json")
const transport = args.get("transport") ?? "tcp"
const BIND = transport === "ws" ? "ws://127.0.0.1:*/bench" : "tcp://127.0.0.1:*"

// Counts for about 1-2 s per measurement with native zeromq on a 2-core machine (it does
// ~120 k msg/s and ~330 µs per round trip there with both ends in one process).
const THROUGHPUT: Record<number, number> = { 16: 250_000, 256: 200_000, 4096: 100_000, 65536: 20_000 }
const LATENCY: Record<number, number> = { 16: 5_000, 256: 5_000, 4096: 4_000, 65536: 2_000 }
const count = (table: Record<number, number>, size: number) =>
  Math.max(100, Math.round((table[size] ?? Math.max(2_000, 2e9 / (size * 1_000))) * scale))

const OursZmq = ours as unknown as Zmq
const OursContext = ours.Context as unknown as new (options?: { inline?: boolean }) => unknown
const impls: Impl[] = [
  { name: "ours/worker", zmq: OursZmq, context: new OursContext() },
  { name: "ours/inline", zmq: OursZmq, context: new OursContext({ inline: true }) },
  { name: "native", zmq: native, context: new native.Context() },
].filter(({ name }) => wanted.some((want) => name.includes(want)))

const seconds = (start: bigint) => Number(process.hrtime.bigint() - start) / 1e9

async function pair<A extends "Push" | "Request", B extends "Pull" | "Reply">(impl: Impl, a: A, b: B) {
  const options = { linger: 0, context: impl.context } as never
  const receiver = new impl.zmq[b](options) as InstanceType<Zmq[B]>
  const sender = new impl.zmq[a](options) as InstanceType<Zmq[A]>
  await receiver.bind(BIND)
  sender.connect(receiver.lastEndpoint!)
  return [sender, receiver] as const
}

/** Messages per second from the first send to the last receive. */
async function throughput(impl: Impl, size: number, messages: number) {
  const [push, pull] = await pair(impl, "Push", "Pull")
  const message = Buffer.alloc(size, 0x61)
  const run = async (n: number) => {
    const received = (async () => {
      for (let i = 0; i < n; i++) await pull.receive()
    })()
    for (let i = 0; i < n; i++) await push.send(message)
    await received
  }
  await run(Math.max(100, Math.round(messages / 10))) // warm-up: connection, JIT, buffers
  const start = process.hrtime.bigint()
  await run(messages)
  const elapsed = seconds(start)
  push.close()
  pull.close()
  return messages / elapsed
}

/** Microseconds per REQ→REP→REQ round trip. */
async function latency(impl: Impl, size: number, roundtrips: number) {
  const [req, rep] = await pair(impl, "Request", "Reply")
  const message = Buffer.alloc(size, 0x61)
  const echo = (async () => {
    try {
      for (;;) await rep.send(await rep.receive())
    } catch (error) {
      if (!rep.closed) throw error // closing the REP ends the loop
    }
  })()
  const run = async (n: number) => {
    for (let i = 0; i < n; i++) {
      await req.send(message)
      await req.receive()
    }
  }
  await run(Math.max(50, Math.round(roundtrips / 10)))
  const start = process.hrtime.bigint()
  await run(roundtrips)
  const elapsed = seconds(start)
  req.close()
  rep.close()
  await echo
  return (elapsed * 1e6) / roundtrips
}

const rows: Row[] = []
for (const size of sizes) {
  const messages = count(THROUGHPUT, size)
  const roundtrips = count(LATENCY, size)
  const bySize: Row[] = []
  for (const impl of impls) {
    const msgsPerSec = await throughput(impl, size, messages)
    const usPerRoundtrip = await latency(impl, size, roundtrips)
    bySize.push({ impl: impl.name, size, messages, msgsPerSec, mbPerSec: (msgsPerSec * size) / 1e6,
      roundtrips, usPerRoundtrip })
    if (!json) process.stderr.write(`  ${impl.name} ${size} B done\n`)
  }
  const base = bySize.find((row) => row.impl === "native")
  for (const row of bySize) {
    if (base && row !== base) {
      row.throughputVsNative = row.msgsPerSec / base.msgsPerSec
      row.latencyVsNative = row.usPerRoundtrip / base.usPerRoundtrip
    }
  }
  rows.push(...bySize)
}

if (json) {
  console.log(JSON.stringify({ scale, ours: ours.version, native: native.version, rows }, null, 2))
} else {
  const table = [["impl", "size", "msgs/s", "MB/s", "µs/roundtrip", "tput ours/native", "lat ours/native"]]
  const ratio = (value?: number) => (value === undefined ? "" : `${value.toFixed(2)}x`)
  for (const row of rows) {
    table.push([row.impl, String(row.size), Math.round(row.msgsPerSec).toLocaleString("en-US"),
      row.mbPerSec.toFixed(1), row.usPerRoundtrip.toFixed(1),
      ratio(row.throughputVsNative), ratio(row.latencyVsNative)])
  }
  const widths = table[0].map((_, column) => Math.max(...table.map((line) => line[column].length)))
  console.log(`\nPUSH→PULL throughput and REQ↔REP latency, ${transport === "ws" ? "ws://" : "TCP"} loopback (scale ${scale})`)
  for (const line of table) {
    console.log(line.map((cell, column) => column === 0 ? cell.padEnd(widths[column])
      : cell.padStart(widths[column])).join("  "))
  }
}
