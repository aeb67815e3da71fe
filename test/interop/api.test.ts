// API behaviour against zeromq's: the same call on their socket and on ours must fail with the
// same error (message, code, errno, address). The expected values below are what zeromq 6.8.0
// (libzmq 4.3.5) gives; running every case on "their" too keeps the table honest.
import { afterEach, describe, expect, it } from "vitest"
import { closeCreated, ourImpls, their, type Impl } from "../lib/impls.js"
import { bindAny, unusedEndpoint } from "../lib/util.js"

afterEach(closeCreated)

interface Shape { message: string; code?: string; errno?: number; address?: string }

/** What a call failed with, whether it threw or rejected; fails the test if it succeeded. */
async function failure(call: () => unknown): Promise<Shape> {
  try {
    await call()
  } catch (error) {
    expect(error).toBeInstanceOf(Error)
    const { message, code, errno, address } = error as Shape
    return JSON.parse(JSON.stringify({ message, code, errno, address })) as Shape
  }
  throw new Error("expected the call to fail, but it succeeded")
}

const EFSM = { message: "Operation cannot be accomplished in current state", code: "EFSM", errno: 156384763 }
const EAGAIN = { message: "Operation was not possible or timed out", code: "EAGAIN", errno: 11 }
const EBUSY_READ = { message: "Socket is busy reading; only one receive operation may be in progress at any time", code: "EBUSY", errno: 16 }
const EBUSY_WRITE = { message: "Socket is busy writing; only one send operation may be in progress at any time", code: "EBUSY", errno: 16 }
const EBUSY_BIND = { message: "Socket is blocked by a bind or unbind operation", code: "EBUSY", errno: 16 }
const EBADF = { message: "Socket is closed", code: "EBADF", errno: 9 }
const EINVAL = { message: "Invalid argument", code: "EINVAL", errno: 22 }
const EPROTONOSUPPORT = { message: "Protocol not supported", code: "EPROTONOSUPPORT", errno: 93 }
const EADDRINUSE = { message: "Address already in use", code: "EADDRINUSE", errno: 98 }

