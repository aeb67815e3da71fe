/**
 * Socket options: one row per option, in the order of zeromq.js's documentation. Each row names
 * its ZMQ_ constant, how the value crosses to the core, its zeromq.js default and its bounds.
 * `local` options live in the facade only (timeouts are reimplemented in the binding, as in
 * zeromq.js). native/src/socket's option table must agree: test/unit/options.test.ts checks it.
 */
import { ZW_SOCKET } from "../host/zmqw.js"
import { zmqError } from "./errors.js"
import { bytesOf, isBytes } from "../host/bytes.js"
import { WSS_OPT } from "../host/transports/tls.js"

const textDecoder = new TextDecoder()

export type OptionType = "int32" | "int64" | "bool" | "routingId" | "string"

export interface OptionRow {
  /** Property name on the socket. */
  readonly name: string
  /** libzmq's option number (ZMQ_...). */
  readonly zmq: number
  readonly type: OptionType
  readonly default: number | boolean | string | null
  readonly min?: number
  readonly max?: number
  /** libzmq keeps it in these units, rounding down (what the getter then gives back). */
  readonly unit?: number
  /** Socket type numbers that have it; all when absent. */
  readonly sockets?: readonly number[]
  readonly local?: true
  /** libzmq cannot read it back (setsockopt only): zeromq.js's getter gives undefined, so does ours. */
  readonly writeOnly?: true
  /** zeromq.js declares it readable but libzmq refuses to read it: the getter throws EINVAL. */
  readonly unreadable?: true
  /** Forwarded to the host, which keeps it for the transports (wss://); the core never has it. */
  readonly transport?: true
}

/** Socket type numbers, from zmqw.h (one source for C and TypeScript). */
const { REQ, DEALER, ROUTER, STREAM, PUB, SUB, PULL, PUSH, XPUB } = ZW_SOCKET

export const OPTIONS: readonly OptionRow[] = [
  /** ZMQ_ROUTING_ID: identity sent to peers that route (REQ, DEALER, ROUTER). */
  { name: "routingId", zmq: 5, type: "routingId", default: null, sockets: [REQ, DEALER, ROUTER] },
  /** ZMQ_LINGER: ms to keep flushing after close(); -1 = until delivered. */
  { name: "linger", zmq: 17, type: "int32", default: -1, min: -1 },
  /** ZMQ_RECONNECT_IVL: ms between reconnection attempts; -1 = never reconnect. */
  { name: "reconnectInterval", zmq: 18, type: "int32", default: 100, min: -1 },
  /** ZMQ_RECONNECT_IVL_MAX: upper bound of the exponential backoff; 0 = none. */
  { name: "reconnectMaxInterval", zmq: 21, type: "int32", default: 0, min: 0 },
  /** ZMQ_MAXMSGSIZE: largest frame accepted from a peer, in bytes; -1 = no limit. */
  { name: "maxMessageSize", zmq: 22, type: "int64", default: -1, min: -1 },
  /** ZMQ_SNDHWM: messages queued per peer before send blocks or drops; 0 = no limit. */
  { name: "sendHighWaterMark", zmq: 23, type: "int32", default: 1000, min: 0 },
  /** ZMQ_RCVHWM: messages queued per peer before reading from it pauses; 0 = no limit. */
  { name: "receiveHighWaterMark", zmq: 24, type: "int32", default: 1000, min: 0 },
  /** ZMQ_RCVTIMEO: ms receive() waits before EAGAIN; -1 = forever. */
  { name: "receiveTimeout", zmq: 27, type: "int32", default: -1, min: -1, local: true },
  /** ZMQ_SNDTIMEO: ms send() waits before EAGAIN; -1 = forever. */
  { name: "sendTimeout", zmq: 28, type: "int32", default: -1, min: -1, local: true },
  /** ZMQ_ROUTER_MANDATORY: an unroutable send() fails with EHOSTUNREACH (and waits at a peer's HWM). */
  { name: "mandatory", zmq: 33, type: "bool", default: false, sockets: [ROUTER], unreadable: true },
  /** ZMQ_IMMEDIATE: queue messages only to completed connections. */
  { name: "immediate", zmq: 39, type: "bool", default: false },
  /** ZMQ_HANDSHAKE_IVL: ms allowed for the ZMTP handshake; 0 = no limit. */
  { name: "handshakeInterval", zmq: 66, type: "int32", default: 30000, min: 0 },
  /** ZMQ_HEARTBEAT_IVL: ms between PINGs on each connection (WebSocket pings over ws://); 0 = none. */
  { name: "heartbeatInterval", zmq: 75, type: "int32", default: 0, min: 0 },
  /** ZMQ_HEARTBEAT_TTL: ms the peer may wait for traffic before dropping us (sent in tenths of a s). */
  { name: "heartbeatTimeToLive", zmq: 76, type: "int32", default: 0, min: 0, max: 6553599, unit: 100 },
  /** ZMQ_HEARTBEAT_TIMEOUT: ms to wait for traffic after a PING; -1 = heartbeatInterval. */
  { name: "heartbeatTimeout", zmq: 77, type: "int32", default: -1, min: -1 },
  /** ZMQ_PROBE_ROUTER: send an empty message to each new peer (for ROUTER peers to see arrivals). */
  { name: "probeRouter", zmq: 51, type: "bool", default: false, sockets: [REQ, DEALER, ROUTER], writeOnly: true },
  /** ZMQ_REQ_CORRELATE: prefix each request with an id and accept only the reply carrying it. */
  { name: "correlate", zmq: 52, type: "bool", default: false, sockets: [REQ], writeOnly: true },
  /** ZMQ_REQ_RELAXED: allow a new request before the reply; the old one is abandoned. */
  { name: "relaxed", zmq: 53, type: "bool", default: false, sockets: [REQ], writeOnly: true },
  /** ZMQ_CONFLATE: keep only the last message in each queue (no multipart). */
  { name: "conflate", zmq: 54, type: "bool", default: false, sockets: [PULL, PUSH, SUB, PUB, DEALER], writeOnly: true },
  /** ZMQ_ROUTER_HANDOVER: a peer announcing a routing id in use takes it over from the holder. */
  { name: "handover", zmq: 56, type: "bool", default: false, sockets: [ROUTER], writeOnly: true },
  /** ZMQ_STREAM_NOTIFY: a peer's arrival and departure come as [id][""] (STREAM). */
  { name: "notify", zmq: 73, type: "bool", default: true, sockets: [STREAM], writeOnly: true },
  /** ZMQ_XPUB_NODROP: send waits (or EAGAINs) at a subscriber's HWM instead of dropping. */
  { name: "noDrop", zmq: 69, type: "bool", default: false, sockets: [XPUB, PUB], writeOnly: true },
  /** ZMQ_XPUB_MANUAL: subscriptions reach the application and are not applied by themselves. */
  { name: "manual", zmq: 71, type: "bool", default: false, sockets: [XPUB], writeOnly: true },
  /** ZMQ_INVERT_MATCHING: deliver to / accept what does not match the subscriptions. */
  { name: "invertMatching", zmq: 74, type: "bool", default: false, sockets: [PUB, SUB, XPUB] },
  // wss:// (libzmq's ZMQ_WSS_*; zeromq 6.8.0's prebuilt has no wss, so no zeromq.js names: these
  // are libzmq's, camel-cased). In a browser the page's TLS applies and they have no effect.
  /** ZMQ_WSS_KEY_PEM: a wss:// server's private key, PEM. */
  { name: "wssKeyPem", zmq: WSS_OPT.KEY_PEM, type: "string", default: null, transport: true },
  /** ZMQ_WSS_CERT_PEM: a wss:// server's certificate chain, PEM. */
  { name: "wssCertPem", zmq: WSS_OPT.CERT_PEM, type: "string", default: null, transport: true },
  /** ZMQ_WSS_TRUST_PEM: a wss:// client trusts the server certificates this one signed, PEM. */
  { name: "wssTrustPem", zmq: WSS_OPT.TRUST_PEM, type: "string", default: null, transport: true },
  /** ZMQ_WSS_HOSTNAME: the name a wss:// server's certificate must carry (default: the host). */
  { name: "wssHostname", zmq: WSS_OPT.HOSTNAME, type: "string", default: null, transport: true },
  /** ZMQ_WSS_TRUST_SYSTEM: with wssTrustPem, also trust the system's authorities. */
  { name: "wssTrustSystem", zmq: WSS_OPT.TRUST_SYSTEM, type: "bool", default: false, transport: true },
]

