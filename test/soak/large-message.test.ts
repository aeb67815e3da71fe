/**
 * One 256 MiB message PUSH → PULL over tcp loopback between two child processes, for our
 * package in worker and inline mode (both ends in the same mode). Asserted: it arrives intact
 * (its length and SHA-256), each side's peak RSS stays within its bound above the baseline it
 * had before the message existed (getrusage's maxRSS: the true peak, garbage included), and
 * afterwards neither host holds a body (nor, in worker mode, a lent one).
 *
 * The bound is 1.25 × the message: the message itself once (the sender's Buffer, the receiver's
 * body) plus a quarter for everything else (the stream's chunks before the receiver's copy is
 * collected, write queues, heaps). A second copy of the message anywhere breaks it.
 */
import { afterEach, describe, expect, it } from "vitest"
import { child, killChildren, MiB, MODES, prelude } from "./lib.js"

const SIZE = 256 * MiB

afterEach(() => killChildren())

interface Side { baselineMiB: number; maxRssMiB: number; stats: Record<string, number> }

for (const mode of MODES) {
  describe(`a 256 MiB message (our/${mode})`, () => {
    it("arrives intact; each side's peak RSS stays within its bound", async () => {
      const pull = child("PULL", `${prelude(mode)}
import { createHash } from "node:crypto"
const pull = new zmq.Pull({ context: ctx, linger: 0 })
await pull.bind("tcp://127.0.0.1:*")
say("endpoint", pull.lastEndpoint)
await pull.receive() // the sender's warm-up: connection made, both engines running
const baselineMiB = retained().rss / MiB
say("baseline", baselineMiB)
const [msg, ...more] = await pull.receive()
const hash = createHash("sha256").update(msg).digest("hex")
say("got", { length: msg.length, parts: 1 + more.length, hash, last: msg[msg.length - 1] })
say("side", { baselineMiB, maxRssMiB: process.resourceUsage().maxRSS / 1024, stats: await stats(pull) })
process.exit(0)`)
      const endpoint = await pull.json<string>("endpoint")
      const push = child("PUSH", `${prelude(mode)}
import { createHash, randomBytes } from "node:crypto"
const push = new zmq.Push({ context: ctx })
push.connect(${JSON.stringify(endpoint)})
await push.send("warm")
await heard("go")
const baselineMiB = retained().rss / MiB
// Random 64 KiB repeated, each MiB stamped with its index: a chunk out of place changes the hash.
const body = Buffer.allocUnsafe(${SIZE})
body.fill(randomBytes(65536))
for (let i = 0; i < ${SIZE / MiB}; i++) body.writeUInt32LE(i, i * MiB + 17)
body[${SIZE - 1}] = 0xa5
say("hash", createHash("sha256").update(body).digest("hex"))
const t0 = now()
await push.send(body)
say("sendMs", now() - t0)
await heard("report")
say("side", { baselineMiB, maxRssMiB: process.resourceUsage().maxRSS / 1024, stats: await stats(push) })
process.exit(0)`)
      await pull.line("baseline")
      push.tell("go")
      const hash = await push.json<string>("hash", 30_000)
      const got = await pull.json<{ length: number; parts: number; hash: string; last: number }>("got", 40_000)
      const receiver = await pull.json<Side>("side")
      push.tell("report")
      const sender = await push.json<Side>("side")
      const sendMs = await push.json<number>("sendMs")
      const exits = await Promise.all([push.exited, pull.exited])
      const ratio = (side: Side) => (side.maxRssMiB - side.baselineMiB) / (SIZE / MiB)
      console.log(`256 MiB our/${mode}: ${got.hash === hash ? "intact" : "CORRUPT"}; first send() resolved in ` +
        `${sendMs.toFixed(0)} ms; sender peak ${sender.maxRssMiB.toFixed(0)} MiB over a baseline of ` +
        `${sender.baselineMiB.toFixed(0)} (${ratio(sender).toFixed(2)} × the message); receiver peak ` +
        `${receiver.maxRssMiB.toFixed(0)} MiB over ${receiver.baselineMiB.toFixed(0)} (${ratio(receiver).toFixed(2)} ×)`)
      for (const exit of exits) expect(exit.code, exit.stderr).toBe(0)
      expect(got).toEqual({ length: SIZE, parts: 1, hash, last: 0xa5 })
      // Neither host keeps the body once it is delivered (the sender's released when written).
      expect(sender.stats.bodies).toBe(0)
      expect(receiver.stats.bodies).toBe(0)
      // The receiver collects the body from the stream's chunks into one buffer of its own,
      // which reaches the user as it is (transferred in worker mode). Measured: 1.12 to 1.14 ×.
      expect(ratio(receiver), "receiver peak RSS over baseline, × message").toBeLessThanOrEqual(1.25)
      // Inline, the user's Buffer itself goes to the socket's write; in worker mode it stays on
      // the user's thread, lent, and the engine thread asks for it a window at a time
      // (channel/lending.ts). Measured: 1.00 × inline, 1.05 × worker.
      expect(ratio(sender), "sender peak RSS over baseline, × message").toBeLessThanOrEqual(1.25)
      // Every window went back and the facade let go of the Buffer.
      expect(sender.stats.lentBodies).toBe(0)
    }, 60_000)
  })
}
