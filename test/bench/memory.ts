// Memory under pressure: the five scenarios of the memory report, for ours (worker and inline
// contexts) and zeromq (native libzmq) side by side in one run. Every role runs in its own
// process, so an RSS figure is the measured process's own. The measured process samples
// process.memoryUsage() (rss and arrayBuffers, the latter of its main thread only) once it is
// warmed up (sockets open and connected, a few messages exchanged) and then every 50 ms and at the
// end; "growth" is peak minus that first sample.
//
//   slowsub   PUB publishes 64 B messages as fast as `await send()` goes for --seconds (PUB drops
//             at SNDHWM 1000) to a SUB in another process that reads 1,000 msg/s; measured: the
//             publisher. Reported: its RSS growth, messages published, messages the SUB got.
//   slowpull  PUSH `await send()`s a fresh 16 KiB Buffer in a loop for --seconds to a PULL in
//             another process that reads 1,000 msg/s; measured: the sender.
//   churn     --cycles of: Reply binds tcp://127.0.0.1:*, Request connects, one request and reply,
//             both close. Run under --expose-gc with gc() before each sample, so it is retained
//             memory, not garbage (gc() reaches the main thread's heap only, not the engine
//             worker's). Reported: RSS growth from cycle 100 to the end, RSS at the quarter points.
//   hostile   a PULL bound on tcp receives a --messages stream of 64 B messages from a PUSH process;
//             when the stream starts a third process opens --clients raw TCP connections to the
//             PULL's port, of six kinds in turn: garbage; a valid greeting then junk; a full NULL
//             handshake as a PUSH then a frame header declaring 2 GiB (2^31 B: ours refuses that
//             from the header, above INT32_MAX) and 1 KiB of it; the same declaring 2^31 - 1 B
//             (accepted by both, so the body's allocation is what is tested); a valid greeting
//             and then nothing; nothing at all. They stay open until the end. Measured: the
//             PULL. Reported: its RSS growth, whether every message arrived, how many of the
//             hostile connections the PULL closed.
//   stream    the same stream without the hostile clients: what the stream alone costs.
//   killpeer  PUSH (SNDHWM 1000, no timeouts) connected to a fixed port `await send()`s sequence
//             numbers continuously; a PULL process bound on that port counts them; after 1 s it is
//             SIGKILLed, and 2 s later a fresh PULL binds the same port; 1 s later sending stops.
//             Reported: sends that resolved while no PULL was bound ("accepted while down"),
//             sequence numbers that reached neither PULL ("lost"; split by when they were sent), of
//             those accepted while down how many waited for the next PULL (not lost: at most SNDHWM),
//             and whether traffic resumed; and, at the kill, how many sends had resolved that the
//             first PULL never got ("in flight") and the bytes queued in the kernel's TCP buffers
//             of that connection (ss). The sender is as fast as each implementation's `send()`.
//   killpaced the same with the sender paced at --rate msg/s (20,000), which every receiver keeps
//             up with, so "accepted while down" starts from the same (empty) queues.
//
// usage: memory [--scenarios=slowsub,slowpull,churn,stream,hostile,killpeer,killpaced]
//               [--impls=worker,inline,native] [--seconds=10] [--cycles=2500] [--messages=100000]
//               [--clients=50] [--rate=20000] [--json] [--trace]
// --trace adds to killpeer/killpaced, in inline mode, what the sender's host wrote to the dead
// connection after the kill (see traceWrites), in --json's details.
import { execFileSync } from "node:child_process"
import { mkdtempSync, readFileSync, rmSync } from "node:fs"
import { createServer } from "node:net"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { hostileKindsSource } from "./hostile-kinds.js"
import { args, child } from "./proc.js"

