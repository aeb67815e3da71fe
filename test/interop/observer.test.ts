/**
 * socket.events (the Observer), ours against zeromq's: each case runs the same calls on a socket
 * of theirs (zeromq 6.8.0, libzmq 4.3.5's monitor) and of ours, worker and inline, with the peer
 * always theirs, and asserts the same events in the same order. The expected sequences are what
 * zeromq gives; running them on "their" too keeps them honest. Events are awaited, never slept
 * for; the reconnect intervals are random (libzmq's jitter), so only their range is checked.
 *
 *   observed socket ──tcp/ws──► their peer        raw TCP client ──greeting──► observed PULL
 */
import * as net from "node:net"
import { afterEach, describe, expect, it } from "vitest"
import { closeCreated, ourInline, ourWorker, their, type Impl } from "../lib/impls.js"
import { bindAny, unusedEndpoint } from "../lib/util.js"
import { greeting, ready } from "../lib/zmtp.js"

afterEach(closeCreated)

interface Seen {
  type: string
  address?: string
  interval?: number
  error?: { code?: string; errno?: number; message: string }
}

type Observable = { events: AsyncIterable<Seen> & { closed: boolean; receive(): Promise<Seen>; close(): void } }

/** Records a socket's events as they come; `until(type, n)` resolves once n of that type came. */
function record(socket: Observable) {
  const seen: Seen[] = []
  const waiters: Array<() => void> = []
  let done = false
  const reading = (async () => {
    for await (const event of socket.events) {
      const { type, address, interval, error } = event as Seen
      const entry: Seen = { type }
      if (address !== undefined) entry.address = address
      if (interval !== undefined) entry.interval = interval
      if (error) entry.error = { code: error.code, errno: error.errno, message: error.message }
      if (entry.error && entry.error.errno === undefined) delete entry.error.errno
      seen.push(entry)
      for (const w of waiters.splice(0)) w()
    }
    done = true
    for (const w of waiters.splice(0)) w()
  })()
  const count = (type: string) => seen.filter((e) => e.type === type).length
  async function until(type: string, n = 1) {
    while (count(type) < n && !done) await new Promise<void>((resolve) => waiters.push(resolve))
    if (count(type) < n) throw new Error(`no ${type} event; saw ${JSON.stringify(seen)}`)
  }
  return { seen, until, reading, types: () => seen.map((e) => e.type) }
}

/** A client that writes `bytes` (a ZMTP greeting or part of one), then ends gracefully. */
async function rawClient(endpoint: string, bytes: Buffer, end: boolean) {
  const [host, port] = endpoint.replace("tcp://", "").split(":")
  const socket = net.connect(Number(port), host)
  socket.on("error", () => {})
  socket.on("data", () => {})
  await new Promise((resolve) => socket.once("connect", resolve))
  socket.write(bytes)
  if (end) socket.end()
  return socket
}

