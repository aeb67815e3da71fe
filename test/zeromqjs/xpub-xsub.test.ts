// zeromq.js's test/unit/socket-xpub-xsub-test.ts, ported: the same calls and the same outcomes,
// for libzmq (their) and ours in worker and inline mode, over tcp, ipc and inproc.
//
// zeromq.js waits 25 ms for subscriptions to travel before it publishes or subscribes; here each
// such wait is on a receipt instead:
//  - before publishing, the PUB probes until the XSUB has received a probe (so the PUB has every
//    subscription the XSUB sent before), and the XPUB has seen the SUB's subscription (so it has
//    the SUB's pipe);
//  - before subscribing, each SUB subscribes to a topic of its own and the XPUB receives it (so
//    both SUBs are connected when the subscriptions under test are made);
//  - SUB 2 subscribes once the XPUB has read SUB 1's subscription. zeromq.js counts on SUB 1's
//    arriving first, which nothing orders across two connections: Linux's epoll can report the
//    connection read from last ahead of one that became readable before it (strace of our inline
//    XPUB: libzmq's sendto on SUB 1, then on SUB 2, then epoll_pwait gives SUB 2's fd first).
//    SUB 2's subscribe and cancel then come first, and "allSubs" tells of the cancel: libzmq's
//    own XPUB did so in 1 of 20 runs, ours in inline mode in most.
import { setImmediate as yieldToEventLoop } from "node:timers/promises"
import { afterAll, afterEach, beforeEach, describe, expect, it } from "vitest"
import type * as zmq from "zeromq"
import { closeCreated } from "../lib/impls.js"
import { syncTopic } from "../lib/util.js"
import { impls, protos, removeIpcDir, uniqAddress } from "./protos.js"

afterEach(closeCreated)
afterAll(removeIpcDir)

const subscription = (topic: string) => Buffer.from(`\x01${topic}`)
const unsubscription = (topic: string) => Buffer.from(`\x00${topic}`)

/**
 *   XSUB ──01 SYNC──► PUB
 *   PUB ──[SYNC, probe]──► XSUB     until one arrives, then [SYNC, end]
 *   XSUB ──00 SYNC──► PUB
 * Returns once the PUB holds every subscription the XSUB sent before the call.
 */
async function syncXSub(pub: zmq.Publisher, xsub: zmq.XSubscriber) {
  const SYNC = syncTopic() // a topic of its own: see syncPubSub
  await xsub.send(subscription(SYNC))
  let arrived = false
  const drained = (async () => {
    for (;;) {
      const [topic, body] = await xsub.receive()
      expect(topic.toString()).toBe(SYNC)
      arrived = true
      if (body.toString() === "end") return
    }
  })()
  while (!arrived) {
    await pub.send([SYNC, "probe"])
    await yieldToEventLoop()
  }
  await pub.send([SYNC, "end"])
  await drained
  await xsub.send(unsubscription(SYNC))
}

