/**
 * The legacy option table: one row per option number saying how getsockopt() and setsockopt()
 * map it onto the v6 socket. A number with no reader (or no writer) fails with "Unknown
 * option", as zeromq.js's legacy layer does; RCVMORE, FD, XPUB_VERBOSE reads and ROUTER_RAW
 * have no v6 counterpart at all and say so.
 */
import {
  ZMQ_AFFINITY, ZMQ_BACKLOG, ZMQ_CONNECT_TIMEOUT, ZMQ_CURVE_PUBLICKEY, ZMQ_CURVE_SECRETKEY, ZMQ_CURVE_SERVER,
  ZMQ_CURVE_SERVERKEY, ZMQ_DELAY_ATTACH_ON_CONNECT, ZMQ_EVENTS, ZMQ_FD, ZMQ_HEARTBEAT_IVL, ZMQ_HEARTBEAT_TIMEOUT,
  ZMQ_HEARTBEAT_TTL, ZMQ_IDENTITY, ZMQ_IPV4ONLY, ZMQ_IPV6, ZMQ_LAST_ENDPOINT, ZMQ_LINGER, ZMQ_MAXMSGSIZE,
  ZMQ_MECHANISM, ZMQ_MULTICAST_HOPS, ZMQ_PLAIN_PASSWORD, ZMQ_PLAIN_SERVER, ZMQ_PLAIN_USERNAME, ZMQ_RATE,
  ZMQ_RCVBUF, ZMQ_RCVHWM, ZMQ_RCVMORE, ZMQ_RCVTIMEO, ZMQ_RECONNECT_IVL, ZMQ_RECONNECT_IVL_MAX, ZMQ_RECOVERY_IVL,
  ZMQ_ROUTER_HANDOVER, ZMQ_ROUTER_MANDATORY, ZMQ_ROUTER_RAW, ZMQ_SNDBUF, ZMQ_SNDHWM, ZMQ_SNDTIMEO, ZMQ_SUBSCRIBE,
  ZMQ_TCP_ACCEPT_FILTER, ZMQ_TCP_KEEPALIVE, ZMQ_TCP_KEEPALIVE_CNT, ZMQ_TCP_KEEPALIVE_IDLE, ZMQ_TCP_KEEPALIVE_INTVL,
  ZMQ_TYPE, ZMQ_UNSUBSCRIBE, ZMQ_XPUB_VERBOSE, ZMQ_ZAP_DOMAIN, options,
} from "./option-numbers.js"
import { ZMQ_POLLIN, ZMQ_POLLOUT } from "./constants.js"

export type { ShortOption } from "./option-numbers.js"

/** What a row reads and writes through: the compat socket's view of its v6 socket. */
export interface OptionTarget {
  /** A v6 property. */
  get(property: string): unknown
  set(property: string, value: unknown): void
  /** The socket's state; like the option getters, these fail on a closed socket. */
  state(): { typeNumber: number; readable: boolean; writable: boolean; lastEndpoint: string | null }
  subscribe(prefix: unknown): void
  unsubscribe(prefix: unknown): void
}

interface Row {
  read?(target: OptionTarget): unknown
  write?(target: OptionTarget, value: unknown): void
}

/** A v6 property as it is. */
const plain = (property: string): Row => ({
  read: (t) => t.get(property),
  write: (t, value) => t.set(property, value),
})
/** A v6 boolean that libzmq's getsockopt reads as 0 or 1. */
const flag = (property: string): Row => ({
  read: (t) => (t.get(property) ? 1 : 0),
  write: (t, value) => t.set(property, Boolean(value)),
})
const unsupported = (message: string): (() => never) => () => {
  throw new Error(message)
}

/** libzmq's mechanism numbers for ZMQ_MECHANISM. */
const MECHANISMS: Record<string, number> = { plain: 1, curve: 2, gssapi: 3 }

