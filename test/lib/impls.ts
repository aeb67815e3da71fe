// "their" (the npm package zeromq: libzmq 4.3.5, native) and "our" (zeromq-wasm) sockets behind
// one small factory, so that each test is written once and stamped out over every pairing.
import * as theirs from "zeromq"
import * as oursModule from "./ours.js"

// Ours has exactly zeromq's v6 API; type it as theirs so both sides are checked alike.
const ours = oursModule as unknown as typeof theirs

export type Kind = "Request" | "Reply" | "Publisher" | "Subscriber" | "Push" | "Pull" | "Stream" | "XPublisher" | "XSubscriber" | "Dealer" | "Router" | "Pair"
export type Options = Record<string, unknown>

export interface Impl {
  /** "their", "our/worker" or "our/inline": how the tests name it. */
  name: string
  socket<K extends Kind>(kind: K, options?: Options): InstanceType<(typeof theirs)[K]>
}

const created = new Set<theirs.Socket>()

/** Closes every socket the factories made since the last call (use in afterEach). */
export function closeCreated() {
  for (const socket of created) if (!socket.closed) socket.close()
  created.clear()
}

function impl(name: string, zmq: typeof theirs, context: () => unknown): Impl {
  let shared: unknown
  return {
    name,
    socket(kind, options = {}) {
      shared ??= context()
      const Socket = zmq[kind] as unknown as new (options: Options) => never
      const socket = new Socket({ linger: 0, ...options, context: shared }) as theirs.Socket
      created.add(socket)
      return socket as never
    },
  }
}

export const their = impl("their", theirs, () => new theirs.Context())
export const ourWorker = impl("our/worker", ours, () => new oursModule.Context())
export const ourInline = impl("our/inline", ours,
  () => new (oursModule.Context as unknown as new (o: { inline: boolean }) => unknown)({ inline: true }))

/** Our two engine modes, for the tests that only involve our sockets. */
export const ourImpls = [ourWorker, ourInline]

/** Every (binder, connecter) pairing the pattern tests run over: their↔our both ways in both
 *  modes, our↔our in each mode, and our worker↔our inline (two hosts in one process). */
export const pairings: Array<[binder: Impl, connecter: Impl]> = [
  [ourWorker, their],
  [their, ourWorker],
  [ourInline, their],
  [their, ourInline],
  [ourWorker, ourWorker],
  [ourInline, ourInline],
  [ourWorker, ourInline],
]

export { theirs, ours }