const wanted = (args.get("impls") ?? "worker,inline,native").split(",")
const scenarioNames = ["slowsub", "slowpull", "churn", "stream", "hostile", "killpeer", "killpaced"] as const
const wantedScenarios = (args.get("scenarios") ?? scenarioNames.join(",")).split(",")
const seconds = Number(args.get("seconds") ?? 10)
const cycles = Number(args.get("cycles") ?? 2500)
const messages = Number(args.get("messages") ?? 100_000)
const clients = Number(args.get("clients") ?? 50)
const json = args.has("json")
const trace = args.has("trace")

const modules = { ours: import.meta.resolve("zeromq-wasm"), native: import.meta.resolve("zeromq") }
const impls = [
  { name: "ours/worker", module: modules.ours, context: "new zmq.Context()" },
  { name: "ours/inline", module: modules.ours, context: "new zmq.Context({ inline: true })" },
  { name: "native", module: modules.native, context: "new zmq.Context()" },
].filter(({ name }) => wanted.some((want) => name.includes(want)))

type Impl = (typeof impls)[number]

/** What every child starts with: the implementation and one context; `say(key, value)` prints a
 *  line for the parent, `heard(key)` resolves on a line from it; `now()` is CLOCK_MONOTONIC in ms,
 *  the same clock in every process; `markStart`/`sample`/`memReport` track RSS and arrayBuffers. */
const prelude = (impl: Impl | null) => `
${impl ? `import * as zmq from ${JSON.stringify(impl.module)}` : ""}
import { createInterface } from "node:readline"
${impl ? `const ctx = ${impl.context}` : ""}
const say = (key, value = "") => process.stdout.write(key + " " + (typeof value === "string" ? value : JSON.stringify(value)) + "\\n")
const inbox = new Map(), waiters = new Map()
createInterface({ input: process.stdin }).on("line", (line) => {
  const [key, ...rest] = line.split(" ")
  const value = rest.join(" ")
  if (waiters.has(key)) { waiters.get(key)(value); waiters.delete(key) } else inbox.set(key, value)
})
const heard = (key) => inbox.has(key) ? Promise.resolve(inbox.get(key)) : new Promise((resolve) => waiters.set(key, resolve))
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms))
const now = () => Number(process.hrtime.bigint()) / 1e6
const MiB = 1 << 20
const mem = { start: 0, startAb: 0, peak: 0, peakAb: 0 }
let lastSample = 0
function sample() {
  const m = process.memoryUsage()
  mem.peak = Math.max(mem.peak, m.rss)
  mem.peakAb = Math.max(mem.peakAb, m.arrayBuffers)
  lastSample = now()
  return m
}
function maybeSample() { if (now() - lastSample >= 50) sample() }
let sampler
function markStart() {
  const m = process.memoryUsage()
  mem.start = mem.peak = m.rss
  mem.startAb = mem.peakAb = m.arrayBuffers
  sampler = setInterval(sample, 50)
}
function memReport() {
  const m = sample()
  clearInterval(sampler)
  return { startMiB: mem.start / MiB, peakMiB: mem.peak / MiB, endMiB: m.rss / MiB,
    growthMiB: (mem.peak - mem.start) / MiB, abStartMiB: mem.startAb / MiB,
    abPeakMiB: mem.peakAb / MiB, abEndMiB: m.arrayBuffers / MiB }
}
`


const now = () => Number(process.hrtime.bigint()) / 1e6

interface Mem { startMiB: number; peakMiB: number; endMiB: number; growthMiB: number
  abStartMiB: number; abPeakMiB: number; abEndMiB: number }
interface Row { scenario: string; impl: string; mem: Mem; details: Record<string, unknown>; summary: string }

// ---------------------------------------------------------------------------------------------
// slowsub

const slowSubPublisher = (impl: Impl) => `${prelude(impl)}
const pub = new zmq.Publisher({ context: ctx })
await pub.bind("tcp://127.0.0.1:*")
say("endpoint", pub.lastEndpoint)
let warm = true
heard("warm").then(() => { warm = false })
while (warm) { await pub.send("warm"); await sleep(10) }
markStart()
say("start")
const end = now() + ${seconds * 1000}
let sent = 0
while (now() < end) {
  await pub.send(Buffer.alloc(64, sent & 0xff))
  sent++
  if ((sent & 255) === 0) maybeSample()
}
say("sent", String(sent))
for (let i = 0; i < 5; i++) { await sleep(50); sample() }
say("mem", memReport())
await heard("exit")
process.exit(0)`

