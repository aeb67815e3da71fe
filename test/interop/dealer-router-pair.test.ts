// DEALER, ROUTER and PAIR of ours against libzmq's (RFC 28, 31), tcp, both binding directions.
// Every test waits on a receipt, never on a sleep.
//
//   our DEALER ──► their ROUTER   [body] arrives as [id][body]; [id][reply] comes back as [reply]
//   our DEALER ──► their REP      the DEALER sends the empty delimiter itself: ["", body]
//   their REQ/DEALER ──► our ROUTER   the same envelopes, seen from our side
//   ROUTER ◄──► ROUTER            connect(address, {routingId}) names the peer, both ways
//   PAIR ◄──► PAIR                messages both ways, unchanged
// And ROUTER's options side by side with libzmq's: mandatory, handover, generated ids.
import { afterEach, describe, expect, it } from "vitest"
import { closeCreated, type Impl, ourImpls, their } from "../lib/impls.js"
import { bindAny, text } from "../lib/util.js"

afterEach(closeCreated)

/** Binds `binder`'s socket, connects `connecter`'s; both are returned. */
async function marry<A extends { bind(a: string): Promise<void> }, B extends { connect(a: string): void }>(
  bound: A, connecting: B,
): Promise<[A, B]> {
  connecting.connect(await bindAny(bound as never))
  return [bound, connecting]
}

for (const impl of ourImpls) {
  const directions: Array<[string, Impl, Impl]> = [
    [`their binds, ${impl.name} connects`, their, impl],
    [`${impl.name} binds, their connects`, impl, their],
  ]
  describe(`${impl.name} DEALER and PAIR against libzmq`, () => {
    for (const [label, binder, connecter] of directions) {
      const ourSide = binder === impl ? "bind" : "connect"
      it(`our DEALER ↔ their ROUTER envelopes (${label})`, async () => {
        const dealer = impl.socket("Dealer", { routingId: "dealer-1" })
        const router = their.socket("Router")
        if (ourSide === "bind") await marry(dealer, router)
        else await marry(router, dealer)
        await dealer.send(["a", "b"])
        const [id, ...body] = await router.receive()
        expect(id.toString()).toBe("dealer-1")
        expect(text(body)).toEqual(["a", "b"])
        await router.send([id, "c"])
        expect(text(await dealer.receive())).toEqual(["c"])
      })

      it(`our DEALER with their REP sends the delimiter itself (${label})`, async () => {
        const dealer = impl.socket("Dealer")
        const rep = their.socket("Reply")
        if (ourSide === "bind") await marry(dealer, rep)
        else await marry(rep, dealer)
        await dealer.send(["", "ping"])
        expect(text(await rep.receive())).toEqual(["ping"])
        await rep.send("pong")
        expect(text(await dealer.receive())).toEqual(["", "pong"])
      })

      it(`their DEALER with our REP (${label})`, async () => {
        const rep = impl.socket("Reply")
        const dealer = their.socket("Dealer")
        if (ourSide === "bind") await marry(rep, dealer)
        else await marry(dealer, rep)
        await dealer.send(["", "ping"])
        expect(text(await rep.receive())).toEqual(["ping"])
        await rep.send("pong")
        expect(text(await dealer.receive())).toEqual(["", "pong"])
      })

      it(`their REQ and DEALER ↔ our ROUTER envelopes (${label})`, async () => {
        const router = impl.socket("Router")
        const req = their.socket("Request", { routingId: "req-1" })
        const dealer = their.socket("Dealer", { routingId: "dealer-1" })
        if (ourSide === "bind") {
          const address = await bindAny(router)
          req.connect(address)
          dealer.connect(address)
        } else {
          req.connect(await bindAny(req as never))
          router.connect(req.lastEndpoint!)
          router.connect(await bindAny(dealer as never))
        }
        await req.send("hello")
        expect(text(await router.receive())).toEqual(["req-1", "", "hello"])
        await router.send(["req-1", "", "world"])
        expect(text(await req.receive())).toEqual(["world"])
        await dealer.send(["a", "b"])
        expect(text(await router.receive())).toEqual(["dealer-1", "a", "b"])
        await router.send(["dealer-1", "c"])
        expect(text(await dealer.receive())).toEqual(["c"])
      })

      it(`ROUTER ↔ ROUTER, the connecter naming its peer (${label})`, async () => {
        const ourRouter = impl.socket("Router", { routingId: "ours" })
        const theirRouter = their.socket("Router", { routingId: "theirs" })
        const [bound, connecting, boundName, connectingName] = ourSide === "bind"
          ? [ourRouter, theirRouter, "ours", "theirs"]
          : [theirRouter, ourRouter, "theirs", "ours"]
        const address = await bindAny(bound as never)
        connecting.connect(address, { routingId: boundName })
        // Queued before the connection is up: the named peer is routable at once.
        await connecting.send([boundName, "first"])
        expect(text(await bound.receive())).toEqual([connectingName, "first"])
        await bound.send([connectingName, "second"])
        expect(text(await connecting.receive())).toEqual([boundName, "second"])
      })

      it(`PAIR ↔ PAIR both ways (${label})`, async () => {
        const a = binder.socket("Pair")
        const b = connecter.socket("Pair")
        await marry(a, b)
        await b.send(["x", "y"])
        expect(text(await a.receive())).toEqual(["x", "y"])
        await a.send("z")
        expect(text(await b.receive())).toEqual(["z"])
      })
    }
  })
}

