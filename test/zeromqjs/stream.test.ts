// zeromq.js's test/unit/socket-stream-test.ts, ported: the same calls and the same outcomes, for
// libzmq (their) and ours in worker and inline mode. Over tcp only, as in zeromq.js: the STREAM's
// peers are Node's HTTP client and server, which speak plain TCP.
//
//   http.get ──"GET /foo"──► STREAM (bound)          [id, ""] on arrival, then [id, request]
//            ◄──"HTTP/1.0 200 ... Hello world!"──    then close(): the body ends with the TCP stream
//   STREAM (connect, routingId) ──"GET /foo"──► http.Server
//                               ◄──"HTTP/1.1 200 ... Hello world!"──
import { createServer, get, type Server } from "node:http"
import { afterEach, beforeEach, describe, expect, it } from "vitest"
import type * as zmq from "zeromq"
import { closeCreated } from "../lib/impls.js"
import { impls, uniqAddress } from "./protos.js"

afterEach(closeCreated)

for (const impl of impls) {
  describe(`${impl.name}: socket with tcp stream`, () => {
    let stream: zmq.Stream

    beforeEach(() => {
      stream = impl.socket("Stream")
    })

    describe("send/receive as server", () => {
      it("should deliver messages", async () => {
        const address = await uniqAddress("tcp")
        await stream.bind(address)

        // Skips the arrival notice ([id, ""]), answers the request and closes, which ends the
        // iteration and the HTTP/1.0 body.
        const serve = async () => {
          for await (const [id, msg] of stream) {
            if (!msg.length) continue
            expect(msg.toString().split("\r\n")[0]).toBe("GET /foo HTTP/1.1")
            await stream.send([id, "HTTP/1.0 200 OK\r\nContent-Type: text/plan\r\n\r\nHello world!"])
            stream.close()
          }
        }
        let body = ""
        const request = () =>
          new Promise((resolve, reject) => {
            get(`${address.replace("tcp:", "http:")}/foo`, (res) => {
              res.on("data", (buffer: Buffer) => (body += buffer.toString()))
              res.on("end", resolve)
            }).on("error", reject)
          })

        await Promise.all([request(), serve()])
        expect(body).toBe("Hello world!")
      })
    })

    describe("send/receive as client", () => {
      let server: Server | undefined

      afterEach(() => {
        server?.close()
        server = undefined
      })

      it("should deliver messages", async () => {
        const address = await uniqAddress("tcp")
        const port = parseInt(address.split(":").pop()!, 10)
        server = await new Promise<Server>((resolve) => {
          const http = createServer((_req, res) => {
            res.writeHead(200, { "Content-Type": "text/plain", "Content-Length": 12 })
            res.end("Hello world!")
          })
          http.listen(port, "127.0.0.1", () => resolve(http))
        })

        // The peer's routing id is ours to name, so the request can be sent at once: libzmq
        // queues it on the pipe that connect() made, before the TCP connection is up.
        const routingId = "abcdef1234567890"
        stream.connect(address, { routingId })

        let body = ""
        await stream.send([routingId, `GET /foo HTTP/1.1\r\nHost: ${address.replace("tcp://", "")}\r\n\r\n`])
        for await (const [id, data] of stream) {
          expect(id.toString()).toBe(routingId)
          if (data.length) {
            body += data
            break
          }
        }
        expect(body.split("\r\n\r\n").pop()).toBe("Hello world!")
      })
    })
  })
}