/** Reads at `rate` messages per second, paced by the clock; on "stop" prints what it got. */
const pacedReader = (impl: Impl, setup: string, rate: number, size: number) => `${prelude(impl)}
${setup}
let got = 0
await sock.receive()
say("warm")
heard("stop").then(() => { say("got", String(got)); process.exit(0) })
const t0 = now()
for (let n = 0; ; n++) {
  const [msg] = await sock.receive()
  if (msg.length === ${size}) got++
  const wait = t0 + (n + 1) * ${1000 / rate} - now()
  if (wait > 0) await sleep(wait)
}`

async function slowSub(impl: Impl): Promise<Row> {
  const pub = child(slowSubPublisher(impl))
  const endpoint = await pub.line("endpoint")
  const sub = child(pacedReader(impl, `const sock = new zmq.Subscriber({ context: ctx })
sock.connect(${JSON.stringify(endpoint)})
sock.subscribe()`, 1000, 64))
  await sub.line("warm")
  pub.tell("warm")
  const sent = Number(await pub.line("sent"))
  sub.tell("stop")
  const got = Number(await sub.line("got"))
  const mem: Mem = await pub.json("mem")
  pub.tell("exit")
  await Promise.all([pub.exited, sub.exited])
  return { scenario: "slowsub", impl: impl.name, mem, details: { published: sent, subscriberGot: got },
    summary: `published ${sent.toLocaleString("en")}, SUB got ${got.toLocaleString("en")}` }
}

// ---------------------------------------------------------------------------------------------
// slowpull

const slowPullSender = (impl: Impl, endpoint: string) => `${prelude(impl)}
const push = new zmq.Push({ context: ctx })
push.connect(${JSON.stringify(endpoint)})
for (let i = 0; i < 10; i++) await push.send(Buffer.alloc(16384, i & 0xff))
await heard("go")
markStart()
const end = now() + ${seconds * 1000}
let sent = 0
while (now() < end) {
  // A Buffer per message: zeromq sends a Buffer by reference, so one reused would change under it.
  await push.send(Buffer.alloc(16384, sent & 0xff))
  sent++
  if ((sent & 15) === 0) maybeSample()
}
say("sent", String(sent))
for (let i = 0; i < 5; i++) { await sleep(50); sample() }
say("mem", memReport())
await heard("exit")
process.exit(0)`

const bindingPull = (impl: Impl, rate: number, size: number) => pacedReader(impl,
  `const sock = new zmq.Pull({ context: ctx })
await sock.bind("tcp://127.0.0.1:*")
say("endpoint", sock.lastEndpoint)`, rate, size)

async function slowPull(impl: Impl): Promise<Row> {
  const pull = child(bindingPull(impl, 1000, 16384))
  const endpoint = await pull.line("endpoint")
  const push = child(slowPullSender(impl, endpoint))
  await pull.line("warm")
  push.tell("go")
  const sent = Number(await push.line("sent"))
  pull.tell("stop")
  const got = Number(await pull.line("got"))
  const mem: Mem = await push.json("mem")
  push.tell("exit")
  await Promise.all([push.exited, pull.exited])
  return { scenario: "slowpull", impl: impl.name, mem, details: { sent, pullGot: got },
    summary: `sent ${sent.toLocaleString("en")}, PULL got ${got.toLocaleString("en")}` }
}

// ---------------------------------------------------------------------------------------------
// churn

