// A program written against zeromq's typings, using its whole public API (v6 and v5-compat).
// test/unit/typings.test.ts type-checks it twice: with "zmq-under-test" as zeromq and as this
// package, so our .d.ts must accept whatever zeromq's does. Never run, only compiled.
import * as zmq from "zmq-under-test"
import * as compat from "zmq-under-test/v5-compat"

export async function v6(): Promise<void> {
  const version: string = zmq.version
  const caps: boolean | undefined = zmq.capability.ipc && zmq.capability.curve && zmq.capability.draft
  const keys: { publicKey: string; secretKey: string } = zmq.curveKeyPair()
  void [version, caps, keys]

  const context = new zmq.Context({ ioThreads: 2, maxSockets: 10, ipv6: false, blocky: false })
  context.threadPriority = 1
  context.threadSchedulingPolicy = 0
  const limits: number[] = [context.maxSocketsLimit, context.maxMessageSize, zmq.context.ioThreads]
  void limits

  const dealer = new zmq.Dealer({ context, linger: 0, routingId: "d", sendTimeout: 10, receiveTimeout: 10 })
  dealer.immediate = true
  dealer.probeRouter = true
  dealer.conflate = false
  dealer.heartbeatInterval = 100
  dealer.heartbeatTimeToLive = 1000
  dealer.heartbeatTimeout = 200
  dealer.tcpKeepalive = 1
  dealer.backlog = 10
  dealer.connectTimeout = 100
  dealer.plainServer = false
  dealer.zapDomain = "global"
  const mechanism: null | "plain" | "curve" | "gssapi" = dealer.securityMechanism
  const info: [number, string | null, boolean, boolean, boolean, boolean] =
    [dealer.type, dealer.lastEndpoint, dealer.closed, dealer.readable, dealer.writable, dealer.threadSafe]
  void [mechanism, info]
  await dealer.bind("tcp://127.0.0.1:*")
  await dealer.unbind("tcp://127.0.0.1:*")
  dealer.connect("tcp://127.0.0.1:5555")
  dealer.disconnect("tcp://127.0.0.1:5555")
  await dealer.send("text")
  await dealer.send(Buffer.from("bytes"))
  await dealer.send([null, 5, new Uint8Array(2), new ArrayBuffer(3), "multi"])
  const [first, ...rest]: Buffer[] = await dealer.receive()
  void [first, rest]
  for await (const [msg] of dealer) void msg

  const router = new zmq.Router({ mandatory: true, handover: true })
  router.connect("tcp://127.0.0.1:5556", { routingId: "peer" })
  await router.send(["peer", "", "hello"])

  const req = new zmq.Request({ correlate: true, relaxed: true })
  const rep = new zmq.Reply()
  await req.send("q")
  await rep.send((await rep.receive())[0])

  const pub = new zmq.Publisher({ noDrop: true, invertMatching: false })
  const sub = new zmq.Subscriber()
  sub.subscribe("a", "b")
  sub.unsubscribe("b")
  await pub.send(["a", "payload"])
  await sub.receive()

  const xpub = new zmq.XPublisher({ manual: true })
  xpub.verbosity = "allSubsUnsubs"
  xpub.welcomeMessage = "hi"
  const xsub = new zmq.XSubscriber()
  await xsub.send(Buffer.from([1, 0x61]))

  const push = new zmq.Push({ sendHighWaterMark: 10 })
  const pull = new zmq.Pull({ receiveHighWaterMark: 10 })
  const pair = new zmq.Pair()
  const stream = new zmq.Stream({ notify: true })
  stream.connect("tcp://127.0.0.1:80", { routingId: "web" })
  void [push, pull, pair]

  const events: zmq.Observer = dealer.events
  events.on("connect:retry", (e) => void e.interval)
  events.on("handshake:error:protocol", (e) => void e.error.code)
  events.off("bind", () => {})
  for await (const event of new zmq.Observer(pull)) {
    const type: zmq.EventType = event.type
    if (event.type === "bind") void event.address
    void type
  }
  const e: zmq.EventOfType<"disconnect"> = await zmq.Observer.prototype.receive.call(events) as zmq.EventOfType<"disconnect">
  void e
  events.close()

  const proxy = new zmq.Proxy(new zmq.Router(), new zmq.Dealer())
  const run: Promise<void> = proxy.run()
  proxy.pause()
  proxy.resume()
  proxy.terminate()
  await run
  const ends: [zmq.Router, zmq.Dealer] = [proxy.frontEnd, proxy.backEnd]
  void ends

  class MySocket extends zmq.Socket {
    constructor(options?: zmq.SocketOptions<MySocket>) {
      super(5, options)
    }
  }
  new MySocket({ linger: 1 }).close()
  const base: zmq.Socket = dealer
  base.close()
}

export function v5(): void {
  const sock: compat.Socket = compat.socket("req")
  const other = compat.createSocket("rep", { linger: 0 })
  sock.bindSync("tcp://127.0.0.1:5557")
  sock.bind("tcp://127.0.0.1:5558", (err) => void err)
  sock.connect("tcp://127.0.0.1:5557")
  sock.setsockopt(compat.ZMQ_LINGER, 0)
  sock.setsockopt("linger", 0)
  const linger: unknown = sock.getsockopt(compat.ZMQ_LINGER)
  void linger
  sock.on("message", (...frames: Buffer[]) => void frames)
  sock.send("x", compat.ZMQ_SNDMORE)
  sock.send(["a", Buffer.from("b")], 0, (err) => void err)
  sock.monitor(10, 0)
  sock.unmonitor()
  sock.pause()
  sock.resume()
  sock.subscribe?.("")
  sock.close()
  other.close()
  const version: string = compat.version
  void version
  compat.proxy(compat.socket("router"), compat.socket("dealer"), undefined)
}
