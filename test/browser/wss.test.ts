// wss:// from a page: the browser's WebSocket over TLS (the page's own TLS stack; the package
// adds nothing) to our REP bound on wss:// in Node with libzmq's ZMQ_WSS_* options and a
// certificate the test makes (openssl). Chromium is told to accept that certificate
// (--ignore-certificate-errors), as a page would trust a real one. Engine in a Web Worker and
// inline.
//
//   page REQ ──wss──► our REP (Node, wssKeyPem / wssCertPem)
import type { Browser, Page } from "playwright-core"
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest"
import { closeCreated, ourWorker } from "../lib/impls.js"
import { testCertificate } from "../lib/tls.js"
import { launch, openPage, serve, type Site } from "./chromium.js"

type Zmq = typeof import("zeromq")
declare const window: { zmq: Zmq & { Context: new (o?: { inline?: boolean }) => unknown } }

let browser: Browser
let site: Site
let page: Page
let errors: string[]
let keyPem = ""
let certPem = ""
beforeAll(async () => {
  ;({ keyPem, certPem } = testCertificate())
  ;[browser, site] = await Promise.all([launch(["--ignore-certificate-errors"]), serve()])
  ;({ page, errors } = await openPage(browser, site))
})
afterAll(async () => {
  await page?.close()
  await browser?.close()
  await site?.close()
})
afterEach(closeCreated)

for (const inline of [false, true]) {
  describe(`a page, engine ${inline ? "inline" : "in a Web Worker"}, over wss://`, () => {
    it("REQ → our REP bound on wss:// in Node: three round trips", async () => {
      const rep = ourWorker.socket("Reply", { wssKeyPem: keyPem, wssCertPem: certPem })
      await rep.bind("wss://127.0.0.1:*/secure")
      const endpoint = rep.lastEndpoint!
      expect(endpoint).toMatch(/^wss:\/\/127\.0\.0\.1:\d+\/secure$/)
      const serving = (async () => {
        for (let i = 0; i < 3; i++) await rep.send(`${(await rep.receive())[0]}!`)
      })()
      const got = await page.evaluate(
        async ({ endpoint, inline }) => {
          const zmq = window.zmq
          const req = new zmq.Request({ context: new zmq.Context({ inline }) } as never)
          req.connect(endpoint)
          const out: string[] = []
          for (const q of ["a", "b", "c"]) {
            await req.send(q)
            out.push(new TextDecoder().decode((await req.receive())[0]))
          }
          req.close()
          return out
        },
        { endpoint, inline },
      )
      await serving
      expect(got).toEqual(["a!", "b!", "c!"])
      expect(errors).toEqual([])
    })
  })
}
