/**
 * The SharedArrayBuffer channel (ts/host/channel/ring.ts), first as two ends in one thread whose
 * posted units are delivered when the test says (so that the two paths can arrive in either
 * order), then end to end in Node with ZEROMQ_WASM_CHANNEL=ring: sockets of a context whose
 * engine worker talks to the facade over the rings, the way a cross-origin isolated page does.
 *
 *   facade end ──records (send, credit)──► ring toHost ──► host end
 *              ◄──records (msgs, status)── ring toFacade ◄─
 *              ◄────── postMessage: every other op, each group numbered ──────►
 */
import { afterEach, describe, expect, it } from "vitest"
import type { ToFacade, ToHost } from "../../ts/host/channel/protocol.js"
import { makeRings, RING_BYTES, RingPort } from "../../ts/host/channel/ring.js"
import * as ours from "../lib/ours.js"
import { bindAny } from "../lib/util.js"

type Unit = { q: number; ops: unknown[] }

/** Two ends over one pair of rings; what either posts waits in `held` until release(). */
function pair() {
  const rings = makeRings()
  const held: { toHost: Unit[]; toFacade: Unit[] } = { toHost: [], toFacade: [] }
  const facade = new RingPort<ToFacade, ToHost>(rings.toHost, rings.toFacade, (unit) => held.toHost.push(unit as Unit))
  const host = new RingPort<ToHost, ToFacade>(rings.toFacade, rings.toHost, (unit) => held.toFacade.push(unit as Unit))
  const atHost: ToHost[][] = []
  host.onmessage = (ops) => atHost.push(ops)
  const release = () => {
    for (const unit of held.toHost.splice(0)) host.posted(unit as never)
    for (const unit of held.toFacade.splice(0)) facade.posted(unit as never)
  }
  return { facade, host, atHost, held, release }
}

/** A send op of n messages whose batch is `len` bytes, each byte its index's low bits + tag. */
function sendOp(s: number, len: number, tag: number): ToHost {
  const b = new ArrayBuffer(len)
  const bytes = new Uint8Array(b)
  for (let i = 0; i < len; i++) bytes[i] = (i + tag) & 0xff
  return { t: "send", s, b, len, n: 1 }
}

/** Resolves once `cond` holds, checked after each wake-up of the ring's consumer. */
async function until(cond: () => boolean): Promise<void> {
  while (!cond()) await new Promise((resolve) => setImmediate(resolve))
}

describe("RingPort, two ends in one thread", () => {
  it("keeps the posting order across both paths, whichever arrives first", async () => {
    const { facade, atHost, release } = pair()
    const call = (id: number): ToHost => ({ t: "call", id, m: "connect", a: [1, "tcp://x"] })
    facade.post([sendOp(1, 10, 0), call(1)], [])
    facade.post([sendOp(1, 20, 1), { t: "credit", s: 1, n: 2, bytes: 30 }], [])
    facade.post([call(2), sendOp(1, 30, 2)], [])
    facade.post([sendOp(1, 40, 3)], [])
    // The records arrive; the posted groups have not: only what comes before the first is taken.
    await until(() => atHost.length > 0)
    expect(atHost.flat().map((op) => op.t)).toEqual(["send"])
    release()
    await until(() => atHost.flat().length === 7)
    const got = atHost.flat()
    expect(got.map((op) => (op.t === "call" ? `call${op.id}` : op.t))).toEqual(["send", "call1", "send", "credit", "call2", "send", "send"])
    const sends = got.filter((op) => op.t === "send") as Array<Extract<ToHost, { t: "send" }>>
    expect(sends.map((op) => op.len)).toEqual([10, 20, 30, 40])
    for (const [k, op] of sends.entries()) {
      const bytes = new Uint8Array(op.b, 0, op.len)
      expect(bytes.every((v, i) => v === ((i + k) & 0xff))).toBe(true)
    }
    expect(got[3]).toEqual({ t: "credit", s: 1, n: 2, bytes: 30 })
  })

  it("wraps around the ring many times with every byte intact", async () => {
    const { facade, atHost, release } = pair()
    const lengths: number[] = []
    let total = 0
    for (let k = 0; total < 5 * RING_BYTES; k++) {
      const len = 1 + ((k * 7919) % 150_000)
      lengths.push(len)
      total += len
      facade.post([sendOp(3, len, k)], [])
      // Let the consumer keep up now and then, so that most go through the ring.
      if (k % 8 === 7) await until(() => atHost.flat().length === lengths.length)
    }
    release()
    await until(() => atHost.flat().length === lengths.length)
    const sends = atHost.flat() as Array<Extract<ToHost, { t: "send" }>>
    expect(sends.map((op) => op.len)).toEqual(lengths)
    for (const [k, op] of sends.entries()) {
      const bytes = new Uint8Array(op.b, 0, op.len)
      expect(bytes.every((v, i) => v === ((i + k) & 0xff))).toBe(true)
    }
    expect(facade.counts.records).toBeGreaterThan(lengths.length / 2)
  })

  it("posts what the ring has no room for, and what it does not carry, still in order", async () => {
    const { facade, atHost, release, held } = pair()
    // One synchronous burst of 3 × RING_BYTES: the consumer cannot drain meanwhile.
    const ops: ToHost[] = []
    for (let k = 0; k < 48; k++) ops.push(sendOp(5, RING_BYTES / 16, k))
    for (let k = 0; k < 48; k++) facade.post([ops[k]], [])
    facade.post([sendOp(5, RING_BYTES, 48)], []) // more than a record may carry
    const body = new ArrayBuffer(8)
    facade.post([{ t: "send", s: 5, b: new ArrayBuffer(12), len: 12, n: 1, bodies: [body] }], [body]) // with a body
    expect(held.toHost.length).toBeGreaterThan(0)
    release()
    await until(() => atHost.flat().length === 50)
    const sends = atHost.flat() as Array<Extract<ToHost, { t: "send" }>>
    expect(sends.slice(0, 49).map((op) => new Uint8Array(op.b)[0])).toEqual([...Array(49).keys()])
    expect(sends[49].bodies).toEqual([body])
    expect(facade.counts.records).toBeGreaterThan(0)
    expect(facade.counts.posted).toBeGreaterThan(2)
  })

  it("hands the host's finished batches to this thread's pool instead of posting them", async () => {
    const { host, held } = pair()
    host.post([{ t: "batches", b: [new ArrayBuffer(64)] }], [])
    expect(held.toFacade).toEqual([])
    expect(host.counts).toEqual({ records: 0, posted: 0 })
  })

  it("passes what is not a numbered unit on as it is (where the receiver's errors are caught)", () => {
    const { host, atHost } = pair()
    host.posted(null as never)
    expect(atHost).toEqual([null])
  })
})