const churnSource = (impl: Impl) => `${prelude(impl)}
import { readdirSync } from "node:fs"
const points = new Set([100, ${Math.round(cycles / 4)}, ${Math.round(cycles / 2)}, ${Math.round(cycles * 3 / 4)}, ${cycles}])
const samples = []
const t0 = now()
for (let i = 1; i <= ${cycles}; i++) {
  const rep = new zmq.Reply({ context: ctx })
  await rep.bind("tcp://127.0.0.1:*")
  const req = new zmq.Request({ context: ctx })
  req.connect(rep.lastEndpoint)
  await req.send("ping")
  await rep.receive()
  await rep.send("pong")
  await req.receive()
  req.close()
  rep.close()
  if (points.has(i)) {
    await sleep(20)
    globalThis.gc(); globalThis.gc()
    const m = process.memoryUsage()
    samples.push({ cycle: i, rssMiB: m.rss / MiB, abMiB: m.arrayBuffers / MiB, heapMiB: m.heapUsed / MiB,
      fds: readdirSync("/proc/self/fd").length, ms: now() - t0 })
    if (i === 100) markStart()
  }
}
say("samples", samples)
say("mem", memReport())
process.exit(0)`

async function churn(impl: Impl): Promise<Row> {
  const proc = child(churnSource(impl), ["--expose-gc"])
  const samples: { cycle: number; rssMiB: number; abMiB: number; heapMiB: number; fds: number; ms: number }[] =
    await proc.json("samples")
  const mem: Mem = await proc.json("mem")
  await proc.exited
  const first = samples[0], last = samples.at(-1)!
  // Growth here is retained memory: from the sample at cycle 100 to the one at the end.
  mem.growthMiB = last.rssMiB - first.rssMiB
  const msPerCycle = (last.ms - first.ms) / (last.cycle - first.cycle)
  return { scenario: "churn", impl: impl.name, mem, details: { samples, msPerCycle },
    summary: `RSS ${samples.map((s) => s.rssMiB.toFixed(0)).join("→")} MiB at cycles ${samples.map((s) => s.cycle).join("/")}; ` +
      `fds ${first.fds}→${last.fds}; ${msPerCycle.toFixed(2)} ms/cycle` }
}

// ---------------------------------------------------------------------------------------------
// hostile

const hostilePull = (impl: Impl) => `${prelude(impl)}
const pull = new zmq.Pull({ context: ctx, receiveTimeout: 15000 })
await pull.bind("tcp://127.0.0.1:*")
say("endpoint", pull.lastEndpoint)
for (let i = 0; i < 100; i++) await pull.receive()
markStart()
say("warm")
// Ours arrive in order, 64 B each filled with the index's low byte; anything else came from a
// hostile client (libzmq reads a peer whose first byte is not 0xFF as ZMTP 1.0 and delivers its
// "frames") and is counted as foreign, or is ours out of order (bad).
let got = 0, bad = 0, foreign = 0, t0 = 0, error = ""
const isOurs = (msg) => msg.length === 64 && msg.every((byte) => byte === msg[0])
try {
  while (got < ${messages}) {
    const [msg] = await pull.receive()
    if (got === 0) t0 = now()
    if (!isOurs(msg)) { foreign++; continue }
    if (msg[0] !== (got & 0xff)) bad++
    got++
    if ((got & 1023) === 0) maybeSample()
  }
} catch (err) { error = String(err.code ?? err) }
say("got", { got, bad, foreign, ms: now() - t0, error })
// The hostile connections are still open: keep sampling a little longer.
for (let i = 0; i < 10; i++) { await sleep(50); sample() }
say("mem", memReport())
await heard("exit")
process.exit(0)`

const hostilePush = (impl: Impl, endpoint: string) => `${prelude(impl)}
const push = new zmq.Push({ context: ctx })
push.connect(${JSON.stringify(endpoint)})
for (let i = 0; i < 100; i++) await push.send(Buffer.alloc(64))
await heard("go")
for (let i = 0; i < ${messages}; i++) await push.send(Buffer.alloc(64, i & 0xff))
say("sent")
await heard("exit")
process.exit(0)`

/** The hostile clients, one kind after another; each stays open until "exit", and counts as
 *  "closed" if the PULL closed it first. */
