/**
 * Hostile peers: each bad connection is closed on its own, and the socket goes on serving a good
 * peer (real libzmq, from the `zeromq` package) through it all.
 *
 *   raw TCP client ──garbage──►  our PULL  ◄──PUSH── their libzmq (keeps delivering)
 */
import * as net from "node:net"
import { afterEach, beforeEach, describe, expect, it } from "vitest"
import * as theirs from "zeromq"
import * as ours from "../../dist/index.js"

// ZMTP 3.1 greeting: signature (FF, 8 padding bytes, 7F), version 3.1, mechanism, as-server, filler.
function greeting(mechanism = "NULL"): Buffer {
  const g = Buffer.alloc(64)
  g[0] = 0xff
  g[8] = 0x01
  g[9] = 0x7f
  g[10] = 3
  g[11] = 1
  g.write(mechanism, 12, "ascii")
  return g
}

// READY command: flags 04 (command), size, name "READY", then Socket-Type property.
function ready(socketType: string): Buffer {
  const name = Buffer.from("\x05READY", "latin1")
  const key = Buffer.from("\x0bSocket-Type", "latin1")
  const len = Buffer.alloc(4)
  len.writeUInt32BE(socketType.length)
  const body = Buffer.concat([name, key, len, Buffer.from(socketType)])
  return Buffer.concat([Buffer.from([0x04, body.length]), body])
}

/** Opens a raw TCP connection, writes `bytes`, resolves once the server has closed it. */
function closedByServer(endpoint: string, bytes: Buffer, opts: { endAfterWrite?: boolean } = {}): Promise<void> {
  const port = Number(endpoint.slice(endpoint.lastIndexOf(":") + 1))
  return new Promise((resolve, reject) => {
    const sock = net.connect({ host: "127.0.0.1", port }, () => {
      sock.write(bytes)
      if (opts.endAfterWrite) sock.destroy()
    })
    sock.on("data", () => {})
    sock.on("error", () => {})
    sock.on("close", () => resolve())
    sock.setTimeout(10_000, () => reject(new Error("server did not close the connection")))
  })
}

for (const inline of [false, true]) {
  describe(`bad input (${inline ? "inline" : "worker"})`, () => {
    let context: ours.Context
    let pull: ours.Pull
    let push: theirs.Push
    let endpoint: string
    let seq = 0

    beforeEach(async () => {
      context = new ours.Context({ inline })
      pull = new ours.Pull({ context, maxMessageSize: 100 })
      await pull.bind("tcp://127.0.0.1:*")
      endpoint = pull.lastEndpoint as string
      push = new theirs.Push({ linger: 0 })
      push.connect(endpoint)
    })

    afterEach(() => {
      pull.close()
      push.close()
    })

    /** The good peer still gets a message through. */
    async function goodPeerDelivers(): Promise<void> {
      const text = `still serving ${++seq}`
      await push.send(text)
      const [msg] = await pull.receive()
      expect(msg.toString()).toBe(text)
    }

    it("closes a connection that sends garbage instead of a greeting", async () => {
      await goodPeerDelivers()
      await closedByServer(endpoint, Buffer.from("GET / HTTP/1.1\r\nHost: x\r\n\r\n".repeat(4)))
      await goodPeerDelivers()
    })

    it("closes a connection that asks for another security mechanism", async () => {
      await closedByServer(endpoint, greeting("PLAIN"))
      await goodPeerDelivers()
    })

    it("closes a connection whose READY names an incompatible socket type", async () => {
      await closedByServer(endpoint, Buffer.concat([greeting(), ready("PULL")]))
      await goodPeerDelivers()
    })

    it("closes a connection that sends a frame longer than maxMessageSize", async () => {
      // A whole, well-formed frame of 1000 bytes (LONG form) after a valid handshake as PUSH.
      const header = Buffer.from([0x02, 0, 0, 0, 0, 0, 0, 0x03, 0xe8])
      await closedByServer(endpoint, Buffer.concat([greeting(), ready("PUSH"), header, Buffer.alloc(1000, 7)]))
      await goodPeerDelivers()
    })

    it("closes a connection that announces a 2^63-byte frame, before allocating it", async () => {
      const header = Buffer.from([0x02, 0x7f, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff])
      await closedByServer(endpoint, Buffer.concat([greeting(), ready("PUSH"), header]))
      await goodPeerDelivers()
    })

    it("survives a connection dropped in the middle of a frame", async () => {
      const partial = Buffer.concat([greeting(), ready("PUSH"), Buffer.from([0x00, 50]), Buffer.alloc(10)])
      await closedByServer(endpoint, partial, { endAfterWrite: true })
      await goodPeerDelivers()
    })

    it("keeps serving after many hostile connections at once", async () => {
      const attacks = []
      for (let i = 0; i < 20; i++) {
        attacks.push(closedByServer(endpoint, i % 2 ? greeting("CURVE") : Buffer.alloc(64, i)))
      }
      await Promise.all(attacks)
      await goodPeerDelivers()
    })
  })
}
