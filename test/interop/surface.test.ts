// zeromq.js's call semantics, differentially: each case runs the same calls on zeromq 6.8.0's
// classes and on ours (worker and inline engines) and records what a user's code can observe —
// a synchronous throw (its class, message, code), a returned value, or how a returned promise
// settles — and the two records must be equal. No expected values are written here: zeromq is
// the expectation, so a case cannot pass by agreeing with itself.
import { afterEach, describe, expect, it } from "vitest"
import { theirs, ours } from "../lib/impls.js"
import { unusedEndpoint } from "../lib/util.js"

type Zmq = typeof theirs

/** What a call gave: a value (as JSON), a throw, or (for a promise) how it settled. */
type Outcome =
  | { returned: unknown }
  | { threw: string; message: string; code?: string }
  | { resolved: unknown }
  | { rejected: string; code?: string }

function describeError(err: unknown): { name: string; message: string; code?: string } {
  const e = err as Error & { code?: string }
  return { name: e.constructor?.name, message: e.message, code: e.code }
}

function call(f: () => unknown): Outcome {
  try {
    const value = f()
    if (value instanceof Promise) value.catch(() => {}) // looked at by settle(), if asked
    return { returned: value instanceof Promise ? "promise" : JSON.parse(JSON.stringify(value ?? null)) }
  } catch (err) {
    const { name, message, code } = describeError(err)
    return { threw: name, message, code }
  }
}

async function settle(p: unknown): Promise<Outcome> {
  try {
    return { resolved: JSON.parse(JSON.stringify((await p) ?? null)) }
  } catch (err) {
    return { rejected: (err as Error).message, code: (err as { code?: string }).code }
  }
}

const sockets: Array<{ close(): void; closed: boolean }> = []
afterEach(() => {
  for (const s of sockets.splice(0)) if (!s.closed) s.close()
})

/** Our sockets' context when a case runs inline (theirs, and ours otherwise, use the default). */
let inlineContext: unknown
let useInline = false

/** A socket of class `kind`, closed after the test. */
function make(zmq: Zmq, kind: string, options: Record<string, unknown> = {}) {
  const Cls = (zmq as unknown as Record<string, new (o: object) => never>)[kind]
  inlineContext ??= new (ours.Context as unknown as new (o: object) => unknown)({ inline: true })
  const context = useInline && zmq !== theirs ? { context: inlineContext } : {}
  const s = new Cls({ linger: 0, ...context, ...options }) as unknown as InstanceType<Zmq["Dealer"]>
  sockets.push(s)
  return s
}

/** Runs `scenario` against both packages and compares its record. */
function same(name: string, scenario: (zmq: Zmq) => Promise<unknown> | unknown) {
  for (const inline of [false, true]) {
    it(`${name} (${inline ? "inline" : "worker"})`, async () => {
      useInline = false
      const theirRecord = await scenario(theirs)
      for (const s of sockets.splice(0)) if (!s.closed) s.close()
      useInline = inline
      try {
        expect(await scenario(ours as unknown as Zmq)).toEqual(theirRecord)
      } finally {
        useInline = false
      }
    })
  }
}

const CLASSES = ["Pair", "Publisher", "Subscriber", "Request", "Reply", "Dealer", "Router", "Pull", "Push",
  "XPublisher", "XSubscriber", "Stream"]

