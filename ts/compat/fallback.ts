/**
 * Options zeromq.js's sockets have and this package's v6 sockets do not have yet. The legacy
 * API must still answer for them (v5 code sets `backlog` or `sndbuf` routinely), so:
 *
 * - `held`: transport tuning the engine does not use yet. Set values are checked as libzmq
 *   checks them and kept here, and read back; they change nothing on the wire. Default:
 *   libzmq's.
 * - `refused`: security. A socket must never look secured when it is not, so setting one
 *   fails as libzmq built without that mechanism fails (CURVE: EINVAL; PLAIN and ZAP, which
 *   libzmq always has: ENOTSUP); reading gives what a NULL-mechanism socket has.
 *
 * Each row is used only while the v6 socket lacks the property: once the v6 layer grows it,
 * the compat layer reads and writes the real one (socket.ts, `optionValue`).
 */
import { isIP } from "node:net"
import { legacyError } from "./errors.js"

type Check = (value: unknown) => unknown

/** An integer option within [min, max], checked as the v6 setters check theirs. */
function int(min: number, max = 2 ** 31 - 1): Check {
  return (value) => {
    if (typeof value !== "number") throw new TypeError("Option value must be a number")
    if (!Number.isInteger(value) || value < min || value > max) throw legacyError("EINVAL")
    return value
  }
}

const bool: Check = (value) => {
  if (typeof value !== "boolean") throw new TypeError("Option value must be a boolean")
  return value
}

const stringOrNull: Check = (value) => {
  if (value === null) return null
  if (typeof value === "string") return value
  if (value instanceof Uint8Array) return new TextDecoder().decode(value)
  throw new TypeError("Option value must be a string or buffer")
}

const ipOrNull: Check = (value) => {
  const text = stringOrNull(value)
  if (text !== null && isIP(text as string) === 0) throw legacyError("EINVAL")
  return text
}

export interface HeldRow {
  readonly default: unknown
  readonly check: Check
}

export const HELD: Readonly<Record<string, HeldRow>> = {
  /** ZMQ_AFFINITY: I/O thread affinity; the engine has one thread. */
  affinity: { default: 0, check: int(0, Number.MAX_SAFE_INTEGER) },
  /** ZMQ_RATE, ZMQ_RECOVERY_IVL, ZMQ_MULTICAST_HOPS: multicast (pgm), not in this build. */
  rate: { default: 100, check: int(1) },
  recoveryInterval: { default: 10000, check: int(0) },
  multicastHops: { default: 1, check: int(1) },
  /** ZMQ_SNDBUF, ZMQ_RCVBUF: kernel buffer sizes; -1 = the OS's. */
  sendBufferSize: { default: -1, check: int(-1) },
  receiveBufferSize: { default: -1, check: int(-1) },
  /** ZMQ_BACKLOG: listen() backlog. */
  backlog: { default: 100, check: int(0) },
  /** ZMQ_IPV6 (and ZMQ_IPV4ONLY, its negation). */
  ipv6: { default: false, check: bool },
  /** ZMQ_TCP_KEEPALIVE*: -1 = the OS's. */
  tcpKeepalive: { default: -1, check: int(-1, 1) },
  tcpKeepaliveCount: { default: -1, check: int(-1) },
  tcpKeepaliveIdle: { default: -1, check: int(-1) },
  tcpKeepaliveInterval: { default: -1, check: int(-1) },
  /** ZMQ_TCP_ACCEPT_FILTER: an IP address (libzmq refuses anything else); write only here. */
  tcpAcceptFilter: { default: null, check: ipOrNull },
  /** ZMQ_CONNECT_TIMEOUT: ms for a tcp connect; 0 = the OS's. */
  connectTimeout: { default: 0, check: int(0) },
}

export interface RefusedRow {
  /** What a socket without security reads (undefined: reading fails with EINVAL, as libzmq). */
  readonly value?: unknown
  readonly error: "EINVAL" | "ENOTSUP"
}

export const REFUSED: Readonly<Record<string, RefusedRow>> = {
  securityMechanism: { value: null, error: "ENOTSUP" },
  plainServer: { value: false, error: "ENOTSUP" },
  plainUsername: { value: null, error: "ENOTSUP" },
  plainPassword: { value: null, error: "ENOTSUP" },
  zapDomain: { value: null, error: "ENOTSUP" },
  curveServer: { value: false, error: "EINVAL" },
  curvePublicKey: { error: "EINVAL" },
  curveSecretKey: { error: "EINVAL" },
  curveServerKey: { error: "EINVAL" },
}
