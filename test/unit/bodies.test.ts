/**
 * Large bodies by reference (zmqw.h's body refs): parts of ZW_BODY_MIN bytes or more go from the
 * user's Buffer to the socket's write without entering wasm memory. What a user sees must be
 * exactly what smaller parts give: every byte in place, multipart order kept, over tcp, ipc and
 * inproc, to libzmq and between our own sockets, in worker and inline mode; a PUB matches their
 * topics, a ROUTER routes by an id sent as one. Inline, the host is asked afterwards whether it
 * still holds any body (every one must have been released by the core or dropped by the host).
 */
import { afterEach, describe, expect, it } from "vitest"
import { closeCreated, type Impl, ourImpls, ourInline, ourWorker, their } from "../lib/impls.js"
import { syncPubSub } from "../lib/util.js"

afterEach(closeCreated)

/** Sizes around the threshold (8 KiB) and well past it. */
const sizes = [100, 8191, 8192, 8193, 65536, 1 << 20, 5 << 20]

/** A body whose every byte depends on its position and a seed, so a shifted or mixed-up body
 *  shows. */
function body(size: number, seed: number): Buffer {
  const b = Buffer.allocUnsafe(size)
  for (let i = 0; i < size; i++) b[i] = (i * 31 + seed * 7 + (i >> 8)) & 0xff
  return b
}

/** The inline host's bodies held now, or undefined for a worker (out of reach). */
function held(socket: unknown): number | undefined {
  const ctx = (socket as { context: { link: { inlineHost?: { bodiesHeld: number } } } }).context
  return ctx.link.inlineHost?.bodiesHeld
}

let port = 0
const address = (transport: string) =>
  transport === "tcp" ? "tcp://127.0.0.1:*" : transport === "ipc" ? "ipc://*" : `inproc://bodies-${++port}`

describe.each(ourImpls)("$name", (ours_: Impl) => {
  const peers: Impl[] = [ours_, their]
  for (const transport of ["tcp", "ipc", "inproc"]) {
    for (const peer of transport === "inproc" ? [ours_] : peers) {
      it(`PUSH → ${peer.name} PULL over ${transport}: every size, multipart, in order`, async () => {
        const pull = peer.socket("Pull")
        const push = ours_.socket("Push")
        await pull.bind(address(transport))
        push.connect(pull.lastEndpoint!)
        const sent = sizes.map((size, i) => [Buffer.from(`head ${i}`), body(size, i), body(size >> 1, i + 1)])
        // All sent before any is received: they queue (inline, as the user's own Buffers).
        for (const parts of sent) await push.send(parts)
        for (const parts of sent) {
          const got = await pull.receive()
          expect(got.length).toBe(3)
          for (let k = 0; k < 3; k++) expect(Buffer.compare(got[k], parts[k])).toBe(0)
        }
        // The last body is released at its write's callback, which Node may run after the peer
        // has already read the bytes: wait for the release (a few turns at most), then count.
        for (let turn = 0; turn < 100 && (held(push) ?? 0) > 0; turn++) await new Promise((r) => setImmediate(r))
        if (held(push) !== undefined) expect(held(push)).toBe(0)
      })
    }
  }

  it("their PUSH → our PULL: large bodies arrive whole (the receive side)", async () => {
    const pull = ours_.socket("Pull")
    const push = their.socket("Push")
    await pull.bind("tcp://127.0.0.1:*")
    push.connect(pull.lastEndpoint!)
    for (const [i, size] of sizes.entries()) await push.send(body(size, i))
    for (const [i, size] of sizes.entries()) {
      const [got] = await pull.receive()
      expect(Buffer.compare(got, body(size, i))).toBe(0)
    }
  })

  for (const transport of ["tcp", "ipc"]) {
    it(`their PUSH (bind) → our PULL (connect) over ${transport}: bodies read straight into place`, async () => {
      // A dialed stream reads into the body being collected and otherwise into one scratch
      // buffer (transports/stream.ts's DirectRead): large and small frames back to back,
      // multipart, and a receiver that pauses at its HWM while bodies are half read.
      const push = their.socket("Push")
      await push.bind(address(transport))
      const pull = ours_.socket("Pull", { receiveHighWaterMark: 2 })
      pull.connect(push.lastEndpoint!)
      const sent: Buffer[][] = []
      for (let round = 0; round < 3; round++) {
        for (const [i, size] of sizes.entries()) sent.push([body(size, i + round), Buffer.from(`small ${i}`), body(size + 17, i)])
      }
      const sending = (async () => { for (const parts of sent) await push.send(parts) })()
      for (const [n, parts] of sent.entries()) {
        const got = await pull.receive()
        expect(got.length).toBe(3)
        for (let k = 0; k < 3; k++) expect(Buffer.compare(got[k], parts[k]), `message ${n} part ${k}`).toBe(0)
      }
      await sending
    })
  }

  it("PUB matches topics inside large bodies, for libzmq and our SUBs", async () => {
    const pub = ours_.socket("Publisher")
    await pub.bind("tcp://127.0.0.1:*")
    const subs = [their.socket("Subscriber"), ours_.socket("Subscriber")]
    for (const sub of subs) {
      sub.connect(pub.lastEndpoint!)
      sub.subscribe("wanted")
    }
    const wanted = Buffer.concat([Buffer.from("wanted"), body(100000, 3)])
    const other = Buffer.concat([Buffer.from("other"), body(100000, 4)])
    // Subscriptions reach the PUB some time after connect: publish until both SUBs have one.
    const firsts = subs.map((sub) => sub.receive())
    let all = false
    void Promise.all(firsts).then(() => (all = true))
    while (!all) {
      await pub.send(other)
      await pub.send(wanted)
      await new Promise((r) => setImmediate(r))
    }
    for (const first of firsts) expect(Buffer.compare((await first)[0], wanted)).toBe(0)
  })

  it("ROUTER sends a large body to the peer its routing id names", async () => {
    const router = ours_.socket("Router")
    const dealer = their.socket("Dealer", { routingId: "D1" })
    await router.bind("tcp://127.0.0.1:*")
    dealer.connect(router.lastEndpoint!)
    await dealer.send("hello")
    const [id] = await router.receive()
    expect(id.toString()).toBe("D1")
    const big = body(200000, 9)
    await router.send([id, big])
    const [got] = await dealer.receive()
    expect(Buffer.compare(got, big)).toBe(0)
  })
})