const hostileClients = (endpoint: string, clients: number) => `${prelude(null)}
import { connect } from "node:net"
import { randomBytes } from "node:crypto"
const [host, port] = ${JSON.stringify(endpoint.replace("tcp://", ""))}.split(":")
${hostileKindsSource}
const names = Object.keys(kinds)
const stats = Object.fromEntries(names.map((name) => [name, { opened: 0, closed: 0 }]))
let exiting = false
const sockets = []
await heard("go")
for (let i = 0; i < ${clients}; i++) {
  const kind = names[i % names.length]
  const s = connect(Number(port), host)
  let timer
  s.on("connect", () => { stats[kind].opened++; timer = kinds[kind](s) })
  s.on("data", () => {})
  s.on("error", () => {})
  s.on("close", () => { clearInterval(timer); if (!exiting) stats[kind].closed++ })
  sockets.push(s)
}
say("opened")
await heard("exit")
exiting = true
say("stats", stats)
process.exit(0)`

async function hostile(impl: Impl, clients: number): Promise<Row> {
  const pull = child(hostilePull(impl))
  const endpoint = await pull.line("endpoint")
  const push = child(hostilePush(impl, endpoint))
  const clientsProc = child(hostileClients(endpoint, clients))
  await pull.line("warm")
  clientsProc.tell("go")
  push.tell("go")
  const got: { got: number; bad: number; foreign: number; ms: number; error: string } = await pull.json("got")
  const mem: Mem = await pull.json("mem")
  clientsProc.tell("exit")
  const stats: Record<string, { opened: number; closed: number }> = await clientsProc.json("stats")
  pull.tell("exit")
  push.tell("exit")
  await Promise.all([pull.exited, push.exited, clientsProc.exited])
  const closed = Object.entries(stats).map(([kind, s]) => `${kind} ${s.closed}/${s.opened}`).join(", ")
  return { scenario: clients ? "hostile" : "stream", impl: impl.name, mem, details: { ...got, hostile: stats },
    summary: `got ${got.got.toLocaleString("en")}/${messages.toLocaleString("en")}${got.bad ? ` (${got.bad} out of order)` : ""}` +
      `${got.foreign ? ` + ${got.foreign} foreign` : ""}` +
      `${got.error ? ` ${got.error}` : ""} in ${got.ms.toFixed(0)} ms${clients ? `; closed by PULL: ${closed}` : ""}` }
}

// ---------------------------------------------------------------------------------------------
// killpeer

/** Counts what it receives. The first PULL keeps its count and highest sequence number in a file
 *  (a positional write per message, so a SIGKILL loses nothing it had received); the second keeps
 *  every sequence number and prints them as ranges on "report". */
const killPeerPull = (impl: Impl, endpoint: string, file: string | null) => `${prelude(impl)}
import { openSync, writeSync } from "node:fs"
const pull = new zmq.Pull({ context: ctx })
${file ? "" : `await heard("bind")`}
await pull.bind(${JSON.stringify(endpoint)})
say("bound", String(now()))
const fd = ${file ? `openSync(${JSON.stringify(file)}, "w")` : "-1"}
const record = new Float64Array(2)
const seen = []
let count = 0, max = -1
heard("report").then(() => {
  const ranges = []
  for (const seq of seen.sort((a, b) => a - b)) {
    const last = ranges.at(-1)
    if (last && seq <= last[1] + 1) last[1] = Math.max(last[1], seq); else ranges.push([seq, seq])
  }
  say("report", { count, max, ranges })
  process.exit(0)
})
for (;;) {
  const [msg] = await pull.receive()
  const seq = Number(msg.toString())
  count++
  max = Math.max(max, seq)
  if (fd >= 0) { record[0] = count; record[1] = max; writeSync(fd, record, 0, 16, 0) } else seen.push(seq)
  if (count === 1) say("first", String(seq))
}`

