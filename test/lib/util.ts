// Helpers shared by the interop tests: endpoints, marrying sockets, waiting on events.
import { createServer } from "node:net"
import { setImmediate as yieldToEventLoop } from "node:timers/promises"
import * as zmq from "zeromq"

export const LOOPBACK = "tcp://127.0.0.1:*"

/** Binds to an ephemeral loopback port and returns the resolved endpoint. */
export async function bindAny(socket: zmq.Socket & { bind(a: string): Promise<void> }) {
  await socket.bind(LOOPBACK)
  return socket.lastEndpoint!
}

/** A loopback endpoint nobody listens on yet, for peers that connect before the binder exists.
 *  The OS picked the port and it is released at once; the tests bind it, or port 0 elsewhere. */
export async function unusedEndpoint() {
  const server = createServer()
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve))
  const { port } = server.address() as { port: number }
  await new Promise((resolve) => server.close(resolve))
  return `tcp://127.0.0.1:${port}`
}

/** Message parts as strings, for readable assertions. */
export const text = (parts: Buffer[]) => parts.map((part) => part.toString())

const SYNC = "\u0001sync"

/**
 *   PUB ──probe──► SUB      (repeat until the SUB has one: the subscription has arrived)
 *   PUB ──"end"──► SUB      (SUB drops probes up to "end"; the next message is real data)
 *
 * A PUB drops whatever it sends before a subscription reaches it, and nothing tells it when one
 * did, so the publisher keeps offering probes until the first one is received. The loop is
 * driven by receipt and bounded; it yields to the event loop between probes, it never sleeps.
 * The subscriber must not be receiving elsewhere meanwhile. Returns the number of probes sent.
 */
export async function syncPubSub(pub: zmq.Publisher, sub: zmq.Subscriber, maxProbes = 1_000_000) {
  sub.subscribe(SYNC)
  let arrived = false
  const drained = (async () => {
    for (;;) {
      const [topic, body] = await sub.receive()
      if (topic.toString() !== SYNC) throw new Error(`unexpected message before sync: ${topic}`)
      arrived = true
      if (body.toString() === "end") return
    }
  })()
  let probes = 0
  while (!arrived) {
    if (++probes > maxProbes) throw new Error(`no probe reached the subscriber after ${maxProbes}`)
    await pub.send([SYNC, "probe"])
    await yieldToEventLoop()
  }
  await pub.send([SYNC, "end"])
  await drained
  sub.unsubscribe(SYNC)
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
