// PUSH → PULL between their sockets (libzmq, via zeromq) and ours, both binding and connecting.
//
//   PUSH ──1, 2, 3, …──► PULL     every message, in order, whole
import { randomBytes } from "node:crypto"
import { afterEach, describe, expect, it } from "vitest"
import { closeCreated, pairings, type Impl } from "../lib/impls.js"
import { bindAny, releaseAndClose, sendUntilReceived, text, unusedEndpoint } from "../lib/util.js"

afterEach(closeCreated)

for (const [binder, connecter] of pairings) {
  for (const pullBinds of [true, false]) {
    const [pullImpl, pushImpl]: Impl[] = pullBinds ? [binder, connecter] : [connecter, binder]
    const role = (binds: boolean) => (binds ? "bind" : "connect")

    describe(`${pushImpl.name} PUSH (${role(!pullBinds)}) → ${pullImpl.name} PULL (${role(pullBinds)})`, () => {
      /** `address`: where the binder binds (a restart test picks a port that stays free). */
      async function marry(options = {}, address?: string) {
        const pull = pullImpl.socket("Pull", options)
        const push = pushImpl.socket("Push", options)
        if (pullBinds) push.connect(await bindAny(pull, address))
        else pull.connect(await bindAny(push, address))
        return { push, pull }
      }

      it("delivers messages", async () => {
        const { push, pull } = await marry()
        await push.send("one")
        await push.send(["two", "parts"])
        expect(text(await pull.receive())).toEqual(["one"])
        expect(text(await pull.receive())).toEqual(["two", "parts"])
      })

      it("keeps multipart messages with empty frames intact", async () => {
        const { push, pull } = await marry()
        await push.send(["", "a", "", Buffer.alloc(0), "b", ""])
        await push.send([""])
        await push.send(["", ""])
        expect(text(await pull.receive())).toEqual(["", "a", "", "", "b", ""])
        expect(text(await pull.receive())).toEqual([""])
        expect(text(await pull.receive())).toEqual(["", ""])
      })

      it("carries 0-byte and 1 MiB messages", async () => {
        const { push, pull } = await marry()
        const big = randomBytes(1 << 20)
        await push.send(Buffer.alloc(0))
        await push.send(big)
        await push.send([big, Buffer.alloc(0), big])
        expect((await pull.receive())[0].length).toBe(0)
        const [one] = await pull.receive()
        expect(one.length).toBe(big.length)
        expect(one.equals(big)).toBe(true)
        const parts = await pull.receive()
        expect(parts.map((part) => part.length)).toEqual([big.length, 0, big.length])
        expect(parts[0].equals(big) && parts[2].equals(big)).toBe(true)
      })

      it("delivers 100k messages complete and in order", async () => {
        const { push, pull } = await marry()
        const count = 100_000
        const received = (async () => {
          let wrong = 0
          for (let n = 0; n < count; n++) {
            const [message] = await pull.receive()
            if (message.toString() !== String(n)) wrong++
          }
          return wrong
        })()
        for (let n = 0; n < count; n++) await push.send(String(n))
        expect(await received).toBe(0)
      })

      it("reaches a binder that starts after the connecter", async () => {
        const endpoint = await unusedEndpoint()
        const push = pushImpl.socket("Push")
        const pull = pullImpl.socket("Pull")
        const [early, late] = pullBinds ? [push, pull] : [pull, push]
        early.connect(endpoint) // nobody listens there yet
        const sent = push.send("early") // queued by a connecting PUSH, pending on a binding one
        await late.bind(endpoint)
        await sent
        expect(text(await pull.receive())).toEqual(["early"])
      })

      it("reconnects to a binder that restarts on the same port", async () => {
        const options = { reconnectInterval: 10 }
        const { push, pull } = await marry(options, await unusedEndpoint())
        await push.send("before")
        expect(text(await pull.receive())).toEqual(["before"])

        if (pullBinds) {
          const endpoint = pull.lastEndpoint!
          await releaseAndClose(pull, endpoint)
          const restarted = pullImpl.socket("Pull", options)
          await restarted.bind(endpoint)
          // What the PUSH wrote before it saw the close is lost; what it sends after is not.
          expect((await sendUntilReceived(push, restarted, "after"))[0]).toMatch(/^after \d+$/)
        } else {
          const endpoint = push.lastEndpoint!
          await releaseAndClose(push, endpoint)
          const restarted = pushImpl.socket("Push", options)
          await restarted.bind(endpoint)
          await restarted.send("after") // a binding PUSH waits for the PULL to reconnect
          expect(text(await pull.receive())).toEqual(["after"])
        }
      })
    })
  }
}
