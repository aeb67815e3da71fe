// zeromq.js's test/unit/socket-pub-sub-test.ts, ported: the same calls and the same outcomes, for
// libzmq (their) and ours in worker and inline mode, over tcp, ipc and inproc.
//
// zeromq.js waits 25 ms before publishing, for the subscription to reach the PUB; here the PUB
// probes until the SUB has received one (syncPubSub), so the wait is on a receipt.
import { afterAll, afterEach, beforeEach, describe, expect, it } from "vitest"
import type * as zmq from "zeromq"
import { closeCreated } from "../lib/impls.js"
import { syncPubSub } from "../lib/util.js"
import { impls, protos, removeIpcDir, uniqAddress } from "./protos.js"

afterEach(closeCreated)
afterAll(removeIpcDir)

for (const impl of impls) {
  for (const proto of protos) {
    describe(`${impl.name}: socket with ${proto} pub/sub`, () => {
      let pub: zmq.Publisher
      let sub: zmq.Subscriber

      beforeEach(() => {
        pub = impl.socket("Publisher")
        sub = impl.socket("Subscriber")
      })

      /** Publishes `messages` once the subscriptions made so far are at the PUB, and receives
       *  `count` of them on the SUB. */
      async function exchange(messages: string[], count: number) {
        await syncPubSub(pub, sub)
        const received: string[] = []
        const send = async () => {
          for (const msg of messages) await pub.send(msg)
        }
        const receive = async () => {
          for await (const [msg] of sub) {
            expect(msg).toBeInstanceOf(Buffer)
            received.push(msg.toString())
            if (received.length === count) break
          }
        }
        await Promise.all([send(), receive()])
        return received
      }

      describe("send/receive", () => {
        it("should deliver messages", async () => {
          /* PUB  -> foo ->  SUB
                  -> bar ->  subscribed to all
                  -> baz ->
                  -> qux ->
           */
          const address = await uniqAddress(proto)
          const messages = ["foo", "bar", "baz", "qux"]

          sub.subscribe()
          await sub.bind(address)
          pub.connect(address)

          expect(await exchange(messages, messages.length)).toEqual(messages)
        })
      })

      describe("subscribe/unsubscribe", () => {
        it("should filter messages", async () => {
          /* PUB  -> foo -X  SUB
                  -> bar ->  subscribed to "ba"
                  -> baz ->
                  -> qux -X
           */
          const address = await uniqAddress(proto)
          const messages = ["foo", "bar", "baz", "qux"]

          sub.subscribe("fo", "ba", "qu")
          sub.unsubscribe("fo", "qu")
          await sub.bind(address)
          pub.connect(address)

          expect(await exchange(messages, 2)).toEqual(["bar", "baz"])
        })
      })
    })
  }
}
