/**
 * `zeromq-wasm/v5-compat`: zeromq.js's legacy (v5) callback API over this package's v6 classes,
 * the same names and behaviour as `zeromq/v5-compat`. Everything here reaches the v6 API through
 * the main entry (`./index.js`), so both entries share its classes and default context.
 */
import * as zmq from "./index.js"
import { legacyError } from "./compat/errors.js"

export { Context } from "./compat/context.js"
export { Socket, createSocket, createSocket as socket } from "./compat/socket.js"
export type { SocketType } from "./compat/types.js"
export { proxy } from "./compat/proxy.js"
export * from "./compat/option-numbers.js"
export * from "./compat/constants.js"

export const version: string = zmq.version

/**
 * A new CURVE key pair, Z85-encoded (40 characters each). This build has no CURVE
 * (`capability.curve` is false), so it fails as zeromq.js does when libzmq lacks it: ENOTSUP.
 */
export function curveKeypair(): { public: string; secret: string } {
  // Looked up, not imported: the main entry has no curveKeyPair until CURVE is in the build.
  const make = (zmq as { curveKeyPair?: () => { publicKey: string; secretKey: string } }).curveKeyPair
  if (!make) throw legacyError("ENOTSUP")
  const { publicKey, secretKey } = make()
  return { public: publicKey, secret: secretKey }
}