describe("construction and sealing, as zeromq's native classes", () => {
  same("constructors called wrongly", (zmq) => {
    const Any = zmq as unknown as Record<string, (...a: unknown[]) => unknown>
    const New = zmq as unknown as Record<string, new (...a: unknown[]) => unknown>
    return [
      call(() => Any.Socket(1, new zmq.Context())),
      call(() => Any.Dealer()),
      call(() => Any.Context()),
      call(() => new New.Socket()),
      call(() => new New.Socket(1, new zmq.Context(), 2)),
      call(() => new New.Socket(3, 1)),
      call(() => new New.Socket("foo")),
      call(() => new New.Socket(37)),
      call(() => new New.Socket(1, { context: {} })),
      call(() => new New.Dealer({ recoveryInterval: "hello" })),
      call(() => new New.Dealer({ securityMechanism: 1 })),
      call(() => new New.Dealer({ doesNotExist: 1 })),
      call(() => new New.Context(1)),
      call(() => new New.Context({}, 2)),
      call(() => new New.Context({ ioThreads: "hello" })),
      call(() => new New.Context({ maxSocketsLimit: 1 })),
      call(() => new New.Context({ doesNotExist: 1 })),
    ]
  })

  same("maxSockets: the next socket fails with EMFILE", (zmq) => {
    const context = new zmq.Context({ maxSockets: 3 })
    const record = []
    for (let i = 0; i < 4; i++) record.push(call(() => sockets.push(new zmq.Dealer({ context })) && "made"))
    return record
  })

  same("a socket shows no properties of its own and takes none", (zmq) => {
    const s = new zmq.Dealer() as unknown as Record<string, unknown>
    sockets.push(s as never)
    return [
      Object.keys(s), JSON.stringify(s), Object.getOwnPropertyNames(s),
      call(() => { s.foo = 1 }),
      call(() => { s.context = 1 }),
      call(() => { s.type = 1 }),
      typeof s.type, s.type,
      s.context === zmq.context,
    ]
  })

  same("every socket has send and receive", (zmq) =>
    CLASSES.map((kind) => {
      const s = make(zmq, kind) as unknown as Record<string | symbol, unknown>
      return [kind, typeof s.send, typeof s.receive, typeof s[Symbol.asyncIterator]]
    }))

  same("a closed socket releases its context", (zmq) => {
    const s = make(zmq, "Dealer")
    s.close()
    return [s.context === undefined, s.closed]
  })
})

