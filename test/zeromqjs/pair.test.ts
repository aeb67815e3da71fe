// zeromq.js's test/unit/socket-pair-test.ts, ported: the same calls and the same outcomes, for
// libzmq (their) and ours in worker and inline mode, over tcp, ipc and inproc.
import { afterAll, afterEach, beforeEach, describe, expect, it } from "vitest"
import type * as zmq from "zeromq"
import { closeCreated } from "../lib/impls.js"
import { impls, protos, removeIpcDir, uniqAddress } from "./protos.js"

afterEach(closeCreated)
afterAll(removeIpcDir)

for (const impl of impls) {
  for (const proto of protos) {
    describe(`${impl.name}: socket with ${proto} pair/pair`, () => {
      let sockA: zmq.Pair
      let sockB: zmq.Pair

      beforeEach(() => {
        sockA = impl.socket("Pair")
        sockB = impl.socket("Pair")
      })

      describe("send/receive", () => {
        it("should deliver messages", async () => {
          /* PAIR  -> foo ->  PAIR
             [A]   -> bar ->  [B]
                   -> baz ->  responds when received
                   -> qux ->
                   <- foo <-
                   <- bar <-
                   <- baz <-
                   <- qux <-
           */
          const address = await uniqAddress(proto)
          const messages = ["foo", "bar", "baz", "qux"]
          const received: string[] = []

          await sockA.bind(address)
          sockB.connect(address)

          // Echoes until A, having all its replies, closes B: that ends the iteration.
          const echo = async () => {
            for await (const msg of sockB) await sockB.send(msg)
          }
          const send = async () => {
            for (const msg of messages) await sockA.send(msg)
            for await (const msg of sockA) {
              received.push(msg.toString())
              if (received.length === messages.length) break
            }
            sockB.close()
          }

          await Promise.all([echo(), send()])
          expect(received).toEqual(messages)
        })
      })
    })
  }
}
