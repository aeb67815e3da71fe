// Large messages: PUSH→PULL over TCP loopback with sender and receiver in separate processes, so
// each side's peak RSS is its own. For each size, ours (worker and inline contexts) and zeromq
// (native libzmq) in one run: the time from the first send() to the last message received, how
// long the first send() took to resolve, and each process's peak RSS (getrusage's maxrss).
//
// usage: large [--sizes=1M,16M,256M] [--impls=worker,inline,native] [--receiver=bind|connect] [--json]
//   --receiver=connect: the PUSH binds and the PULL connects (ours then reads a large body
//   straight into place: node:net's onread, which Node has for client sockets only).
import { args, child } from "./proc.js"

const units: Record<string, number> = { K: 1 << 10, M: 1 << 20, G: 1 << 30 }
const parseSize = (text: string) => Number.parseFloat(text) * (units[text.at(-1)!.toUpperCase()] ?? 1)
const sizes = (args.get("sizes") ?? "1M,16M,256M").split(",").map(parseSize)
const wanted = (args.get("impls") ?? "worker,inline,native").split(",")
const json = args.has("json")
const receiverConnects = args.get("receiver") === "connect"

/** Messages per run: about 256 MiB in total for small sizes, one for the largest. */
const countFor = (size: number) => Math.max(1, Math.min(64, Math.round((256 << 20) / size)))

const modules = { ours: import.meta.resolve("zeromq-wasm"), native: import.meta.resolve("zeromq") }
const impls = [
  { name: "ours/worker", module: modules.ours, context: "new zmq.Context()" },
  { name: "ours/inline", module: modules.ours, context: "new zmq.Context({ inline: true })" },
  { name: "native", module: modules.native, context: "new zmq.Context()" },
].filter(({ name }) => wanted.some((want) => name.includes(want)))

type Impl = (typeof impls)[number]

/** The receiver: binds, prints its endpoint, receives `count` messages of `size` bytes, checks
 *  their length and last byte, prints the time it got the last one and its peak RSS. */
const receiverSource = (impl: Impl, size: number, count: number, endpoint = "") => `
import * as zmq from ${JSON.stringify(impl.module)}
const pull = new zmq.Pull({ context: ${impl.context}, linger: 0 })
${receiverConnects ? `pull.connect(${JSON.stringify(endpoint)})
console.log("connecting")` : `await pull.bind("tcp://127.0.0.1:*")
console.log("endpoint " + pull.lastEndpoint)`}
for (let i = 0; i < ${count}; i++) {
  const [msg] = await pull.receive()
  if (msg.length !== ${size} || msg[${size - 1}] !== (i & 0xff)) throw new Error("bad message " + i)
}
console.log("done " + (performance.timeOrigin + performance.now()))
console.log("rss " + process.resourceUsage().maxRSS)
pull.close()`

/** The sender: connects, sends `count` messages (the last byte of each is its index), prints
 *  when it started and how long the first send() took; on SIGUSR2 (once the receiver has it all)
 *  its peak RSS, and it exits (an explicit native Context would keep it alive otherwise). */
const senderSource = (impl: Impl, endpoint: string, size: number, count: number) => `
import * as zmq from ${JSON.stringify(impl.module)}
const push = new zmq.Push({ context: ${impl.context} })
${receiverConnects ? `await push.bind("tcp://127.0.0.1:*")
console.log("endpoint " + push.lastEndpoint)
await new Promise((resolve) => process.stdin.once("data", resolve)) // the receiver is connecting` : `push.connect(${JSON.stringify(endpoint)})`}
process.on("SIGUSR2", () => {
  console.log("rss " + process.resourceUsage().maxRSS)
  process.exit(0)
})
console.log("start " + (performance.timeOrigin + performance.now()))
for (let i = 0; i < ${count}; i++) {
  // A Buffer per message: zeromq sends a Buffer by reference, so one reused would change under it.
  const body = Buffer.alloc(${size}, 0x61)
  body[${size - 1}] = i & 0xff
  const t0 = performance.now()
  await push.send(body)
  if (i === 0) console.log("first " + (performance.now() - t0))
}
push.close()
setInterval(() => {}, 1 << 30) // wait for SIGUSR2`


interface Row {
  impl: string; size: number; count: number
  seconds: number; firstSendMs: number; senderRssMiB: number; receiverRssMiB: number
  timeVsNative?: number
}

async function measure(impl: Impl, size: number, count: number): Promise<Row> {
  let receiver, sender
  if (receiverConnects) {
    sender = child(senderSource(impl, "", size, count))
    receiver = child(receiverSource(impl, size, count, await sender.line("endpoint")))
    await receiver.line("connecting")
    sender.tell("go")
  } else {
    receiver = child(receiverSource(impl, size, count))
    sender = child(senderSource(impl, await receiver.line("endpoint"), size, count))
  }
  const [start, first, done] = await Promise.all([sender.line("start"), sender.line("first"), receiver.line("done")])
  sender.signal("SIGUSR2")
  const [senderRss, receiverRss] = await Promise.all([sender.line("rss"), receiver.line("rss")])
  await Promise.all([sender.exited, receiver.exited])
  const mib = (kib: string) => Number(kib) / 1024
  return { impl: impl.name, size, count, seconds: (Number(done) - Number(start)) / 1000,
    firstSendMs: Number(first), senderRssMiB: mib(senderRss), receiverRssMiB: mib(receiverRss) }
}

const rows: Row[] = []
for (const size of sizes) {
  const count = countFor(size)
  const bySize: Row[] = []
  for (const impl of impls) {
    bySize.push(await measure(impl, size, count))
    if (!json) process.stderr.write(`  ${impl.name} ${size} B × ${count} done\n`)
  }
  const base = bySize.find((row) => row.impl === "native")
  for (const row of bySize) if (base && row !== base) row.timeVsNative = row.seconds / base.seconds
  rows.push(...bySize)
}

if (json) {
  console.log(JSON.stringify({ rows }, null, 2))
} else {
  const table = [["impl", "size", "msgs", "time s", "MB/s", "1st send() ms", "sender RSS MiB", "receiver RSS MiB", "time ours/native"]]
  for (const row of rows) {
    table.push([row.impl, `${row.size / (1 << 20)} MiB`, String(row.count), row.seconds.toFixed(2),
      ((row.size * row.count) / row.seconds / 1e6).toFixed(0), row.firstSendMs.toFixed(1),
      row.senderRssMiB.toFixed(0), row.receiverRssMiB.toFixed(0),
      row.timeVsNative === undefined ? "" : `${row.timeVsNative.toFixed(2)}x`])
  }
  const widths = table[0].map((_, column) => Math.max(...table.map((line) => line[column].length)))
  console.log(`\nLarge messages, PUSH→PULL, sender and receiver in separate processes, TCP loopback, ` +
    `the ${receiverConnects ? "PULL connecting" : "PULL binding"}`)
  for (const line of table) {
    console.log(line.map((cell, column) => column === 0 ? cell.padEnd(widths[column])
      : cell.padStart(widths[column])).join("  "))
  }
}
