/**
 * Socket options: one row per option, in the order of zeromq.js's documentation. Each row names
 * its ZMQ_ constant, how the value crosses to the core, its zeromq.js default and its bounds.
 * `local` options live in the facade only (timeouts are reimplemented in the binding, as in
 * zeromq.js). native/src/socket's option table must agree: test/unit/options.test.ts checks it.
 */
import { ZW_SOCKET } from "../host/zmqw.js"
import { zmqError } from "./errors.js"
import { bytesOf } from "../host/bytes.js"
import { WSS_OPT } from "../host/transports/tls.js"
import { warn } from "./native.js"

const textDecoder = new TextDecoder()

/** zeromq.js's option types: which get/set<Type>Option method reads and writes the option. */
export type OptionType = "Bool" | "Int32" | "Uint32" | "Int64" | "Uint64" | "String"

export interface OptionRow {
  /** Property name on the socket. */
  readonly name: string
  /** libzmq's option number (ZMQ_...). */
  readonly zmq: number
  readonly type: OptionType
  /** What libzmq's getsockopt gives before any set (zeromq 6.8.0's getter, checked in
   *  test/interop/options.test.ts). */
  readonly default: number | boolean | string | null
  /** libzmq's bounds: a value outside (after zeromq.js's number coercion) fails with EINVAL. */
  readonly min?: number
  readonly max?: number
  /** libzmq keeps it in these units, rounding down (what the getter then gives back). */
  readonly unit?: number
  /** Socket type numbers whose classes have the property; all when absent. */
  readonly sockets?: readonly number[]
  /** Kept by the facade, which gives it its effect (timeouts are reimplemented in the binding,
   *  as in zeromq.js). */
  readonly local?: true
  /** Accepted, range-checked and read back, with no effect in this build: the doc comment of
   *  each such row says why. Nothing is sent to the engine. */
  readonly inert?: true
  /** Forwarded to the host, which keeps it for the transports; the core never has it. */
  readonly transport?: true
  /** zeromq.js defines a getter only. */
  readonly readOnly?: true
  /** libzmq cannot read it back (setsockopt only): zeromq.js defines a setter only. */
  readonly writeOnly?: true
  /** zeromq.js declares it readable but libzmq refuses to read it: the getter throws EINVAL. */
  readonly unreadable?: true
  /** A feature this build does not have: get and set fail with EINVAL, as in libzmq. */
  readonly absent?: true
  /** A routing id: 1..255 bytes. */
  readonly routingId?: true
  /** An IP address, optionally with a /mask (libzmq's tcp_address_mask_t; EINVAL otherwise). */
  readonly address?: true
}

/** Socket type numbers, from zmqw.h (one source for C and TypeScript). */
const { REQ, REP, DEALER, ROUTER, STREAM, PUB, SUB, PULL, PUSH, XPUB, XSUB, PAIR } = ZW_SOCKET
/** The classes zeromq.js gives send options (every type that can send) and receive options. */
const SENDERS = [PAIR, PUB, REQ, REP, DEALER, ROUTER, PUSH, XPUB, XSUB, STREAM]
const RECEIVERS = [PAIR, SUB, REQ, REP, DEALER, ROUTER, PULL, XPUB, XSUB, STREAM]
const INT32_MAX = 2 ** 31 - 1