const killPeerPush = (impl: Impl, endpoint: string, rate: number) => `${prelude(impl)}
${trace ? traceWrites(Number(endpoint.split(":").at(-1))) : "const traced = () => null, traceFrom = () => {}"}
const push = new zmq.Push({ context: ctx, sendHighWaterMark: 1000 })
push.connect(${JSON.stringify(endpoint)})
const times = new Float64Array(1 << 24)
let seq = 0
const t0 = now()
let phase = 0, stop = false
// The schedule, checked by a timer and by the loop (a send that resolves at once never yields).
function tick() {
  const t = now() - t0
  if (phase === 0 && t >= 1000) { phase = 1; traceFrom(now()); say("kill", { seq, writable: writableBytes() }) }
  if (phase === 1 && t >= 3000) { phase = 2; say("restart") }
  if (phase === 2 && t >= 4000) stop = true
}
// Bytes Node holds in the write queues of this thread's sockets (the host's, in inline mode only).
const writableBytes = () => process._getActiveHandles().reduce((sum, h) => sum + (h.writableLength ?? 0), 0)
const timer = setInterval(tick, 5)
const stuck = setTimeout(() => finish(true), 9000)
let finished = false
async function finish(stuck) {
  if (finished) return
  finished = true
  clearInterval(timer)
  say("sent", { sent: seq, stuck })
  const [kill, bound] = (await heard("window")).split(" ").map(Number)
  // Sends resolved before the kill, while no PULL was bound, and after the new one bound.
  let before = 0, down = 0, after = 0, firstDown = -1, lastDown = -1
  for (let i = 0; i < seq; i++) {
    if (times[i] < kill) before++
    else if (times[i] < bound) { down++; if (firstDown < 0) firstDown = i; lastDown = i }
    else after++
  }
  say("window", { before, down, after, firstDown, lastDown, trace: traced(kill, bound) })
  await heard("exit")
  process.exit(0)
}
while (!stop) {
  ${rate ? `if (seq >= (now() - t0) * ${rate / 1000}) { await sleep(1); tick(); continue }` : ""}
  await push.send(String(seq))
  times[seq++] = now()
  if ((seq & 63) === 0) tick()
}
finish(false)`

async function freePort() {
  const server = createServer()
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve))
  const port = (server.address() as { port: number }).port
  await new Promise((resolve) => server.close(resolve))
  return port
}

/** --trace (inline mode, where the host's sockets are on the sender's main thread): from the
 *  sender's "kill" on, every write() to a socket whose peer is the PULL's port, with the first and
 *  last sequence number in it (ZMTP frames: flags, size, body), and when that socket reported
 *  "error" and "close"; \`traced(kill, bound)\` sums those after the kill. */
const traceWrites = (port: number) => `
import net from "node:net"
const writes = [], events = []
let tracing = Infinity
const traceFrom = (t) => { tracing = t }
const seqsIn = (chunk) => {
  const bytes = chunk instanceof Uint8Array ? chunk : Buffer.from(chunk)
  let first = -1, last = -1
  for (let i = 0; i + 1 < bytes.length; ) {
    const flags = bytes[i], size = bytes[i + 1]
    if (flags & 0x06) break // not a short message frame: stop parsing this chunk
    const seq = Number(Buffer.from(bytes.subarray(i + 2, i + 2 + size)).toString())
    if (Number.isInteger(seq)) { if (first < 0) first = seq; last = seq }
    i += 2 + size
  }
  return [first, last]
}
const write = net.Socket.prototype.write
net.Socket.prototype.write = function (chunk, ...rest) {
  if (this.remotePort === ${port}) this.tracedPort = true
  if (this.tracedPort && now() >= tracing) writes.push([now(), chunk.length, ...seqsIn(chunk), this.writableLength])
  return write.call(this, chunk, ...rest)
}
const emit = net.Socket.prototype.emit
net.Socket.prototype.emit = function (name, ...rest) {
  if (this.tracedPort && now() >= tracing && (name === "error" || name === "close" || name === "drain"))
    events.push([now(), name, rest[0]?.code ?? ""])
  return emit.call(this, name, ...rest)
}
const traced = (kill, bound) => {
  const after = writes.filter(([t]) => t >= kill && t < bound)
  const seqs = after.flatMap(([, , first, last]) => first < 0 ? [] : [first, last])
  return { writes: after.length, bytes: after.reduce((sum, w) => sum + w[1], 0),
    firstSeq: seqs.length ? Math.min(...seqs) : -1, lastSeq: seqs.length ? Math.max(...seqs) : -1,
    events: events.filter(([t]) => t >= kill - 5).slice(0, 8).map(([t, name, code]) => [Math.round((t - kill) * 10) / 10, name, code]) }
}`