describe("options, as zeromq's getters and setters", () => {
  same("every accessor of every class: its default, or the error reading it", (zmq) =>
    CLASSES.map((kind) => {
      const s = make(zmq, kind) as unknown as Record<string, unknown>
      const names: string[] = []
      for (let p = Object.getPrototypeOf(s); p && p !== Object.prototype; p = Object.getPrototypeOf(p)) {
        for (const [name, d] of Object.entries(Object.getOwnPropertyDescriptors(p))) {
          if ((d.get || d.set) && !["events", "context", "readable", "writable", "closed"].includes(name)) {
            names.push(`${name}:${d.get ? "r" : ""}${d.set ? "w" : ""}:${d.enumerable}`)
          }
        }
      }
      // wss* are this package's own (libzmq's ZMQ_WSS_*; zeromq's prebuilt has no wss).
      const ownNames = names.filter((n) => !n.startsWith("wss")).sort()
      return [kind, ownNames, ownNames.map((n) => call(() => s[n.split(":")[0]]))]
    }))

  same("numbers are coerced as N-API does, then checked as libzmq does", (zmq) => {
    const s = make(zmq, "Dealer") as unknown as Record<string, unknown>
    const record = []
    for (const [name, value] of [["linger", 1.5], ["linger", NaN], ["linger", 2 ** 32 + 5], ["linger", -2],
      ["linger", "x"], ["linger", true], ["backlog", 75], ["backlog", -1], ["maxMessageSize", 0xffffffff],
      ["maxMessageSize", 2 ** 40 + 0.5], ["affinity", -5], ["typeOfService", -1], ["rate", 0],
      ["tcpKeepalive", 2], ["tcpKeepaliveIdle", 0], ["immediate", 1], ["immediate", true],
      ["sendHighWaterMark", -1], ["reconnectInterval", -1], ["heartbeatTimeToLive", 6553601],
      ["multicastMaxTransportDataUnit", 0], ["vmciBufferSize", 1]] as const) {
      record.push([name, value, call(() => { s[name] = value }), call(() => s[name])])
    }
    return record
  })

  same("strings and routing ids from strings, Buffers and Uint8Arrays", (zmq) => {
    const s = make(zmq, "Dealer") as unknown as Record<string, unknown>
    const record = []
    for (const [name, value] of [["routingId", "åbçdéfghïjk"], ["routingId", Buffer.from("åbç")],
      ["routingId", new Uint8Array([65, 66])], ["routingId", ""], ["routingId", Buffer.from([0, 1])],
      ["routingId", 5], ["routingId", null], ["socksProxy", Buffer.from("foo")], ["socksProxy", null],
      ["zapDomain", "x"], ["plainUsername", "u"], ["interface", "lo"]] as const) {
      record.push([name, call(() => { s[name] = value }), call(() => s[name])])
    }
    return record
  })

  same("the security mechanism follows the plain and curve options", (zmq) => {
    const s = make(zmq, "Dealer")
    const record: unknown[] = [s.securityMechanism]
    s.plainServer = true
    record.push(s.securityMechanism)
    s.plainServer = false
    record.push(s.securityMechanism)
    s.plainUsername = "user"
    record.push(s.securityMechanism)
    s.plainUsername = null
    record.push(s.securityMechanism)
    return record
  })

  same("the typed get/set methods by option number", (zmq) => {
    const s = make(zmq, "Dealer") as unknown as Record<string, (...a: unknown[]) => unknown>
    return [
      call(() => s.getBoolOption(39)), call(() => s.setBoolOption(39, true)), call(() => s.getBoolOption(39)),
      call(() => s.getInt32Option(19)), call(() => s.setInt32Option(19, 75)), call(() => s.getInt32Option(19)),
      call(() => s.getInt64Option(22)), call(() => s.setInt64Option(22, 0xffffffffffff)), call(() => s.getInt64Option(22)),
      call(() => s.getUint64Option(4)), call(() => s.getStringOption(5)),
      call(() => s.setStringOption(5, Buffer.from("abc"))), call(() => s.getStringOption(5)),
      call(() => s.getStringOption(68)), call(() => s.setStringOption(68, null)), call(() => s.getStringOption(68)),
      call(() => s.getInt32Option(9999)), call(() => s.setInt32Option(9999, 1)),
      call(() => s.getInt32Option("x")), call(() => s.setBoolOption(39, 1)), call(() => s.setInt32Option(19)),
      call(() => s.getInt32Option(16)), call(() => s.setInt32Option(16, 1)),
      call(() => s.getInt64Option(19)), call(() => s.getInt32Option(22)),
    ]
  })

  same("a closed socket's options fail with ENOTSOCK", (zmq) => {
    const s = make(zmq, "Dealer") as unknown as Record<string, unknown> & { close(): void }
    s.close()
    return [call(() => s.linger), call(() => { s.linger = 5 }), call(() => s.type), call(() => s.lastEndpoint)]
  })

  same("setting an option after connect or during a bind warns; an immediate one does not", async (zmq) => {
    const warnings: string[] = []
    const listeners = process.listeners("warning")
    process.removeAllListeners("warning")
    const onWarning = (w: Error) => warnings.push(w.message)
    process.on("warning", onWarning)
    try {
      const s = make(zmq, "Dealer")
      s.routingId = "before"
      s.connect(await unusedEndpoint())
      s.routingId = "after"
      s.linger = 5
      s.sendHighWaterMark = 5
      const b = make(zmq, "Dealer")
      const bound = b.bind("inproc://surface-warn-" + Math.random())
      b.backlog = 5
      await bound
      const u = make(zmq, "Dealer") as unknown as Record<string, (...a: unknown[]) => unknown>
      u.setUint64Option(4, 0xfffffff7fab7fb)
      await new Promise(process.nextTick)
      return warnings
    } finally {
      process.removeListener("warning", onWarning)
      for (const l of listeners) process.on("warning", l as (w: Error) => void)
    }
  })

  same("context options", (zmq) => {
    const c = new zmq.Context() as unknown as Record<string, unknown>
    const record: unknown[] = []
    for (const name of ["ioThreads", "maxSockets", "maxSocketsLimit", "threadPriority", "threadSchedulingPolicy",
      "maxMessageSize", "ipv6", "blocky"]) record.push([name, call(() => c[name])])
    for (const [name, value] of [["ioThreads", 0], ["ioThreads", 1.5], ["ioThreads", -1], ["maxSockets", 0],
      ["maxMessageSize", -1], ["threadPriority", 5], ["threadSchedulingPolicy", -5], ["ipv6", true],
      ["ipv6", 1], ["maxSocketsLimit", 1], ["nope", 1]] as const) {
      record.push([name, value, call(() => { c[name] = value }), call(() => c[name])])
    }
    record.push(Object.keys(c), JSON.stringify(c))
    return record
  })
})

