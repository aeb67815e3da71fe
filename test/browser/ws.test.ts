// The package in headless Chromium, unbundled (an import map, test/browser/page.html), talking
// ws:// to their sockets (libzmq 4.3.5 via zeromq) bound in Node: the engine in a Web Worker
// (the default) and inline on the page's thread.
//
//   page REQ ──ws──► their REP      page PUSH ──► their PULL      their PUB ──► page SUB
//   page DEALER ──► their ROUTER    their PUSH ──► page PULL (1 MiB down)
import { setTimeout as pace, setImmediate as yieldToEventLoop } from "node:timers/promises"
import type { Browser, Page } from "playwright-core"
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest"
import { closeCreated, their } from "../lib/impls.js"
import { launch, openPage, serve, type Site } from "./chromium.js"

let browser: Browser
let site: Site
beforeAll(async () => {
  ;[browser, site] = await Promise.all([launch(), serve()])
})
afterAll(async () => {
  await browser?.close()
  await site?.close()
})
afterEach(closeCreated)

/** Binds one of their sockets on ws:// (loopback, any port) and returns the endpoint. */
async function bindTheirs(socket: { bind(a: string): Promise<void>; lastEndpoint: string | null }) {
  await socket.bind("ws://127.0.0.1:*/zmq")
  return socket.lastEndpoint!
}

let probeRound = 0

type Zmq = typeof import("zeromq")
declare const window: { zmq: Zmq & { Context: new (o?: { inline?: boolean }) => unknown } }

for (const inline of [false, true]) {
  describe(`in a page, engine ${inline ? "inline" : "in a Web Worker"}`, () => {
    let page: Page
    let errors: string[]
    beforeAll(async () => {
      ;({ page, errors } = await openPage(browser, site))
    })
    afterAll(async () => {
      await page?.close()
    })
    afterEach(() => expect(errors.splice(0)).toEqual([]))

    it("REQ → their REP; frames arrive as plain Uint8Array", async () => {
      const rep = their.socket("Reply")
      const endpoint = await bindTheirs(rep)
      const serving = (async () => {
        for (let i = 0; i < 3; i++) {
          const [q] = await rep.receive()
          await rep.send(`${q}!`)
        }
      })()
      const got = await page.evaluate(
        async ({ endpoint, inline }) => {
          const zmq = window.zmq
          const req = new zmq.Request({ context: new zmq.Context({ inline }) } as never)
          req.connect(endpoint)
          const out: Array<[string, string]> = []
          for (const q of ["a", "b", "c"]) {
            await req.send(q)
            const [r] = await req.receive()
            out.push([new TextDecoder().decode(r), (r as object).constructor.name])
          }
          req.close()
          return out
        },
        { endpoint, inline },
      )
      await serving
      expect(got).toEqual([["a!", "Uint8Array"], ["b!", "Uint8Array"], ["c!", "Uint8Array"]])
    })

    it("PUSH → their PULL: 0 B, 64 KiB, multipart, 100,000 in order", async () => {
      const pull = their.socket("Pull")
      const endpoint = await bindTheirs(pull)
      const count = 100_000
      const sent = page.evaluate(
        async ({ endpoint, inline, count }) => {
          const zmq = window.zmq
          const push = new zmq.Push({ context: new zmq.Context({ inline }) } as never)
          push.connect(endpoint)
          await push.send(new Uint8Array(0))
          await push.send(new Uint8Array(65535).fill(7))
          await push.send(["x", "", "y"])
          for (let i = 0; i < count; i++) await push.send(String(i))
          push.close()
        },
        { endpoint, inline, count },
      )
      expect((await pull.receive())[0].length).toBe(0)
      const [big] = await pull.receive()
      expect(big.length === 65535 && big.every((b) => b === 7)).toBe(true)
      expect((await pull.receive()).map(String)).toEqual(["x", "", "y"])
      for (let i = 0; i < count; i++) {
        const [m] = await pull.receive()
        if (m.toString() !== String(i)) expect(m.toString()).toBe(String(i))
      }
      await sent
    })

    it("their PUB → SUB with prefix filters", async () => {
      const pub = their.socket("Publisher")
      const endpoint = await bindTheirs(pub)
      // The subscription arrives when it arrives: the PUB publishes probes until the page says
      // one came (the page drops them), then the data and the end.
      let arrived = false
      const signal = `probeArrived${++probeRound}`
      await page.exposeFunction(signal, () => (arrived = true))
      const got = page.evaluate(
        async ({ endpoint, inline, signal }) => {
          const zmq = window.zmq
          const sub = new zmq.Subscriber({ context: new zmq.Context({ inline }) } as never)
          sub.connect(endpoint)
          sub.subscribe("ab")
          const out: string[] = []
          let told = false
          for (;;) {
            const [m] = await sub.receive()
            const s = new TextDecoder().decode(m)
            if (s === "ab end") break
            if (!s.startsWith("ab probe")) out.push(s)
            else if (!told) {
              told = true
              await (window as unknown as Record<string, () => Promise<void>>)[signal]()
            }
          }
          sub.close()
          return out
        },
        { endpoint, inline, signal },
      )
      for (let i = 0; !arrived && i < 1_000_000; i++) {
        await pub.send("zz probe")
        await pub.send(`ab probe ${i}`)
        // After a burst, at most one per ms: probes must not fill the PUB's pipe to SNDHWM
        // (where it drops, "end" too) while the page is slow to read (test/lib/util.ts).
        if (i < 64) await yieldToEventLoop()
        else await pace(1)
      }
      await pub.send("xy skipped")
      await pub.send("abc one")
      await pub.send("zz skipped")
      await pub.send("ab two")
      await pub.send("ab end")
      expect(await got).toEqual(["abc one", "ab two"])
    })

    it("DEALER ↔ their ROUTER: routed by the page's routing id; 1 MiB down", async () => {
      const router = their.socket("Router")
      const endpoint = await bindTheirs(router)
      const got = page.evaluate(
        async ({ endpoint, inline }) => {
          const zmq = window.zmq
          const dealer = new zmq.Dealer({ context: new zmq.Context({ inline }), routingId: "page-1" } as never)
          dealer.connect(endpoint)
          await dealer.send("hello")
          const [m] = await dealer.receive()
          let sum = 0
          for (const b of m) sum += b
          dealer.close()
          return { length: m.length, sum }
        },
        { endpoint, inline },
      )
      const [id, body] = await router.receive()
      expect([id.toString(), body.toString()]).toEqual(["page-1", "hello"])
      await router.send([id, Buffer.alloc(1 << 20, 3)])
      expect(await got).toEqual({ length: 1 << 20, sum: 3 * (1 << 20) })
    })

    it("bind of a network endpoint fails with a clear error", async () => {
      const err = await page.evaluate(async (inline) => {
        const zmq = window.zmq
        const pull = new zmq.Pull({ context: new zmq.Context({ inline }) } as never)
        try {
          await pull.bind("ws://127.0.0.1:*/x")
          return "bound"
        } catch (e) {
          return `${(e as { code?: string }).code}: ${(e as Error).message}`
        } finally {
          pull.close()
        }
      }, inline)
      expect(err).toMatch(/^ENOTSUP: /)
    })
  })
}
