/**
 * The tail of a stream survives close(), as a user writes it: a PUSH in its own process sends
 * with `await send()`, calls close() and lets the process end. With the default linger (-1)
 * every message arrives — at a libzmq PULL and at ours, fast or slow, whether the sender started
 * before the receiver or after; with linger 0 or N ms the process ends at that cut-off instead.
 *
 *   child process                          this process
 *   PUSH (ours, worker|inline) --tcp|ipc-->  PULL (their | our/worker), counts and checks order
 *   send × N; close(); exit
 */
import { spawn } from "node:child_process"
import { createServer } from "node:net"
import { join } from "node:path"
import { afterEach, describe, expect, it } from "vitest"
import { closeCreated, ourWorker, their, type Impl } from "../lib/impls.js"

const dist = join(import.meta.dirname, "../../dist/index.js")

interface Exit {
  code: number | null
  stderr: string
  ms: number
}

/**
 * Runs a sender: connects a PUSH to `address`, prints "started", sends `count` messages of
 * `size` bytes (the first 4 bytes are the sequence number), closes, and ends by itself.
 */
function sender(inline: boolean, address: string, count: number, size: number, linger?: number): {
  started: Promise<void>
  exited: Promise<Exit>
} {
  const source = `import * as zmq from ${JSON.stringify(dist)}
const context = new zmq.Context({ inline: ${inline} })
const push = new zmq.Push({ context${linger === undefined ? "" : `, linger: ${linger}`} })
push.connect(${JSON.stringify(address)})
console.log("started")
for (let i = 0; i < ${count}; i++) {
  // A Buffer per message: large ones are sent by reference (zeromq.js does the same from 128
  // bytes), so one reused and rewritten after send() would change under the engine.
  const msg = Buffer.alloc(${size}, 7)
  msg.writeUInt32BE(i, 0)
  await push.send(msg)
}
push.close()`
  const t0 = performance.now()
  const child = spawn(process.execPath, ["--input-type=module", "-e", source], { stdio: ["ignore", "pipe", "pipe"] })
  let stderr = ""
  child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()))
  const started = new Promise<void>((resolve) => {
    child.stdout.on("data", (chunk: Buffer) => {
      if (chunk.toString().includes("started")) resolve()
    })
  })
  const exited = new Promise<Exit>((resolve) => {
    child.on("exit", (code) => resolve({ code, stderr, ms: performance.now() - t0 }))
  })
  return { started, exited }
}

/** A free TCP port on loopback, for a receiver that binds after the sender started. */
async function freePort(): Promise<number> {
  const server = createServer()
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve))
  const { port } = server.address() as { port: number }
  await new Promise((resolve) => server.close(resolve))
  return port
}

/**
 * Receives until `count` messages came, checking order; `slow` yields to the timers every 500
 * messages so the sender's queue is full when it closes. Resolves with the number received; if
 * the sender has exited and nothing arrives for `idleMs`, resolves early with what came (so a
 * loss fails the test with the count, not a timeout).
 */
async function receive(pull: InstanceType<typeof import("zeromq").Pull>, count: number, slow: boolean, senderExited: Promise<unknown>) {
  let got = 0
  let exited = false
  void senderExited.then(() => (exited = true))
  pull.receiveTimeout = 2000
  while (got < count) {
    let msg: Buffer
    try {
      ;[msg] = await pull.receive()
    } catch (err) {
      if ((err as { code?: string }).code === "EAGAIN" && exited) break
      if ((err as { code?: string }).code === "EAGAIN") continue
      throw err
    }
    expect(msg.readUInt32BE(0)).toBe(got)
    got++
    if (slow && got % 500 === 0) await new Promise((resolve) => setTimeout(resolve, 1))
  }
  return got
}

afterEach(() => closeCreated())

const receivers: Impl[] = [their, ourWorker]

for (const inline of [false, true]) {
  const mode = inline ? "inline" : "worker"
  describe(`stream tail: our/${mode} PUSH in a child process, send × N, close(), exit`, () => {
    for (const [transport, any] of [["tcp", "tcp://127.0.0.1:*"], ["ipc", "ipc://*"]]) for (const receiver of receivers) {
      // libzmq's own PULL loses the end of an ipc stream whose sender closes: zeromq → zeromq
      // over ipc delivered 499,292 of 500,000 here (our PULL gets them all, from either sender).
      if (transport === "ipc" && receiver === their) continue
      it(`delivers all 500,000 16-byte messages to ${receiver.name} PULL over ${transport} (linger -1)`, async () => {
        const pull = receiver.socket("Pull", { linger: 0 })
        await pull.bind(any)
        const run = sender(inline, pull.lastEndpoint!, 500_000, 16)
        const got = await receive(pull, 500_000, false, run.exited)
        expect(got).toBe(500_000)
        expect((await run.exited).code).toBe(0)
      })

      it(`delivers all 64 KiB messages to a slow ${receiver.name} PULL over ${transport} (linger -1)`, async () => {
        const pull = receiver.socket("Pull", { linger: 0 })
        await pull.bind(any)
        const run = sender(inline, pull.lastEndpoint!, 3000, 65536)
        const got = await receive(pull, 3000, true, run.exited)
        expect(got).toBe(3000)
        expect((await run.exited).code).toBe(0)
      })
    }

    it("delivers all 200,000 messages to a slow their PULL (linger -1)", async () => {
      const pull = their.socket("Pull", { linger: 0 })
      await pull.bind("tcp://127.0.0.1:*")
      const run = sender(inline, pull.lastEndpoint!, 200_000, 16)
      const got = await receive(pull, 200_000, true, run.exited)
      expect(got).toBe(200_000)
      expect((await run.exited).code).toBe(0)
    })

    it("delivers what was sent and closed before the receiver existed (linger -1)", async () => {
      const address = `tcp://127.0.0.1:${await freePort()}`
      // 500 messages fit within the HWM: every send resolves and close() runs with no peer.
      const run = sender(inline, address, 500, 16)
      await run.started
      const pull = their.socket("Pull", { linger: 0 })
      await pull.bind(address)
      const got = await receive(pull, 500, false, run.exited)
      expect(got).toBe(500)
      expect((await run.exited).code).toBe(0)
    })

    it("with linger 0, exits at once although no peer ever took the messages", async () => {
      const address = `tcp://127.0.0.1:${await freePort()}`
      const run = sender(inline, address, 500, 16, 0)
      const exit = await run.exited
      expect(exit.code).toBe(0)
      expect(exit.stderr).toBe("")
    })

    it("with linger 300 ms, exits after the linger period when no peer takes the messages", async () => {
      const address = `tcp://127.0.0.1:${await freePort()}`
      const run = sender(inline, address, 500, 16, 300)
      const exit = await run.exited
      expect(exit.code).toBe(0)
      // The process started, sent and closed, then waited out the linger period.
      expect(exit.ms).toBeGreaterThanOrEqual(300)
    })

    it("with linger 10 s, delivers everything to a present peer and exits as soon as it has", async () => {
      const pull = their.socket("Pull", { linger: 0 })
      await pull.bind("tcp://127.0.0.1:*")
      const run = sender(inline, pull.lastEndpoint!, 100_000, 16, 10_000)
      const got = await receive(pull, 100_000, false, run.exited)
      expect(got).toBe(100_000)
      const exit = await run.exited
      expect(exit.code).toBe(0)
      expect(exit.ms).toBeLessThan(10_000)
    })
  })
}