for (const impl of [their, ...ourImpls] as Impl[]) {
  describe(`${impl.name} sockets behave like zeromq's`, () => {
    /** A REQ/REP pair that has done one round trip (so both ends are up), then gets options. */
    async function reqRep(options = {}) {
      const rep = impl.socket("Reply")
      const req = impl.socket("Request")
      req.connect(await bindAny(rep))
      await req.send("ping")
      await rep.receive()
      await rep.send("pong")
      await req.receive()
      Object.assign(req, options)
      Object.assign(rep, options)
      return { req, rep }
    }

    describe("EFSM: out-of-turn REQ/REP calls", () => {
      for (const timeout of [0, 100]) {
        it(`REQ sending twice (sendTimeout ${timeout})`, async () => {
          const { req } = await reqRep({ sendTimeout: timeout })
          await req.send("first")
          expect(await failure(() => req.send("second"))).toEqual(EFSM)
        })

        it(`REQ receiving before sending (receiveTimeout ${timeout})`, async () => {
          const { req } = await reqRep({ receiveTimeout: timeout })
          expect(await failure(() => req.receive())).toEqual(EFSM)
        })

        it(`REP sending before receiving (sendTimeout ${timeout})`, async () => {
          const { rep } = await reqRep({ sendTimeout: timeout })
          expect(await failure(() => rep.send("reply"))).toEqual(EFSM)
        })
      }
    })

    describe("a connecting socket queues before the connection is up (libzmq's pipe-on-connect)", () => {
      it("PUSH connect() then send with sendTimeout 0 succeeds with nobody listening", async () => {
        const push = impl.socket("Push", { sendTimeout: 0 })
        push.connect(await unusedEndpoint())
        await push.send("queued")
      })

      it("REQ connect() then send with sendTimeout 0 succeeds with nobody listening", async () => {
        const req = impl.socket("Request", { sendTimeout: 0 })
        req.connect(await unusedEndpoint())
        await req.send("queued")
      })
    })

    describe("EBUSY: one pending call of a kind", () => {
      it("a second concurrent receive; close() then ends the first with EAGAIN", async () => {
        const pull = impl.socket("Pull")
        await bindAny(pull)
        const first = failure(() => pull.receive())
        expect(await failure(() => pull.receive())).toEqual(EBUSY_READ)
        pull.close()
        expect(await first).toEqual(EAGAIN)
      })

      it("a second concurrent send; close() then ends the first with EAGAIN", async () => {
        const push = impl.socket("Push") // no peer: the first send waits
        const first = failure(() => push.send("first"))
        expect(await failure(() => push.send("second"))).toEqual(EBUSY_WRITE)
        push.close()
        expect(await first).toEqual(EAGAIN)
      })

      it("a second concurrent bind", async () => {
        const pull = impl.socket("Pull")
        const first = pull.bind("tcp://127.0.0.1:*")
        expect(await failure(() => pull.bind("tcp://127.0.0.1:*"))).toEqual(EBUSY_BIND)
        await first
      })
    })

    describe("EAGAIN: timeouts", () => {
      it("receiveTimeout with nothing to receive", async () => {
        const pull = impl.socket("Pull", { receiveTimeout: 50 })
        await bindAny(pull)
        expect(await failure(() => pull.receive())).toEqual(EAGAIN)
      })

      for (const timeout of [0, 50]) {
        it(`sendTimeout ${timeout} with no peer to send to`, async () => {
          const push = impl.socket("Push", { sendTimeout: timeout })
          expect(await failure(() => push.send("nobody"))).toEqual(EAGAIN)
        })
      }
    })

    describe("bad endpoints carry the address", () => {
      const cases: Array<[string, Shape]> = [
        ["tcp://", EINVAL],
        ["tcp://127.0.0.1", EINVAL],
        ["tcp://*:abc", EINVAL],
        ["foo://x", EPROTONOSUPPORT],
      ]
      for (const [address, shape] of cases) {
        it(`bind("${address}") rejects`, async () => {
          const pull = impl.socket("Pull")
          expect(await failure(() => pull.bind(address))).toEqual({ ...shape, address })
        })

        it(`connect("${address}") throws synchronously`, async () => {
          const push = impl.socket("Push")
          expect(() => push.connect(address)).toThrow(shape.message)
          expect(await failure(() => push.connect(address))).toEqual({ ...shape, address })
        })
      }

      it("bind to an endpoint in use: EADDRINUSE", async () => {
        const first = impl.socket("Pull")
        const endpoint = await bindAny(first)
        const second = impl.socket("Pull")
        expect(await failure(() => second.bind(endpoint))).toEqual({ ...EADDRINUSE, address: endpoint })
      })
    })

    describe("EBADF: a closed socket", () => {
      it("refuses send, receive, bind and connect", async () => {
        const push = impl.socket("Push")
        const pull = impl.socket("Pull")
        push.close()
        pull.close()
        expect(push.closed).toBe(true)
        expect(await failure(() => push.send("x"))).toEqual(EBADF)
        expect(await failure(() => pull.receive())).toEqual(EBADF)
        expect(await failure(() => pull.bind("tcp://127.0.0.1:*"))).toEqual(EBADF)
        expect(() => push.connect("tcp://127.0.0.1:1")).toThrow(EBADF.message)
      })
    })
  })
}

describe("options", () => {
  const names = ["linger", "sendHighWaterMark", "receiveHighWaterMark", "sendTimeout",
    "receiveTimeout", "reconnectInterval", "maxMessageSize", "routingId"] as const
  const read = (socket: object) =>
    Object.fromEntries(names.map((name) => [name, (socket as Record<string, unknown>)[name]]))

  for (const impl of ourImpls) {
    it(`${impl.name}: the same defaults as zeromq (bar linger, set by the tests)`, () => {
      const expected = read(their.socket("Request"))
      expect(read(impl.socket("Request"))).toEqual(expected)
    })

    it(`${impl.name}: values set in the constructor and as properties read back`, () => {
      const values = { linger: 250, sendHighWaterMark: 7, receiveHighWaterMark: 0, sendTimeout: 30,
        receiveTimeout: 40, reconnectInterval: 55, maxMessageSize: 1 << 20, routingId: "peer-1" }
      expect(read(impl.socket("Request", values))).toEqual(read(their.socket("Request", values)))
      const ours = impl.socket("Request")
      const theirs = their.socket("Request")
      for (const [name, value] of Object.entries(values)) {
        ;(ours as unknown as Record<string, unknown>)[name] = value
        ;(theirs as unknown as Record<string, unknown>)[name] = value
      }
      expect(read(ours)).toEqual(read(theirs))
      expect(read(ours)).toEqual(values)
    })

    it(`${impl.name}: lastEndpoint is null until bound, then the resolved endpoint`, async () => {
      const pull = impl.socket("Pull")
      expect(pull.lastEndpoint).toBe(null)
      await pull.bind("tcp://127.0.0.1:*")
      expect(pull.lastEndpoint).toMatch(/^tcp:\/\/127\.0\.0\.1:\d+$/)
    })
  }
})