export const OPTIONS: readonly OptionRow[] = [
  /** ZMQ_AFFINITY: which I/O threads serve new connections. Inert: the engine is one thread. */
  { name: "affinity", zmq: 4, type: "Uint64", default: 0, inert: true },
  /** ZMQ_ROUTING_ID: identity sent to peers that route (REQ, DEALER, ROUTER). */
  { name: "routingId", zmq: 5, type: "String", default: null, sockets: [REQ, REP, DEALER, ROUTER], routingId: true },
  /** ZMQ_RATE: PGM multicast rate in kbit/s. Inert: no pgm:// or epgm:// transport (libzmq
   *  built without OpenPGM keeps and returns the value the same way). */
  { name: "rate", zmq: 8, type: "Int32", default: 100, min: 1, inert: true },
  /** ZMQ_RECOVERY_IVL: PGM multicast recovery interval in ms. Inert: no PGM (see rate). */
  { name: "recoveryInterval", zmq: 9, type: "Int32", default: 10000, min: 0, inert: true },
  /** ZMQ_SNDBUF: the kernel send buffer size in bytes; -1 = the OS default. Inert: Node's
   *  sockets cannot set SO_SNDBUF. */
  { name: "sendBufferSize", zmq: 11, type: "Int32", default: -1, min: -1, sockets: SENDERS, inert: true },
  /** ZMQ_RCVBUF: the kernel receive buffer size; -1 = the OS default. Inert, as sendBufferSize. */
  { name: "receiveBufferSize", zmq: 12, type: "Int32", default: -1, min: -1, sockets: RECEIVERS, inert: true },
  /** ZMQ_TYPE: the socket type number. */
  { name: "type", zmq: 16, type: "Int32", default: 0, readOnly: true, local: true },
  /** ZMQ_LINGER: ms to keep flushing after close(); -1 = until delivered. */
  { name: "linger", zmq: 17, type: "Int32", default: -1, min: -1 },
  /** ZMQ_RECONNECT_IVL: ms between reconnection attempts; -1 = never reconnect. */
  { name: "reconnectInterval", zmq: 18, type: "Int32", default: 100, min: -1 },
  /** ZMQ_BACKLOG: the listen queue length of tcp and ipc listeners. Inert for now: the
   *  transports listen with Node's default. */
  { name: "backlog", zmq: 19, type: "Int32", default: 100, min: 0, inert: true },
  /** ZMQ_RECONNECT_IVL_MAX: upper bound of the exponential backoff; 0 = none. */
  { name: "reconnectMaxInterval", zmq: 21, type: "Int32", default: 0, min: 0 },
  /** ZMQ_MAXMSGSIZE: largest frame accepted from a peer, in bytes; -1 = no limit. */
  { name: "maxMessageSize", zmq: 22, type: "Int64", default: -1, min: -1 },
  /** ZMQ_SNDHWM: messages queued per peer before send blocks or drops; 0 = no limit. */
  { name: "sendHighWaterMark", zmq: 23, type: "Int32", default: 1000, min: 0, sockets: SENDERS },
  /** ZMQ_RCVHWM: messages queued per peer before reading from it pauses; 0 = no limit. */
  { name: "receiveHighWaterMark", zmq: 24, type: "Int32", default: 1000, min: 0, sockets: RECEIVERS },
  /** ZMQ_MULTICAST_HOPS: the TTL of multicast packets. Inert: no PGM or UDP multicast. */
  { name: "multicastHops", zmq: 25, type: "Int32", default: 1, min: 1, sockets: SENDERS, inert: true },
  /** ZMQ_RCVTIMEO: ms receive() waits before EAGAIN; -1 = forever. */
  { name: "receiveTimeout", zmq: 27, type: "Int32", default: -1, min: -1, local: true, sockets: RECEIVERS },
  /** ZMQ_SNDTIMEO: ms send() waits before EAGAIN; -1 = forever. */
  { name: "sendTimeout", zmq: 28, type: "Int32", default: -1, min: -1, local: true, sockets: SENDERS },
  /** ZMQ_LAST_ENDPOINT: the endpoint last bound or connected. */
  { name: "lastEndpoint", zmq: 32, type: "String", default: null, readOnly: true, local: true },
  /** ZMQ_ROUTER_MANDATORY: an unroutable send() fails with EHOSTUNREACH (and waits at a peer's HWM). */
  { name: "mandatory", zmq: 33, type: "Bool", default: false, sockets: [ROUTER], unreadable: true },
  /** ZMQ_TCP_KEEPALIVE: SO_KEEPALIVE on tcp connections; -1 = the OS default, 0 off, 1 on.
   *  Inert for now (the tcp transport does not set it yet). */
  { name: "tcpKeepalive", zmq: 34, type: "Int32", default: -1, min: -1, max: 1, inert: true },
  /** ZMQ_TCP_KEEPALIVE_CNT: keepalive probes before the connection drops; -1 = OS default.
   *  Inert: Node cannot set TCP_KEEPCNT. */
  { name: "tcpKeepaliveCount", zmq: 35, type: "Int32", default: -1, min: -1, inert: true },
  /** ZMQ_TCP_KEEPALIVE_IDLE: s of idleness before the first probe; -1 = OS default. Inert for
   *  now, as tcpKeepalive. */
  { name: "tcpKeepaliveIdle", zmq: 36, type: "Int32", default: -1, min: -1, inert: true },
  /** ZMQ_TCP_KEEPALIVE_INTVL: s between probes; -1 = OS default. Inert: Node cannot set it. */
  { name: "tcpKeepaliveInterval", zmq: 37, type: "Int32", default: -1, min: -1, inert: true },
  /** ZMQ_TCP_ACCEPT_FILTER: addresses a tcp listener accepts. libzmq cannot read it back
   *  (zeromq.js's getter throws EINVAL). Inert for now. */
  { name: "tcpAcceptFilter", zmq: 38, type: "String", default: null, unreadable: true, inert: true, address: true },
  /** ZMQ_IMMEDIATE: queue messages only to completed connections. */
  { name: "immediate", zmq: 39, type: "Bool", default: false },
  /** ZMQ_IPV6: bind IPv6 addresses (without it binding "[::1]" fails with ENODEV, as libzmq's
   *  resolver refuses it; endpoint.ts). Connects take what the address names either way. The
   *  default is the context's ipv6. */
  { name: "ipv6", zmq: 42, type: "Bool", default: false, local: true },
  /** ZMQ_MECHANISM: null, "plain", "curve" or "gssapi", from the plain and curve options. */
  { name: "securityMechanism", zmq: 43, type: "Int32", default: 0, readOnly: true, local: true },
  /** ZMQ_PLAIN_SERVER: act as a PLAIN server. Stored: PLAIN is not in this build yet. */
  { name: "plainServer", zmq: 44, type: "Bool", default: false, inert: true },
  /** ZMQ_PLAIN_USERNAME: a PLAIN client's user name. Stored: PLAIN is not in this build yet. */
  { name: "plainUsername", zmq: 45, type: "String", default: null, inert: true },
  /** ZMQ_PLAIN_PASSWORD: a PLAIN client's password. Stored: PLAIN is not in this build yet. */
  { name: "plainPassword", zmq: 46, type: "String", default: null, inert: true },
  /** ZMQ_CURVE_SERVER: act as a CURVE server. Stored: CURVE is not in this build yet. */
  { name: "curveServer", zmq: 47, type: "Bool", default: false, inert: true },
  /** ZMQ_CURVE_PUBLICKEY: this socket's public key (Z85). libzmq reads keys back only into a
   *  32 or 41 byte buffer, which zeromq.js does not pass: its getter throws EINVAL. Stored. */
  { name: "curvePublicKey", zmq: 48, type: "String", default: null, unreadable: true, inert: true },
  /** ZMQ_CURVE_SECRETKEY: this socket's secret key (Z85); read as curvePublicKey. Stored. */
  { name: "curveSecretKey", zmq: 49, type: "String", default: null, unreadable: true, inert: true },
  /** ZMQ_CURVE_SERVERKEY: a client's server's public key (Z85); read as curvePublicKey. Stored. */
  { name: "curveServerKey", zmq: 50, type: "String", default: null, unreadable: true, inert: true },
  /** ZMQ_PROBE_ROUTER: send an empty message to each new peer (for ROUTER peers to see arrivals). */
  { name: "probeRouter", zmq: 51, type: "Bool", default: false, sockets: [REQ, DEALER, ROUTER], writeOnly: true },
  /** ZMQ_REQ_CORRELATE: prefix each request with an id and accept only the reply carrying it. */
  { name: "correlate", zmq: 52, type: "Bool", default: false, sockets: [REQ], writeOnly: true },
  /** ZMQ_REQ_RELAXED: allow a new request before the reply; the old one is abandoned. */
  { name: "relaxed", zmq: 53, type: "Bool", default: false, sockets: [REQ], writeOnly: true },
  /** ZMQ_CONFLATE: keep only the last message in each queue (no multipart). */
  { name: "conflate", zmq: 54, type: "Bool", default: false, sockets: [PULL, PUSH, SUB, PUB, DEALER], writeOnly: true },
  /** ZMQ_ZAP_DOMAIN: the ZAP domain of this socket's handshakes. Stored: ZAP is not in this
   *  build yet. */
  { name: "zapDomain", zmq: 55, type: "String", default: null, inert: true },
  /** ZMQ_ROUTER_HANDOVER: a peer announcing a routing id in use takes it over from the holder. */
  { name: "handover", zmq: 56, type: "Bool", default: false, sockets: [ROUTER], writeOnly: true },
  /** ZMQ_TOS: the IP type-of-service of outgoing packets. Inert: Node cannot set IP_TOS. */
  { name: "typeOfService", zmq: 57, type: "Uint32", default: 0, max: INT32_MAX, inert: true },
  /** ZMQ_HANDSHAKE_IVL: ms allowed for the ZMTP handshake; 0 = no limit. */
  { name: "handshakeInterval", zmq: 66, type: "Int32", default: 30000, min: 0 },
  /** ZMQ_SOCKS_PROXY: a SOCKS5 proxy for tcp connects. Inert for now: connects go direct. */
  { name: "socksProxy", zmq: 68, type: "String", default: null, inert: true },
  /** ZMQ_XPUB_NODROP: send waits (or EAGAINs) at a subscriber's HWM instead of dropping. */
  { name: "noDrop", zmq: 69, type: "Bool", default: false, sockets: [XPUB, PUB], writeOnly: true },
  /** ZMQ_XPUB_MANUAL: subscriptions reach the application and are not applied by themselves. */
  { name: "manual", zmq: 71, type: "Bool", default: false, sockets: [XPUB], writeOnly: true },
  /** ZMQ_STREAM_NOTIFY: a peer's arrival and departure come as [id][""] (STREAM). */
  { name: "notify", zmq: 73, type: "Bool", default: true, sockets: [STREAM], writeOnly: true },
  /** ZMQ_INVERT_MATCHING: deliver to / accept what does not match the subscriptions. */
  { name: "invertMatching", zmq: 74, type: "Bool", default: false, sockets: [PUB, SUB, XPUB] },
  /** ZMQ_HEARTBEAT_IVL: ms between PINGs on each connection (WebSocket pings over ws://); 0 = none. */
  { name: "heartbeatInterval", zmq: 75, type: "Int32", default: 0, min: 0 },
  /** ZMQ_HEARTBEAT_TTL: ms the peer may wait for traffic before dropping us (sent in tenths of a s). */
  { name: "heartbeatTimeToLive", zmq: 76, type: "Int32", default: 0, min: 0, max: 6553599, unit: 100 },
  /** ZMQ_HEARTBEAT_TIMEOUT: ms to wait for traffic after a PING; -1 = heartbeatInterval. */
  { name: "heartbeatTimeout", zmq: 77, type: "Int32", default: -1, min: -1 },
  /** ZMQ_CONNECT_TIMEOUT: ms a tcp connect may take; 0 = the OS's. Inert for now. */
  { name: "connectTimeout", zmq: 79, type: "Int32", default: 0, min: 0, inert: true },
  /** ZMQ_TCP_MAXRT: TCP_USER_TIMEOUT in ms; 0 = the OS's. Inert: Node cannot set it. */
  { name: "tcpMaxRetransmitTimeout", zmq: 80, type: "Int32", default: 0, min: 0, inert: true },
  /** ZMQ_THREAD_SAFE: whether the socket is thread safe (only draft types are). */
  { name: "threadSafe", zmq: 81, type: "Bool", default: false, readOnly: true, local: true },
  /** ZMQ_MULTICAST_MAXTPDU: the largest multicast packet. Inert: no multicast. */
  { name: "multicastMaxTransportDataUnit", zmq: 84, type: "Int32", default: 1500, min: 1, inert: true },
  /** ZMQ_VMCI_BUFFER_SIZE and the three below: VMware VMCI transport options. libzmq built
   *  without VMCI (zeromq 6.8.0's prebuilt, and this package) refuses them with EINVAL. */
  { name: "vmciBufferSize", zmq: 85, type: "Uint64", default: 0, absent: true },
  { name: "vmciBufferMinSize", zmq: 86, type: "Uint64", default: 0, absent: true },
  { name: "vmciBufferMaxSize", zmq: 87, type: "Uint64", default: 0, absent: true },
  { name: "vmciConnectTimeout", zmq: 88, type: "Int32", default: 0, absent: true },
  /** ZMQ_BINDTODEVICE: the network interface sockets are bound to. Inert: Node cannot set
   *  SO_BINDTODEVICE. */
  { name: "interface", zmq: 92, type: "String", default: null, inert: true },
  /** ZMQ_ZAP_ENFORCE_DOMAIN: require a ZAP handler for the domain. Stored: ZAP is not in this
   *  build yet. */
  { name: "zapEnforceDomain", zmq: 93, type: "Bool", default: false, inert: true },
  /** ZMQ_LOOPBACK_FASTPATH: Windows' SIO_LOOPBACK_FAST_PATH. Inert: Windows only, as in libzmq. */
  { name: "loopbackFastPath", zmq: 94, type: "Bool", default: false, inert: true },
  // wss:// (libzmq's ZMQ_WSS_*; zeromq 6.8.0's prebuilt has no wss, so no zeromq.js names: these
  // are libzmq's, camel-cased). In a browser the page's TLS applies and they have no effect.
  /** ZMQ_WSS_KEY_PEM: a wss:// server's private key, PEM. */
  { name: "wssKeyPem", zmq: WSS_OPT.KEY_PEM, type: "String", default: null, transport: true },
  /** ZMQ_WSS_CERT_PEM: a wss:// server's certificate chain, PEM. */
  { name: "wssCertPem", zmq: WSS_OPT.CERT_PEM, type: "String", default: null, transport: true },
  /** ZMQ_WSS_TRUST_PEM: a wss:// client trusts the server certificates this one signed, PEM. */
  { name: "wssTrustPem", zmq: WSS_OPT.TRUST_PEM, type: "String", default: null, transport: true },
  /** ZMQ_WSS_HOSTNAME: the name a wss:// server's certificate must carry (default: the host). */
  { name: "wssHostname", zmq: WSS_OPT.HOSTNAME, type: "String", default: null, transport: true },
  /** ZMQ_WSS_TRUST_SYSTEM: with wssTrustPem, also trust the system's authorities. */
  { name: "wssTrustSystem", zmq: WSS_OPT.TRUST_SYSTEM, type: "Bool", default: false, transport: true },
]