describe("which calls throw synchronously and which reject, as zeromq's", () => {
  same("argument errors throw", (zmq) => {
    const s = make(zmq, "Dealer") as unknown as Record<string, (...a: unknown[]) => unknown>
    return [
      call(() => s.send()), call(() => s.send("a", "b")), call(() => s.receive(1)), call(() => s.bind()),
      call(() => s.bind(5)), call(() => s.connect()), call(() => s.connect(5)), call(() => s.close(1)),
      call(() => s.disconnect("tcp://127.0.0.1:1")), call(() => s.connect("foo://x")),
    ]
  })

  same("every call on a closed socket throws EBADF", (zmq) => {
    const s = make(zmq, "Dealer")
    s.close()
    return [
      call(() => s.send("x")), call(() => s.receive()), call(() => s.bind("inproc://x")),
      call(() => s.unbind("inproc://x")), call(() => s.connect("inproc://x")), call(() => s.disconnect("inproc://x")),
      call(() => s.close()),
    ]
  })

  same("a second send or receive while one waits throws EBUSY", async (zmq) => {
    const s = make(zmq, "Dealer", { sendTimeout: 20, receiveTimeout: 20 })
    const first = [call(() => s.send("x")), call(() => s.send("y")), call(() => s.receive()), call(() => s.receive())]
    await new Promise((r) => setTimeout(r, 40)) // both timeouts are over: the first calls have failed
    return first
  })

  same("during a bind every other call throws EBUSY, and close() waits for it", async (zmq) => {
    const s = make(zmq, "Dealer")
    const address = await unusedEndpoint()
    const bound = s.bind(address)
    const record: unknown[] = [
      call(() => s.bind(address)), call(() => s.unbind(address)), call(() => s.connect("tcp://127.0.0.1:1")),
      call(() => s.send("x")), call(() => s.receive()), call(() => s.close()), s.closed,
    ]
    record.push(await settle(bound), s.closed)
    return record
  })

  same("close() during a failing bind or unbind closes once it has failed", async (zmq) => {
    const s = make(zmq, "Dealer")
    const address = await unusedEndpoint()
    const unbound = s.unbind(address)
    s.close()
    const record: unknown[] = [s.closed]
    record.push(await settle(unbound), s.closed)
    return record
  })

  same("with a timeout of 0, a send or receive that cannot go now is rejected when the call returns", async (zmq) => {
    const s = make(zmq, "Dealer", { sendTimeout: 0, receiveTimeout: 0 })
    const record: unknown[] = []
    for (const p of [s.send("x"), s.receive()]) {
      let settled = false
      p.then(() => (settled = true), () => (settled = true))
      await Promise.resolve()
      record.push(settled, await settle(p))
    }
    return record
  })

  same("writable: fresh sockets of every class, then right after connect()", async (zmq) => {
    const record: unknown[] = []
    for (const kind of CLASSES) {
      const s = make(zmq, kind)
      const before = s.writable
      ;(s as unknown as { connect(a: string): void }).connect(await unusedEndpoint())
      record.push([kind, before, s.writable])
    }
    const immediate = make(zmq, "Push", { immediate: true })
    immediate.connect(await unusedEndpoint())
    record.push(["immediate Push", immediate.writable])
    return record
  })

  same("a call still waiting at close: EAGAIN, EFSM for REQ's receive, ENOTSUP for PULL's send", async (zmq) => {
    const d = make(zmq, "Dealer")
    const req = make(zmq, "Request")
    const pull = make(zmq, "Pull") as unknown as { send(m: string): Promise<void>; close(): void }
    const pending = [d.send("x"), d.receive(), req.receive(), pull.send("x")]
    d.close()
    req.close()
    pull.close()
    return Promise.all(pending.map(settle))
  })

  same("sends resolved in the call: 512 in a row, then one waits for the event loop (EBUSY behind it)", async (zmq) => {
    const pub = make(zmq, "Publisher")
    const record: unknown[] = []
    for (let i = 0; i < 600; i++) {
      const outcome = call(() => pub.send("x"))
      if ("threw" in outcome) {
        record.push(i, outcome)
        break
      }
    }
    await new Promise((r) => setImmediate(r))
    record.push(call(() => pub.send("after a turn")))
    return record
  })

  same("the async iterator: done on a closed socket", async (zmq) => {
    const s = make(zmq, "Dealer")
    const it = s[Symbol.asyncIterator]()
    s.close()
    return [await it.next()]
  })
})