for (const impl of impls) {
  for (const proto of protos) {
    describe(`${impl.name}: socket with ${proto} xpub/xsub`, () => {
      let pub: zmq.Publisher
      let sub: zmq.Subscriber
      let xpub: zmq.XPublisher
      let xsub: zmq.XSubscriber

      beforeEach(() => {
        pub = impl.socket("Publisher")
        sub = impl.socket("Subscriber")
        xpub = impl.socket("XPublisher")
        xsub = impl.socket("XSubscriber")
      })

      /**
       *   PUB ──► XSUB ──► XPUB ──► SUB
       * Forwards the SUB's one subscription upstream, then publishes `messages` and receives
       * `count` of them on the SUB.
       */
      async function forwardAndPublish(messages: string[], count: number) {
        const address1 = await uniqAddress(proto)
        const address2 = await uniqAddress(proto)
        await pub.bind(address1)
        await xpub.bind(address2)
        xsub.connect(address1)
        sub.connect(address2)

        const forward = async () => {
          for await (const [msg] of xpub) {
            expect(msg).toBeInstanceOf(Buffer)
            await xsub.send(msg)
            break
          }
        }
        await forward()
        await syncXSub(pub, xsub)

        const received: string[] = []
        const send = async () => {
          for (const msg of messages) await pub.send(msg)
        }
        let pubbed = 0
        const publish = async () => {
          for await (const [msg] of xsub) {
            expect(msg).toBeInstanceOf(Buffer)
            await xpub.send(msg)
            if (++pubbed === count) break
          }
        }
        const receive = async () => {
          for await (const [msg] of sub) {
            expect(msg).toBeInstanceOf(Buffer)
            received.push(msg.toString())
            if (received.length === count) break
          }
        }
        await Promise.all([send(), publish(), receive()])
        return received
      }

      describe("send/receive", () => {
        it("should deliver messages", async () => {
          /* PUB  -> foo ->  XSUB -> XPUB -> SUB
                  -> bar ->                  subscribed to all
                  -> baz ->
                  -> qux ->
           */
          const messages = ["foo", "bar", "baz", "qux"]
          sub.subscribe()
          expect(await forwardAndPublish(messages, messages.length)).toEqual(messages)
        })
      })

      describe("subscribe/unsubscribe", () => {
        it("should filter messages", async () => {
          /* PUB  -> foo -X  XSUB -> XPUB -> SUB
                  -> bar ->                  subscribed to "ba"
                  -> baz ->
                  -> qux -X
           */
          const messages = ["foo", "bar", "baz", "qux"]
          sub.subscribe("fo", "ba", "qu")
          sub.unsubscribe("fo", "qu")
          expect(await forwardAndPublish(messages, 2)).toEqual(["bar", "baz"])
        })
      })

      describe("verbosity", () => {
        /**
         *   SUB 1 ──01 fo──► XPUB ──► the first `count` messages the application reads
         *   SUB 2 ──01 fo──►          (SUB 2 subscribes once SUB 1's has been read)
         *   SUB 2 ──00 fo──►
         */
        async function subscriptionsSeen(verbosity: zmq.XPublisher["verbosity"], count: number) {
          const address = await uniqAddress(proto)
          const subs: Buffer[] = []
          xpub.verbosity = verbosity
          const sub1 = sub
          const sub2 = impl.socket("Subscriber")
          await xpub.bind(address)
          sub1.connect(address)
          sub2.connect(address)
          // A topic of each SUB's own, read on the XPUB: both SUBs are connected. (A prefix
          // nobody held is told of under every verbosity.)
          for (const [n, s] of [sub1, sub2].entries()) {
            s.subscribe(`joined ${n}`)
            expect((await xpub.receive())[0]).toEqual(subscription(`joined ${n}`))
          }

          let firstSeen!: () => void
          const first = new Promise<void>((resolve) => (firstSeen = resolve))
          const subscribe = async () => {
            sub1.subscribe("fo")
            await first
            sub2.subscribe("fo")
            sub2.unsubscribe("fo")
          }
          const forward = async () => {
            for await (const [msg] of xpub) {
              expect(msg).toBeInstanceOf(Buffer)
              await xsub.send(msg)
              subs.push(msg)
              firstSeen()
              if (subs.length === count) break
            }
          }
          await Promise.all([subscribe(), forward()])
          sub2.close()
          return subs
        }

        it("should deduplicate subscriptions/unsubscriptions", async () => {
          const subs = await subscriptionsSeen(null, 1)
          expect(subs).toEqual([subscription("fo")])
        })

        it("should forward all subscriptions", async () => {
          const subs = await subscriptionsSeen("allSubs", 2)
          expect(subs).toEqual([subscription("fo"), subscription("fo")])
        })

        it("should forward all subscriptions/unsubscriptions", async () => {
          const subs = await subscriptionsSeen("allSubsUnsubs", 3)
          expect(subs).toEqual([subscription("fo"), subscription("fo"), unsubscription("fo")])
        })
      })
    })
  }
}
