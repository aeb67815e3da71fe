// DEALER and PAIR of ours against libzmq's (RFC 28, 31), tcp, both binding directions. Every
// test waits on a receipt, never on a sleep.
//
//   our DEALER ──► their ROUTER   [body] arrives as [id][body]; [id][reply] comes back as [reply]
//   our DEALER ──► their REP      the DEALER sends the empty delimiter itself: ["", body]
//   PAIR ◄──► PAIR                messages both ways, unchanged
// ROUTER (ours) is not written yet: its tests come with native/src/socket/router.c.
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