describe("Proxy, as zeromq's", () => {
  same("construction errors", (zmq) => {
    const New = zmq as unknown as Record<string, new (...a: unknown[]) => unknown>
    const Any = zmq as unknown as Record<string, (...a: unknown[]) => unknown>
    return [
      call(() => Any.Proxy()),
      call(() => new New.Proxy()),
      call(() => new New.Proxy(make(zmq, "Dealer"))),
      call(() => new New.Proxy(make(zmq, "Dealer"), make(zmq, "Dealer"), make(zmq, "Dealer"))),
      call(() => new New.Proxy({}, {})),
      call(() => new New.Proxy(1, 2)),
    ]
  })

  same("run() refuses ends that are not bound or connected, or closed", async (zmq) => {
    const record: unknown[] = []
    for (const setup of ["neither", "front only", "back only", "front closed"]) {
      const proxy = new zmq.Proxy(make(zmq, "Router"), make(zmq, "Dealer"))
      if (setup !== "back only") await proxy.frontEnd.bind("inproc://surface-proxy-f-" + Math.random())
      if (setup !== "front only") await proxy.backEnd.bind("inproc://surface-proxy-b-" + Math.random())
      if (setup === "front closed") proxy.frontEnd.close()
      record.push(setup, call(() => proxy.run()))
    }
    return record
  })

  same("steering before run(), while it runs and after it ended; the ends while it runs", async (zmq) => {
    const proxy = new zmq.Proxy(make(zmq, "Router"), make(zmq, "Dealer"))
    await proxy.frontEnd.bind("inproc://surface-proxy-f-" + Math.random())
    await proxy.backEnd.bind("inproc://surface-proxy-b-" + Math.random())
    const record: unknown[] = [call(() => proxy.pause()), call(() => proxy.terminate())]
    const done = proxy.run()
    record.push(call(() => proxy.frontEnd.send("x")), call(() => proxy.backEnd.receive()),
      call(() => proxy.frontEnd.close()), proxy.frontEnd.closed,
      call(() => proxy.pause()), call(() => proxy.resume()), call(() => proxy.terminate()))
    record.push(await settle(done), proxy.frontEnd.closed, proxy.backEnd.closed,
      call(() => proxy.terminate()), call(() => proxy.pause(1)))
    return record
  })
})

describe("REQ/REP turn-taking when the peer's message has arrived but is not read", () => {
  /** Resolves once `s` reports a message readable (zeromq's `readable`; polled per macrotask). */
  async function arrived(s: { readable: boolean }) {
    while (!s.readable) await new Promise((r) => setImmediate(r))
  }

  async function pair(zmq: Zmq) {
    const rep = make(zmq, "Reply")
    const req = make(zmq, "Request")
    const address = "inproc://surface-reqrep-" + Math.random()
    await rep.bind(address)
    req.connect(address)
    return { req, rep }
  }

  same("REP sends before reading the request that arrived: EFSM at the timeout", async (zmq) => {
    const { req, rep } = await pair(zmq)
    await req.send("q")
    await arrived(rep)
    rep.sendTimeout = 30
    const record: unknown[] = [rep.writable, await settle(rep.send("early"))]
    record.push(await settle(rep.receive()), await settle(rep.send("reply")), await settle(req.receive()))
    return record
  })

  same("REQ sends again with the reply arrived and unread: EFSM at the timeout; the reply is still there", async (zmq) => {
    const { req, rep } = await pair(zmq)
    await req.send("q1")
    await rep.receive()
    await rep.send("r1")
    await arrived(req)
    req.sendTimeout = 30
    const record: unknown[] = [req.writable, await settle(req.send("q2"))]
    record.push(await settle(req.receive()), await settle(req.send("q3")), await settle(rep.receive()))
    return record
  })

  same("a REP send that waits when the socket closes: EFSM", async (zmq) => {
    const { req, rep } = await pair(zmq)
    await req.send("q")
    await arrived(rep)
    const p = rep.send("early")
    rep.close()
    return [await settle(p)]
  })

  same("REQ's second send waiting at close: EFSM", async (zmq) => {
    const { req } = await pair(zmq)
    await req.send("q1")
    const p = req.send("q2")
    req.close()
    return [await settle(p)]
  })
})

