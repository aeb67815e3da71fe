/**
 * Lent bodies (worker mode, ts/host/channel/lending.ts): a body over LEND_MIN bytes stays in the
 * user's Buffer and the engine thread asks for it a window at a time as connections write it.
 * What must hold: every byte in place and in order, over tcp and inproc, to libzmq and to our
 * sockets, to several connections at different speeds, and through a connection that goes away
 * in the middle of the body; and once everything is written, the host holds no lent body and the
 * facade has let go of every Buffer (which it does only when the host says so: a test that ends
 * with a lent body still held fails here).
 */
import { createConnection, type Socket as NetSocket } from "node:net"
import { afterEach, describe, expect, it } from "vitest"
import { LEND_MIN, LEND_WINDOW } from "../../ts/host/channel/lending.js"
import type { HostStats } from "../../ts/host/channel/protocol.js"
import { closeCreated, ourWorker, their } from "../lib/impls.js"
import { setImmediate as yieldToEventLoop } from "node:timers/promises"
import { syncPubSub } from "../lib/util.js"

afterEach(closeCreated)

const MiB = 1 << 20

/** A body whose every byte depends on its position and a seed, and every MiB is stamped with its
 *  index: a window out of place, shifted or from another body shows. */
function body(size: number, seed: number, prefix = ""): Buffer {
  const b = Buffer.allocUnsafe(size)
  for (let i = 0; i < size; i += 4096) b.fill((seed * 13 + (i >> 12)) & 0xff, i, Math.min(size, i + 4096))
  for (let m = 0; m + 11 <= size; m += MiB) {
    b.writeUInt32LE(m / MiB, m + 3)
    b.writeUInt32LE(seed, m + 7)
  }
  b.write(prefix, 0)
  return b
}

interface Linked {
  context: { link: { call(m: "stats", a: []): Promise<HostStats>; lender?: { size: number } } }
}
const link = (socket: unknown) => (socket as Linked).context.link

/** Waits (one host round trip at a time) until the host is done with every lent body of the
 *  socket's context, then checks that the facade let go of their Buffers. */
async function allReturned(socket: unknown): Promise<HostStats> {
  let stats = await link(socket).call("stats", [])
  while (stats.lentBodies > 0) stats = await link(socket).call("stats", [])
  expect(link(socket).lender?.size).toBe(0)
  return stats
}