/** The rows by option number, per socket type (a row without `sockets` is every type's). */
const BY_NUMBER = new Map<number, OptionRow[]>()
for (const row of OPTIONS) BY_NUMBER.set(row.zmq, [...(BY_NUMBER.get(row.zmq) ?? []), row])

/** The option `id` of a socket of type `type`, as zmq_setsockopt/getsockopt know it; EINVAL if
 *  libzmq has no such option for that type. */
export function optionRow(id: number, type: number): OptionRow {
  const row = BY_NUMBER.get(id)?.find((r) => !r.sockets || r.sockets.includes(type))
  if (!row || row.absent) throw zmqError("EINVAL")
  return row
}

/** Options whose change takes effect at once even on a bound or connected socket; a change of
 *  any other then warns (zeromq.js's list: socket.cc, WarnUnlessImmediateOption). */
export const IMMEDIATE_OPTIONS = new Set([
  6, 7, // SUBSCRIBE, UNSUBSCRIBE
  17, 33, 51, 40, 52, 53, 56, 78, // LINGER, ROUTER_MANDATORY, PROBE_ROUTER, XPUB_VERBOSE, REQ_CORRELATE, REQ_RELAXED, ROUTER_HANDOVER, XPUB_VERBOSER
  23, 24, // SNDHWM, RCVHWM (libzmq 4.2+)
  28, 27, // SNDTIMEO, RCVTIMEO (the binding's own)
])