// The same calls on ours and on libzmq's ROUTER, the same outcome.
for (const impl of [their, ...ourImpls]) {
  describe(`${impl.name} ROUTER options as libzmq's`, () => {
    it("a peer without an identity gets a generated id (5 bytes, 0x00 first), one per peer", async () => {
      const router = impl.socket("Router")
      const address = await bindAny(router)
      const a = their.socket("Dealer")
      const b = their.socket("Dealer")
      a.connect(address)
      b.connect(address)
      await a.send("from a")
      const [idA] = await router.receive()
      await b.send("from b")
      const [idB] = await router.receive()
      for (const id of [idA, idB]) {
        expect(id.length).toBe(5)
        expect(id[0]).toBe(0)
      }
      expect(idA.equals(idB)).toBe(false)
      await router.send([idB, "to b"])
      expect(text(await b.receive())).toEqual(["to b"])
    })

    it("drops an unroutable message, or fails it with EHOSTUNREACH when mandatory", async () => {
      const router = impl.socket("Router")
      const address = await bindAny(router)
      const dealer = their.socket("Dealer", { routingId: "known" })
      dealer.connect(address)
      await dealer.send("hi")
      await router.receive()
      await router.send(["nobody", "lost"]) // resolves: dropped
      expect(() => router.mandatory).toThrow(expect.objectContaining({ code: "EINVAL" }))
      router.mandatory = true
      expect(router.handover).toBeUndefined()
      await expect(router.send(["nobody", "lost"])).rejects.toMatchObject({
        code: "EHOSTUNREACH", errno: 113, message: "Host unreachable",
      })
      await router.send(["known", "found"])
      expect(text(await dealer.receive())).toEqual(["found"]) // nothing dropped arrived first
    })

    it("with mandatory, a send to a peer at its HWM waits (EAGAIN at the timeout), then goes", async () => {
      const router = impl.socket("Router", { mandatory: true, sendHighWaterMark: 1, sendTimeout: 200 })
      const address = await bindAny(router)
      const dealer = their.socket("Dealer", { routingId: "slow", receiveHighWaterMark: 1 })
      dealer.connect(address)
      await dealer.send("hi")
      await router.receive()
      // Nobody reads: the pipes and the kernel's buffers fill, and then a send times out.
      const body = Buffer.alloc(64 * 1024)
      let sent = 0
      let error: unknown
      for (; sent < 10_000 && !error; sent++) await router.send(["slow", body]).catch((e) => (error = e))
      expect(error).toMatchObject({ code: "EAGAIN" })
      // The reader catches up: a send without timeout waits for room, and everything arrives.
      router.sendTimeout = -1
      const last = router.send(["slow", "last"])
      let received = 0
      for (;;) {
        const [msg] = await dealer.receive()
        if (msg.toString() === "last") break
        received++
      }
      await last
      expect(received).toBe(sent - 1) // all but the one that timed out
    })

    it("refuses a second peer with a routing id in use, or hands the id over", async () => {
      for (const handover of [false, true]) {
        const router = impl.socket("Router", { handover })
        const address = await bindAny(router)
        const first = their.socket("Dealer", { routingId: "same" })
        first.connect(address)
        await first.send("first")
        expect(text(await router.receive())).toEqual(["same", "first"])
        const second = their.socket("Dealer", { routingId: "same" })
        second.connect(address)
        await second.send("second")
        if (handover) {
          // The id moves to the new peer, and so does what is sent to it.
          expect(text(await router.receive())).toEqual(["same", "second"])
          await router.send(["same", "to the new one"])
          expect(text(await second.receive())).toEqual(["to the new one"])
        } else {
          // The holder keeps it; the second peer's message never arrives.
          await router.send(["same", "to the holder"])
          expect(text(await first.receive())).toEqual(["to the holder"])
          await first.send("still first")
          expect(text(await router.receive())).toEqual(["same", "still first"])
        }
        router.close()
        first.close()
        second.close()
      }
    })
  })
}
