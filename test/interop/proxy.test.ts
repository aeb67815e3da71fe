// Our Proxy between zeromq's sockets and ours: requests and replies through ROUTER↔DEALER,
// subscriptions and publications through XSUB↔XPUB, and a PUSH burst far past every
// high-water mark through PULL↔PUSH, which must arrive whole and in order (the proxy reads a
// socket only while its partner can take more, so nothing is dropped on the way) without one
// message passing through the user's thread.
import { afterEach, describe, expect, it } from "vitest"
import { closeCreated, ourImpls, their, type Impl } from "../lib/impls.js"
import { ours } from "../lib/impls.js"
import { bindAny } from "../lib/util.js"

afterEach(closeCreated)

type OurSocket = InstanceType<typeof ours.Dealer>

for (const mode of ourImpls) {
  for (const peer of [their, mode] as Impl[]) {
    describe(`${mode.name} Proxy between ${peer.name} peers`, () => {
      /** A running proxy of ours with both ends bound; the peers connect to `front` and `back`. */
      async function start(frontKind: "Router" | "XSubscriber" | "Pull", backKind: "Dealer" | "XPublisher" | "Push",
        frontOptions: Record<string, unknown> = {}, backOptions: Record<string, unknown> = {}) {
        const frontEnd = mode.socket(frontKind, frontOptions) as unknown as OurSocket
        const backEnd = mode.socket(backKind, backOptions) as unknown as OurSocket
        const proxy = new ours.Proxy(frontEnd, backEnd)
        const front = await bindAny(frontEnd as never)
        const back = await bindAny(backEnd as never)
        const done = proxy.run()
        return { proxy, front, back, done }
      }

      it("REQ → ROUTER/DEALER → REP and back, with pause() and resume() between", async () => {
        const { proxy, front, back, done } = await start("Router", "Dealer")
        const req = peer.socket("Request")
        const rep = peer.socket("Reply")
        req.connect(front)
        rep.connect(back)
        const echo = (async () => {
          for (;;) {
            const [m] = await rep.receive()
            await rep.send(["echo " + m.toString()])
          }
        })()
        echo.catch(() => {})
        const got: string[] = []
        for (const m of ["foo", "bar", "baz", "qux"]) {
          if (m === "baz") {
            proxy.pause()
            proxy.resume()
          }
          await req.send(m)
          const [r] = await req.receive()
          got.push(r.toString())
        }
        expect(got).toEqual(["echo foo", "echo bar", "echo baz", "echo qux"])
        proxy.terminate()
        await done
        expect([proxy.frontEnd.closed, proxy.backEnd.closed]).toEqual([true, true])
      })

      it("SUB → XPUB/XSUB → PUB: the subscription goes up, the matching messages come down", async () => {
        const { proxy, front, back, done } = await start("XSubscriber", "XPublisher")
        const pub = peer.socket("Publisher")
        const sub = peer.socket("Subscriber")
        pub.connect(front)
        sub.connect(back)
        sub.subscribe("a")
        // The subscription reaches PUB through the proxy: publish until one arrives.
        let first: string | undefined
        const got = sub.receive().then(([m]) => (first = m.toString()))
        while (first === undefined) {
          await pub.send("b skipped")
          await pub.send("a kept")
          await Promise.race([got, new Promise((r) => setImmediate(r))])
        }
        expect(first).toBe("a kept")
        proxy.terminate()
        await done
      })

      it("PUSH → PULL/PUSH → PULL: 20,000 messages past every HWM arrive whole and in order", async () => {
        const { proxy, front, back, done } = await start("Pull", "Push", { receiveHighWaterMark: 10 }, { sendHighWaterMark: 10 })
        const push = peer.socket("Push", { sendHighWaterMark: 10 })
        const pull = peer.socket("Pull", { receiveHighWaterMark: 10 })
        push.connect(front)
        pull.connect(back)
        // One message through first: what reached the host before run() did goes through the
        // facade (relayed, in order), and once it has arrived the host's proxy is running (the
        // host takes the facade's ops in order: run() before any relayed message).
        await push.send(["warm-up"])
        expect((await pull.receive())[0].toString()).toBe("warm-up")
        // From then on nothing passes through the user's thread: the proxy's own sockets are
        // handed no messages (their onMessages is the facade's only way in).
        const proto = ours.Socket.prototype as unknown as { onMessages(...a: unknown[]): void }
        const onMessages = proto.onMessages
        let handed = 0
        proto.onMessages = function (this: unknown, ...a: unknown[]) {
          if (this === proxy.frontEnd || this === proxy.backEnd) handed++
          onMessages.apply(this, a)
        }
        const N = 20000
        const sending = (async () => {
          for (let i = 0; i < N; i++) await push.send(["m", String(i)])
        })()
        for (let i = 0; i < N; i++) {
          const [a, b] = await pull.receive()
          expect([a.toString(), b.toString()]).toEqual(["m", String(i)])
        }
        await sending
        proto.onMessages = onMessages
        expect(handed).toBe(0)
        proxy.terminate()
        await done
      })
    })
  }
}
