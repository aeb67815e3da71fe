/**
 * inproc:// between two of our sockets of one Context, in worker and inline mode: the core joins
 * them pipe to pipe (no transport, no bytes). The endpoint and error rules are checked against
 * theirs (zeromq 6.8.0, libzmq 4.3.5) by running the same calls on both.
 *
 *   REQ ──"ping n"──► REP        PUSH ──0..99999──► PULL (in order)
 *   REQ ◄──"pong n"── REP        PUB ──"t…"──► SUB (subscribed before / after the link)
 */
import { afterEach, describe, expect, it } from "vitest"
import { closeCreated, ourImpls, their } from "../lib/impls.js"
import { text } from "../lib/util.js"

afterEach(closeCreated)

let count = 0
const fresh = () => `inproc://t${++count}`

/** An error's zeromq.js fields, for comparing ours with theirs. */
async function failure(f: () => unknown) {
  try {
    await f()
  } catch (e) {
    const err = e as { code?: string; errno?: number; message: string; address?: string }
    return { code: err.code, errno: err.errno, message: err.message, address: err.address }
  }
  return "no error"
}

describe.each(ourImpls)("inproc, $name", (impl) => {
  it("REQ/REP, bind then connect", async () => {
    const rep = impl.socket("Reply")
    const req = impl.socket("Request")
    const address = fresh()
    await rep.bind(address)
    expect(rep.lastEndpoint).toBe(address)
    req.connect(address)
    for (let i = 0; i < 5; i++) {
      await req.send(`ping ${i}`)
      expect(text(await rep.receive())).toEqual([`ping ${i}`])
      await rep.send(`pong ${i}`)
      expect(text(await req.receive())).toEqual([`pong ${i}`])
    }
  })

  it("PUSH/PULL: 100k messages arrive, in order", async () => {
    const pull = impl.socket("Pull")
    const push = impl.socket("Push")
    const address = fresh()
    await pull.bind(address)
    push.connect(address)
    const N = 100_000
    const sending = (async () => {
      for (let i = 0; i < N; i++) await push.send(String(i))
    })()
    for (let i = 0; i < N; i++) {
      const [m] = await pull.receive()
      if (m.toString() !== String(i)) expect(m.toString()).toBe(String(i))
    }
    await sending
  }, 60_000)

  it("connect before bind: queued messages arrive once the name is bound", async () => {
    const pull = impl.socket("Pull")
    const push = impl.socket("Push", { sendTimeout: 0 })
    const address = fresh()
    push.connect(address)
    for (let i = 0; i < 3; i++) await push.send(`early ${i}`) // the connecter's pipe takes them
    await pull.bind(address)
    for (let i = 0; i < 3; i++) expect(text(await pull.receive())).toEqual([`early ${i}`])
  })

  it("PUB/SUB: subscriptions before and after the link", async () => {
    const pub = impl.socket("Publisher")
    const early = impl.socket("Subscriber")
    const late = impl.socket("Subscriber")
    const address = fresh()
    early.subscribe("t")
    early.connect(address)
    await pub.bind(address)
    late.connect(address)
    late.subscribe("t")
    // One ordered stream carries both sockets' ops, so the subscriptions reach the core first.
    await pub.send("x skipped")
    await pub.send("t1")
    expect(text(await early.receive())).toEqual(["t1"])
    expect(text(await late.receive())).toEqual(["t1"])
  })

  it("errors match zeromq 6.8.0", async () => {
    const ops = async (make: typeof impl) => {
      const a = make.socket("Pull")
      const b = make.socket("Pull")
      const c = make.socket("Push")
      const address = `inproc://errors-${make.name}`
      const ok = await failure(() => a.bind(address))
      return {
        ok,
        endpoint: a.lastEndpoint,
        again: await failure(() => a.bind(address)),
        other: await failure(() => b.bind(address)),
        emptyBind: await failure(() => b.bind("inproc://")),
        emptyConnect: await failure(() => c.connect("inproc://")),
        unbindUnknown: await failure(() => a.unbind("inproc://nope")),
        unbindOthers: await failure(() => b.unbind(address)),
        unbind: await failure(() => a.unbind(address)),
        unbindAgain: await failure(() => a.unbind(address)),
        disconnectUnknown: await failure(() => c.disconnect("inproc://never")),
        connect: await failure(() => c.connect("inproc://later")),
        disconnect: await failure(() => c.disconnect("inproc://later")),
        disconnectAgain: await failure(() => c.disconnect("inproc://later")),
      }
    }
    const strip = (r: Record<string, unknown>, name: string) =>
      JSON.parse(JSON.stringify(r).replaceAll(`errors-${name}`, "errors"))
    const theirs = strip(await ops(their), their.name)
    const ours = strip(await ops(impl), impl.name)
    expect(ours).toEqual(theirs)
    expect(ours.again.code).toBe("EADDRINUSE")
  })
})
