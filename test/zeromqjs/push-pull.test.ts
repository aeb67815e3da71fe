// zeromq.js's test/unit/socket-push-pull-test.ts, ported: the same calls and the same outcomes, for
// libzmq (their) and ours in worker and inline mode, over tcp, ipc and inproc.
import { afterAll, afterEach, beforeEach, describe, expect, it } from "vitest"
import type * as zmq from "zeromq"
import { closeCreated } from "../lib/impls.js"
import { impls, protos, removeIpcDir, uniqAddress } from "./protos.js"

afterEach(closeCreated)
afterAll(removeIpcDir)

for (const impl of impls) {
  for (const proto of protos) {
    describe(`${impl.name}: socket with ${proto} push/pull`, () => {
      let push: zmq.Push
      let pull: zmq.Pull

      beforeEach(() => {
        push = impl.socket("Push")
        pull = impl.socket("Pull")
      })

      async function receiveAll(count: number) {
        const received: string[] = []
        for await (const [msg] of pull) {
          expect(msg).toBeInstanceOf(Buffer)
          received.push(msg.toString())
          if (received.length === count) break
        }
        return received
      }

      describe("send/receive", () => {
        it("should deliver messages", async () => {
          /* PUSH  -> foo ->  PULL
                   -> bar ->
                   -> baz ->
                   -> qux ->
           */
          const address = await uniqAddress(proto)
          const messages = ["foo", "bar", "baz", "qux"]

          await pull.bind(address)
          push.connect(address)
          for (const msg of messages) await push.send(msg)

          expect(await receiveAll(messages.length)).toEqual(messages)
        })

        // As in zeromq.js, not over inproc: an inproc connect to a name nobody bound is a pipe
        // that exists at once, so there is no "not yet connected" peer for immediate to skip.
        if (proto !== "inproc") {
          it("should deliver messages with immediate", async () => {
            /* PUSH  -> foo ->  PULL (bound)
                     -> bar ->
                     -> baz ->    and to nobody at a second address: with immediate, that
                     -> qux ->    connection gets no pipe, so no message waits on it
             */
            const address = await uniqAddress(proto)
            const messages = ["foo", "bar", "baz", "qux"]

            await pull.bind(address)
            push.immediate = true
            push.connect(address)
            // Never connected: without immediate, round robin would queue messages there.
            push.connect(await uniqAddress(proto))
            for (const msg of messages) await push.send(msg)

            expect(await receiveAll(messages.length)).toEqual(messages)
          })
        }
      })
    })
  }
}
