/**
 * A loop of `await send()` that never waits for anything else still lets the event loop turn, so
 * an engine on the same thread (inline mode) keeps writing and a receiver on the same thread
 * keeps receiving. A PUB's send never blocks (it drops at the HWM) and a PUSH's resolves at once
 * while it has credit: if each resolved as a microtask for ever, the loop would starve every
 * macrotask until it ended. Found by the slow-subscriber soak test; at 0855409 an inline PUB of
 * 64 B Buffers got 3,293 of 1 million messages to a SUB in another process, and none to a SUB on
 * its own thread during 100,000 sends. Fixed by channel/flusher.ts: the host's status reports
 * after the first of a turn go out at setImmediate, so the facade's send window runs out and a
 * send waits for one.
 *
 *   this process: PUB|PUSH (ours, worker|inline) --tcp--> SUB|PULL (their), counts during the loop
 */
import { afterEach, describe, expect, it } from "vitest"
import { closeCreated, ourImpls, their } from "../lib/impls.js"
import { setImmediate as yieldToEventLoop } from "node:timers/promises"
import { PYTHON, run } from "../lib/processes.js"
import { bindAny, syncPubSub } from "../lib/util.js"

/** Sends in a loop: to another process (a PUB: fast, dropping), and on one thread. */
const SENDS = 1_000_000
const SENDS_HERE = 100_000

afterEach(() => closeCreated())

/** Runs `SENDS_HERE` awaited sends; returns how many macrotasks ran and what `received()` was meanwhile. */
async function loop(send: () => Promise<void>, received: () => number) {
  let turns = 0
  let stop = false
  const tick = () => {
    turns++
    if (!stop) setImmediate(tick)
  }
  setImmediate(tick)
  for (let i = 0; i < SENDS_HERE; i++) await send()
  stop = true
  return { turns, received: received() }
}

/** A libzmq SUB in its own process: prints "ready" at its first message, counts the rest until
 *  one reads "end", prints the count and exits. */
const SUB_PY = `
import sys, zmq
s = zmq.Context().socket(zmq.SUB)
s.connect(sys.argv[1])
s.setsockopt(zmq.SUBSCRIBE, b"")
s.recv()
print("ready", flush=True)
n = 0
while s.recv() != b"end":
    n += 1
print(n, flush=True)
`

describe.each(ourImpls)("a loop of awaited sends lets the engine write (%s)", (impl) => {
  it("PUB: a SUB in another process gets a share of the messages", async () => {
    const pub = impl.socket("Publisher")
    const endpoint = await bindAny(pub)
    const sub = run(PYTHON, ["-c", SUB_PY, endpoint])
    while (!sub.stdout().includes("ready")) {
      await pub.send("probe")
      await yieldToEventLoop()
    }
    const body = Buffer.alloc(64)
    for (let i = 0; i < SENDS; i++) await pub.send(body)
    let exited = false
    void sub.exited.then(() => (exited = true))
    while (!exited) {
      await pub.send("end")
      await yieldToEventLoop()
    }
    const got = Number(sub.stdout().split("\n")[1])
    // After the loop the PUB can still write what it queued: SNDHWM (1,000) plus the facade's
    // send window (4,096). A starved engine wrote nothing more (1,995 of 4 million once).
    expect(got).toBeGreaterThan(4 * (1000 + 4096))
  })
})

describe.each(ourImpls)("a loop of awaited sends lets the event loop turn (%s)", (impl) => {
  it("PUB: a SUB on the same thread receives during the loop", async () => {
    const pub = impl.socket("Publisher")
    const sub = their.socket("Subscriber")
    sub.connect(await bindAny(pub))
    sub.subscribe("d") // travels ahead of syncPubSub's own subscription
    await syncPubSub(pub, sub)
    let got = 0
    void (async () => {
      for (;;) {
        await sub.receive()
        got++
      }
    })().catch(() => {})
    const body = Buffer.alloc(64)
    const seen = await loop(() => pub.send(["d", body]), () => got)
    expect(seen.turns).toBeGreaterThan(0)
    expect(seen.received).toBeGreaterThan(0)
  })

  it("PUSH: a PULL on the same thread receives during the loop", async () => {
    const push = impl.socket("Push")
    const pull = their.socket("Pull")
    pull.connect(await bindAny(push))
    await push.send("first")
    await pull.receive()
    let got = 0
    void (async () => {
      for (;;) {
        await pull.receive()
        got++
      }
    })().catch(() => {})
    const body = Buffer.alloc(64)
    const seen = await loop(() => push.send(body), () => got)
    expect(seen.turns).toBeGreaterThan(0)
    expect(seen.received).toBeGreaterThan(0)
  })
})
