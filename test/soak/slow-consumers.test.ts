/**
 * Slow consumers: a sender as fast as it can go to a receiver that reads about one message per
 * millisecond, for a few seconds, each in its own process; our package in worker and inline mode.
 *
 *   PUB  (measured) ──64 B, await send() in a loop──► SUB  reads 1 msg/ms   (PUB drops at SNDHWM)
 *   PUSH (measured) ──16 KiB, await send()─────────► PULL reads 1 msg/ms   (PUSH waits at SNDHWM)
 *
 * Asserted: the sender's retained RSS growth stays within a bound derived from the high-water
 * marks and the message size, and what its host holds (bodies, messages not taken) stays within
 * them all along; the receiver gets its messages in order (SUB: increasing sequence numbers, gaps
 * allowed; PULL: every message, none lost);
 * what the receiver's host lends its facade ahead of receive() stays within RECV_WINDOW messages
 * and RECV_BYTES (plus one message).
 */
import { afterEach, describe, expect, it } from "vitest"
import { child, fmt, killChildren, KiB, type Mem, MiB, MODES, prelude, RECV_BYTES, RECV_WINDOW } from "./lib.js"

const SECONDS = 2.5
const HWM = 1000 // zeromq.js's default SNDHWM and RCVHWM, which these sockets keep
/** The facade counts 4 bytes of framing per part in the bytes it lends (socket.ts, credit). */
const PART_OVERHEAD = 4

afterEach(() => killChildren())

interface Lent { maxLent: number; maxLentBytes: number; statsSamples: number }
interface HostMax { maxBodies: number; maxPending: number; hostSamples: number }

/**
 * The receiver's loop: reads one message, then waits until (n + 1) ms after the start, so that
 * it reads about 1,000 messages per second. Every 64 messages it asks its host what is lent ahead
 * of receive() (the window is full all along: the sender is much faster).
 */
const pacedLoop = (check: string) => `
const lent = { maxLent: 0, maxLentBytes: 0, statsSamples: 0 }
const t0 = now()
for (let n = 0; !stopped(); n++) {
  const [msg] = await sock.receive()
  ${check}
  if ((n & 63) === 0) {
    const s = await stats(sock)
    lent.maxLent = Math.max(lent.maxLent, s.lentMessages)
    lent.maxLentBytes = Math.max(lent.maxLentBytes, s.lentBytes)
    lent.statsSamples++
  }
  const wait = t0 + n + 1 - now()
  if (wait > 0) await sleep(wait)
}`

/** The sender's sampler, called from its loop: memory after gc() and the host's stats, at most
 *  every 50 ms. */
const senderSampler = (socket: string) => `
const host = { maxBodies: 0, maxPending: 0, hostSamples: 0 }
async function sampleAll() {
  if (!maybeSample()) return
  const s = await stats(${socket})
  host.maxBodies = Math.max(host.maxBodies, s.bodies)
  host.maxPending = Math.max(host.maxPending, s.pendingMessages)
  host.hostSamples++
}`

const memLine = (mem: Mem) => `retained RSS ${mem.startMiB.toFixed(1)} → peak ${mem.peakMiB.toFixed(1)} MiB ` +
  `(${fmt(mem.growthMiB)}; main heap ${fmt(mem.heapGrowthMiB)}; main arrayBuffers ${mem.abStartMiB.toFixed(1)} → ` +
  `${mem.abPeakMiB.toFixed(1)} MiB; ${mem.samples} samples; maxRSS ${mem.maxRssMiB.toFixed(1)} MiB)`