/** Bytes queued in the kernel on the TCP connections to or from `port`: [Send-Q, Recv-Q] sums. */
function kernelQueues(port: number) {
  const out = execFileSync("ss", ["-tnH", "state", "established", `( sport = :${port} or dport = :${port} )`]).toString()
  let send = 0, recv = 0
  for (const line of out.trim().split("\n").filter(Boolean)) {
    const [recvQ, sendQ] = line.trim().split(/\s+/).map(Number)
    recv += recvQ
    send += sendQ
  }
  return { send, recv }
}

async function killPeer(impl: Impl, rate = 0): Promise<Row> {
  const port = await freePort()
  const endpoint = `tcp://127.0.0.1:${port}`
  const dir = mkdtempSync(join(tmpdir(), "zmq-killpeer-"))
  const file = join(dir, "pull1")
  const pull1 = child(killPeerPull(impl, endpoint, file))
  await pull1.line("bound")
  const pull2 = child(killPeerPull(impl, endpoint, null)) // started now, binds on "bind"
  const push = child(killPeerPush(impl, endpoint, rate))
  await pull1.line("first")
  const atKill: { seq: number; writable: number } = JSON.parse(await push.line("kill"))
  const kernel = kernelQueues(port)
  pull1.kill()
  const killAt = now()
  await pull1.exited
  await push.line("restart")
  pull2.tell("bind")
  const boundAt = Number(await pull2.line("bound"))
  const sent: { sent: number; stuck: boolean } = await push.json("sent")
  push.tell(`window ${killAt} ${boundAt}`)
  const window: { before: number; down: number; after: number; firstDown: number; lastDown: number; trace: unknown } =
    await push.json("window")
  await new Promise((resolve) => setTimeout(resolve, 1000)) // let the tail arrive
  pull2.tell("report")
  const report: { count: number; max: number; ranges: [number, number][] } = await pull2.json("report")
  push.tell("exit")
  await Promise.all([push.exited, pull2.exited])
  const bytes = readFileSync(file)
  const record = new Float64Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + 16))
  rmSync(dir, { recursive: true })
  const [count1, max1] = record
  // Which sequence numbers reached neither PULL; the first got 0..max1 (in order, over one TCP).
  const received = new Uint8Array(sent.sent)
  received.fill(1, 0, max1 + 1)
  let duplicates = 0
  for (const [from, to] of report.ranges) {
    for (let seq = from; seq <= to && seq < sent.sent; seq++) duplicates += received[seq]++ ? 1 : 0
  }
  const lostIn = (from: number, to: number) => { let n = 0; for (let s = from; s < to; s++) n += received[s] ? 0 : 1; return n }
  const downFrom = window.firstDown < 0 ? window.before : window.firstDown
  const downTo = window.lastDown < 0 ? window.before : window.lastDown + 1
  const lost = { beforeKill: lostIn(0, downFrom), whileDown: lostIn(downFrom, downTo), afterRestart: lostIn(downTo, sent.sent) }
  const resumed = report.ranges.some(([, to]) => to >= downTo) && !sent.stuck
  const mem: Mem = { startMiB: NaN, peakMiB: NaN, endMiB: NaN, growthMiB: NaN, abStartMiB: NaN, abPeakMiB: NaN, abEndMiB: NaN }
  const inFlight = window.before - count1
  return { scenario: rate ? "killpaced" : "killpeer", impl: impl.name, mem,
    details: { rate, sent: sent.sent, stuck: sent.stuck, window, downMs: boundAt - killAt, pull1: { count: count1, max: max1 },
      atKill: { inFlight, kernelSendQ: kernel.send, kernelRecvQ: kernel.recv, senderNodeWritable: atKill.writable },
      pull2: { count: report.count, max: report.max, ranges: report.ranges.length <= 20 ? report.ranges : report.ranges.length },
      lost, duplicates, resumed, trace: window.trace },
    // Of those accepted while down, the ones that were not lost waited for the next PULL: at most
    // SNDHWM once the connection's error is seen; the rest went into the dying PULL's kernel
    // buffers before it was (its process teardown takes ~20 ms here), at the sender's speed.
    summary: `accepted while down ${window.down.toLocaleString("en")} (${(boundAt - killAt).toFixed(0)} ms; ` +
      `${(window.down - lost.whileDown).toLocaleString("en")} of them queued for the next PULL); ` +
      `in flight at kill ${inFlight.toLocaleString("en")} (kernel Send-Q ${(kernel.send / 1024).toFixed(0)} KiB, ` +
      `Recv-Q ${(kernel.recv / 1024).toFixed(0)} KiB` +
      `${atKill.writable ? `, sender's Node write queues ${(atKill.writable / 1024).toFixed(0)} KiB` : ""}); ` +
      `lost ${lost.beforeKill}+${lost.whileDown}+${lost.afterRestart} (before kill+while down+after); ` +
      `${duplicates ? `${duplicates} duplicated; ` : ""}resumed ${resumed ? "yes" : "NO"}; ` +
      `sent ${sent.sent.toLocaleString("en")}, PULL1 ${count1.toLocaleString("en")}, PULL2 ${report.count.toLocaleString("en")}` }
}

