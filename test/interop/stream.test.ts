/**
 * STREAM: raw TCP as [routing id, bytes], against peers that speak no ZMTP at all — Node's own
 * HTTP server and client — and against libzmq's STREAM (zeromq 6.8.0), in worker and inline
 * mode.
 *
 *   http.get ──"GET / ..."──► our STREAM      [id, ""] (arrival), [id, request bytes]
 *            ◄── "HTTP/1.0 200 ... hi" ──      [id, response], then [id, ""] closes it
 *   our STREAM ──"GET / ..."──► http.Server   ... [id, response bytes] until [id, ""] (departure)
 */
import { createServer, get, type Server } from "node:http"
import type { AddressInfo } from "node:net"
import { afterEach, describe, expect, it } from "vitest"
import * as theirs from "zeromq"
import { closeCreated, ourImpls, type Impl } from "../lib/impls.js"

afterEach(closeCreated)

type StreamSocket = theirs.Stream

function stream(impl: Impl, options: Record<string, unknown> = {}): StreamSocket {
  return impl.socket("Stream", options)
}

/** Reads [id, bytes] messages from one peer until `done(text so far)`; returns the text. */
async function readUntil(socket: StreamSocket, done: (text: string) => boolean): Promise<{ id: Buffer; text: string }> {
  let text = ""
  let id: Buffer | undefined
  while (!done(text)) {
    const [from, data] = await socket.receive()
    id ??= from
    expect(from.equals(id)).toBe(true)
    text += data.toString("latin1")
  }
  return { id: id!, text }
}

for (const impl of ourImpls) {
  describe(`${impl.name} STREAM`, () => {
    it("serves an HTTP request from Node's http client, and closes the connection by sending [id, '']", async () => {
      const server = stream(impl)
      await server.bind("tcp://127.0.0.1:*")
      const port = Number(server.lastEndpoint!.split(":").pop())
      const response = new Promise<{ status: number; body: string }>((resolve, reject) => {
        get({ host: "127.0.0.1", port, path: "/hello", agent: false }, (res) => {
          let body = ""
          res.setEncoding("latin1")
          res.on("data", (chunk: string) => (body += chunk))
          res.on("end", () => resolve({ status: res.statusCode!, body }))
        }).on("error", reject)
      })
      const [arrived, empty] = await server.receive()
      expect(arrived.length).toBe(5)
      expect(arrived[0]).toBe(0) // a generated id: 0x00 + counter, as libzmq's
      expect(empty.length).toBe(0)
      const { id, text } = await readUntil(server, (t) => t.includes("\r\n\r\n"))
      expect(id.equals(arrived)).toBe(true)
      expect(text.startsWith("GET /hello HTTP/1.1\r\n")).toBe(true)
      await server.send([id, "HTTP/1.0 200 OK\r\nContent-Type: text/plain\r\n\r\nhi from zeromq-wasm"])
      await server.send([id, ""])
      expect(await response).toEqual({ status: 200, body: "hi from zeromq-wasm" })
    })

    it("requests a page from Node's http.Server and sees the server leave after answering", async () => {
      const http: Server = createServer((req, res) => {
        res.setHeader("Connection", "close")
        res.end(`you asked for ${req.url}`)
      })
      await new Promise<void>((resolve) => http.listen(0, "127.0.0.1", resolve))
      try {
        const client = stream(impl)
        client.connect(`tcp://127.0.0.1:${(http.address() as AddressInfo).port}`)
        const [id, empty] = await client.receive() // connected
        expect(empty.length).toBe(0)
        await client.send([id, "GET /page HTTP/1.0\r\nHost: localhost\r\n\r\n"])
        let text = ""
        for (;;) {
          const [from, data] = await client.receive()
          expect(from.equals(id)).toBe(true)
          if (data.length === 0) break // the server closed: the departure notice
          text += data.toString("latin1")
        }
        expect(text).toMatch(/^HTTP\/1\.[01] 200 OK\r\n/)
        expect(text.endsWith("\r\n\r\nyou asked for /page")).toBe(true)
      } finally {
        http.close()
      }
    })

    it("exchanges raw bytes with libzmq's STREAM both ways, after the same arrival notices", async () => {
      const their = new theirs.Stream({ linger: 0 })
      try {
        await their.bind("tcp://127.0.0.1:*")
        const ours = stream(impl)
        ours.connect(their.lastEndpoint!)
        const [theirId, theirEmpty] = await their.receive()
        const [ourId, ourEmpty] = await ours.receive()
        expect([theirId.length, theirEmpty.length, ourId.length, ourEmpty.length]).toEqual([5, 0, 5, 0])
        await ours.send([ourId, Buffer.from([0, 1, 2, 255])])
        const got = await readUntil(their, (t) => t.length >= 4)
        expect(Buffer.from(got.text, "latin1")).toEqual(Buffer.from([0, 1, 2, 255]))
        await their.send([theirId, "back"])
        expect((await readUntil(ours, (t) => t.length >= 4)).text).toBe("back")
      } finally {
        their.close()
      }
    })

    it("with notify false, delivers data only", async () => {
      const server = stream(impl, { notify: false })
      expect(server.notify).toBe(new theirs.Stream().notify) // write-only: undefined in both
      await server.bind("tcp://127.0.0.1:*")
      const client = stream(impl)
      client.connect(server.lastEndpoint!)
      const [id] = await client.receive()
      await client.send([id, "first bytes"])
      const [, data] = await server.receive()
      expect(data.toString()).toBe("first bytes")
    })
  })
}
