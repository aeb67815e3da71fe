// ws:// (ZWS 2.0, RFC 45) between their sockets (libzmq 4.3.5's ws engine, via zeromq) and ours,
// each side binding and connecting; and ours against a bare WebSocket client that speaks as a
// browser must (plain "ZWS2.0": no READY, routing ids first).
//
//   PUSH ──ws──► PULL     REQ ──ws──► REP     PUB ──ws──► SUB     DEALER ──ws──► ROUTER
import { randomBytes } from "node:crypto"
import { afterEach, describe, expect, it } from "vitest"
import { WebSocket } from "ws"
import { closeCreated, ourInline, ourWorker, pairings, their } from "../lib/impls.js"
import { sendUntilReceived, syncPubSub, text, unusedPort } from "../lib/util.js"

afterEach(closeCreated)

const WS_ANY = "ws://127.0.0.1:*/zmq"

async function bindWs(socket: { bind(a: string): Promise<void>; lastEndpoint: string | null }, address = WS_ANY) {
  await socket.bind(address)
  return socket.lastEndpoint!
}

for (const [binder, connecter] of pairings) {
  describe(`${connecter.name} connects over ws:// to ${binder.name}`, () => {
    it("PUSH → PULL: multipart with empty frames, 0 B and 1 MiB, 100k in order", async () => {
      const pull = binder.socket("Pull")
      const push = connecter.socket("Push")
      push.connect(await bindWs(pull))
      const big = randomBytes(1 << 20)
      await push.send(["", "a", "", "b"])
      await push.send(Buffer.alloc(0))
      // Copies: libzmq's ws client masks a large message in place, after send() resolved, so
      // zeromq changes the Buffer it was given (seen with zeromq 6.8.0; its tcp does not).
      await push.send([Buffer.from(big), Buffer.alloc(0), Buffer.from(big)])
      expect(text(await pull.receive())).toEqual(["", "a", "", "b"])
      expect((await pull.receive())[0].length).toBe(0)
      const parts = await pull.receive()
      expect(parts.map((p) => p.length)).toEqual([big.length, 0, big.length])
      expect(parts[0].equals(big) && parts[2].equals(big)).toBe(true)
      const count = 100_000
      const sending = (async () => {
        for (let i = 0; i < count; i++) await push.send(String(i))
      })()
      for (let i = 0; i < count; i++) {
        const [m] = await pull.receive()
        if (m.toString() !== String(i)) expect(m.toString()).toBe(String(i))
      }
      await sending
    })

    it("REQ → REP round trips, and large replies", async () => {
      const rep = binder.socket("Reply")
      const req = connecter.socket("Request")
      req.connect(await bindWs(rep))
      for (let i = 0; i < 50; i++) {
        await req.send(`q${i}`)
        const [q] = await rep.receive()
        await rep.send([q, Buffer.alloc(i * 3000, i)])
        const [a, b] = await req.receive()
        expect(a.toString()).toBe(`q${i}`)
        expect(b.length).toBe(i * 3000)
      }
    })

    it("PUB → SUB: prefix filters, subscriptions in message form both ways", async () => {
      const pub = binder.socket("Publisher")
      const sub = connecter.socket("Subscriber")
      sub.connect(await bindWs(pub))
      sub.subscribe("ab")
      await syncPubSub(pub as never, sub as never)
      await pub.send("xyz")
      await pub.send(["abc", "1"])
      await pub.send("zz")
      await pub.send("ab")
      expect(text(await sub.receive())).toEqual(["abc", "1"])
      expect(text(await sub.receive())).toEqual(["ab"])
    })

    it("DEALER → ROUTER: the ROUTER routes by the DEALER's routing id", async () => {
      const router = binder.socket("Router")
      const dealer = connecter.socket("Dealer", { routingId: "dealer-7" })
      dealer.connect(await bindWs(router))
      await dealer.send("hello")
      const [id, body] = await router.receive()
      expect(id.toString()).toBe("dealer-7")
      expect(body.toString()).toBe("hello")
      await router.send([id, "back"])
      expect(text(await dealer.receive())).toEqual(["back"])
    })
  })
}