// ---------------------------------------------------------------------------------------------

const pacedRate = Number(args.get("rate") ?? 20_000)
const scenarios = { slowsub: slowSub, slowpull: slowPull, churn, stream: (impl: Impl) => hostile(impl, 0),
  hostile: (impl: Impl) => hostile(impl, clients), killpeer: (impl: Impl) => killPeer(impl),
  killpaced: (impl: Impl) => killPeer(impl, pacedRate) }
const rows: Row[] = []
for (const name of scenarioNames) {
  if (!wantedScenarios.includes(name)) continue
  for (const impl of impls) {
    const t0 = now()
    rows.push(await scenarios[name](impl))
    if (!json) process.stderr.write(`  ${name} ${impl.name} done (${((now() - t0) / 1000).toFixed(1)} s)\n`)
  }
}

if (json) {
  console.log(JSON.stringify({ seconds, cycles, messages, clients, rows }, null, 2))
} else {
  const mib = (value: number) => Number.isNaN(value) ? "" : value.toFixed(1)
  const signed = (value: number) => Number.isNaN(value) ? "" : `${value >= 0 ? "+" : ""}${value.toFixed(1)}`
  const table = [["scenario", "impl", "RSS start", "RSS peak", "RSS growth", "arrayBuffers start→peak", "details"]]
  for (const row of rows) {
    table.push([row.scenario, row.impl, mib(row.mem.startMiB), mib(row.mem.peakMiB), signed(row.mem.growthMiB),
      Number.isNaN(row.mem.abStartMiB) ? "" : `${mib(row.mem.abStartMiB)}→${mib(row.mem.abPeakMiB)}`, row.summary])
  }
  const widths = table[0].map((_, column) => Math.max(...table.map((line) => line[column].length)))
  console.log(`\nMemory under pressure (MiB; measured process only; --seconds=${seconds} --cycles=${cycles} ` +
    `--messages=${messages} --clients=${clients})`)
  for (const line of table) {
    console.log(line.map((cell, column) => column < 2 || column === line.length - 1 ? cell.padEnd(widths[column])
      : cell.padStart(widths[column])).join("  ").trimEnd())
  }
}
