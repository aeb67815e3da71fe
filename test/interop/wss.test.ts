// wss:// between our sockets (zeromq 6.8.0's prebuilt has no wss): TLS with a certificate the
// test makes (openssl), the server's key and certificate and the client's trust given as
// libzmq's ZMQ_WSS_* options (wssKeyPem, wssCertPem, wssTrustPem, wssHostname).
import { randomBytes } from "node:crypto"
import { afterEach, beforeAll, describe, expect, it } from "vitest"
import { WebSocket } from "ws"
import { closeCreated, ourInline, ourWorker } from "../lib/impls.js"
import { testCertificate } from "../lib/tls.js"
import { text } from "../lib/util.js"

afterEach(closeCreated)

let keyPem = ""
let certPem = ""
beforeAll(() => {
  ;({ keyPem, certPem } = testCertificate())
})

const pairs = [
  [ourWorker, ourWorker],
  [ourInline, ourInline],
  [ourWorker, ourInline],
] as const

for (const [binder, connecter] of pairs) {
  describe(`${connecter.name} connects over wss:// to ${binder.name}`, () => {
    it("PUSH → PULL and REQ → REP over TLS, trusting the server's certificate", async () => {
      const pull = binder.socket("Pull", { wssKeyPem: keyPem, wssCertPem: certPem })
      await pull.bind("wss://127.0.0.1:*/zmq")
      expect(pull.lastEndpoint).toMatch(/^wss:\/\/127\.0\.0\.1:\d+\/zmq$/)
      const push = connecter.socket("Push", { wssTrustPem: certPem })
      push.connect(pull.lastEndpoint!)
      const big = randomBytes(1 << 20)
      await push.send(["one", "two"])
      await push.send(big)
      expect(text(await pull.receive())).toEqual(["one", "two"])
      expect((await pull.receive())[0].equals(big)).toBe(true)

      const rep = binder.socket("Reply", { wssKeyPem: keyPem, wssCertPem: certPem })
      await rep.bind("wss://127.0.0.1:*")
      // The certificate names localhost: the client checks that name, whatever it dialed.
      const req = connecter.socket("Request", { wssTrustPem: certPem, wssHostname: "localhost" })
      req.connect(rep.lastEndpoint!)
      await req.send("q")
      await rep.send(`${(await rep.receive())[0]}!`)
      expect(text(await req.receive())).toEqual(["q!"])
    })
  })
}

describe("wss:// options", () => {
  for (const ours of [ourWorker, ourInline]) {
    it(`${ours.name}: a bind without a key and certificate fails with EINVAL`, async () => {
      const pull = ours.socket("Pull")
      await expect(pull.bind("wss://127.0.0.1:*")).rejects.toMatchObject({ code: "EINVAL" })
    })

    it(`${ours.name}: the server presents its certificate; a client that does not trust it is refused`, async () => {
      const pull = ours.socket("Pull", { wssKeyPem: keyPem, wssCertPem: certPem })
      await pull.bind("wss://127.0.0.1:*/zmq")
      const untrusting = new WebSocket(pull.lastEndpoint!, "ZWS2.0")
      await expect(new Promise((resolve, reject) => {
        untrusting.once("open", resolve)
        untrusting.once("error", reject)
      })).rejects.toThrow(/self-signed certificate/)
      const trusting = new WebSocket(pull.lastEndpoint!, "ZWS2.0", { ca: [certPem] })
      await new Promise((resolve, reject) => {
        trusting.once("open", resolve)
        trusting.once("error", reject)
      })
      trusting.send(Buffer.from([0x00])) // bare ZWS2.0: our (empty) routing id, then a message
      trusting.send(Buffer.from("\x00over tls"))
      expect(text(await pull.receive())).toEqual(["over tls"])
      trusting.close()
    })

    it(`${ours.name}: wss options read back as set`, () => {
      const s = ours.socket("Push", { wssTrustPem: certPem, wssHostname: "localhost", wssTrustSystem: true })
      const opts = s as unknown as Record<string, unknown>
      expect([opts.wssTrustPem, opts.wssHostname, opts.wssTrustSystem, opts.wssKeyPem]).toEqual([certPem, "localhost", true, null])
      expect(() => (opts.wssHostname = 5)).toThrow(TypeError)
    })
  }
})
