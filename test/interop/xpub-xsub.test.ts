// XPUB and XSUB, ours against theirs (libzmq 4.3.5 via zeromq), both binding directions, tcp.
//
//   their SUB ──SUBSCRIBE "a"──► our XPUB     the application reads 01 'a'; data then flows
//   our XSUB ──sends 01 "t"──► their PUB      probes until one arrives, then only "t..." data
//   their PUB ──► our XSUB ⇄ our XPUB ──► their SUB      a forwarder in this process
//
// Every wait is on a message: a subscription message on the XPUB, or a probe on the far side.
import { setImmediate as yieldToEventLoop } from "node:timers/promises"
import { afterEach, describe, expect, it } from "vitest"
import { closeCreated, ourImpls, their, type Impl } from "../lib/impls.js"
import { bindAny, syncPubSub, text } from "../lib/util.js"

afterEach(closeCreated)

const sub = (prefix: string) => Buffer.concat([Buffer.from([1]), Buffer.from(prefix)])
const unsub = (prefix: string) => Buffer.concat([Buffer.from([0]), Buffer.from(prefix)])

/** Connects a and b, the binder being the one named. */
async function join(binder: { bind(a: string): Promise<void>; lastEndpoint: string | null },
  connecter: { connect(a: string): void }) {
  connecter.connect(await bindAny(binder as never))
}

for (const our of ourImpls) {
  for (const ourBinds of [true, false]) {
    const how = ourBinds ? "binds" : "connects"

    // libzmq's SUB sends its subscriptions to a new peer only when its application calls into
    // it (commands are processed in send/recv): a SUB that bound and is not reading never sends
    // them, to ours or to libzmq's own XPUB. So the SUB is receiving before the XPUB waits.
    describe(`${our.name} XPUB (${how}) ← their SUB`, () => {
      it("hands subscriptions to the application as 0x01/0x00 messages, then publishes", async () => {
        const xpub = our.socket("XPublisher")
        const s = their.socket("Subscriber")
        s.subscribe("a")
        if (ourBinds) await join(xpub, s)
        else await join(s, xpub)
        const first = s.receive()
        expect((await xpub.receive())[0]).toEqual(sub("a"))
        await xpub.send("a1")
        await xpub.send("b1")
        await xpub.send(sub("x"))   // data on XPUB, even though it looks like a subscription
        await xpub.send("a2")
        expect(text(await first)).toEqual(["a1"])
        expect(text(await s.receive())).toEqual(["a2"])
        s.unsubscribe("a")
        expect((await xpub.receive())[0]).toEqual(unsub("a"))
      })
    })

    describe(`${our.name} XSUB (${how}) → their PUB`, () => {
      it("subscribes by sending 0x01<prefix> and receives what matches", async () => {
        const xsub = our.socket("XSubscriber")
        const pub = their.socket("Publisher")
        if (ourBinds) await join(xsub, pub)
        else await join(pub, xsub)
        await xsub.send(sub("t"))
        // A PUB drops what it sends before the subscription arrives: probe until one does.
        let arrived = false
        const drained = (async () => {
          for (;;) {
            const [m] = await xsub.receive()
            arrived = true
            if (m.toString() === "t-end") return
          }
        })()
        while (!arrived) {
          await pub.send("t-probe")
          await yieldToEventLoop()
        }
        await pub.send("t-end")
        await drained
        await pub.send("x-no")
        await pub.send("t-data")
        expect(text(await xsub.receive())).toEqual(["t-data"])
      })
    })
  }

  describe(`their PUB → ${our.name} XSUB ⇄ XPUB forwarder → their SUB`, () => {
    it("delivers end to end", async () => {
      const pub = their.socket("Publisher")
      const s = their.socket("Subscriber")
      const xsub = our.socket("XSubscriber")
      const xpub = our.socket("XPublisher")
      pub.connect(await bindAny(xsub))
      s.connect(await bindAny(xpub))
      const forward = async (from: typeof xpub | typeof xsub, to: typeof xpub | typeof xsub) => {
        for await (const msg of from) await to.send(msg)
      }
      void forward(xpub, xsub)
      void forward(xsub, xpub)
      s.subscribe("news")
      await syncPubSub(pub, s)   // its subscription goes through the forwarder too
      await pub.send("sports")
      await pub.send("news 1")
      expect(text(await s.receive())).toEqual(["news 1"])
    })
  })
}

// The same calls on their XPUB and ours give the same messages.
describe("XPUB options, ours as theirs", () => {
  const run = async (impl: Impl, verbosity: null | "allSubs") => {
    const xpub = impl.socket("XPublisher")
    if (verbosity) xpub.verbosity = verbosity
    const endpoint = await bindAny(xpub)
    const s1 = their.socket("Subscriber")
    const s2 = their.socket("Subscriber")
    s1.connect(endpoint)
    s2.connect(endpoint)
    const seen: string[] = []
    s1.subscribe("a")
    seen.push(String((await xpub.receive())[0]))
    s2.subscribe("a", "b")
    // "b" follows "a" on s2's connection: once it is here, the duplicate was judged.
    while (seen.at(-1) !== "\u0001b") seen.push(String((await xpub.receive())[0]))
    return seen
  }

  for (const impl of [their, ...ourImpls]) {
    it(`${impl.name}: duplicates hidden by default, shown with verbosity "allSubs"`, async () => {
      expect(await run(impl, null)).toEqual(["\u0001a", "\u0001b"])
      expect(await run(impl, "allSubs")).toEqual(["\u0001a", "\u0001a", "\u0001b"])
    })

    it(`${impl.name}: welcomeMessage reaches a subscriber that subscribed to it`, async () => {
      const xpub = impl.socket("XPublisher", { welcomeMessage: "welcome!" })
      const s = their.socket("Subscriber")
      s.subscribe("wel")
      s.connect(await bindAny(xpub))
      expect((await xpub.receive())[0]).toEqual(sub("wel"))
      expect(text(await s.receive())).toEqual(["welcome!"])
    })
  }
})