for (const ours of [ourWorker, ourInline]) {
  describe(`${ours.name} ws:// endpoints`, () => {
    it("reports the port chosen for * and 0 and the path, as libzmq does", async () => {
      // A path of several segments binds too (libzmq 4.3.5 refuses one at bind, EINVAL).
      const deep = ours.socket("Pull")
      await deep.bind("ws://127.0.0.1:*/a/b")
      expect(deep.lastEndpoint).toMatch(/^ws:\/\/127\.0\.0\.1:\d+\/a\/b$/)
      for (const [address, pattern] of [
        ["ws://127.0.0.1:*/ab", /^ws:\/\/127\.0\.0\.1:\d+\/ab$/],
        ["ws://127.0.0.1:0", /^ws:\/\/127\.0\.0\.1:\d+\/$/],
        ["ws://127.0.0.1:*", /^ws:\/\/127\.0\.0\.1:\d+\/$/],
      ] as const) {
        const s = ours.socket("Pull")
        const theirs = their.socket("Pull")
        await s.bind(address)
        await theirs.bind(address)
        expect(s.lastEndpoint).toMatch(pattern)
        expect(theirs.lastEndpoint).toMatch(pattern)
      }
    })

    it("routes paths: two sockets on one port, each reached by its own path; a path twice is EADDRINUSE", async () => {
      const a = ours.socket("Pull")
      const b = ours.socket("Pull")
      const endpoint = await bindWs(a, "ws://127.0.0.1:*/a")
      const port = new URL(endpoint).port
      await b.bind(`ws://127.0.0.1:${port}/b`)
      const c = ours.socket("Pull")
      await expect(c.bind(`ws://127.0.0.1:${port}/a`)).rejects.toMatchObject({ code: "EADDRINUSE" })
      const toA = their.socket("Push")
      const toB = their.socket("Push")
      toA.connect(`ws://127.0.0.1:${port}/a`)
      toB.connect(`ws://127.0.0.1:${port}/b`)
      await toA.send("for a")
      await toB.send("for b")
      expect(text(await a.receive())).toEqual(["for a"])
      expect(text(await b.receive())).toEqual(["for b"])
    })

    it("reconnects by itself when the server goes and comes back on the same port", async () => {
      const pull1 = their.socket("Pull")
      const endpoint = await bindWs(pull1, `ws://127.0.0.1:${await unusedPort()}/restart`)
      const push = ours.socket("Push", { reconnectInterval: 20 })
      push.connect(endpoint)
      await push.send("one")
      expect(text(await pull1.receive())).toEqual(["one"])
      // libzmq's ws unbind closes the listening socket later, in its I/O thread: its monitor's
      // "close" says when the port is free (rebinding before it failed with EADDRINUSE in CI).
      const events = pull1.events
      const listenerClosed = (async () => {
        for (;;) if ((await events.receive()).type === "close") return
      })()
      await pull1.unbind(endpoint)
      await listenerClosed
      pull1.close()
      const pull2 = their.socket("Pull")
      await pull2.bind(endpoint)
      // What was written to the dead connection before our side saw it close is lost, as over tcp.
      expect(await sendUntilReceived(push as never, pull2 as never, "two")).toEqual([expect.stringMatching(/^two \d+$/)])
    })
  })

  describe(`${ours.name} server and a browser-like WebSocket client (plain "ZWS2.0")`, () => {
    /** A raw client offering only "ZWS2.0", as a browser can; resolves once open. */
    async function rawClient(endpoint: string, protocol = "ZWS2.0") {
      const ws = new WebSocket(endpoint, protocol)
      const got: Buffer[] = []
      const waiters: Array<() => void> = []
      ws.on("message", (data: Buffer) => {
        got.push(data)
        waiters.splice(0).forEach((w) => w())
      })
      const closed = new Promise<number>((resolve) => ws.on("close", (code) => resolve(code)))
      await new Promise<void>((resolve, reject) => {
        ws.once("open", () => resolve())
        ws.once("error", reject)
      })
      const next = async () => {
        while (!got.length) await new Promise<void>((resolve) => waiters.push(resolve))
        return got.shift()!
      }
      return { ws, next, closed }
    }

    it("accepts plain ZWS2.0: routing ids first, then frames with the flags byte", async () => {
      const router = ours.socket("Router")
      const client = await rawClient(await bindWs(router))
      expect(client.ws.protocol).toBe("ZWS2.0")
      expect((await client.next()).equals(Buffer.from([0x00]))).toBe(true) // the ROUTER's empty id
      client.ws.send(Buffer.from("\x00browser-1"))
      client.ws.send(Buffer.from("\x01part1"))
      client.ws.send(Buffer.from("\x00part2"))
      const [id, p1, p2] = await router.receive()
      expect([id, p1, p2].map(String)).toEqual(["browser-1", "part1", "part2"])
      await router.send(["browser-1", "back"])
      expect((await client.next()).toString()).toBe("\x00back")
    })

    it("takes a fragmented message whole (Chromium fragments above about 64 KiB)", async () => {
      const pull = ours.socket("Pull")
      const client = await rawClient(await bindWs(pull))
      client.ws.send(Buffer.from([0x00])) // our routing id: empty
      const body = randomBytes(200_000)
      const message = Buffer.concat([Buffer.from([0x00]), body])
      client.ws.send(message.subarray(0, 70_000), { fin: false })
      client.ws.send(message.subarray(70_000, 140_000), { fin: false })
      client.ws.send(message.subarray(140_000), { fin: true })
      const [got] = await pull.receive()
      expect(got.equals(body)).toBe(true)
    })

    it("closes only the connection that sends text or an empty message", async () => {
      const pull = ours.socket("Pull")
      const endpoint = await bindWs(pull)
      const good = await rawClient(endpoint)
      const text1 = await rawClient(endpoint)
      const empty = await rawClient(endpoint)
      for (const c of [good, text1, empty]) c.ws.send(Buffer.from([0x00]))
      text1.ws.send("\x00a text message")
      empty.ws.send(Buffer.alloc(0))
      await Promise.all([text1.closed, empty.closed])
      good.ws.send(Buffer.from("\x00still here"))
      expect(text(await pull.receive())).toEqual(["still here"])
    })

    it("refuses an upgrade that offers no ZWS subprotocol", async () => {
      const pull = ours.socket("Pull")
      const endpoint = await bindWs(pull)
      await expect(rawClient(endpoint, "chat")).rejects.toThrow(/400/)
    })
  })
}

describe("their server and a browser-like WebSocket client (plain ZWS2.0)", () => {
  it("libzmq speaks plain ZWS2.0 the way our server does", async () => {
    const router = their.socket("Router")
    await router.bind(WS_ANY)
    const ws = new WebSocket(router.lastEndpoint!, "ZWS2.0")
    const first = new Promise<Buffer>((resolve) => ws.once("message", (d: Buffer) => resolve(d)))
    await new Promise((resolve) => ws.once("open", resolve))
    expect((await first).equals(Buffer.from([0x00]))).toBe(true)
    ws.send(Buffer.from("\x00browser-1"))
    ws.send(Buffer.from("\x00hi"))
    const [id, body] = await router.receive()
    expect([id, body].map(String)).toEqual(["browser-1", "hi"])
    ws.close()
  })
})


describe("ws:// and STREAM sockets", () => {
  it("refuses ws:// for a STREAM socket with ENOTSUP (raw bytes have no WebSocket framing here)", async () => {
    for (const ours of [ourWorker, ourInline]) {
      const stream = ours.socket("Stream")
      await expect(stream.bind(WS_ANY)).rejects.toMatchObject({ code: "ENOTSUP" })
    }
  })
})