describe("endpoints, as libzmq parses them and zeromq reports them", () => {
  /** The record with this run's free port written as "P" (each side has its own port). */
  const portless = (record: unknown, port: number) =>
    JSON.parse(JSON.stringify(record).replaceAll(String(port + 3 + 65536), "P+3+65536").replaceAll(String(port + 3), "P+3")
      .replaceAll(String(port + 2), "P+2").replaceAll(String(port + 1), "P+1").replaceAll(String(port), "P"))
  // A port past 65535 is taken modulo 2^16 (libzmq's strtol into 16 bits): this run's own port
  // P+3, never a fixed one another run (or zeromq's listener, which libzmq closes
  // asynchronously) may still hold.

  same("bind and connect: addresses good and bad", async (zmq) => {
    const port = Number((await unusedEndpoint()).split(":").pop())
    const record: unknown[] = []
    const binds = [`tcp://127.0.0.1:${port}`, `tcp://localhost:${port + 1}`, "tcp://127.0.0.1:abc", "tcp://127.0.0.1:",
      `tcp://127.0.0.1:${port + 3 + 65536}`, "tcp://127.0.0.1", `tcp://[::1]:${port + 2}`, "foo://x", "inproc://", "udp://127.0.0.1:5555",
      "tcp://nonexistent.invalid:5555", "tcp://*:abc", "", "tcp://", "ipc://"]
    for (const address of binds) {
      const s = make(zmq, "Dealer")
      let promise: unknown
      const outcome = call(() => (promise = s.bind(address)))
      record.push(["bind", address, outcome, promise ? await settle(promise) : "thrown"])
    }
    const connects = [`tcp://127.0.0.1:${port}`, `tcp://localhost:${port}`, "tcp://127.0.0.1:abc", "tcp://127.0.0.1:",
      "tcp://127.0.0.1", "tcp://*:5555", `tcp://[::1]:${port}`, "foo://x", "inproc://", "udp://127.0.0.1:5555",
      "tcp://nonexistent.invalid:5555", "", "ipc://", "tcp://127.0.0.1:0"]
    for (const address of connects) {
      const s = make(zmq, "Dealer")
      record.push(["connect", address, call(() => s.connect(address)), call(() => s.lastEndpoint)])
    }
    return portless(record, port)
  })

  same("bind results and lastEndpoint", async (zmq) => {
    const port = Number((await unusedEndpoint()).split(":").pop())
    const record: unknown[] = []
    for (const address of [`tcp://127.0.0.1:${port}`, `tcp://localhost:${port + 1}`, "tcp://127.0.0.1:abc",
      `tcp://127.0.0.1:${port + 3 + 65536}`, `tcp://[::1]:${port + 2}`, "udp://127.0.0.1:5555", "tcp://nonexistent.invalid:5555"]) {
      const s = make(zmq, "Dealer")
      const result = await settle(s.bind(address))
      record.push([address, result, s.lastEndpoint])
    }
    return portless(record, port)
  })

  same("unbind and disconnect: what each takes", async (zmq) => {
    const address = await unusedEndpoint()
    const s = make(zmq, "Dealer")
    await s.bind(address)
    const other = await unusedEndpoint()
    s.connect(other)
    return [
      await settle(s.unbind("tcp://127.0.0.1:1")),
      call(() => s.disconnect(address)),
      await settle(s.unbind(other)),
      call(() => s.disconnect(other)),
      await settle(s.unbind(address)),
      await settle(s.unbind(address)),
    ]
  })
})

describe("messages, as zeromq converts and delivers them", () => {
  same("what send() takes, and what arrives", async (zmq) => {
    const pull = make(zmq, "Pull", { receiveTimeout: 2000 })
    const address = "inproc://surface-messages-" + Math.random()
    await pull.bind(address)
    const push = make(zmq, "Push")
    push.connect(address)
    const record: unknown[] = []
    // eslint-disable-next-line no-sparse-arrays
    const values: unknown[] = [[], new DataView(new ArrayBuffer(4)), new SharedArrayBuffer(3), Symbol("s"), ["a", , "c"],
      {}, true, ["a", undefined], new Float64Array([1.5]), 5n, [["a", "b"]], 42, null, [null, ""], new ArrayBuffer(2)]
    for (const value of values) {
      let promise: unknown
      const outcome = call(() => (promise = (push.send as (m: unknown) => Promise<void>)(value)))
      record.push(outcome, promise ? await settle(promise) : "thrown")
    }
    // A message after all of them: the socket still works, and nothing else came before it.
    await push.send("last")
    for (;;) {
      const frames = await pull.receive()
      record.push(frames.map((b) => [b.toString("hex"), b.byteOffset, b.buffer.byteLength === b.length]))
      if (frames[0].toString() === "last") break
    }
    return record
  })

  same("received frames have their own exact-size ArrayBuffer, over tcp too, small and large", async (zmq) => {
    const pull = make(zmq, "Pull")
    await pull.bind("tcp://127.0.0.1:*")
    const push = make(zmq, "Push")
    push.connect(pull.lastEndpoint as string)
    await push.send(["ab", Buffer.alloc(20000, 7), "", Buffer.alloc(100000, 9)])
    const frames = await pull.receive()
    return frames.map((b) => [b.length, b.byteOffset, b.buffer.byteLength, new Uint8Array(b.buffer)[0] ?? null])
  })
})
