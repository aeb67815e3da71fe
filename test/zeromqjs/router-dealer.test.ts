// zeromq.js's test/unit/socket-router-dealer-test.ts, ported: the same calls and the same outcomes,
// for libzmq (their) and ours in worker and inline mode, over tcp, ipc and inproc.
import { afterAll, afterEach, beforeEach, describe, expect, it } from "vitest"
import type * as zmq from "zeromq"
import { closeCreated } from "../lib/impls.js"
import { impls, protos, removeIpcDir, uniqAddress } from "./protos.js"

afterEach(closeCreated)
afterAll(removeIpcDir)

for (const impl of impls) {
  for (const proto of protos) {
    describe(`${impl.name}: socket with ${proto} router/dealer`, () => {
      let router: zmq.Router
      let dealerA: zmq.Dealer
      let dealerB: zmq.Dealer

      beforeEach(() => {
        dealerA = impl.socket("Dealer")
        dealerB = impl.socket("Dealer")
        router = impl.socket("Router")
      })

      describe("send/receive", () => {
        it("should deliver messages", async () => {
          /* DEALER A -> foo bar baz qux ->  ROUTER   echoes [sender, msg]
                      <- foo bar baz qux <-
             DEALER B -> foo bar baz qux ->
                      <- foo bar baz qux <-
           */
          const address = await uniqAddress(proto)
          const messages = ["foo", "bar", "baz", "qux"]
          const receivedA: string[] = []
          const receivedB: string[] = []

          await router.bind(address)
          dealerA.connect(address)
          dealerB.connect(address)

          // Echoes until the dealers have all their replies and close the router.
          const echo = async () => {
            for await (const [sender, msg] of router) await router.send([sender, msg])
          }
          const send = async () => {
            for (const msg of messages) {
              await dealerA.send(msg)
              await dealerB.send(msg)
            }
            for await (const msg of dealerA) {
              receivedA.push(msg.toString())
              if (receivedA.length === messages.length) break
            }
            for await (const msg of dealerB) {
              receivedB.push(msg.toString())
              if (receivedB.length === messages.length) break
            }
            router.close()
          }

          await Promise.all([echo(), send()])
          expect(receivedA).toEqual(messages)
          expect(receivedB).toEqual(messages)
        })

        // zeromq.js runs this from libzmq 4.2.3 up; both sides here are newer. No peer at all:
        // the transport plays no part, and the test is stamped out per transport as there.
        it("should fail with unroutable message if mandatory", async () => {
          router.mandatory = true
          router.sendTimeout = 0
          await expect(router.send(["fooId", "foo"])).rejects.toMatchObject({
            message: "Host unreachable",
            code: "EHOSTUNREACH",
            errno: expect.any(Number),
          })
        })
      })
    })
  }
}