describe("inline: the host keeps no body once it is written", () => {
  it("PUB to no one, PUSH through close: every body is released or dropped", async () => {
    const pub = ourInline.socket("Publisher")
    await pub.bind("tcp://127.0.0.1:*")
    for (let i = 0; i < 20; i++) await pub.send(body(20000, i)) // nobody subscribed: dropped
    expect(held(pub)).toBe(0)
    const push = ourInline.socket("Push", { sendHighWaterMark: 5, linger: 0 })
    push.connect("tcp://127.0.0.1:9") // never answers: the bodies wait in the pipe
    for (let i = 0; i < 5; i++) await push.send(body(20000, i))
    // send() resolved within credit; the batch reaches the (inline) host at the next flush.
    await new Promise((r) => setImmediate(r))
    expect(held(push)).toBe(5)
    push.close()
    await new Promise((r) => setImmediate(r))
    expect(held(pub)).toBe(0)
  })
})

describe("worker: a body's buffer comes back for reuse only once every write of it is done", () => {
  it("PUB to two SUBs, one reading as it goes and one at the end: every byte of every message", async () => {
    const pub = ourWorker.socket("Publisher")
    await pub.bind("tcp://127.0.0.1:*")
    const subs = [their.socket("Subscriber"), their.socket("Subscriber")]
    // Subscribed to "d" ahead of the sync, which the PUB then handles after it.
    for (const sub of subs) {
      sub.connect(pub.lastEndpoint!)
      sub.subscribe("d")
      await syncPubSub(pub, sub)
    }
    const stats = () => (pub.context as unknown as { link: { call(m: string, a: unknown[]): Promise<{ returnedBodies: number }> } })
      .link.call("stats", [])
    const before = (await stats()).returnedBodies
    // 16 KiB bodies, each different: a buffer reused while one connection's stream still held
    // it would show as another message's bytes at one of the SUBs.
    const COUNT = 600
    const [eager, late] = subs
    // Every sync has a topic of its own (util.ts), so neither SUB gets the other's probes.
    const data = async (sub: typeof eager) => {
      const [topic, bytes] = await sub.receive()
      expect(topic.toString()).toBe("d")
      return bytes
    }
    const eagerGot = (async () => {
      for (let i = 0; i < COUNT; i++) expect(Buffer.compare(await data(eager), body(16384, i)), `message ${i}`).toBe(0)
    })()
    for (let i = 0; i < COUNT; i++) await pub.send(["d", body(16384, i)])
    await eagerGot
    for (let i = 0; i < COUNT; i++) expect(Buffer.compare(await data(late), body(16384, i)), `message ${i}`).toBe(0)
    // The buffers did go round (the facade's BodyPool filled later bodies with them).
    expect((await stats()).returnedBodies - before).toBeGreaterThan(COUNT / 2)
  })
})