const MAX_SAFE_WARNING = "Value is larger than Number.MAX_SAFE_INTEGER and may have been rounded inaccurately."

/**
 * A number as zeromq.js hands it to libzmq for an option of `type`: N-API's conversions
 * (ToInt32 for Int32, so 1.5 → 1, NaN → 0, 2^32+5 → 5; truncating and saturating for 64 bits;
 * Uint64 clamps negatives to 0 and warns above Number.MAX_SAFE_INTEGER).
 */
export function coerceNumber(type: OptionType, value: number): number {
  switch (type) {
    case "Int32":
    case "Bool":
      return value | 0
    case "Uint32":
      return value >>> 0
    case "Int64":
      if (Number.isNaN(value)) return 0
      return Math.max(-(2 ** 63), Math.min(2 ** 63, Math.trunc(value)))
    default: // Uint64
      if (!(value > 0)) return 0
      if (value > Number.MAX_SAFE_INTEGER) warn(MAX_SAFE_WARNING)
      return Math.min(2 ** 64, Math.trunc(value))
  }
}

/** Checks a value for a row as zeromq.js's set<Type>Option and then libzmq would, and returns
 *  it as the getter will give it back; throws their errors. */
export function checkOption(row: OptionRow, value: unknown): number | boolean | string | null {
  if (row.absent) throw zmqError("EINVAL")
  switch (row.type) {
    case "Bool":
      if (typeof value !== "boolean") throw new TypeError("Option value must be a boolean")
      return value
    case "String": {
      // N-API's IsBuffer: a Buffer or any Uint8Array.
      if (value !== null && typeof value !== "string" && !(value instanceof Uint8Array)) {
        throw new TypeError("Option value must be a string or buffer")
      }
      const bytes = value === null ? new Uint8Array(0) : bytesOf(value as string)
      // libzmq: a routing id is 1..255 bytes.
      if (row.routingId && (bytes.length === 0 || bytes.length > 255)) throw zmqError("EINVAL")
      if (row.address && bytes.length > 0 && !isAddressMask(textDecoder.decode(bytes))) throw zmqError("EINVAL")
      return readBack(typeof value === "string" ? value : textDecoder.decode(bytes))
    }
    default: {
      if (typeof value !== "number") throw new TypeError("Option value must be a number")
      const n = coerceNumber(row.type, value)
      if (n < (row.min ?? -Infinity) || n > (row.max ?? Infinity)) throw zmqError("EINVAL")
      return row.unit ? Math.floor(n / row.unit) * row.unit : n
    }
  }
}