const ROWS: Readonly<Record<number, Row>> = {
  [ZMQ_AFFINITY]: plain("affinity"),
  [ZMQ_IDENTITY]: plain("routingId"),
  [ZMQ_SUBSCRIBE]: { write: (t, value) => t.subscribe(value) },
  [ZMQ_UNSUBSCRIBE]: { write: (t, value) => t.unsubscribe(value) },
  [ZMQ_RATE]: plain("rate"),
  [ZMQ_RECOVERY_IVL]: plain("recoveryInterval"),
  [ZMQ_SNDBUF]: plain("sendBufferSize"),
  [ZMQ_RCVBUF]: plain("receiveBufferSize"),
  // Messages arrive whole as "message" arguments: there is no "more" to ask about, nor a poll fd.
  [ZMQ_RCVMORE]: { read: unsupported("ZMQ_RCVMORE is not supported in compatibility mode") },
  [ZMQ_FD]: { read: unsupported("ZMQ_FD is not supported in compatibility mode") },
  [ZMQ_EVENTS]: {
    read: (t) => (t.state().readable ? ZMQ_POLLIN : 0) | (t.state().writable ? ZMQ_POLLOUT : 0),
  },
  [ZMQ_TYPE]: { read: (t) => t.state().typeNumber },
  [ZMQ_LINGER]: plain("linger"),
  [ZMQ_RECONNECT_IVL]: plain("reconnectInterval"),
  [ZMQ_BACKLOG]: plain("backlog"),
  [ZMQ_RECONNECT_IVL_MAX]: plain("reconnectMaxInterval"),
  [ZMQ_MAXMSGSIZE]: plain("maxMessageSize"),
  [ZMQ_SNDHWM]: plain("sendHighWaterMark"),
  [ZMQ_RCVHWM]: plain("receiveHighWaterMark"),
  [ZMQ_MULTICAST_HOPS]: plain("multicastHops"),
  [ZMQ_RCVTIMEO]: plain("receiveTimeout"),
  [ZMQ_SNDTIMEO]: plain("sendTimeout"),
  // zeromq.js reads IPV4ONLY back as a boolean (not 0/1), unlike IPV6; kept.
  [ZMQ_IPV4ONLY]: { read: (t) => !t.get("ipv6"), write: (t, value) => t.set("ipv6", !value) },
  [ZMQ_LAST_ENDPOINT]: { read: (t) => t.state().lastEndpoint },
  [ZMQ_ROUTER_MANDATORY]: flag("mandatory"),
  [ZMQ_TCP_KEEPALIVE]: plain("tcpKeepalive"),
  [ZMQ_TCP_KEEPALIVE_CNT]: plain("tcpKeepaliveCount"),
  [ZMQ_TCP_KEEPALIVE_IDLE]: plain("tcpKeepaliveIdle"),
  [ZMQ_TCP_KEEPALIVE_INTVL]: plain("tcpKeepaliveInterval"),
  [ZMQ_TCP_ACCEPT_FILTER]: { write: (t, value) => t.set("tcpAcceptFilter", value) },
  [ZMQ_DELAY_ATTACH_ON_CONNECT]: flag("immediate"),
  // v6 has only the write-only `verbosity` (VERBOSE and VERBOSER in one property).
  [ZMQ_XPUB_VERBOSE]: {
    read: unsupported("Reading ZMQ_XPUB_VERBOSE is not supported"),
    write: (t, value) => t.set("verbosity", value ? "allSubs" : null),
  },
  [ZMQ_ROUTER_RAW]: {
    read: unsupported("ZMQ_ROUTER_RAW is not supported in compatibility mode"),
    write: unsupported("ZMQ_ROUTER_RAW is not supported in compatibility mode"),
  },
  [ZMQ_IPV6]: flag("ipv6"),
  [ZMQ_MECHANISM]: { read: (t) => MECHANISMS[t.get("securityMechanism") as string] ?? 0 },
  [ZMQ_PLAIN_SERVER]: flag("plainServer"),
  [ZMQ_PLAIN_USERNAME]: plain("plainUsername"),
  [ZMQ_PLAIN_PASSWORD]: plain("plainPassword"),
  [ZMQ_CURVE_SERVER]: flag("curveServer"),
  [ZMQ_CURVE_PUBLICKEY]: plain("curvePublicKey"),
  [ZMQ_CURVE_SECRETKEY]: plain("curveSecretKey"),
  [ZMQ_CURVE_SERVERKEY]: plain("curveServerKey"),
  [ZMQ_ZAP_DOMAIN]: plain("zapDomain"),
  // zeromq.js's legacy layer can set HANDOVER but not read it back.
  [ZMQ_ROUTER_HANDOVER]: { write: (t, value) => t.set("handover", Boolean(value)) },
  [ZMQ_HEARTBEAT_IVL]: plain("heartbeatInterval"),
  [ZMQ_HEARTBEAT_TTL]: plain("heartbeatTimeToLive"),
  [ZMQ_HEARTBEAT_TIMEOUT]: plain("heartbeatTimeout"),
  [ZMQ_CONNECT_TIMEOUT]: plain("connectTimeout"),
}

/** An option number or short name to its number (undefined for neither). */
function optionNumber(option: number | string): number | undefined {
  return typeof option === "number" ? option : (options as Record<string, number>)[option]
}

export function readOption(target: OptionTarget, option: number | string): unknown {
  const read = ROWS[optionNumber(option) ?? -1]?.read
  if (!read) throw new Error("Unknown option")
  return read(target)
}

export function writeOption(target: OptionTarget, option: number | string, value: unknown): void {
  const write = ROWS[optionNumber(option) ?? -1]?.write
  if (!write) throw new Error("Unknown option")
  write(target, value)
}
