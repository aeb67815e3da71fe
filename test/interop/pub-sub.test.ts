// PUB → SUB between their sockets (libzmq, via zeromq) and ours, both binding and connecting.
//
//   PUB ──probes──► SUB      until one arrives (see syncPubSub): the subscription is in place
//   PUB ──data────► SUB      only what matches a subscribed prefix, in order
import { randomBytes } from "node:crypto"
import { afterEach, describe, expect, it } from "vitest"
import { closeCreated, pairings, type Impl, type Options } from "../lib/impls.js"
import { bindAny, releaseAndClose, syncPubSub, text, unusedEndpoint } from "../lib/util.js"

afterEach(closeCreated)

for (const [binder, connecter] of pairings) {
  for (const subBinds of [false, true]) {
    const [subImpl, pubImpl]: Impl[] = subBinds ? [binder, connecter] : [connecter, binder]
    const role = (binds: boolean) => (binds ? "bind" : "connect")

    describe(`${pubImpl.name} PUB (${role(!subBinds)}) → ${subImpl.name} SUB (${role(subBinds)})`, () => {
      /** A connected, synchronised pair; the SUB has the given subscriptions. */
      /** `address`: where the binder binds (a restart test picks a port that stays free). */
      async function marry(prefixes: string[] = [], pubOptions: Options = {}, subOptions = pubOptions, address?: string) {
        const pub = pubImpl.socket("Publisher", pubOptions)
        const sub = subImpl.socket("Subscriber", subOptions)
        sub.subscribe(...prefixes)
        if (subBinds) pub.connect(await bindAny(sub, address))
        else sub.connect(await bindAny(pub, address))
        await syncPubSub(pub, sub)
        return { pub, sub }
      }

      it("delivers to a subscribe-all subscriber, multipart and empty frames included", async () => {
        const { pub, sub } = await marry()
        await pub.send("one")
        await pub.send(["", "a", "", Buffer.alloc(0)])
        await pub.send("")
        expect(text(await sub.receive())).toEqual(["one"])
        expect(text(await sub.receive())).toEqual(["", "a", "", ""])
        expect(text(await sub.receive())).toEqual([""])
      })

      it("carries 0-byte and 1 MiB messages", async () => {
        const { pub, sub } = await marry()
        const big = randomBytes(1 << 20)
        await pub.send(Buffer.alloc(0))
        await pub.send(big)
        expect((await sub.receive())[0].length).toBe(0)
        const [received] = await sub.receive()
        expect(received.length).toBe(big.length)
        expect(received.equals(big)).toBe(true)
      })

      it("filters on prefixes and stops after unsubscribe", async () => {
        const { pub, sub } = await marry(["10001 ", "abc"])
        for (const message of ["10001 1", "10002 1", "ab", "abc", "abcd", "x", "1000", "10001 2", "abc end"]) {
          await pub.send(message)
        }
        const received: string[] = []
        while (received.at(-1) !== "abc end") received.push(String((await sub.receive())[0]))
        expect(received).toEqual(["10001 1", "abc", "abcd", "10001 2", "abc end"])

        sub.unsubscribe("abc")
        // The unsubscribe travels ahead of the sync subscription on the same connection, so once
        // the sync is through, the publisher has dropped "abc".
        await syncPubSub(pub, sub)
        await pub.send("abc 2")
        await pub.send("10001 3")
        expect(text(await sub.receive())).toEqual(["10001 3"])
      })

      // libzmq's SUB filters when a message is received, not only when it arrives: after an
      // unsubscribe, messages of that prefix already queued at the SUB are not returned (ours may
      // hold them in the facade, received ahead of receive(); zeromq.js returns none either).
      it("returns none of an unsubscribed prefix's queued messages; a prefix subscribed twice needs two unsubscribes", async () => {
        const { pub, sub } = await marry(["a", "b", "c", "c"])
        for (let n = 1; n <= 50; n++) await pub.send(`a${n}`)
        await pub.send("b1")
        for (let n = 1; n <= 50; n++) await pub.send(`c${n}`)
        await pub.send("b2")
        expect(text(await sub.receive())).toEqual(["a1"]) // a2... are queued behind it by now, mostly
        sub.unsubscribe("a")
        expect(text(await sub.receive())).toEqual(["b1"])
        sub.unsubscribe("c") // once of twice: still subscribed
        expect(text(await sub.receive())).toEqual(["c1"])
      })

      it("delivers 100k messages complete and in order (no high-water marks)", async () => {
        const { pub, sub } = await marry([""], { sendHighWaterMark: 0 }, { receiveHighWaterMark: 0 })
        const count = 100_000
        const received = (async () => {
          let wrong = 0
          for (let n = 0; n < count; n++) {
            const [message] = await sub.receive()
            if (message.toString() !== String(n)) wrong++
          }
          return wrong
        })()
        for (let n = 0; n < count; n++) await pub.send(String(n))
        expect(await received).toBe(0)
      })

      it("reaches a binder that starts after the connecter", async () => {
        const endpoint = await unusedEndpoint()
        const pub = pubImpl.socket("Publisher")
        const sub = subImpl.socket("Subscriber")
        sub.subscribe("late")
        const [early, late] = subBinds ? [pub, sub] : [sub, pub]
        early.connect(endpoint) // nobody listens there yet
        await late.bind(endpoint)
        await syncPubSub(pub, sub)
        await pub.send("late 1")
        expect(text(await sub.receive())).toEqual(["late 1"])
      })

      it("resubscribes to a binder that restarts on the same port", async () => {
        const options = { reconnectInterval: 10 }
        let { pub, sub } = await marry(["news"], options, options, await unusedEndpoint())
        await pub.send("news 1")
        expect(text(await sub.receive())).toEqual(["news 1"])

        if (subBinds) {
          const endpoint = sub.lastEndpoint!
          await releaseAndClose(sub, endpoint)
          sub = subImpl.socket("Subscriber", options)
          sub.subscribe("news")
          await sub.bind(endpoint)
        } else {
          const endpoint = pub.lastEndpoint!
          await releaseAndClose(pub, endpoint)
          pub = pubImpl.socket("Publisher", options)
          await pub.bind(endpoint)
        }
        await syncPubSub(pub, sub) // the subscriptions reached the new peer
        await pub.send("news 2")
        expect(text(await sub.receive())).toEqual(["news 2"])
      })
    })
  }
}