/** "a.b.c.d[/n]" or an IPv6 address[/n], as libzmq's accept filter takes them. */
function isAddressMask(text: string): boolean {
  const [ip, mask, extra] = text.split("/")
  if (extra !== undefined) return false
  const v4 = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(ip)
  const isV4 = v4 !== null && v4.slice(1).every((n) => Number(n) <= 255)
  const isV6 = !isV4 && /^[0-9a-fA-F:.]+$/.test(ip) && ip.includes(":")
  if (!isV4 && !isV6) return false
  return mask === undefined || (/^\d+$/.test(mask) && Number(mask) <= (isV4 ? 32 : 128))
}

/** A string option as zeromq.js's getter gives it back: read as a C string (up to its first
 *  zero byte), and null when libzmq holds nothing (or a lone zero byte). */
function readBack(text: string): string | null {
  if (text.length === 0 || text === "\0") return null
  const nul = text.indexOf("\0")
  return nul < 0 ? text : text.slice(0, nul)
}

/** The bytes the core's setopt takes for a checked value (zmqw.h option formats). */
export function encodeOption(row: OptionRow, value: number | boolean | string | null): Uint8Array {
  const view = (size: number) => new DataView(new ArrayBuffer(size))
  switch (row.type) {
    case "Bool":
    case "Int32":
    case "Uint32": {
      const out = view(4)
      out.setUint32(0, Number(value) >>> 0, true)
      return new Uint8Array(out.buffer)
    }
    case "Int64": {
      const out = view(8)
      out.setBigInt64(0, BigInt(Math.max(-(2 ** 63), Math.min(2 ** 63 - 1024, value as number))), true)
      return new Uint8Array(out.buffer)
    }
    case "Uint64": {
      const out = view(8)
      out.setBigUint64(0, BigInt.asUintN(64, BigInt(value as number)), true)
      return new Uint8Array(out.buffer)
    }
    case "String":
      return value === null ? new Uint8Array(0) : bytesOf(value as string)
  }
}

