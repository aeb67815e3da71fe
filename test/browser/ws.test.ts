// The package in headless Chromium, unbundled (an import map, test/browser/page.html), talking
// ws:// to their sockets (libzmq 4.3.5 via zeromq) bound in Node: the engine in a Web Worker
// (the default) and inline on the page's thread.
//
//   page REQ ──ws──► their REP      page PUSH ──► their PULL      their PUB ──► page SUB
//   page DEALER ──► their ROUTER    their PUSH ──► page PULL (1 MiB down)
import { setTimeout as pace, setImmediate as yieldToEventLoop } from "node:timers/promises"
import type { Browser, Page } from "playwright-core"
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest"
import { closeCreated, ourWorker, their } from "../lib/impls.js"
import { text } from "../lib/util.js"
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

// The engine in a Web Worker talks to the page over transferred batches, or, in a cross-origin
// isolated page, over the SharedArrayBuffer rings (ts/host/channel/ring.ts): the whole suite
// runs over each. Inline there is no channel between threads.
const setups = [
  { inline: false, isolated: false },
  { inline: true, isolated: false },
  { inline: false, isolated: true },
]

for (const { inline, isolated } of setups) {
  describe(`in a ${isolated ? "cross-origin isolated " : ""}page, engine ${inline ? "inline" : "in a Web Worker"}`, () => {
    let page: Page
    let errors: string[]
    let isolatedSite: Site | undefined
    beforeAll(async () => {
      if (isolated) isolatedSite = await serve(true)
      ;({ page, errors } = await openPage(browser, isolatedSite ?? site))
      expect(await page.evaluate(() => crossOriginIsolated)).toBe(isolated)
    })
    afterAll(async () => {
      await page?.close()
      await isolatedSite?.close()
    })
    afterEach(() => expect(errors.splice(0)).toEqual([]))

    if (!inline) {
      it(`the channel to the engine: ${isolated ? "the rings carry the data ops" : "every op posted, nothing shared"}`, async () => {
        const rep = their.socket("Reply")
        const endpoint = await bindTheirs(rep)
        const serving = (async () => {
          for (let i = 0; i < 50; i++) await rep.send(await rep.receive())
        })()
        const ring = await page.evaluate(async (endpoint) => {
          const zmq = window.zmq
          const context = new zmq.Context()
          const req = new zmq.Request({ context } as never)
          req.connect(endpoint)
          for (let i = 0; i < 50; i++) {
            await req.send(`q${i}`)
            await req.receive()
          }
          req.close()
          return (context as unknown as { link: { ring?: { records: number; posted: number } } }).link.ring
        }, endpoint)
        await serving
        if (isolated) {
          // 50 sends and 50 replies (and their statuses and credits) went as records; what
          // was posted is the control calls (open, connect, setopt, close) and their answers.
          expect(ring?.records).toBeGreaterThanOrEqual(100)
          expect(ring?.posted).toBeLessThan(10)
        } else {
          expect(ring).toBeUndefined()
        }
      })
    }

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

    // A SharedWorker in Chromium has no Worker: its context runs the engine inline.
    for (const shared of [false, true]) {
      it(`a ${shared ? "SharedWorker" : "Web Worker"} of the user's makes sockets itself`, async () => {
        const rep = their.socket("Reply")
        const endpoint = await bindTheirs(rep)
        const serving = (async () => {
          const [q] = await rep.receive()
          await rep.send(`${q}, answered`)
        })()
        const got = await page.evaluate(
          ({ endpoint, inline, shared }) =>
            new Promise((resolve) => {
              const url = "/test/browser/user-worker.js"
              // A shared worker gets a name of its own per run: it outlives the call that made it.
              const worker = shared ? new SharedWorker(url, { type: "module", name: `t${Math.random()}` }) : new Worker(url, { type: "module" })
              const port = worker instanceof SharedWorker ? worker.port : worker
              port.onmessage = (event: MessageEvent) => {
                if (worker instanceof Worker) worker.terminate()
                resolve(event.data)
              }
              worker.onerror = (event) => resolve({ error: (event as ErrorEvent).message ?? "the worker failed to start" })
              port.postMessage({ endpoint, inline })
            }),
          { endpoint, inline, shared },
        )
        await serving
        expect(got).toEqual({ reply: "from a worker, answered", type: "Uint8Array" })
      })
    }

    it("close() right after sends delivers them all (linger)", async () => {
      const pull = their.socket("Pull")
      const endpoint = await bindTheirs(pull)
      await page.evaluate(
        async ({ endpoint, inline }) => {
          const zmq = window.zmq
          const push = new zmq.Push({ context: new zmq.Context({ inline }) } as never)
          push.connect(endpoint)
          for (let i = 0; i < 1000; i++) await push.send(`m${i}`)
          push.close()
        },
        { endpoint, inline },
      )
      for (let i = 0; i < 1000; i++) expect((await pull.receive())[0].toString()).toBe(`m${i}`)
    })

    it("reconnects by itself when the server (ours, in Node) is restarted on its port", async () => {
      // The server is ours, in Node: its unbind has freed the port when it resolves (libzmq's
      // frees it a little later, and the page's redials made a rebind there EADDRINUSE at times).
      const pull1 = ourWorker.socket("Pull")
      const endpoint = await bindTheirs(pull1)
      const sending = page.evaluate(
        async ({ endpoint, inline }) => {
          const zmq = window.zmq
          const w = window as unknown as { stopSending?: boolean }
          const push = new zmq.Push({ context: new zmq.Context({ inline }), reconnectInterval: 20 } as never)
          push.connect(endpoint)
          // Numbered messages until told to stop, paced (not timed): what went to the dead
          // connection is lost, as over tcp; the restarted server gets the later ones.
          for (let i = 0; !w.stopSending; i++) {
            await push.send(String(i))
            await new Promise((resolve) => setTimeout(resolve, 1))
          }
          push.close()
        },
        { endpoint, inline },
      )
      await pull1.receive()
      await pull1.unbind(endpoint)
      pull1.close()
      const pull2 = ourWorker.socket("Pull")
      await pull2.bind(endpoint)
      const [m] = await pull2.receive()
      expect(Number(m.toString())).toBeGreaterThan(0)
      await page.evaluate(() => ((window as unknown as { stopSending: boolean }).stopSending = true))
      await sending
      await page.evaluate(() => ((window as unknown as { stopSending: boolean }).stopSending = false))
    })

    it("a server sending malformed messages loses only that connection (closed, redialed)", async () => {
      const { WebSocketServer } = await import("ws")
      const server = new WebSocketServer({ host: "127.0.0.1", port: 0, handleProtocols: () => "ZWS2.0" })
      await new Promise((resolve) => server.once("listening", resolve))
      let connections = 0
      const redialed = new Promise<void>((resolve) =>
        server.on("connection", (socket) => {
          if (++connections === 2) resolve()
          socket.send(Buffer.from([0x00])) // an empty routing id: a valid start
          socket.send(Buffer.from([0x07, 1, 2, 3])) // then reserved flag bits: malformed
        }),
      )
      const pull = their.socket("Pull")
      const good = await bindTheirs(pull)
      const bad = `ws://127.0.0.1:${(server.address() as { port: number }).port}/`
      const delivered = page.evaluate(
        async ({ good, bad, inline }) => {
          const zmq = window.zmq
          const push = new zmq.Push({ context: new zmq.Context({ inline }), reconnectInterval: 20 } as never)
          const dealer = new zmq.Dealer({ context: push.context } as never)
          dealer.connect(bad)
          push.connect(good)
          await push.send("still working")
          push.close()
          return "sent"
        },
        { good, bad, inline },
      )
      await redialed
      expect(await delivered).toBe("sent")
      expect(text(await pull.receive())).toEqual(["still working"])
      server.close()
    })

    it("PAIR ↔ our PAIR in Node: 1 MiB both ways (Chromium fragments it; our server reassembles)", async () => {
      const pair = ourWorker.socket("Pair")
      await pair.bind("ws://127.0.0.1:*/pair")
      const sent = page.evaluate(
        async ({ endpoint, inline }) => {
          const zmq = window.zmq
          const p = new zmq.Pair({ context: new zmq.Context({ inline }) } as never)
          p.connect(endpoint)
          const up = new Uint8Array(1 << 20)
          for (let i = 0; i < up.length; i++) up[i] = (i * 7) & 0xff
          await p.send(up)
          const [down] = await p.receive()
          let ok = down.length === 1 << 20
          for (let i = 0; ok && i < down.length; i++) ok = down[i] === ((i * 13) & 0xff)
          p.close()
          return ok
        },
        { endpoint: pair.lastEndpoint!, inline },
      )
      const [up] = await pair.receive()
      expect(up.length).toBe(1 << 20)
      expect(up.every((b, i) => b === ((i * 7) & 0xff))).toBe(true)
      const down = Buffer.alloc(1 << 20)
      for (let i = 0; i < down.length; i++) down[i] = (i * 13) & 0xff
      await pair.send(down)
      expect(await sent).toBe(true)
    })

    it("inproc:// inside the page: PAIR and PUSH/PULL", async () => {
      const got = await page.evaluate(async (inline) => {
        const zmq = window.zmq
        const context = new zmq.Context({ inline })
        const a = new zmq.Pair({ context } as never)
        const b = new zmq.Pair({ context } as never)
        await a.bind("inproc://page-pair")
        b.connect("inproc://page-pair")
        await b.send(["to", "a"])
        const [x, y] = await a.receive()
        await a.send("to b")
        const [z] = await b.receive()
        a.close()
        b.close()
        const d = new TextDecoder()
        return [d.decode(x), d.decode(y), d.decode(z)]
      }, inline)
      expect(got).toEqual(["to", "a", "to b"])
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

describe("in a cross-origin isolated page (COOP + COEP)", () => {
  it("works in both modes, one context after another", async () => {
    const isolated = await serve(true)
    const { page, errors } = await openPage(browser, isolated)
    try {
      expect(await page.evaluate(() => crossOriginIsolated)).toBe(true)
      const rep = their.socket("Reply")
      const endpoint = await bindTheirs(rep)
      const serving = (async () => {
        for (let i = 0; i < 2; i++) await rep.send(`${(await rep.receive())[0]}!`)
      })()
      const got = await page.evaluate(async (endpoint) => {
        const zmq = window.zmq
        const out: string[] = []
        for (const inline of [false, true]) {
          const req = new zmq.Request({ context: new zmq.Context({ inline }) } as never)
          req.connect(endpoint)
          await req.send(inline ? "inline" : "worker")
          out.push(new TextDecoder().decode((await req.receive())[0]))
          req.close()
        }
        return out
      }, endpoint)
      await serving
      expect(got).toEqual(["worker!", "inline!"])
      expect(errors).toEqual([])
    } finally {
      await page.close()
      await isolated.close()
    }
  })
})