for (const mode of MODES) {
  describe(`slow consumers (our/${mode})`, () => {
    it("slow subscriber: PUB's memory stays bounded, SUB gets increasing sequence numbers", async () => {
      const pub = child("PUB", `${prelude(mode)}
const pub = new zmq.Publisher({ context: ctx, linger: 0 })
await pub.bind("tcp://127.0.0.1:*")
say("endpoint", pub.lastEndpoint)
${senderSampler("pub")}
// Probes until the SUB has one: its subscription has arrived (a PUB drops before that).
let warm = true
heard("warm").then(() => { warm = false })
while (warm) { await pub.send("probe"); await sleep(5) }
markStart()
const end = now() + ${SECONDS * 1000}
const msg = Buffer.alloc(64, 0x5a)
let sent = 0
while (now() < end) {
  // One Buffer rewritten each time is safe under 8 KiB: the facade packs it into its batch.
  msg.writeUInt32LE(sent, 0)
  await pub.send(msg)
  sent++
  if ((sent & 255) === 0) await sampleAll()
}
say("sent", { sent, ...host })
say("mem", memReport())
await heard("exit")
process.exit(0)`)
      const endpoint = await pub.json<string>("endpoint")
      const sub = child("SUB", `${prelude(mode)}
const sock = new zmq.Subscriber({ context: ctx, linger: 0 })
sock.connect(${JSON.stringify(endpoint)})
sock.subscribe()
// The receive loop may be waiting when the PUB has stopped: report and end from here.
heard("stop").then(() => { say("got", { got, outOfOrder, gaps, last, ...lent }); process.exit(0) })
const stopped = () => false
while ((await sock.receive())[0].length !== 64) say("warm")
let got = 0, outOfOrder = 0, gaps = 0, last = -1
${pacedLoop(`if (msg.length === 64) {
    const seq = msg.readUInt32LE(0)
    if (seq <= last) outOfOrder++; else gaps += seq - last - 1
    last = seq
    got++
  }`)}`)
      await sub.line("warm")
      pub.tell("warm")
      const sent = await pub.json<{ sent: number } & HostMax>("sent", SECONDS * 1000 + 20_000)
      const mem = await pub.json<Mem>("mem")
      sub.tell("stop")
      const got = await sub.json<{ got: number; outOfOrder: number; gaps: number; last: number } & Lent>("got")
      pub.tell("exit")
      const [pubExit, subExit] = await Promise.all([pub.exited, sub.exited])
      console.log(`slowsub our/${mode}: published ${sent.sent.toLocaleString("en")}, SUB got ${got.got.toLocaleString("en")} ` +
        `(gaps ${got.gaps.toLocaleString("en")}, last seq ${got.last.toLocaleString("en")}); PUB ${memLine(mem)}; PUB host ≤ ` +
        `${sent.maxPending} messages not taken; SUB lent ≤ ${got.maxLent} msgs / ${(got.maxLentBytes / KiB).toFixed(0)} KiB`)
      expect(pubExit.code, pubExit.stderr).toBe(0)
      expect(subExit.code, subExit.stderr).toBe(0)
      // The scenario happened: the PUB outran the SUB by far, so it dropped at its HWM.
      expect(sent.sent).toBeGreaterThan(20 * got.got)
      // About SECONDS × 1,000 at 1 msg/ms; a loaded machine's timers make it less.
      expect(got.got).toBeGreaterThan(SECONDS * 100)
      expect(got.outOfOrder).toBe(0)
      expect(got.gaps).toBeGreaterThan(0)
      // The SUB's host lends its facade at most RECV_WINDOW messages (2,048 × (64 + 4) B = 136
      // KiB, well under RECV_BYTES); and the window was full: the SUB is slow.
      expect(got.statsSamples).toBeGreaterThan(10)
      expect(got.maxLent).toBeLessThanOrEqual(RECV_WINDOW)
      expect(got.maxLentBytes).toBeLessThanOrEqual(RECV_WINDOW * (64 + PART_OVERHEAD))
      // The window was full in both modes: an inline PUB's loop of sends does not starve its
      // engine (test/unit/send-loop.test.ts).
      expect(got.maxLent).toBeGreaterThan(RECV_WINDOW / 2)
      // The PUB's host: messages the facade sent that the core has not taken stay within the
      // facade's send window (SEND_WINDOW 4,096; the core takes a PUB's at once, dropping).
      expect(sent.hostSamples).toBeGreaterThan(10)
      expect(sent.maxPending).toBeLessThanOrEqual(4096)
      // What a PUB holds for a slow SUB: SNDHWM 1,000 messages of 64 B (64 KiB) in the core's
      // pipe; the facade's batches, in flight to the host and pooled (BatchPool: at most 16
      // buffers, 8 MiB); Node's write queue and its chunks for one connection (backpressure:
      // a few hundred KiB). So about 8.5 MiB that the PUB may rightly keep, plus what a loop of
      // sends costs the JS heaps (the young generation sized up by the garbage of the loop, up
      // to 16 MiB semi-spaces per isolate: memory gc() does not return to the OS). Measured
      // retained growth: worker +13 to +20 MiB, inline +7 to +12 MiB (libzmq's own publisher in
      // test/bench/memory.ts: +2 to +5 MiB). Bound: 28 MiB. A queue that kept what the PUB should drop grows by 64 B per
      // message published, millions of them here (> 100 MiB).
      expect(mem.growthMiB, `PUB retained RSS growth ${fmt(mem.growthMiB)}`).toBeLessThan(28)
      // The facade's own heap (the main thread's, in inline mode the engine's too) stays flat.
      expect(mem.heapGrowthMiB, `PUB main-thread heap growth ${fmt(mem.heapGrowthMiB)}`).toBeLessThan(4)
    }, 40_000)

    it("slow puller: PUSH's memory stays within its HWMs, PULL gets every message in order", async () => {
      const SIZE = 16 * KiB
      const pull = child("PULL", `${prelude(mode)}
const sock = new zmq.Pull({ context: ctx, linger: 0 })
await sock.bind("tcp://127.0.0.1:*")
say("endpoint", sock.lastEndpoint)
let drain = false
const drainTo = heard("drain")
drainTo.then(() => { drain = true })
const stopped = () => drain
let got = 0, bad = 0
const check = (msg) => {
  // Message i is ${SIZE} bytes of (i & 0xff) with i as a u32 at the start.
  if (msg.length !== ${SIZE} || msg.readUInt32LE(0) !== got || msg[${SIZE - 1}] !== (got & 0xff)) bad++
  got++
}
check((await sock.receive())[0])
say("warm")
${pacedLoop("check(msg)")}
// The sender has stopped: read the rest as fast as it comes.
const total = Number(await drainTo)
while (got < total) check((await sock.receive())[0])
say("got", { got, bad, ...lent })
process.exit(0)`)
      const endpoint = await pull.json<string>("endpoint")
      const push = child("PUSH", `${prelude(mode)}
const push = new zmq.Push({ context: ctx })
push.connect(${JSON.stringify(endpoint)})
${senderSampler("push")}
let sent = 0
const next = () => {
  // A Buffer per message: one of 8 KiB or more is sent by reference (as zeromq.js does).
  const msg = Buffer.alloc(${SIZE}, sent & 0xff)
  msg.writeUInt32LE(sent++, 0)
  return msg
}
for (let i = 0; i < 10; i++) await push.send(next())
await heard("go")
markStart()
const end = now() + ${SECONDS * 1000}
while (now() < end) {
  await push.send(next())
  if ((sent & 15) === 0) await sampleAll()
}
say("sent", { sent, ...host })
say("mem", memReport())
await heard("stats")
say("stats", await stats(push))
process.exit(0)`)
      await pull.line("warm")
      push.tell("go")
      const sent = await push.json<{ sent: number } & HostMax>("sent", SECONDS * 1000 + 20_000)
      const mem = await push.json<Mem>("mem")
      pull.tell(`drain ${sent.sent}`)
      const got = await pull.json<{ got: number; bad: number } & Lent>("got")
      push.tell("stats")
      const after = await push.json<Record<string, number>>("stats")
      const [pushExit, pullExit] = await Promise.all([push.exited, pull.exited])
      console.log(`slowpull our/${mode}: sent ${sent.sent.toLocaleString("en")}, PULL got ${got.got.toLocaleString("en")} ` +
        `(${got.bad} bad); PUSH ${memLine(mem)}; PUSH host ≤ ${sent.maxBodies} bodies, ≤ ${sent.maxPending} ` +
        `messages not taken; PULL lent ≤ ${got.maxLent} msgs / ${(got.maxLentBytes / KiB).toFixed(0)} KiB; ` +
        `PUSH host after: ${JSON.stringify(after)}`)
      expect(pushExit.code, pushExit.stderr).toBe(0)
      expect(pullExit.code, pullExit.stderr).toBe(0)
      expect(got.got).toBe(sent.sent)
      expect(got.bad).toBe(0)
      // The PULL was slow: the sender waited at its HWM most of the time.
      expect(sent.sent).toBeLessThan(SECONDS * 1000 * 4 + 2 * HWM + 1000)
      // Lent ahead of receive(): RECV_BYTES is the limit here (4 MiB / (16 KiB + 4) B = 255
      // messages), "one message always goes" allows one more; and it was full.
      expect(got.maxLentBytes).toBeLessThanOrEqual(RECV_BYTES + SIZE + PART_OVERHEAD)
      expect(got.maxLent).toBeLessThanOrEqual(RECV_BYTES / SIZE + 1)
      expect(got.maxLentBytes).toBeGreaterThan(RECV_BYTES / 2)
      // The sender's host held at most SNDHWM bodies (the core's pipe; a few more may be
      // between the pipe and the stream) and the facade's in-flight window stayed within what
      // the core could take; once all is delivered it holds no body and no message.
      expect(sent.hostSamples).toBeGreaterThan(10)
      expect(sent.maxBodies).toBeLessThanOrEqual(HWM + 64)
      expect(sent.maxPending).toBeLessThanOrEqual(HWM)
      expect(after).toMatchObject({ bodies: 0, pendingMessages: 0 })
      expect(mem.heapGrowthMiB, `PUSH main-thread heap growth ${fmt(mem.heapGrowthMiB)}`).toBeLessThan(4)
      // What the PUSH may hold: SNDHWM 1,000 messages of 16 KiB in the core's pipe (15.6 MiB of
      // bodies, held by the host), the facade's in-flight window within what the core can take
      // (credit: pipe and window together within SNDHWM), and Node's write queue (backpressure:
      // a chunk and a body). The PULL side holds its RCVHWM (another 15.6 MiB) and its lent
      // window (4 MiB): not the sender's memory, but counted here as margin, as are the kernel's
      // socket buffers (not RSS at all). Plus a constant for the JS heaps' sizing and malloc's
      // free lists after 16 KiB Buffers came and went: 24 MiB. Bound: 2 × 1,000 × 16 KiB + 24
      // MiB = 55 MiB. Measured inline: +24 to +32 MiB (libzmq's own sender in
      // test/bench/memory.ts: +35 MiB, garbage included).
      let bound = (2 * HWM * SIZE) / MiB + 24
      if (mode === "worker") {
        // Worker mode copies each body into an ArrayBuffer of its own, transferred to the engine
        // thread; once released and written it comes back to the facade's BodyPool (batch.ts,
        // at most 8 MiB kept) for the next body of its size. Without that pool the engine
        // thread's garbage grew to its V8 external-memory limit: +35 to +50 MiB in these runs,
        // +77 MiB in a 7 s one; with it +36 to +37 MiB.
        bound += 8
      }
      expect(mem.growthMiB, `PUSH retained RSS growth ${fmt(mem.growthMiB)}, bound ${bound.toFixed(1)} MiB`).toBeLessThan(bound)
    }, 40_000)
  })
}