describe("sockets over the rings in Node (ZEROMQ_WASM_CHANNEL=ring)", () => {
  const made: Array<{ close(): void; closed: boolean }> = []
  afterEach(() => {
    for (const s of made.splice(0)) if (!s.closed) s.close()
  })

  /** A context whose engine worker talks over the rings (the variable is read as it starts). */
  function ringContext() {
    const before = process.env.ZEROMQ_WASM_CHANNEL
    process.env.ZEROMQ_WASM_CHANNEL = "ring"
    try {
      const context = new ours.Context()
      const link = (context as unknown as { link: { ring?: { records: number; posted: number } } }).link
      return { context, link }
    } finally {
      if (before === undefined) delete process.env.ZEROMQ_WASM_CHANNEL
      else process.env.ZEROMQ_WASM_CHANNEL = before
    }
  }

  it("PUSH → PULL: 20,000 messages of 0 B to 300 KiB and one of 5 MiB, in order and intact", async () => {
    const { context, link } = ringContext()
    const pull = new ours.Pull({ context, linger: 0 })
    const push = new ours.Push({ context, linger: 0 })
    made.push(pull, push)
    push.connect(await bindAny(pull as never))
    const size = (i: number) => (i === 10_000 ? 5 << 20 : i % 1000 === 0 ? 300_000 : i % 7)
    const sending = (async () => {
      for (let i = 0; i < 20_000; i++) await push.send(Buffer.alloc(size(i), i & 0xff))
    })()
    for (let i = 0; i < 20_000; i++) {
      const [m] = await pull.receive()
      if (m.length !== size(i) || (m.length && (m[0] !== (i & 0xff) || m[m.length - 1] !== (i & 0xff)))) {
        throw new Error(`message ${i}: ${m.length} bytes, first ${m[0]}`)
      }
    }
    await sending
    expect(link.ring?.records).toBeGreaterThan(50) // batches of many messages each
    expect(link.ring?.posted).toBeGreaterThan(0) // control calls, and the 5 MiB body
  })

  it("REQ ↔ REP round trips, then close() with linger delivers what was sent", async () => {
    const { context, link } = ringContext()
    const rep = new ours.Reply({ context, linger: 0 })
    const req = new ours.Request({ context, linger: 0 })
    made.push(rep, req)
    req.connect(await bindAny(rep as never))
    const serving = (async () => {
      for (let i = 0; i < 200; i++) await rep.send([(await rep.receive())[0], "!"])
    })()
    for (let i = 0; i < 200; i++) {
      await req.send(`q${i}`)
      expect((await req.receive()).map(String)).toEqual([`q${i}`, "!"])
    }
    await serving
    const pull = new ours.Pull({ context, linger: 0 })
    made.push(pull)
    const at = await bindAny(pull as never)
    const push = new ours.Push({ context, linger: -1 })
    push.connect(at)
    for (let i = 0; i < 100; i++) await push.send(String(i))
    push.close()
    for (let i = 0; i < 100; i++) expect(String((await pull.receive())[0])).toBe(String(i))
    expect(link.ring?.records).toBeGreaterThan(400)
  })
})
