/**
 * Every socket type of ours against libzmq in another process (pyzmq on Debian's libzmq 4.3.4,
 * test/interop/py/peer.py) over tcp and ipc, and against libzmq in this one (zeromq 6.8.0,
 * libzmq 4.3.5) over ipc (the other interop tests cover it over tcp): ours binding and the peer
 * connecting and the reverse, in worker and inline mode. Each pairing is one scripted exchange,
 * written twice, in peer.py and in SCRIPTS below, and run with ours on either side:
 *
 *   client ──[ping, n]──► server          REQ, DEALER (["", ping, n]), PAIR; N times, lockstep
 *   client ◄─[…, back]─── server          REP, ROUTER (envelope kept), DEALER, PAIR
 *   PUB ──[t probe]…──► SUB/XSUB          until the subscriber has one ("got"); XPUB waits for
 *   PUB ──DATA, [t end]──► SUB/XSUB       the subscription instead (01 t) and sees it go (00 t)
 *   PUSH ──[m, n] × N──► PULL
 *   STREAM ──"ping n\n"──► STREAM         raw bytes both ways after the [id, ""] arrival notices,
 *   STREAM ◄─"ping n back\n"─ STREAM      read as lines however TCP cuts them
 *
 * STREAM is paired with libzmq's STREAM rather than a plain socket: both ends then exercise
 * libzmq's STREAM semantics (the [id, ""] arrival notice, [id, bytes] data) while the wire
 * carries only raw bytes; stream.test.ts covers ours against Node's http, hang-ups included.
 * libzmq 4.3 runs STREAM over ipc too, so it is tested over both.
 *
 * Each side records one line per event ("recv" and the message as JSON, "got", "connected");
 * both sides' lines must be exactly what expected() says, and pyzmq must exit 0.
 * No sleeps: the peer's "ready" line, receipts and its exit drive everything.
 *
 * An XPUB connecting to a bound SUB is in the matrix: libzmq's SUB sends its subscriptions to a
 * new peer only once its application calls into it (commands are processed in send/recv), and
 * here the SUB is always receiving.
 */
