/**
 * v5's monitor events from a v6 Observer. v5 emitted each libzmq event on the socket itself as
 * `(value, address, error)`: value is the retry interval for connect_retry, the errno for the
 * *_error events, undefined otherwise. Events v5 had no name for (handshake*) are not emitted.
 */
import type * as zmq from "../index.js"

type Emit = (name: string, value: unknown, address: string | undefined, error: Error | undefined) => void

/** v6 event type → v5 name, and how the value is made. */
const LEGACY: Readonly<Record<string, readonly [string, ((event: zmq.Event) => unknown)?]>> = {
  connect: ["connect"],
  "connect:delay": ["connect_delay"],
  "connect:retry": ["connect_retry", (e) => (e as zmq.EventOfType<"connect:retry">).interval],
  bind: ["listen"],
  "bind:error": ["bind_error", errnoOf],
  accept: ["accept"],
  "accept:error": ["accept_error", errnoOf],
  close: ["close"],
  "close:error": ["close_error", errnoOf],
  disconnect: ["disconnect"],
}

function errnoOf(event: zmq.Event): number {
  return (event as { error?: { errno?: number } }).error?.errno ?? 0
}

/**
 * Reads the Observer until it ends (the socket closed, or unmonitor() closed it) and emits each
 * event in a tick of its own, so that a listener that throws does not stop the monitor.
 * `failed` gets a read error while the socket is still open (the engine died).
 */
export async function relayEvents(events: zmq.Observer, emit: Emit, failed: (err: unknown) => void): Promise<void> {
  while (!events.closed) {
    let event: zmq.Event | undefined
    try {
      event = await events.receive()
    } catch (err) {
      failed(err)
      return
    }
    if (event === undefined || event.type === "end") return // closed while waiting, or the last
    const legacy = LEGACY[event.type]
    if (!legacy) continue
    const [name, valueOf] = legacy
    const value = valueOf?.(event)
    const { address, error } = event as { address?: string; error?: Error }
    process.nextTick(() => emit(name, value, address, error))
  }
}
