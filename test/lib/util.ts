// Helpers shared by the interop tests: endpoints, marrying sockets, waiting on events.
import { createServer } from "node:net"
import { setImmediate as yieldToEventLoop, setTimeout as pace } from "node:timers/promises"
import * as zmq from "zeromq"

export const LOOPBACK = "tcp://127.0.0.1:*"

/** Binds (by default to an ephemeral loopback port) and returns the resolved endpoint. */
export async function bindAny(socket: zmq.Socket & { bind(a: string): Promise<void> }, address = LOOPBACK) {
  await socket.bind(address)
  return socket.lastEndpoint!
}

/**
 * A loopback port nobody listens on, for peers that connect before the binder exists and for
 * binders that go and come back on the same port. It is taken below the kernel's ephemeral
 * range (ip_local_port_range, 32768 and up here), so that no connection made meanwhile, by
 * this test or another running beside it, can be given it as its own local port and make the
 * (re)bind fail with EADDRINUSE, as an OS-picked port can.
 */
export async function unusedPort(): Promise<number> {
  for (;;) {
    const port = 20_000 + Math.floor(Math.random() * 12_000)
    const server = createServer()
    const free = await new Promise<boolean>((resolve) => {
      server.once("error", () => resolve(false))
      server.listen(port, "127.0.0.1", () => resolve(true))
    })
    if (!free) continue // someone has it: pick another
    await new Promise((resolve) => server.close(resolve))
    return port
  }
}

/** A tcp endpoint on unusedPort(). */
export async function unusedEndpoint() {
  return `tcp://127.0.0.1:${await unusedPort()}`
}

/** Message parts as strings, for readable assertions. */
export const text = (parts: Buffer[]) => parts.map((part) => part.toString())

/** A topic of its own for each sync (see syncPubSub); ends in "/" so none is a prefix of another. */
let syncRound = 0
export const syncTopic = () => `\u0001sync/${++syncRound}/`

/** Probes go one per event-loop turn for this many, then at most one per millisecond. */
const PROBE_BURST = 64

/**
 *   PUB ──probe──► SUB      (repeat until the SUB has one: the subscription has arrived)
 *   PUB ──"end"──► SUB      (SUB drops probes up to "end"; the next message is real data)
 *
 * A PUB drops whatever it sends before a subscription reaches it, and nothing tells it when one
 * did, so the publisher keeps offering probes until the first one is received. The loop is
 * driven by receipt and bounded. Two things make it sound:
 * - Each sync has a topic of its own. With one topic for all, the previous sync's subscription
 *   could still be in force at the PUB: libzmq's PUB applies a CANCEL only when its own thread
 *   gets to it, so a probe matched the old subscription and arrived, then the CANCEL took effect
 *   and "end" was dropped before the new SUBSCRIBE came (seen in CI and traced with strace: the
 *   PUB wrote one probe, read the CANCEL, and never wrote "end"). A probe of a fresh topic can
 *   only arrive through this sync's subscription, which travels behind everything the SUB sent
 *   before the call on the same connection, so all of that has reached the PUB too.
 * - A PUB also drops, silently, what it sends while its pipe to the subscriber is at SNDHWM:
 *   probes sent back to back, once the subscription is in, pile up as fast as the main thread
 *   makes them when the PUB's I/O thread gets no CPU. So only the first PROBE_BURST go one per
 *   event-loop turn, later ones at most one per millisecond: a pace, not a wait for anything to
 *   settle. What is in flight then stays far below the SNDHWMs the tests use (1000, or 0).
 * The subscriber must not be receiving elsewhere meanwhile. Returns the number of probes sent.
 */
export async function syncPubSub(pub: zmq.Publisher, sub: zmq.Subscriber, maxProbes = 1_000_000) {
  const topic = syncTopic()
  sub.subscribe(topic)
  let arrived = false
  const drained = (async () => {
    for (;;) {
      const [got, body] = await sub.receive()
      if (got.toString() !== topic) throw new Error(`unexpected message before sync: ${got}`)
      arrived = true
      if (body.toString() === "end") return
    }
  })()
  let probes = 0
  while (!arrived) {
    if (++probes > maxProbes) throw new Error(`no probe reached the subscriber after ${maxProbes}`)
    await pub.send([topic, "probe"])
    await (probes < PROBE_BURST ? yieldToEventLoop() : pace(1))
  }
  await pub.send([topic, "end"])
  await drained
  sub.unsubscribe(topic)
  return probes
}

/** Sends numbered messages until the receiver gets one (a receipt-driven loop for a peer that is
 *  reconnecting: what was written to the dead connection is lost, later messages are not). */
export async function sendUntilReceived(push: zmq.Push, pull: zmq.Pull, body: string) {
  let received: Buffer[] | undefined
  const first = pull.receive().then((parts) => (received = parts))
  for (let n = 0; !received; n++) {
    await push.send(`${body} ${n}`)
    await yieldToEventLoop()
  }
  return text(await first)
}

/** Closes every socket given, ignoring ones already closed. */
export function closeAll(...sockets: Array<{ close(): void; closed: boolean } | undefined>) {
  for (const socket of sockets) if (socket && !socket.closed) socket.close()
}

/**
 * Closes a binder so that its port can be bound again at once. libzmq closes a listener on its
 * I/O thread some time after unbind() or close() return, so for a libzmq socket we wait for the
 * monitor's "close" event of the listener. Ours releases the port in order on its context's host
 * thread: a close() followed by a bind() on the same context must find the port free.
 */
export async function releaseAndClose(
  socket: zmq.Socket & { unbind(address: string): Promise<void> },
  endpoint: string,
) {
  if (socket instanceof zmq.Socket) {
    const observer = new zmq.Observer(socket) // closes with its socket
    const closed = new Promise<void>((resolve) => observer.on("close", () => resolve()))
    await socket.unbind(endpoint)
    await closed
  }
  socket.close()
}
