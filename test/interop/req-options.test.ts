/**
 * REQ's options against a libzmq ROUTER (zeromq 6.8.0), ours and theirs side by side so both
 * REQs are seen to put the same frames on the wire:
 *
 *   correlate:    REQ ──[reqid(4)][""][body]──► ROUTER    a reply with another reqid is dropped
 *   relaxed:      a second send() while the first waits is allowed; the late reply is dropped
 *   probeRouter:  REQ ──[""]──► ROUTER on connect (ROUTER sees [peer][""])
 */
import { afterEach, describe, expect, it } from "vitest"
import * as theirs from "zeromq"
import { closeCreated, ourImpls, their, type Impl } from "../lib/impls.js"
import { bindAny, text } from "../lib/util.js"

afterEach(closeCreated)

for (const impl of [...ourImpls, their] as Impl[]) {
  describe(`${impl.name} REQ options with their ROUTER`, () => {
    // Not for their REQ: when libzmq drops the stale reply inside zmq_recv after zeromq.js's poll
    // saw the socket readable, zeromq.js rejects the receive() with EAGAIN ("Operation was not
    // possible or timed out") instead of waiting for the answer; seen under load in CI.
    it.skipIf(impl === their)("correlate: requests carry an id, and only the reply with that id is delivered", async () => {
      const router = their.socket("Router" as never) as unknown as theirs.Router
      const endpoint = await bindAny(router)
      const req = impl.socket("Request", { correlate: true, routingId: "client" })
      req.connect(endpoint)
      await req.send("question")
      const [peer, reqid, delimiter, body] = await router.receive()
      expect(peer.toString()).toBe("client")
      expect(reqid.length).toBe(4)
      expect(delimiter.length).toBe(0)
      expect(body.toString()).toBe("question")
      const wrong = Buffer.from(reqid)
      wrong[0] ^= 0xff
      await router.send([peer, wrong, "", "stale"])
      await router.send([peer, reqid, "", "answer"])
      expect(text(await req.receive())).toEqual(["answer"])
      // The next request has another id.
      await req.send("again")
      const [, reqid2] = await router.receive()
      expect(reqid2.equals(reqid)).toBe(false)
    })

    // Not for their REQ either, for the same reason: the late reply is a stale one libzmq drops
    // inside zmq_recv, and zeromq.js then rejected receive() with EAGAIN (seen once in CI).
    it.skipIf(impl === their)("relaxed: a new request abandons the pending one, whose late reply is dropped", async () => {
      const router = their.socket("Router" as never) as unknown as theirs.Router
      const endpoint = await bindAny(router)
      const req = impl.socket("Request", { relaxed: true, correlate: true, routingId: "client" })
      req.connect(endpoint)
      await req.send("first")
      const [peer, id1] = await router.receive()
      await req.send("second") // EFSM without relaxed
      const [, id2, , body2] = await router.receive()
      expect(body2.toString()).toBe("second")
      await router.send([peer, id1, "", "late answer to first"])
      await router.send([peer, id2, "", "answer to second"])
      expect(text(await req.receive())).toEqual(["answer to second"])
    })

    it("without relaxed, a second send() while the reply is awaited fails with EFSM", async () => {
      const router = their.socket("Router" as never) as unknown as theirs.Router
      const endpoint = await bindAny(router)
      const req = impl.socket("Request", { sendTimeout: 0 })
      req.connect(endpoint)
      await req.send("first")
      await router.receive()
      await expect(req.send("second")).rejects.toMatchObject({ code: "EFSM" })
    })

    it("probeRouter: the ROUTER sees an empty message from each new peer", async () => {
      const router = their.socket("Router" as never) as unknown as theirs.Router
      const endpoint = await bindAny(router)
      const req = impl.socket("Request", { probeRouter: true, routingId: "prober" })
      expect(req.probeRouter).toBe(undefined) // write-only in libzmq: zeromq.js reads undefined
      req.connect(endpoint)
      const [peer, probe] = await router.receive()
      expect(peer.toString()).toBe("prober")
      expect(probe.length).toBe(0)
    })
  })
}