for (const impl of [their, ourWorker, ourInline] as Impl[]) {
  describe(`${impl.name} socket.events`, () => {
    it("binder: bind, accept, handshake, then close and end when the socket closes", async () => {
      const pull = impl.socket("Pull")
      const events = record(pull as never)
      const endpoint = await bindAny(pull)
      const push = their.socket("Push")
      push.connect(endpoint)
      await push.send("x")
      await pull.receive()
      await events.until("handshake")
      const observer = pull.events
      pull.close()
      await events.reading
      expect(events.seen).toEqual([
        { type: "bind", address: endpoint },
        { type: "accept", address: endpoint },
        { type: "handshake", address: endpoint },
        { type: "close", address: endpoint },
        { type: "end" },
      ])
      expect(observer.closed).toBe(true)
      // A closed socket has no Observer to give.
      expect(() => pull.events).toThrow(expect.objectContaining({ code: "ENOTSOCK", message: "Socket operation on non-socket" }))
    })

    it("connecter: connect:delay, connect, handshake; the peer goes: disconnect, connect:retry", async () => {
      const pull = their.socket("Pull")
      const endpoint = await bindAny(pull)
      const push = impl.socket("Push")
      const events = record(push as never)
      push.connect(endpoint)
      await push.send("x")
      await pull.receive()
      await events.until("handshake")
      pull.close()
      await events.until("connect:retry")
      expect(events.seen.slice(0, 5).map((e) => ({ ...e, interval: undefined }))).toEqual([
        { type: "connect:delay", address: endpoint, interval: undefined },
        { type: "connect", address: endpoint, interval: undefined },
        { type: "handshake", address: endpoint, interval: undefined },
        { type: "disconnect", address: endpoint, interval: undefined },
        { type: "connect:retry", address: endpoint, interval: undefined },
      ])
      // reconnectInterval 100 plus libzmq's jitter, below one interval.
      expect(events.seen[4].interval).toBeGreaterThanOrEqual(100)
      expect(events.seen[4].interval).toBeLessThan(200)
    })

    it("nobody listening: connect:delay, close, connect:retry with the interval", async () => {
      const push = impl.socket("Push", { reconnectInterval: 50 })
      const events = record(push as never)
      const endpoint = await unusedEndpoint()
      push.connect(endpoint)
      await events.until("connect:retry", 2)
      expect(events.types().slice(0, 6)).toEqual(["connect:delay", "close", "connect:retry", "connect:delay", "close", "connect:retry"])
      for (const e of events.seen) expect(e.address).toBe(endpoint)
      for (const e of events.seen.filter((e) => e.type === "connect:retry")) {
        expect(e.interval).toBeGreaterThanOrEqual(50)
        expect(e.interval).toBeLessThan(100)
      }
    })

    it("unbind closes the listener: close with its address", async () => {
      const pull = impl.socket("Pull")
      const events = record(pull as never)
      const endpoint = await bindAny(pull)
      await pull.unbind(endpoint)
      await events.until("close")
      expect(events.seen).toEqual([{ type: "bind", address: endpoint }, { type: "close", address: endpoint }])
    })

    it("a bind that fails: close without an address, then bind:error without the scheme", async () => {
      const holder = their.socket("Pull")
      const endpoint = await bindAny(holder)
      const pull = impl.socket("Pull")
      const events = record(pull as never)
      await expect(pull.bind(endpoint)).rejects.toMatchObject({ code: "EADDRINUSE" })
      await events.until("bind:error")
      expect(events.seen).toEqual([
        { type: "close" },
        { type: "bind:error", address: endpoint.replace("tcp://", ""), error: { code: "EADDRINUSE", errno: 98, message: "Address already in use" } },
      ])
    })

    it("a peer offering another mechanism: handshake:error:protocol ERR_ZMTP_MECHANISM_MISMATCH, disconnect", async () => {
      const pull = impl.socket("Pull")
      const events = record(pull as never)
      const endpoint = await bindAny(pull)
      const client = await rawClient(endpoint, greeting("PLAIN"), false)
      await events.until("disconnect")
      client.destroy()
      expect(events.seen.slice(1)).toEqual([
        { type: "accept", address: endpoint },
        { type: "handshake:error:protocol", address: endpoint, error: { code: "ERR_ZMTP_MECHANISM_MISMATCH", message: "ZMTP protocol error" } },
        { type: "disconnect", address: endpoint },
      ])
    })

    it("a peer that hangs up during the handshake: handshake:error:other EPIPE, disconnect", async () => {
      const pull = impl.socket("Pull")
      const events = record(pull as never)
      const endpoint = await bindAny(pull)
      await rawClient(endpoint, greeting("NULL"), true)
      await events.until("disconnect")
      expect(events.seen.slice(1)).toEqual([
        { type: "accept", address: endpoint },
        { type: "handshake:error:other", address: endpoint, error: { code: "EPIPE", errno: 32, message: "Broken pipe" } },
        { type: "disconnect", address: endpoint },
      ])
    })

    it("a peer of an incompatible type: disconnect, no handshake event", async () => {
      const pull = impl.socket("Pull")
      const events = record(pull as never)
      const endpoint = await bindAny(pull)
      // A PUB's greeting and READY from a raw client that then waits: the PULL refuses it on its
      // READY (a libzmq PUB as the peer would race it, closing on our READY before sending its own).
      const client = await rawClient(endpoint, Buffer.concat([greeting("NULL"), ready("PUB")]), false)
      await events.until("disconnect")
      client.destroy()
      expect(events.seen).toEqual([
        { type: "bind", address: endpoint },
        { type: "accept", address: endpoint },
        { type: "disconnect", address: endpoint },
      ])
    })

    it("over ws://: connect:delay, connect, handshake twice (the WebSocket's, then ZMTP's); disconnect, connect:retry", async () => {
      const pull = their.socket("Pull")
      await pull.bind("ws://127.0.0.1:*/events")
      const endpoint = pull.lastEndpoint!
      const push = impl.socket("Push")
      const events = record(push as never)
      push.connect(endpoint)
      await push.send("x")
      await pull.receive()
      await events.until("handshake", 2)
      // The server goes: as over tcp, disconnect and then the re-dial's interval.
      pull.close()
      await events.until("connect:retry")
      expect(events.seen.slice(0, 6).map((e) => ({ ...e, interval: undefined }))).toEqual(
        ["connect:delay", "connect", "handshake", "handshake", "disconnect", "connect:retry"].map((type) => ({ type, address: endpoint, interval: undefined })),
      )
      expect(events.seen[5].interval).toBeGreaterThanOrEqual(100)
    })
  })
}

// Last, after every case with a peer of theirs: once zeromq has run these calls (an Observer
// closed while its socket lives, one in emitter mode), a socket of theirs closed later in the
// same context was seen to leave its TCP connection open, so a peer never heard it go.
for (const impl of [their, ourWorker, ourInline] as Impl[]) {
  describe(`${impl.name} Observer`, () => {
    it("one per socket, close(), receive() while busy or closed, emitter mode", async () => {
      const a = impl.socket("Pull")
      const events = a.events
      expect(a.events).toBe(events)
      expect(events.closed).toBe(false)
      events.close()
      expect(events.closed).toBe(true)
      expect(() => events.receive()).toThrow(expect.objectContaining({ code: "EBADF", message: "Socket is closed" }))

      const b = impl.socket("Pull")
      const bEvents = b.events
      const first = bEvents.receive()
      expect(() => bEvents.receive()).toThrow(
        expect.objectContaining({ code: "EBUSY", message: "Observer is busy reading; only one receive operation may be in progress at any time" }),
      )
      b.close()
      expect(await first).toEqual({ type: "end" })
      expect(bEvents.closed).toBe(true)

      const c = impl.socket("Pull")
      const bound = new Promise<{ type: string; address: string }>((resolve) => c.events.on("bind", resolve as never))
      expect(() => c.events.receive()).toThrow(
        "Observer is in event emitter mode. After a call to events.on() it is not possible to read events with events.receive().",
      )
      const endpoint = await bindAny(c)
      expect(await bound).toEqual({ type: "bind", address: endpoint })
    })
  })
}
