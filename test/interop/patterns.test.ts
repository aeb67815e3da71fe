// Pattern semantics of our sockets checked with libzmq peers (RFC 28, 29, 30), over tcp and ipc:
// envelopes as a ROUTER or DEALER sees them, one REP serving many REQs, load balancing, PUB
// dropping and PUSH blocking at the high-water mark. (inproc joins sockets of one Context only,
// so libzmq cannot be the peer there: test/zeromqjs/ loops the patterns over inproc, ours to ours.) Before counting anything, each test first gets a message
// through every connection (receipt-driven, never a sleep), so all pipes are known to be up.
//
//   their ROUTER ◄── our REQ        [id]["" ]["hello"] on the wire, as libzmq's REQ sends it
//   their DEALER ──► our REP        REP strips the envelope and puts it back on the reply
//   our PUSH ──► their PULL ×3      strict round robin once all are connected
import { mkdtempSync, rmSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { setImmediate as yieldToEventLoop } from "node:timers/promises"
import { afterAll, afterEach, describe, expect, it } from "vitest"
import * as theirs from "zeromq"
import { closeCreated, ourImpls } from "../lib/impls.js"
import { syncPubSub, text } from "../lib/util.js"

afterEach(closeCreated)

const theirSockets: { close(): void }[] = []
afterEach(() => {
  for (const s of theirSockets.splice(0)) s.close()
})

function their<T extends { close(): void }>(socket: T): T {
  theirSockets.push(socket)
  return socket
}

const ipcDir = mkdtempSync(join(tmpdir(), "patterns-"))
afterAll(() => rmSync(ipcDir, { recursive: true, force: true }))
let ipcCount = 0

for (const transport of ["tcp", "ipc"] as const)
for (const impl of ourImpls) {
  /** Binds to a fresh address of this transport; returns the endpoint to connect to. */
  const bindAny = async (socket: { bind(a: string): Promise<void>; lastEndpoint: string | null }) => {
    await socket.bind(transport === "tcp" ? "tcp://127.0.0.1:*" : `ipc://${join(ipcDir, `p${++ipcCount}`)}`)
    return socket.lastEndpoint!
  }
  describe(`${impl.name} patterns against libzmq over ${transport}`, () => {
    it("REQ puts the empty delimiter a libzmq ROUTER expects, and its routingId as identity", async () => {
      const router = their(new theirs.Router({ linger: 0 }))
      const endpoint = await bindAny(router)
      const req = impl.socket("Request", { routingId: "client-7" })
      req.connect(endpoint)
      await req.send("hello")
      const [identity, delimiter, body] = await router.receive()
      expect(identity.toString()).toBe("client-7")
      expect(delimiter.length).toBe(0)
      expect(body.toString()).toBe("hello")
      await router.send([identity, "", "world"])
      expect(text(await req.receive())).toEqual(["world"])
    })

    it("REP strips the envelope of a libzmq DEALER's request and returns it on the reply", async () => {
      const rep = impl.socket("Reply")
      const dealer = their(new theirs.Dealer({ linger: 0 }))
      dealer.connect(await bindAny(rep))
      // A request without the empty delimiter is malformed for REP and dropped (RFC 28).
      await dealer.send(["no delimiter"])
      await dealer.send(["hop-1", "hop-2", "", "hi"])
      expect(text(await rep.receive())).toEqual(["hi"])
      await rep.send("ho")
      expect(text(await dealer.receive())).toEqual(["hop-1", "hop-2", "", "ho"])
    })

    it("one REP answers many libzmq REQs, each reply to its own requester", async () => {
      const rep = impl.socket("Reply")
      const endpoint = await bindAny(rep)
      const clients = Array.from({ length: 5 }, () => their(new theirs.Request({ linger: 0 })))
      for (const c of clients) c.connect(endpoint)
      const asked = clients.map((c, i) => c.send(`from ${i}`))
      const serve = (async () => {
        for (let n = 0; n < clients.length; n++) {
          const [request] = await rep.receive()
          await rep.send(`re: ${request}`)
        }
      })()
      await Promise.all(asked)
      const replies = await Promise.all(clients.map(async (c) => text(await c.receive())))
      await serve
      expect(replies).toEqual(clients.map((_, i) => [`re: from ${i}`]))
    })

    it("PUSH load-balances round robin over libzmq PULLs", async () => {
      const push = impl.socket("Push")
      const endpoint = await bindAny(push)
      const pulls = Array.from({ length: 3 }, () => their(new theirs.Pull({ linger: 0 })))
      for (const p of pulls) p.connect(endpoint)
      // Their handshake events do not say that our side has attached the pipe yet, so warm up:
      // one message at a time, each awaited, until every PULL has had one (all pipes active).
      const next = pulls.map((p, i) => p.receive().then((parts) => ({ i, parts })))
      const warmed = new Set<number>()
      for (let n = 0; warmed.size < pulls.length; n++) {
        if (n > 10_000) throw new Error("a PULL never got a message")
        await push.send("warm-up")
        const { i } = await Promise.race(next)
        warmed.add(i)
        next[i] = pulls[i].receive().then((parts) => ({ i, parts }))
      }
      for (let n = 0; n < 30; n++) await push.send(`task ${n}`)
      const got = await Promise.all(
        pulls.map(async (p, i) => {
          const mine = [Number(text((await next[i]).parts)[0].split(" ")[1])]
          for (let k = 1; k < 10; k++) mine.push(Number(text(await p.receive())[0].split(" ")[1]))
          return mine
        }),
      )
      // Each got ten, every third one, in order: a strict rotation.
      for (const mine of got) {
        expect(mine).toHaveLength(10)
        for (let k = 1; k < 10; k++) expect(mine[k] - mine[k - 1]).toBe(3)
      }
      expect(got.flat().sort((a, b) => a - b)).toEqual(Array.from({ length: 30 }, (_, n) => n))
    })

    it("PULL fair-queues libzmq PUSHes and keeps each sender's order", async () => {
      const pull = impl.socket("Pull")
      const endpoint = await bindAny(pull)
      const pushes = Array.from({ length: 3 }, () => their(new theirs.Push({ linger: 0 })))
      for (const p of pushes) p.connect(endpoint)
      await Promise.all(pushes.map(async (p, i) => {
        for (let n = 0; n < 100; n++) await p.send(`${i}:${n}`)
      }))
      const next = [0, 0, 0]
      for (let k = 0; k < 300; k++) {
        const [sender, n] = text(await pull.receive())[0].split(":").map(Number)
        expect(n).toBe(next[sender]++)
      }
      expect(next).toEqual([100, 100, 100])
    })

    it("PUB drops at the high-water mark instead of blocking on a slow subscriber", async () => {
      const pub = impl.socket("Publisher", { sendHighWaterMark: 10 })
      const sub = their(new theirs.Subscriber({ linger: 0, receiveHighWaterMark: 10 }))
      sub.connect(await bindAny(pub))
      sub.subscribe()
      await syncPubSub(pub, sub) // sent after subscribe(): once it is through, so is that
      // 20k × 4 KiB = 80 MiB: far more than both HWMs and the kernel's socket buffers hold.
      // Every send resolves although nobody reads: a PUB never waits for a subscriber.
      const body = Buffer.alloc(4096, 1)
      for (let n = 0; n < 20_000; n++) await pub.send(body)
      // A marker may itself be dropped while the queues are full: offer it until one arrives.
      let received = 0
      let done = false
      const reader = (async () => {
        for (;;) {
          const [msg] = await sub.receive()
          if (msg.toString() === "last") break
          received++
        }
        done = true
      })()
      for (let offers = 0; !done; offers++) {
        if (offers > 1_000_000) throw new Error("the marker never arrived")
        await pub.send("last")
        await yieldToEventLoop()
      }
      await reader
      expect(received).toBeGreaterThan(0)
      expect(received).toBeLessThan(20_000)
    })

    it("PUSH blocks at the high-water mark: send times out while nobody reads", async () => {
      const push = impl.socket("Push", { sendHighWaterMark: 5 })
      const pull = their(new theirs.Pull({ linger: 0, receiveHighWaterMark: 5 }))
      pull.connect(await bindAny(push))
      // One message through first: from then on our PUSH has the pipe, and only HWM can block.
      await push.send("warm-up")
      await pull.receive()
      push.sendTimeout = 200
      const body = Buffer.alloc(65536, 2)
      let sent = 0
      const error = await (async () => {
        for (; sent < 10_000; sent++) {
          try {
            await push.send(body)
          } catch (err) {
            return err as { code: string }
          }
        }
        return undefined
      })()
      expect(error?.code).toBe("EAGAIN")
      // What got through is bounded by the HWMs and the kernel's buffers, and all of it arrives.
      expect(sent).toBeGreaterThanOrEqual(5)
      for (let n = 0; n < sent; n++) await pull.receive()
    })
  })
}