/** Checks a value for a row and returns it normalised; throws zeromq.js's errors. */
export function checkOption(row: OptionRow, value: unknown): number | boolean | string | null {
  switch (row.type) {
    case "int32":
    case "int64": {
      if (typeof value !== "number") throw new TypeError("Option value must be a number")
      const limit = row.type === "int32" ? 2 ** 31 - 1 : Number.MAX_SAFE_INTEGER
      if (!Number.isInteger(value) || value < (row.min ?? -limit) || value > (row.max ?? limit)) {
        throw zmqError("EINVAL")
      }
      return row.unit ? Math.floor(value / row.unit) * row.unit : value
    }
    case "bool":
      if (typeof value !== "boolean") throw new TypeError("Option value must be a boolean")
      return value
    case "string":
      if (value !== null && typeof value !== "string") throw new TypeError("Option value must be a string")
      return value
    case "routingId": {
      if (value === null) return null
      if (typeof value !== "string" && !isBytes(value)) {
        throw new TypeError("Option value must be a string or buffer")
      }
      const bytes = bytesOf(value)
      // libzmq: 1..255 bytes, and a leading zero byte is reserved for generated ids.
      if (bytes.length === 0 || bytes.length > 255 || bytes[0] === 0) throw zmqError("EINVAL")
      return typeof value === "string" ? value : textDecoder.decode(bytes)
    }
  }
}

/** The bytes the core's setopt takes for a checked value (zmqw.h option formats). */
export function encodeOption(row: OptionRow, value: number | boolean | string | null): Uint8Array {
  switch (row.type) {
    case "int32":
    case "bool": {
      const out = new Uint8Array(4)
      new DataView(out.buffer).setInt32(0, Number(value), true)
      return out
    }
    case "int64": {
      const out = new Uint8Array(8)
      new DataView(out.buffer).setBigInt64(0, BigInt(value as number), true)
      return out
    }
    case "routingId":
    case "string":
      return value === null ? new Uint8Array(0) : bytesOf(value as string)
  }
}
