/**
 * zeromq-wasm: the API of the npm package `zeromq` (v6), over a libzmq-compatible core compiled
 * to WebAssembly. `import * as zmq from "zeromq-wasm"` where you had `from "zeromq"`.
 */
export { Context, context, type ContextOptions } from "./api/context.js"
export { Observer, type Event, type EventType, type EventOfType, type EventAddress, type EventInterval,
  type EventError, type ProtoError, type AuthError } from "./api/observer.js"
export { Proxy } from "./api/proxy.js"
import { zmqError } from "./api/errors.js"
export { Socket, type SocketType, type Message, type MessageLike, type Readable, type Writable } from "./api/socket.js"
export { Request, Reply, Publisher, Subscriber, Push, Pull, Stream, XPublisher, XSubscriber,
  Pair, Dealer, Router, type SocketOptions, type RouterConnectOptions, type StreamConnectOptions } from "./api/sockets.js"

/** Where the core (wasm/zmqw.wasm) comes from, if not from beside the package: a URL (or, in
 *  Node, a path), its bytes, or a compiled WebAssembly.Module. Call before the first socket. */
export { setWasm, type WasmSource } from "./platform/node/engine.js"

/**
 * zeromq.js's curveKeyPair(): a new CURVE keypair, each key 40 characters of Z85. CURVE is not
 * in this build yet (`capability.curve` is false), so it fails as libzmq's zmq_curve_keypair
 * does without CURVE: ENOTSUP.
 */
export function curveKeyPair(): { publicKey: string; secretKey: string } {
  throw zmqError("ENOTSUP")
}

/** The libzmq version whose behaviour and wire protocol this package follows. */
export const version = "4.3.5"

/** What this build supports, in zeromq.js's shape. */
export const capability: Partial<Record<"ipc" | "pgm" | "tipc" | "norm" | "curve" | "gssapi" | "draft", boolean>> = {
  ipc: true,
  pgm: false,
  tipc: false,
  norm: false,
  curve: false,
  gssapi: false,
  draft: false,
}