import { mkdtempSync, rmSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { setImmediate as yieldToEventLoop } from "node:timers/promises"
import { afterAll, afterEach, describe, expect, it } from "vitest"
import { closeCreated, type Impl, type Kind, ourImpls, ours, their } from "../lib/impls.js"
import { killAll, python } from "../lib/processes.js"

afterEach(closeCreated)
afterEach(killAll)

const dir = mkdtempSync(join(tmpdir(), "zmqw-every-"))
afterAll(() => rmSync(dir, { recursive: true, force: true }))

// What both scripts share with peer.py.
const N = 3
const ROUTING_ID = "client" // every REQ and DEALER client's: what a ROUTER server sees
const DATA = [["t 0"], ["other"], ["t 1", "part"], ["t 2"]] // "other" fails the "t" filter
const PROBE = "t probe"
const END = "t end"

type Role = "client" | "server" | "pub" | "sub" | "push" | "pull"

/** The exchanges, each pairing a starting (kind, role) with its partner. Ours plays each side. */
const EXCHANGES: Array<[Kind, Role, Kind, Role]> = [
  ["Request", "client", "Reply", "server"],
  ["Request", "client", "Router", "server"],
  ["Dealer", "client", "Router", "server"],
  ["Dealer", "client", "Reply", "server"],
  ["Dealer", "client", "Dealer", "server"],
  ["Pair", "client", "Pair", "server"],
  ["Publisher", "pub", "Subscriber", "sub"],
  ["Publisher", "pub", "XSubscriber", "sub"],
  ["XPublisher", "pub", "Subscriber", "sub"],
  ["XPublisher", "pub", "XSubscriber", "sub"],
  ["Push", "push", "Pull", "pull"],
  ["Stream", "client", "Stream", "server"],
]

const PY_TYPE: Record<Kind, string> = {
  Request: "REQ", Reply: "REP", Dealer: "DEALER", Router: "ROUTER", Pair: "PAIR", Publisher: "PUB",
  Subscriber: "SUB", XPublisher: "XPUB", XSubscriber: "XSUB", Push: "PUSH", Pull: "PULL", Stream: "STREAM",
}

const recv = (...frames: string[]) => `recv ${JSON.stringify(frames)}`
const range = Array.from({ length: N }, (_, n) => `${n}`)
/** What a client sends: a DEALER puts the empty delimiter in front itself, as REQ does. */
const request = (client: Kind, n: string) => [...(client === "Dealer" ? [""] : []), "ping", n]

/** The lines a side playing `kind` in `role` records, `other` being its partner's kind. */
function expected(kind: Kind, role: Role, other: Kind): string[] {
  const stream = kind === "Stream"
  switch (role) {
    case "client":
      return stream
        ? ["connected", ...range.map((n) => recv(`ping ${n} back`))]
        : range.map((n) => recv(...request(kind, n), "back"))
    case "server":
      if (stream) return ["connected", ...range.map((n) => recv(`ping ${n}`))]
      if (kind === "Reply") return range.map((n) => recv("ping", n)) // the envelope is REP's
      if (kind === "Router") return range.map((n) => recv(ROUTING_ID, "", "ping", n))
      return range.map((n) => recv(...request(other, n)))
    case "pub":
      return kind === "XPublisher" ? [recv("\u0001t"), recv("\u0000t")] : []
    case "sub":
      // Probes come only from a PUB: an XPUB publishes once it has the subscription.
      return [...(other === "Publisher" ? ["got"] : []), recv("t 0"), recv("t 1", "part"), recv("t 2")]
    case "push":
      return []
    case "pull":
      return range.map((n) => recv("m", n))
  }
}

// ---- The scripts, as in peer.py, for ours and for the in-process libzmq peer ----

type Frames = Array<string | Buffer>
interface Duplex {
  send(message: Frames | string | Buffer): Promise<void>
  receive(): Promise<Buffer[]>
}
interface Io {
  /** Records an event line: "recv" with the message, or "got", "connected". */
  show(event: string, frames?: Buffer[]): void
  /** The subscriber has shown "got": a PUB may stop probing. */
  confirmed(): boolean
}
type Script = (socket: Duplex, kind: Kind, io: Io) => Promise<void>
/** A socket as the tests marry it; the scripts see only its Duplex side. */
type Socket = Duplex & { bind(a: string): Promise<void>; connect(a: string): void; lastEndpoint: string | null }

const is = (message: Buffer[], ...frames: string[]) =>
  message.length === frames.length && message.every((frame, i) => frame.toString("latin1") === frames[i])

async function client(socket: Duplex, kind: Kind, io: Io) {
  if (kind === "Stream") return streamClient(socket, io)
  for (const n of range) {
    await socket.send(request(kind, n))
    io.show("recv", await socket.receive())
  }
}

async function server(socket: Duplex, kind: Kind, io: Io) {
  if (kind === "Stream") return streamServer(socket, io)
  for (const _ of range) {
    const message = await socket.receive()
    io.show("recv", message)
    await socket.send([...message, "back"]) // a ROUTER's envelope goes back as it came
  }
}

async function publisher(socket: Duplex, kind: Kind, io: Io) {
  if (kind === "XPublisher") {
    io.show("recv", await socket.receive()) // 01 t: from here on "t..." reaches the subscriber
  } else {
    // A PUB drops what it sends before the subscription arrives and cannot see it arrive: it
    // offers probes until the subscriber says it has one. Bounded; yields, never sleeps.
    for (let probes = 0; !io.confirmed(); probes++) {
      if (probes === 1_000_000) throw new Error("no probe reached the subscriber")
      await socket.send(PROBE)
      await yieldToEventLoop()
    }
  }
  for (const message of [...DATA, [END]]) await socket.send(message)
  if (kind === "XPublisher") io.show("recv", await socket.receive()) // 00 t: the subscriber is done
}

async function subscriber(socket: Duplex, kind: Kind, io: Io) {
  await subscribe(socket, kind, true)
  let got = false
  for (let message = await socket.receive(); !is(message, END); message = await socket.receive()) {
    if (!is(message, PROBE)) io.show("recv", message)
    else if (!got) {
      io.show("got") // the publisher stops probing when it sees this; later probes are dropped
      got = true
    }
  }
  await subscribe(socket, kind, false)
}

async function subscribe(socket: Duplex, kind: Kind, on: boolean) {
  if (kind === "XSubscriber") return socket.send(Buffer.from(`${on ? "\u0001" : "\u0000"}t`, "latin1"))
  const sub = socket as unknown as { subscribe(p: string): void; unsubscribe(p: string): void }
  if (on) sub.subscribe("t")
  else sub.unsubscribe("t")
}

async function push(socket: Duplex) {
  for (const n of range) await socket.send(["m", n])
}

async function pull(socket: Duplex, _kind: Kind, io: Io) {
  for (const _ of range) io.show("recv", await socket.receive())
}

async function streamClient(socket: Duplex, io: Io) {
  // Nobody hangs up by sending [id, ""]: libzmq's STREAM ignores that on a connecting socket,
  // and on a bound one drops what is still in the pipe. Both sides stop after N lines.
  const peer = await connected(socket, io)
  const lines = readLines(socket, peer)
  for (const n of range) {
    await socket.send([peer, `ping ${n}\n`])
    io.show("recv", [Buffer.from(await nextLine(lines), "latin1")])
  }
}

async function streamServer(socket: Duplex, io: Io) {
  const peer = await connected(socket, io)
  const lines = readLines(socket, peer)
  for (const _ of range) {
    const line = await nextLine(lines)
    io.show("recv", [Buffer.from(line, "latin1")])
    await socket.send([peer, `${line} back\n`])
  }
}

/** The STREAM's arrival notice, [routing id, ""]: the id is random, so it is not shown. */
async function connected(socket: Duplex, io: Io) {
  const [peer, empty] = await socket.receive()
  expect(empty.length).toBe(0)
  io.show("connected")
  return peer
}

/** Lines without "\n" from the peer's bytes, however TCP cuts them; ends at its departure. */
async function* readLines(socket: Duplex, peer: Buffer) {
  let pending = ""
  for (;;) {
    const [from, data] = await socket.receive()
    expect(from.equals(peer)).toBe(true)
    if (data.length === 0) return
    const lines = (pending + data.toString("latin1")).split("\n")
    pending = lines.pop()!
    yield* lines
  }
}

async function nextLine(lines: AsyncGenerator<string>) {
  const next = await lines.next()
  if (next.done) throw new Error("the STREAM peer left before its last line")
  return next.value
}

const SCRIPTS: Record<Role, Script> = { client, server, pub: publisher, sub: subscriber, push, pull }

// ---- Peers: a scripted libzmq socket in another process or in this one ----

interface Peer {
  /** The endpoint once bound (resolved) or connected. */
  ready: Promise<string>
  /** The lines recorded so far (for pyzmq: its stdout after "ready"). */
  lines: string[]
  /** Settles when the script is done: for pyzmq, once it exited 0. */
  done: Promise<void>
  /** Tells a PUB that its subscriber has a probe (pyzmq: SIGUSR1). */
  confirm(): void
}
type StartPeer = (kind: Kind, how: "bind" | "connect", endpoint: string, role: Role) => Peer

const line = (event: string, frames?: Buffer[]) =>
  frames ? `${event} ${JSON.stringify(frames.map((f) => f.toString("latin1")))}` : event

const clientOptions = (kind: Kind, role: Role) =>
  role === "client" && (kind === "Request" || kind === "Dealer") ? { routingId: ROUTING_ID } : {}

const pyzmq: StartPeer = (kind, how, endpoint, role) => {
  const peer = python("peer", PY_TYPE[kind], how, endpoint, role, `${N}`)
  const lines: string[] = []
  let pending = ""
  const ready = new Promise<string>((resolve, reject) => {
    peer.child.stdout!.on("data", (chunk: Buffer) => {
      const complete = (pending + chunk.toString()).split("\n")
      pending = complete.pop()!
      for (const text of complete) {
        if (text.startsWith("ready ")) resolve(text.slice("ready ".length))
        else lines.push(text)
      }
    })
    peer.exited.then(({ code, stderr }) => reject(new Error(`peer.py exited (${code}) before ready: ${stderr}`)))
  })
  const done = peer.exited.then(({ code, signal, stderr }) => {
    if (code !== 0) throw new Error(`peer.py ${PY_TYPE[kind]} ${role} exited with ${code ?? signal}: ${stderr}`)
  })
  done.catch(() => {}) // a test that failed before awaiting it has its own error to report
  return { ready, lines, done, confirm: () => peer.child.kill("SIGUSR1") }
}

const inProcess = (impl: Impl): StartPeer => (kind, how, endpoint, role) => {
  const socket = impl.socket(kind, clientOptions(kind, role)) as unknown as Socket
  const lines: string[] = []
  let confirmed = false
  const ready = (async () => {
    if (how === "connect") socket.connect(endpoint)
    else await socket.bind(endpoint)
    return socket.lastEndpoint ?? endpoint
  })()
  const io: Io = { show: (event, frames) => lines.push(line(event, frames)), confirmed: () => confirmed }
  const done = ready.then(() => SCRIPTS[role](socket, kind, io))
  done.catch(() => {}) // a test that failed before awaiting it has its own error to report
  return { ready, lines, done, confirm: () => (confirmed = true) }
}

// ---- The matrix: our mode × peer × transport × who binds × exchange, both sides ours ----

let count = 0
const address = (transport: string) =>
  transport === "tcp" ? "tcp://127.0.0.1:*" : `ipc://${join(dir, `s${++count}`)}`

/** Our socket of `kind`. */
function ourSocket(impl: Impl, kind: Kind, role: Role) {
  return impl.socket(kind, clientOptions(kind, role)) as unknown as Socket
}

const peers: Array<[name: string, start: StartPeer, transports: string[]]> = [
  ["pyzmq", pyzmq, ["tcp", "ipc"]],
  ["their", inProcess(their), ["ipc"]],
]

for (const our of ourImpls) {
  for (const [peerName, startPeer, transports] of peers) {
    for (const transport of transports) {
      describe(`${our.name} ↔ ${peerName} over ${transport}`, () => {
        for (const [a, aRole, b, bRole] of EXCHANGES) {
          for (const [kind, role, peerKind, peerRole] of [[a, aRole, b, bRole], [b, bRole, a, aRole]] as const) {
            for (const ourBinds of [true, false]) {
              const how = (binds: boolean) => (binds ? "binds" : "connects")
              // DEALER↔DEALER, PAIR↔PAIR and STREAM↔STREAM run twice: the role tells which.
              const side = (k: Kind, r: Role) => (kind === peerKind ? `${PY_TYPE[k]} ${r}` : PY_TYPE[k])
              const name = `our ${side(kind, role)} (${how(ourBinds)}) ↔ ${peerName} ${side(peerKind, peerRole)} (${how(!ourBinds)})`
              it(name, async () => {
                const socket = ourSocket(our, kind, role)
                let peer: Peer
                if (ourBinds) {
                  await socket.bind(address(transport))
                  peer = startPeer(peerKind, "connect", socket.lastEndpoint!, peerRole)
                  await peer.ready
                } else {
                  const endpoint = address(transport)
                  peer = startPeer(peerKind, "bind", endpoint, peerRole)
                  const resolved = await peer.ready
                  if (transport === "ipc") expect(resolved).toBe(endpoint)
                  socket.connect(resolved)
                }
                const lines: string[] = []
                const io: Io = {
                  show(event, frames) {
                    lines.push(line(event, frames))
                    if (event === "got") peer.confirm()
                  },
                  confirmed: () => peer.lines.includes("got"),
                }
                await Promise.all([SCRIPTS[role](socket, kind, io), peer.done])
                expect(lines).toEqual(expected(kind, role, peerKind))
                expect(peer.lines).toEqual(expected(peerKind, peerRole, kind))
              })
            }
          }
        }
      })
    }
  }
}
