/**
 * libzmq's option numbers under v5's ZMQ_ names, and v5's short names for the common ones
 * (`options`: `getsockopt("linger")`, the socket's accessors, `createSocket(type, {linger})`).
 * How each number maps onto a v6 socket is options.ts.
 */

export const ZMQ_AFFINITY = 4
export const ZMQ_IDENTITY = 5
export const ZMQ_SUBSCRIBE = 6
export const ZMQ_UNSUBSCRIBE = 7
export const ZMQ_RATE = 8
export const ZMQ_RECOVERY_IVL = 9
/** libzmq 3 renamed RECOVERY_IVL_MSEC to RECOVERY_IVL (both in ms); one number. */
export const ZMQ_RECOVERY_IVL_MSEC = 9
export const ZMQ_SNDBUF = 11
export const ZMQ_RCVBUF = 12
export const ZMQ_RCVMORE = 13
export const ZMQ_FD = 14
export const ZMQ_EVENTS = 15
export const ZMQ_TYPE = 16
export const ZMQ_LINGER = 17
export const ZMQ_RECONNECT_IVL = 18
export const ZMQ_BACKLOG = 19
export const ZMQ_RECONNECT_IVL_MAX = 21
export const ZMQ_MAXMSGSIZE = 22
export const ZMQ_SNDHWM = 23
export const ZMQ_RCVHWM = 24
export const ZMQ_MULTICAST_HOPS = 25
export const ZMQ_RCVTIMEO = 27
export const ZMQ_SNDTIMEO = 28
export const ZMQ_IPV4ONLY = 31
export const ZMQ_LAST_ENDPOINT = 32
export const ZMQ_ROUTER_MANDATORY = 33
export const ZMQ_TCP_KEEPALIVE = 34
export const ZMQ_TCP_KEEPALIVE_CNT = 35
export const ZMQ_TCP_KEEPALIVE_IDLE = 36
export const ZMQ_TCP_KEEPALIVE_INTVL = 37
export const ZMQ_TCP_ACCEPT_FILTER = 38
/** libzmq 4 renamed it ZMQ_IMMEDIATE. */
export const ZMQ_DELAY_ATTACH_ON_CONNECT = 39
export const ZMQ_XPUB_VERBOSE = 40
export const ZMQ_ROUTER_RAW = 41
export const ZMQ_IPV6 = 42
export const ZMQ_MECHANISM = 43
export const ZMQ_PLAIN_SERVER = 44
export const ZMQ_PLAIN_USERNAME = 45
export const ZMQ_PLAIN_PASSWORD = 46
export const ZMQ_CURVE_SERVER = 47
export const ZMQ_CURVE_PUBLICKEY = 48
export const ZMQ_CURVE_SECRETKEY = 49
export const ZMQ_CURVE_SERVERKEY = 50
export const ZMQ_ZAP_DOMAIN = 55
export const ZMQ_HEARTBEAT_IVL = 75
export const ZMQ_HEARTBEAT_TTL = 76
export const ZMQ_HEARTBEAT_TIMEOUT = 77
export const ZMQ_CONNECT_TIMEOUT = 79
/** Context options (zmq_ctx_set); exported for v5 code, not socket options. */
export const ZMQ_IO_THREADS = 1
export const ZMQ_MAX_SOCKETS = 2
export const ZMQ_ROUTER_HANDOVER = 56

/** v5's short names. */
const shortOptions = {
  _fd: ZMQ_FD,
  _ioevents: ZMQ_EVENTS,
  _receiveMore: ZMQ_RCVMORE,
  _subscribe: ZMQ_SUBSCRIBE,
  _unsubscribe: ZMQ_UNSUBSCRIBE,
  affinity: ZMQ_AFFINITY,
  backlog: ZMQ_BACKLOG,
  identity: ZMQ_IDENTITY,
  linger: ZMQ_LINGER,
  rate: ZMQ_RATE,
  rcvbuf: ZMQ_RCVBUF,
  last_endpoint: ZMQ_LAST_ENDPOINT,
  reconnect_ivl: ZMQ_RECONNECT_IVL,
  recovery_ivl: ZMQ_RECOVERY_IVL,
  sndbuf: ZMQ_SNDBUF,
  mechanism: ZMQ_MECHANISM,
  plain_server: ZMQ_PLAIN_SERVER,
  plain_username: ZMQ_PLAIN_USERNAME,
  plain_password: ZMQ_PLAIN_PASSWORD,
  curve_server: ZMQ_CURVE_SERVER,
  curve_publickey: ZMQ_CURVE_PUBLICKEY,
  curve_secretkey: ZMQ_CURVE_SECRETKEY,
  curve_serverkey: ZMQ_CURVE_SERVERKEY,
  zap_domain: ZMQ_ZAP_DOMAIN,
  heartbeat_ivl: ZMQ_HEARTBEAT_IVL,
  heartbeat_ttl: ZMQ_HEARTBEAT_TTL,
  heartbeat_timeout: ZMQ_HEARTBEAT_TIMEOUT,
  connect_timeout: ZMQ_CONNECT_TIMEOUT,
}
export { shortOptions as options }
export type ShortOption = keyof typeof shortOptions