/** libzmq's ZMQ_MECHANISM from the security options set (options.cpp: the last PLAIN or CURVE
 *  option set decides; clearing a server flag or a PLAIN name returns it to NULL). */
export function mechanismAfter(current: number, id: number, value: unknown): number {
  const NULL = 0, PLAIN = 1, CURVE = 2
  switch (id) {
    case 44: return value ? PLAIN : NULL // PLAIN_SERVER
    case 45: case 46: return value === null ? NULL : PLAIN // PLAIN_USERNAME, PLAIN_PASSWORD
    case 47: return value ? CURVE : NULL // CURVE_SERVER
    case 48: case 49: case 50: return CURVE // CURVE keys
    default: return current
  }
}

/** ZMQ_MECHANISM's numbers by zeromq.js's names. */
export const MECHANISMS = [null, "plain", "curve", "gssapi"] as const

/** Context options (zmq_ctx_set/zmq_ctx_get), as zeromq.js defines them. */
export interface ContextOptionRow {
  readonly name: string
  readonly zmq: number
  readonly type: "Int32" | "Bool"
  readonly default: number | boolean | undefined
  readonly min?: number
  readonly readOnly?: true
  readonly writeOnly?: true
}

export const CONTEXT_OPTIONS: readonly ContextOptionRow[] = [
  /** ZMQ_IO_THREADS: libzmq's I/O threads. Stored: the engine is one thread (a worker or inline). */
  { name: "ioThreads", zmq: 1, type: "Int32", default: 1, min: 0 },
  /** ZMQ_MAX_SOCKETS: sockets this context may have open; the next fails with EMFILE. */
  { name: "maxSockets", zmq: 2, type: "Int32", default: 1023, min: 1 },
  /** ZMQ_SOCKET_LIMIT: the largest maxSockets allowed. */
  { name: "maxSocketsLimit", zmq: 3, type: "Int32", default: 65535, readOnly: true },
  /** ZMQ_THREAD_PRIORITY: of libzmq's I/O threads. Stored only: a worker has no OS priority. */
  { name: "threadPriority", zmq: 3, type: "Int32", default: undefined, writeOnly: true },
  /** ZMQ_THREAD_SCHED_POLICY: of libzmq's I/O threads. Stored only, as threadPriority. */
  { name: "threadSchedulingPolicy", zmq: 4, type: "Int32", default: undefined, min: 0, writeOnly: true },
  /** ZMQ_MAX_MSGSZ: the largest message this context's sockets accept. Stored only: each
   *  socket's own maxMessageSize is what the core applies. */
  { name: "maxMessageSize", zmq: 5, type: "Int32", default: 2 ** 31 - 1, min: 0 },
  /** ZMQ_IPV6: the default of new sockets' ipv6 option. */
  { name: "ipv6", zmq: 42, type: "Bool", default: false },
  /** ZMQ_BLOCKY: whether the process waits at exit for messages still queued (see
   *  context.ts: the exit warning). */
  { name: "blocky", zmq: 70, type: "Bool", default: true },
]
