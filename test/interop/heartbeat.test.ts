/**
 * Heartbeats (heartbeatInterval, heartbeatTimeToLive, heartbeatTimeout: libzmq's ZMQ_HEARTBEAT_*)
 * as zeromq's: the options' defaults and bounds on their socket and ours, and a peer that
 * completes the handshake and then goes silent, dropped after the timeout, seen through the
 * Observer, for their PUSH (libzmq 4.3.5) and ours alike. Events are awaited, not slept for.
 *
 *   PUSH (heartbeatInterval 50, timeout 150) ──tcp──► raw server: greeting, READY, then silence
 *   our PUSH (same) ──ws──► raw ZWS server: its routing id, then no pong (WebSocket pings)
 */
import * as http from "node:http"
import * as net from "node:net"
import { WebSocketServer } from "ws"
import { afterEach, describe, expect, it } from "vitest"
import { closeCreated, ourInline, ourWorker, their, type Impl } from "../lib/impls.js"
import { greeting, ready } from "../lib/zmtp.js"

afterEach(closeCreated)
const servers: net.Server[] = []
afterEach(() => {
  for (const s of servers.splice(0)) s.close()
})

/** A ZMTP 3.0 NULL greeting (as server) and a READY for a PULL: then nothing, ever. */
function silentPull(): Promise<string> {
  const server = net.createServer((socket) => {
    socket.on("error", () => {})
    socket.on("data", () => {}) // read and ignore: no PONG, no traffic
    socket.write(Buffer.concat([greeting("NULL", true), ready("PULL")]))
  })
  servers.push(server)
  return new Promise((resolve) => server.listen(0, "127.0.0.1", () => resolve(`tcp://127.0.0.1:${(server.address() as net.AddressInfo).port}`)))
}

/** A ZWS 2.0 server (plain "ZWS2.0": each side's first message is its routing id) that sends its
 *  (empty) routing id and then nothing; it answers WebSocket pings if `pong`, and counts them. */
function silentWs(pong = false, pinged: () => void = () => {}): Promise<string> {
  const wss = new WebSocketServer({ noServer: true, autoPong: pong })
  // `ws` cannot parse an offer holding "ZWS2.0/NULL": the subprotocol is answered by hand.
  wss.on("headers", (headers) => headers.push("Sec-WebSocket-Protocol: ZWS2.0"))
  wss.on("connection", (ws) => {
    ws.on("error", () => {})
    ws.on("ping", pinged)
    ws.send(Buffer.from([0x00]))
  })
  const server = http.createServer()
  server.on("upgrade", (req, socket, head) => {
    delete req.headers["sec-websocket-protocol"]
    wss.handleUpgrade(req, socket, head, (ws) => wss.emit("connection", ws, req))
  })
  servers.push(server as unknown as net.Server)
  return new Promise((resolve) => server.listen(0, "127.0.0.1", () => resolve(`ws://127.0.0.1:${(server.address() as net.AddressInfo).port}/silent`)))
}

/** Reads events until "disconnect"; returns their types and the ms from the last handshake. */
async function untilDisconnect(events: { receive(): Promise<{ type: string }> }) {
  const seen: string[] = []
  let handshakeAt = 0
  for (;;) {
    const event = await events.receive()
    seen.push(event.type)
    if (event.type === "handshake") handshakeAt = performance.now()
    if (event.type === "disconnect") return { seen, sinceHandshake: performance.now() - handshakeAt }
  }
}

for (const impl of [ourWorker, ourInline]) {
  describe(`${impl.name} heartbeats over ws://`, () => {
    it("a ZWS peer that answers no WebSocket ping is dropped at the heartbeat timeout", async () => {
      const endpoint = await silentWs()
      const push = impl.socket("Push", { heartbeatInterval: 50, heartbeatTimeout: 150, reconnectInterval: 60_000 })
      const events = push.events
      push.connect(endpoint)
      const { seen, sinceHandshake } = await untilDisconnect(events)
      expect(seen).toEqual(["connect:delay", "connect", "handshake", "handshake", "disconnect"])
      expect(sinceHandshake).toBeGreaterThanOrEqual(190)
    })

    it("a ZWS peer that answers the pings stays connected past many timeouts", async () => {
      // 8 pings 20 ms apart, each answered: 160 ms of nothing else, against a 60 ms timeout.
      let pings = 0
      let eight: () => void = () => {}
      const eightPings = new Promise<void>((resolve) => (eight = resolve))
      const endpoint = await silentWs(true, () => ++pings === 8 && eight())
      const push = impl.socket("Push", { heartbeatInterval: 20, heartbeatTimeout: 60, reconnectInterval: 60_000 })
      const events = push.events
      const seen: string[] = []
      const reading = (async () => {
        for await (const event of events) seen.push(event.type)
      })()
      push.connect(endpoint)
      await eightPings
      push.close()
      await reading
      expect(seen).toEqual(["connect:delay", "connect", "handshake", "handshake", "end"])
    })
  })
}

for (const impl of [their, ourWorker, ourInline] as Impl[]) {
  describe(`${impl.name} heartbeats`, () => {
    it("options: defaults 0, 0, -1; the TTL's bound, in tenths of a second; values read back", () => {
      const s = impl.socket("Dealer")
      expect([s.heartbeatInterval, s.heartbeatTimeToLive, s.heartbeatTimeout]).toEqual([0, 0, -1])
      s.heartbeatInterval = 250
      s.heartbeatTimeToLive = 6553599
      s.heartbeatTimeout = 1000
      expect([s.heartbeatInterval, s.heartbeatTimeToLive, s.heartbeatTimeout]).toEqual([250, 6553500, 1000])
      s.heartbeatTimeToLive = 1299
      expect(s.heartbeatTimeToLive).toBe(1200)
      expect(() => (s.heartbeatTimeToLive = 6553600)).toThrow(expect.objectContaining({ code: "EINVAL" }))
      expect(() => (s.heartbeatInterval = -1)).toThrow(expect.objectContaining({ code: "EINVAL" }))
      expect(() => (s.heartbeatTimeout = -2)).toThrow(expect.objectContaining({ code: "EINVAL" }))
    })

    it("a peer that goes silent after its handshake is dropped at the heartbeat timeout (disconnect)", async () => {
      const endpoint = await silentPull()
      const push = impl.socket("Push", { heartbeatInterval: 50, heartbeatTimeout: 150, reconnectInterval: 60_000 })
      const events = push.events
      push.connect(endpoint)
      const { seen, sinceHandshake } = await untilDisconnect(events)
      expect(seen).toEqual(["connect:delay", "connect", "handshake", "disconnect"])
      // The first PING at 50 ms, no traffic for 150 ms after it: not before 200 ms.
      expect(sinceHandshake).toBeGreaterThanOrEqual(190)
    })
  })
}
