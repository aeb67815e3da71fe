// A send within the high-water mark resolves without waiting for the engine, as zeromq's does:
// `connect(); send(a); send(b); send(c); close()` delivers all three to a peer that comes later
// (linger keeps them), and a send loop nobody awaits neither throws nor loses a message.
import { afterEach, describe, expect, it } from "vitest"
import { closeCreated, ourImpls, their, type Impl } from "../lib/impls.js"
import { unusedEndpoint } from "../lib/util.js"

afterEach(closeCreated)

for (const sender of [their, ...ourImpls] as Impl[]) {
  describe(`${sender.name}: sends within the HWM are accepted in the call`, () => {
    it("connect, three sends not awaited, close: the PULL bound afterwards gets all three", async () => {
      const address = await unusedEndpoint()
      const push = sender.socket("Push", { linger: -1 })
      push.connect(address)
      const sends = ["a", "b", "c"].map((m) => push.send(m))
      push.close()
      // Each send resolved: none was rejected by the close.
      expect(await Promise.allSettled(sends)).toEqual(sends.map(() => ({ status: "fulfilled", value: undefined })))
      const pull = their.socket("Pull")
      await pull.bind(address)
      const got = []
      for (let i = 0; i < 3; i++) got.push((await pull.receive())[0].toString())
      expect(got).toEqual(["a", "b", "c"])
    })

    it("a send loop nobody awaits, within the HWM: every send resolves, in order, none lost", async () => {
      const address = await unusedEndpoint()
      const push = sender.socket("Push", { sendHighWaterMark: 500 })
      push.connect(address)
      const sends: Promise<void>[] = []
      for (let i = 0; i < 500; i++) sends.push(push.send(String(i)))
      await Promise.all(sends)
      const pull = their.socket("Pull")
      await pull.bind(address)
      for (let i = 0; i < 500; i++) expect((await pull.receive())[0].toString()).toBe(String(i))
    })
  })
}
