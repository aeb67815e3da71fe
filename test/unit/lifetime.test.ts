/**
 * A Node process using zeromq-wasm exits by itself once nothing is pending, and stays alive while
 * a send or a receive waits — in worker and inline mode. Each case runs a child process and
 * checks how (and whether) it ended; a child that hangs is killed and fails the test.
 */
import { join } from "node:path"
import { describe, expect, it } from "vitest"
import * as theirs from "zeromq"
import * as ours from "../../dist/index.js"
import { type ModuleExit, runModule } from "../lib/processes.js"

const dist = join(import.meta.dirname, "../../dist/index.js")


/** Runs `body` as an ES module with `zmq` and `context` in scope; kills it after `limitMs`. */
function runChild(inline: boolean, body: string, onLine?: (line: string) => void, limitMs = 10_000): Promise<ModuleExit> {
  const source = `import * as zmq from ${JSON.stringify(dist)}
const context = new zmq.Context({ inline: ${inline} })
${body}`
  return runModule(source, onLine, limitMs)
}

for (const inline of [false, true]) {
  describe(`process lifetime (${inline ? "inline" : "worker"})`, () => {
    it("exits by itself after a round trip once the sockets are closed", async () => {
      const exit = await runChild(inline, `
const rep = new zmq.Reply({ context })
await rep.bind("tcp://127.0.0.1:*")
const req = new zmq.Request({ context })
req.connect(rep.lastEndpoint)
await req.send("ping")
await rep.receive()
await rep.send("pong")
console.log((await req.receive()).toString())
req.close()
rep.close()`)
      expect(exit).toMatchObject({ killed: false, code: 0, stdout: "pong\n" })
    })

    it("exits by itself with a bound socket left open and nothing pending", async () => {
      const exit = await runChild(inline, `
const pull = new zmq.Pull({ context })
await pull.bind("tcp://127.0.0.1:*")
const push = new zmq.Push({ context })
push.connect(pull.lastEndpoint)
await push.send("x")
console.log((await pull.receive()).toString())`)
      expect(exit).toMatchObject({ killed: false, code: 0, stdout: "x\n" })
    })

    it("stays alive while a receive is pending, until a peer delivers", async () => {
      const push = new theirs.Push({ linger: 0 })
      const exit = await runChild(inline, `
const pull = new zmq.Pull({ context })
await pull.bind("tcp://127.0.0.1:*")
console.log(pull.lastEndpoint)
const [msg] = await pull.receive()
console.log("received " + msg)
pull.close()`, (line) => {
        // The child waits in receive() with nothing else to do; only its pending receive can
        // keep it alive until our peer connects and sends.
        if (line.startsWith("tcp://")) {
          push.connect(line)
          void push.send("late hello")
        }
      })
      push.close()
      expect(exit).toMatchObject({ killed: false, code: 0 })
      expect(exit.stdout).toContain("received late hello")
    })

    it("stays alive while a send is blocked at the high-water mark, until a peer takes it", async () => {
      const pull = new theirs.Pull()
      await pull.bind("tcp://127.0.0.1:*")
      // sendHighWaterMark 1 and nobody reading yet: the later sends must wait for the peer.
      const exit = runChild(inline, `
const push = new zmq.Push({ context, sendHighWaterMark: 1 })
push.connect(${JSON.stringify(pull.lastEndpoint)})
for (let i = 0; i < 5; i++) await push.send("m" + i)
console.log("sent all")
push.close()`)
      const got: string[] = []
      for (let i = 0; i < 5; i++) got.push((await pull.receive()).toString())
      pull.close()
      expect(got).toEqual(["m0", "m1", "m2", "m3", "m4"])
      expect(await exit).toMatchObject({ killed: false, code: 0, stdout: "sent all\n" })
    })

    it("does not exit while a closed socket still lingers with undelivered messages", async () => {
      const endpointServer = new theirs.Pull()
      await endpointServer.bind("tcp://127.0.0.1:*")
      const endpoint = endpointServer.lastEndpoint as string
      endpointServer.close()
      // Nobody listens at `endpoint`: with linger -1 (zeromq.js's default) the message waits
      // forever, like libzmq's blocky context; with linger 100 the process exits after 100 ms.
      const lingering = await runChild(inline, `
const push = new zmq.Push({ context, linger: 100 })
push.connect(${JSON.stringify(endpoint)})
await push.send("never delivered")
push.close()`)
      expect(lingering).toMatchObject({ killed: false, code: 0 })
      const forever = await runChild(inline, `
const push = new zmq.Push({ context })
push.connect(${JSON.stringify(endpoint)})
await push.send("never delivered")
push.close()
console.log("closed")`, undefined, 1500)
      expect(forever.killed).toBe(true)
      expect(forever.stdout).toBe("closed\n")
    })

    it("sends and ends its script without closing: every message is delivered before it exits", async () => {
      const pull = new theirs.Pull()
      await pull.bind("tcp://127.0.0.1:*")
      // The child sends 500 messages without awaiting them (within the HWM, and within the 512
      // that zeromq.js resolves in a row), never closes, and its script ends.
      pull.receiveTimeout = 5000
      const exit = runChild(inline, `
const push = new zmq.Push({ context })
push.connect(${JSON.stringify(pull.lastEndpoint)})
for (let i = 0; i < 500; i++) push.send("m" + i).catch((e) => console.log("lost", e.code))
console.log("done")`)
      for (let i = 0; i < 500; i++) expect((await pull.receive())[0].toString()).toBe("m" + i)
      pull.close()
      expect(await exit).toMatchObject({ killed: false, code: 0, stdout: "done\n" })
    })

    it("at exit with messages no peer takes: waits out the linger and warns as zeromq does", async () => {
      const endpointServer = new theirs.Pull()
      await endpointServer.bind("tcp://127.0.0.1:*")
      const endpoint = JSON.stringify(endpointServer.lastEndpoint)
      endpointServer.close()
      const warning = (blocky: boolean) => new RegExp(String.raw`^\(node:\d+\) WARNING: Waiting for queued ZeroMQ messages to be delivered\.` +
        (blocky ? String.raw` Set 'context\.blocky = false' to change this behaviour\.` : "") + "\n$")
      for (const blocky of [true, false]) {
        const long = await runChild(inline, `
context.blocky = ${blocky}
const push = new zmq.Push({ context, linger: 1000 })
push.connect(${endpoint})
await push.send("never delivered")`)
        expect(long).toMatchObject({ killed: false, code: 0 })
        expect(long.stderr).toMatch(warning(blocky))
      }
      // A short linger ends before the warning; blocky false makes an unset linger 0.
      const short = await runChild(inline, `
const push = new zmq.Push({ context, linger: 50 })
push.connect(${endpoint})
await push.send("never delivered")`)
      expect(short).toMatchObject({ killed: false, code: 0, stderr: "" })
      const unblocky = await runChild(inline, `
context.blocky = false
const push = new zmq.Push({ context })
push.connect(${endpoint})
await push.send("never delivered")`, undefined, 3000)
      expect(unblocky).toMatchObject({ killed: false, code: 0, stderr: "" })
    })

    it("stays alive while an Observer's receive waits", async () => {
      const exit = await runChild(inline, `
const dealer = new zmq.Dealer({ context })
console.log("reading")
for await (const event of dealer.events) console.log(event.type)`, undefined, 1500)
      expect(exit).toMatchObject({ killed: true, stdout: "reading\n" })
    })
  })
}

describe("threads", () => {
  it("moves user messages between threads in batches, not one postMessage per message", async () => {
    const { Worker } = await import("node:worker_threads")
    const post = Worker.prototype.postMessage
    let posts = 0
    Worker.prototype.postMessage = function (this: InstanceType<typeof Worker>, ...args: Parameters<typeof post>) {
      posts++
      return post.apply(this, args)
    }
    try {
      const context = new ours.Context()
      const pull = new ours.Pull({ context, linger: 0 })
      await pull.bind("tcp://127.0.0.1:*")
      const push = new ours.Push({ context, linger: 0 })
      push.connect(pull.lastEndpoint as string)
      const before = posts
      const N = 20_000
      const received = (async () => {
        for (let i = 0; i < N; i++) await pull.receive()
      })()
      for (let i = 0; i < N; i++) await push.send("0123456789abcdef")
      await received
      push.close()
      pull.close()
      expect(posts - before).toBeLessThan(N / 50)
    } finally {
      Worker.prototype.postMessage = post
    }
  })
})
