// REQ ↔ REP between their sockets (libzmq, via zeromq) and ours, both binding and connecting.
//
//   REQ ──"Hello"──► REP
//   REQ ◄──"World"── REP        lockstep, any frames, any sizes
import { randomBytes } from "node:crypto"
import { afterEach, describe, expect, it } from "vitest"
import { closeCreated, pairings, type Impl } from "../lib/impls.js"
import { bindAny, text, unusedEndpoint } from "../lib/util.js"

afterEach(closeCreated)

for (const [binder, connecter] of pairings) {
  for (const repBinds of [true, false]) {
    const [repImpl, reqImpl]: Impl[] = repBinds ? [binder, connecter] : [connecter, binder]
    const role = (binds: boolean) => (binds ? "bind" : "connect")

    describe(`${repImpl.name} REP (${role(repBinds)}) ↔ ${reqImpl.name} REQ (${role(!repBinds)})`, () => {
      async function marry() {
        const rep = repImpl.socket("Reply")
        const req = reqImpl.socket("Request")
        if (repBinds) req.connect(await bindAny(rep))
        else rep.connect(await bindAny(req))
        return { req, rep }
      }

      it("exchanges ten requests and replies in lockstep", async () => {
        const { req, rep } = await marry()
        for (let n = 0; n < 10; n++) {
          await req.send(`Hello ${n}`)
          expect(text(await rep.receive())).toEqual([`Hello ${n}`])
          await rep.send(`World ${n}`)
          expect(text(await req.receive())).toEqual([`World ${n}`])
        }
      })

      it("keeps multipart messages with empty frames intact", async () => {
        const { req, rep } = await marry()
        await req.send(["", "a", "", Buffer.alloc(0), "b", ""])
        expect(text(await rep.receive())).toEqual(["", "a", "", "", "b", ""])
        await rep.send(["", "", "c"])
        expect(text(await req.receive())).toEqual(["", "", "c"])
      })

      it("carries 0-byte and 1 MiB messages", async () => {
        const { req, rep } = await marry()
        const big = randomBytes(1 << 20)
        await req.send(Buffer.alloc(0))
        const [empty] = await rep.receive()
        expect(empty.length).toBe(0)
        await rep.send(big)
        const [echoed] = await req.receive()
        expect(echoed.length).toBe(big.length)
        expect(echoed.equals(big)).toBe(true)
        await req.send(big)
        expect((await rep.receive())[0].equals(big)).toBe(true)
        await rep.send("")
        expect(text(await req.receive())).toEqual([""])
      })

      it("reaches a binder that starts after the connecter", async () => {
        const endpoint = await unusedEndpoint()
        const req = reqImpl.socket("Request")
        const rep = repImpl.socket("Reply")
        const [early, late] = repBinds ? [req, rep] : [rep, req]
        early.connect(endpoint) // nobody listens there yet
        const request = req.send("early") // pending until a peer is there
        await late.bind(endpoint)
        await request
        expect(text(await rep.receive())).toEqual(["early"])
        await rep.send("late")
        expect(text(await req.receive())).toEqual(["late"])
      })
    })
  }
}