describe("lent bodies (our/worker)", () => {
  it("PUSH → their PULL and our PULL over tcp: lent bodies among small and copied parts, in order", async () => {
    for (const peer of [their, ourWorker]) {
      const pull = peer.socket("Pull")
      const push = ourWorker.socket("Push")
      await pull.bind("tcp://127.0.0.1:*")
      push.connect(pull.lastEndpoint!)
      const sizes = [LEND_MIN + 1, 12 * MiB + 5, LEND_MIN, 3 * LEND_WINDOW]
      const sent = sizes.map((size, i) => [Buffer.from(`head ${i}`), body(size, i), body(9000, i + 100)])
      for (const parts of sent) await push.send(parts)
      for (const parts of sent) {
        const got = await pull.receive()
        expect(got.length).toBe(3)
        for (let k = 0; k < 3; k++) expect(Buffer.compare(got[k], parts[k]), `part ${k}`).toBe(0)
      }
      const stats = await allReturned(push)
      expect(stats.bodies).toBe(0)
    }
  })

  it("over inproc: the receiver in the same context gets a copy of the lent Buffer", async () => {
    const pull = ourWorker.socket("Pull")
    await pull.bind("inproc://lending")
    const push = ourWorker.socket("Push") // the same context: the factory shares one
    push.connect("inproc://lending")
    const sent = body(6 * MiB, 7)
    await push.send(sent)
    const [got] = await pull.receive()
    expect(Buffer.compare(got, sent)).toBe(0)
    await allReturned(push)
  })

  it("a lent body that no subscriber wants is let go at once (dropped by the PUB, never written)", async () => {
    const pub = ourWorker.socket("Publisher")
    await pub.bind("tcp://127.0.0.1:*")
    await pub.send(body(LEND_MIN + 7, 3))
    const stats = await allReturned(pub)
    expect(stats.bodies).toBe(0)
  })

  it("PUB → a libzmq SUB reading at once and our SUB reading at the end: topics matched on the head", async () => {
    const pub = ourWorker.socket("Publisher")
    await pub.bind("tcp://127.0.0.1:*")
    const fast = their.socket("Subscriber")
    const slow = ourWorker.socket("Subscriber", { receiveHighWaterMark: 2 })
    for (const sub of [fast, slow]) {
      sub.connect(pub.lastEndpoint!)
      await syncPubSub(pub, sub)
      sub.subscribe("wanted")
    }
    await syncPubSub(pub, fast) // both subscriptions to "wanted" have reached the PUB by now
    await syncPubSub(pub, slow)
    const bodies = [0, 1, 2, 3, 4, 5].map((i) => body(5 * MiB + i * 333, i, i === 2 ? "other" : "wanted"))
    for (const b of bodies) await pub.send(b)
    const wanted = bodies.filter((_, i) => i !== 2)
    // Every sync has a topic of its own (util.ts), so neither SUB gets the other's probes.
    const next = async (sub: typeof fast) => (await sub.receive())[0]
    for (const b of wanted) expect(Buffer.compare(await next(fast), b)).toBe(0)
    for (const b of wanted) expect(Buffer.compare(await next(slow), b)).toBe(0)
    await allReturned(pub)
  })

  it("a subscriber that goes away in the middle of a body: the other gets it whole, nothing is left held", async () => {
    const pub = ourWorker.socket("Publisher")
    await pub.bind("tcp://127.0.0.1:*")
    const sub = their.socket("Subscriber")
    sub.connect(pub.lastEndpoint!)
    await syncPubSub(pub, sub)
    sub.subscribe("")
    // A raw ZMTP 3.0 SUB that subscribes to everything and hangs up after 2 MiB of a 40 MiB body.
    const { port } = new URL(pub.lastEndpoint!.replace("tcp:", "http:"))
    const raw: NetSocket = createConnection(Number(port), "127.0.0.1")
    const greeting = Buffer.alloc(64)
    greeting[0] = 0xff
    greeting[9] = 0x7f
    greeting[10] = 3
    greeting.write("NULL", 12)
    const ready = Buffer.concat([Buffer.from([5]), Buffer.from("READY"), Buffer.from([11]), Buffer.from("Socket-Type"),
      Buffer.from([0, 0, 0, 3]), Buffer.from("SUB")])
    raw.write(Buffer.concat([greeting, Buffer.from([0x04, ready.length]), ready, Buffer.from([0x00, 1, 0x01])]))
    let received = 0
    let hungUp = false
    const gotData = new Promise<void>((resolve) => raw.on("data", (chunk: Buffer) => {
      received += chunk.length
      if (received > 64 + 64) resolve() // past its greeting and READY: a probe arrived
      if (received > 2 * MiB && !hungUp) {
        hungUp = true
        raw.destroy()
      }
    }))
    let arrived = false
    void gotData.then(() => (arrived = true))
    while (!arrived) {
      await pub.send("probe")
      await yieldToEventLoop()
    }
    // The libzmq SUB got probes meanwhile; they come before the body.
    const big = body(40 * MiB, 9)
    await pub.send(big)
    for (;;) {
      const [got] = await sub.receive()
      if (got.length === big.length) {
        expect(Buffer.compare(got, big)).toBe(0)
        break
      }
      expect(got.toString()).toBe("probe")
    }
    expect(hungUp).toBe(true)
    const stats = await allReturned(pub)
    expect(stats.bodies).toBe(0)
  })

  it("close() right after sending a lent body: the connection ends only after the whole body", async () => {
    const pull = their.socket("Pull")
    await pull.bind("tcp://127.0.0.1:*")
    const push = ourWorker.socket("Push", { linger: -1 })
    push.connect(pull.lastEndpoint!)
    await push.send("first")
    expect((await pull.receive())[0].toString()).toBe("first")
    // The body is the last thing the core has for the connection: it asks for the close as
    // soon as it has shown the body, while most of it is still to be asked for.
    const big = body(32 * MiB, 11)
    await push.send(["head", big])
    push.close()
    const got = await pull.receive()
    expect(got.length).toBe(2)
    expect(got[0].toString()).toBe("head")
    expect(Buffer.compare(got[1], big)).toBe(0)
  })
})
