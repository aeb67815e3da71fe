/* zmqw.h — the whole ABI between the C core and its host.
 *
 * The core is sans-I/O: it owns no sockets, clocks or threads. The host feeds it API calls,
 * connection bytes and the current time; the core answers with bytes to write per connection and
 * a queue of effects the host drains (dial, close, output ready, pause reading, socket status).
 *
 * Conventions, for every function below:
 *  - Returns a zw_err (0 = ZW_OK). Results go through out-parameters, which are written only on
 *    success.
 *  - Handles (sockets, connections, dialers) are uint32 ids, never pointers; 0 is never a valid id.
 *  - A byte area the core returns (output, effects, received messages) is owned by the core and
 *    valid until the next call into the core. The host copies what it keeps.
 *  - A byte area the host passes in is only read during the call; the core copies what it keeps.
 *  - The core never calls the host; nothing here is re-entered.
 *
 * Message batches (zw_send input, zw_recv output) use one format, shared with the host's
 * thread channel so that a batch crosses without re-encoding:
 *    frame := u32le header, body[header & ZW_BATCH_LEN_MASK]
 *    header bit 31 (ZW_BATCH_MORE) = another frame of the same message follows.
 *    header bit 30 (ZW_BATCH_REF) = a body the host holds: the frame's ZW_BATCH_REF_LEN bytes are
 *    u32le id (not 0), u32le size (at most 2^31 - 1), and the frame is that body.
 *  A message is the frames up to and including the first one without ZW_BATCH_MORE.
 *
 * Body refs: large bodies never enter wasm memory. The host keeps them and names them by ids of
 * its choosing; the core frames and counts them and never copies them. A message zw_send takes
 * passes the references of its ref frames to the core (one it does not take stays the host's).
 * The core holds a body until every copy of its frame is gone (written, dropped, read), then
 * queues ZW_FX_RELEASE once for it; until then the host must keep it. zw_conn_output shows a body
 * as its id, for the host to write itself; zw_recv hands a ref frame over as its id, for the host
 * to read during that turn (the release follows). Received large bodies come the same way: the
 * core stops zw_conn_input at their header, the host collects the body and names it with
 * zw_conn_body. Where the core must look at a body's bytes (a
 * PUB matching a topic, a routing id, a subscription message) it reads just those through the
 * import zw_host_body_read.
 */
#ifndef ZMQW_H
#define ZMQW_H

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#if defined(__EMSCRIPTEN__)
#define ZW_EXPORT __attribute__((used, visibility("default")))
#else
#define ZW_EXPORT
#endif

typedef uint32_t zw_id;

/* Error codes. The host maps them to zeromq.js's codes and messages (ts/api/errors.ts). */
typedef enum zw_err {
    ZW_OK = 0,
    ZW_EINVAL = 1,      /* bad argument or option value */
    ZW_EAGAIN = 2,      /* not now: socket cannot send/receive at the moment */
    ZW_EFSM = 3,        /* operation not valid in the socket's current state (REQ/REP) */
    ZW_ENOTSOCK = 4,    /* unknown or closed socket id */
    ZW_ENOENT = 5,      /* unknown connection, dialer or listener id */
    ZW_ENOMEM = 6,      /* allocation failed */
    ZW_ENOTSUP = 7,     /* operation not supported by this socket type */
    ZW_EMSGSIZE = 8,    /* malformed or oversized batch */
    ZW_EPROTO = 9,      /* a peer broke the protocol; the connection is being closed */
    ZW_EADDRINUSE = 10, /* the inproc name is bound already */
    ZW_EHOSTUNREACH = 11 /* no peer has the message's routing id (STREAM; ROUTER with MANDATORY) */
} zw_err;

/* Socket types: libzmq's numbers. */
enum {
    ZW_PAIR = 0, ZW_PUB = 1, ZW_SUB = 2, ZW_REQ = 3, ZW_REP = 4, ZW_DEALER = 5, ZW_ROUTER = 6,
    ZW_PULL = 7, ZW_PUSH = 8, ZW_XPUB = 9, ZW_XSUB = 10, ZW_STREAM = 11
};

/* Socket options: libzmq's numbers. Integer options are int32 little-endian (4 bytes). */
enum {
    ZW_OPT_ROUTING_ID = 5,          /* bytes, 0..255, must not start with 0x00 */
    ZW_OPT_SUBSCRIBE = 6,           /* bytes: prefix (SUB) */
    ZW_OPT_UNSUBSCRIBE = 7,         /* bytes: prefix (SUB) */
    ZW_OPT_TYPE = 16,               /* int, read only */
    ZW_OPT_LINGER = 17,             /* int ms, -1 = forever */
    ZW_OPT_RECONNECT_IVL = 18,      /* int ms, -1 = no reconnect */
    ZW_OPT_RECONNECT_IVL_MAX = 21,  /* int ms, 0 = only RECONNECT_IVL */
    ZW_OPT_MAXMSGSIZE = 22,         /* int64 little-endian (8 bytes), -1 = unlimited */
    ZW_OPT_ROUTER_MANDATORY = 33,   /* int 0/1 (ROUTER): unroutable sends fail, EHOSTUNREACH (write only) */
    ZW_OPT_SNDHWM = 23,             /* int messages, 0 = unlimited */
    ZW_OPT_RCVHWM = 24,             /* int messages, 0 = unlimited */
    ZW_OPT_IMMEDIATE = 39,
    ZW_OPT_XPUB_VERBOSE = 40,       /* int 0/1 (XPUB): pass every subscribe (write only) */
    ZW_OPT_PROBE_ROUTER = 51,       /* int 0/1 (REQ, DEALER, ROUTER): an empty message to each new peer */
    ZW_OPT_REQ_CORRELATE = 52,      /* int 0/1 (REQ): a request id frame before the delimiter */
    ZW_OPT_REQ_RELAXED = 53,        /* int 0/1 (REQ): a new request may abandon the pending one */
    ZW_OPT_CONFLATE = 54,           /* int 0/1 (PUSH, PULL, PUB, SUB, DEALER): keep only the last message */
    ZW_OPT_ROUTER_HANDOVER = 56,    /* int 0/1 (ROUTER): a routing id in use passes to the new peer (write only) */
    ZW_OPT_CONNECT_ROUTING_ID = 61, /* bytes 1..255 (ROUTER, STREAM): the id the next connect's peer gets (write only) */
    ZW_OPT_HANDSHAKE_IVL = 66,      /* int ms, 0 = none */
    ZW_OPT_HEARTBEAT_IVL = 75,      /* int ms between PINGs (a WebSocket's pings over ZWS), 0 = none */
    ZW_OPT_HEARTBEAT_TTL = 76,      /* int ms the peer may stay silent, sent in PING (tenths of a s) */
    ZW_OPT_HEARTBEAT_TIMEOUT = 77,  /* int ms to wait for traffic after a PING; -1 = the interval */
    ZW_OPT_XPUB_NODROP = 69,        /* int 0/1 (PUB, XPUB): EAGAIN at HWM instead of dropping */
    ZW_OPT_XPUB_MANUAL = 71,        /* int 0/1 (XPUB): the application applies subscriptions */
    ZW_OPT_XPUB_WELCOME_MSG = 72,   /* bytes (XPUB): sent to each new peer; empty = none (write only) */
    ZW_OPT_STREAM_NOTIFY = 73,      /* int 0/1 (STREAM): [id][""] when a peer comes and goes */
    ZW_OPT_INVERT_MATCHING = 74,    /* int 0/1 (PUB, SUB, XPUB, XSUB): match the other prefixes */
    ZW_OPT_XPUB_VERBOSER = 78       /* int 0/1 (XPUB): pass every subscribe and cancel (write only) */
};

/* Status flags from zw_status. */
enum {
    ZW_STATUS_SEND_FSM = 1u << 0,   /* a send now would fail with EFSM */
    ZW_STATUS_RECV_FSM = 1u << 1,   /* a receive now would fail with EFSM */
    ZW_STATUS_READABLE = 1u << 2,   /* at least one message can be received */
    ZW_STATUS_CLOSED = 1u << 3      /* the socket was closed */
};

#define ZW_BATCH_MORE 0x80000000u
#define ZW_BATCH_REF 0x40000000u
#define ZW_BATCH_LEN_MASK 0x3fffffffu
#define ZW_BATCH_REF_LEN 8
/* From this size a body is best sent as a ref (and the engine writes an inline body of this size
 * or more straight from its frame); a smaller ref frame the core copies into its output, reading
 * the bytes through zw_host_body_read, and releases at once. */
#define ZW_BODY_MIN 8192
#define ZW_CAPACITY_UNBOUNDED 0xffffffffu

/* Effects, drained with zw_effects. Each record is:
 *    u8 kind, u8 reason, u16 text_len, u32 id, u32 arg, text[text_len]
 * little-endian, no padding (12 bytes + text). */
typedef enum zw_effect_kind {
    ZW_FX_DIAL = 1,        /* id = dialer: open a transport connection to its endpoint now */
    ZW_FX_OUTPUT = 2,      /* id = conn: output is pending; call zw_conn_output until it gives 0 bytes */
    ZW_FX_CLOSE = 3,       /* id = conn: close the transport (after writing pending output);
                              reason = zw_close_reason, text = human-readable reason */
    ZW_FX_PAUSE = 4,       /* id = conn: stop reading from the transport (receive HWM reached) */
    ZW_FX_RESUME = 5,      /* id = conn: read again */
    ZW_FX_STATUS = 6,      /* id = socket: send capacity or status flags may have changed */
    ZW_FX_SOCKET_GONE = 7, /* id = socket: linger is over, the socket id is freed */
    ZW_FX_HANDSHAKE = 8,   /* id = conn, arg = socket: ZMTP handshake succeeded */
    ZW_FX_DIAL_STOP = 9,   /* id = dialer: the dialer is gone; forget its endpoint */
    ZW_FX_RELEASE = 10,    /* id = body: the core no longer holds this host body (see body refs) */
    ZW_FX_RETRY = 11,      /* id = dialer, arg = ms: the next dial comes in arg ms (libzmq's
                              interval with its jitter: the Observer's connect:retry) */
    ZW_FX_PING = 12        /* id = conn: send a WebSocket ping (ZWS heartbeats; a pong, or any
                              input, is answered with zw_conn_alive / zw_conn_input) */
} zw_effect_kind;

typedef enum zw_close_reason {
    ZW_CLOSE_NONE = 0,          /* asked by the host (disconnect, unbind, socket close) */
    ZW_CLOSE_PROTOCOL = 1,      /* malformed greeting, frame or command */
    ZW_CLOSE_MECHANISM = 2,     /* security mechanism mismatch */
    ZW_CLOSE_SOCKET_TYPE = 3,   /* peer socket type is not compatible */
    ZW_CLOSE_MSG_SIZE = 4,      /* a frame exceeds maxMessageSize */
    ZW_CLOSE_HANDSHAKE_TIMEOUT = 5,
    ZW_CLOSE_NO_MEMORY = 6,
    ZW_CLOSE_REFUSED = 7,       /* the socket refused the peer (PAIR taken, duplicate routing id) */
    /* Two protocol errors told apart because libzmq reports them apart (the Observer's
     * handshake:error:protocol codes); every other malformed input is ZW_CLOSE_PROTOCOL. */
    ZW_CLOSE_UNEXPECTED_COMMAND = 8,  /* a handshake command the mechanism does not expect */
    ZW_CLOSE_INVALID_METADATA = 9,    /* a READY (or INITIATE) whose properties are malformed */
    ZW_CLOSE_HEARTBEAT = 10           /* no traffic within the heartbeat timeout or the peer's TTL */
} zw_close_reason;

/* --- imports -------------------------------------------------------------------------------- */

/* The one function the host supplies (wasm import "env" "zw_host_entropy"; the build tells
 * emscripten of it in native/include/imports.js): fill buf with len cryptographically secure
 * random bytes (crypto.getRandomValues). The core draws generated routing ids (and later CURVE
 * keys and nonces) from it, so none of them is predictable. */
#if defined(__EMSCRIPTEN__)
__attribute__((import_module("env"), import_name("zw_host_entropy")))
#endif
void zw_host_entropy(uint8_t *buf, uint32_t len);
/* Copy len bytes from offset of host body id (one the core holds; offset + len within it) into
 * dst. Called only from inside a call into the core, for the few bytes it must inspect. */
#if defined(__EMSCRIPTEN__)
__attribute__((import_module("env"), import_name("zw_host_body_read")))
#endif
void zw_host_body_read(uint32_t id, uint32_t offset, uint8_t *dst, uint32_t len);

/* --- lifetime and memory ------------------------------------------------------------------ */

/* Creates the core (again: a second call starts from nothing). Call once before anything else. */
ZW_EXPORT zw_err zw_init(void);
/* The one exception to the rules above: returns the address of a static, 8-aligned area of
 * ZW_SCRATCH_SIZE bytes where the host keeps out-parameters (a host has no other way to get
 * writable core memory before its first zw_alloc). */
#define ZW_SCRATCH_SIZE 64
ZW_EXPORT uint8_t *zw_scratch(void);
/* Heap memory for the host to stage input and out-parameters in. */
ZW_EXPORT zw_err zw_alloc(uint32_t size, uint8_t **out_ptr);
ZW_EXPORT zw_err zw_free(uint8_t *ptr);

/* --- time --------------------------------------------------------------------------------- */

/* Sets the current monotonic time and fires due timers (reconnect, linger, handshake).
 * *out_next is the next deadline in ms, or -1 if there is none. */
ZW_EXPORT zw_err zw_advance(double now_ms, double *out_next);

/* --- sockets ------------------------------------------------------------------------------ */

ZW_EXPORT zw_err zw_socket_open(int32_t type, zw_id *out_sock);
/* Starts closing: pending output is written for up to LINGER ms; then ZW_FX_SOCKET_GONE. */
ZW_EXPORT zw_err zw_socket_close(zw_id sock);
ZW_EXPORT zw_err zw_setopt(zw_id sock, int32_t opt, const uint8_t *val, uint32_t len);
/* *inout_len: capacity of val on entry, bytes written on return. */
ZW_EXPORT zw_err zw_getopt(zw_id sock, int32_t opt, uint8_t *val, uint32_t *inout_len);

/* --- connections -------------------------------------------------------------------------- */

/* How a transport carries a connection; the core picks the connection's engine from it and the
 * socket type. STREAM: a byte stream (tcp, ipc): ZMTP 3.x (raw bytes for a STREAM socket).
 * MESSAGE: WebSocket messages (ws, wss): ZWS 2.0 with the socket's mechanism (the subprotocol
 * "ZWS2.0/NULL"). MESSAGE_BARE: ZWS 2.0 with no mechanism (the subprotocol plain "ZWS2.0", the
 * one a browser can offer): each side's first message is its routing id; no socket type check.
 * Over either MESSAGE framing the host passes each WebSocket message (binary; its payload whole,
 * after the host reassembled any fragments) to zw_conn_input as `u32le length, payload`, and
 * zw_conn_output's bytes are such envelopes too, each to be sent as one binary message (never
 * fragmented: libzmq refuses fragments). A payload is a flags byte (0x00 last frame, 0x01 more,
 * 0x02 command) and the frame's body. STREAM sockets have no MESSAGE framing (ZW_ENOTSUP). */
enum { ZW_FRAMING_STREAM = 0, ZW_FRAMING_MESSAGE = 1, ZW_FRAMING_MESSAGE_BARE = 2 };

/* A transport connection accepted on one of the socket's listeners, carried as `framing`. */
ZW_EXPORT zw_err zw_accept(zw_id sock, int32_t framing, zw_id *out_conn);
/* Starts connecting: the dialer owns a pipe from now on (messages queue for the peer before it is
 * up) and asks for transport connections with ZW_FX_DIAL, again after reconnectInterval. */
ZW_EXPORT zw_err zw_connect(zw_id sock, zw_id *out_dialer);
/* Stops a dialer: its connection and pipe are closed; ZW_FX_DIAL_STOP follows. Also takes the
 * id of an inproc connect (zw_inproc_connect): messages already sent are handed to the binder
 * first, as libzmq's inproc pipe keeps them. */
ZW_EXPORT zw_err zw_disconnect(zw_id dialer);
/* The host's answer to ZW_FX_DIAL: ok=1 with a new connection id (carried as `framing`), ok=0
 * to schedule a retry. */
ZW_EXPORT zw_err zw_dial_result(zw_id dialer, int32_t ok, int32_t framing, zw_id *out_conn);
/* Bytes read from the transport; the core copies those it takes: *out_used of them. When
 * *out_body is not 0, the core stopped after the header of a large data frame: the next
 * *out_body bytes of the stream are its body, which the host collects itself (it never enters
 * wasm memory) and hands over with zw_conn_body before any more input (ZW_EINVAL otherwise);
 * then it goes on with the bytes after the body. It also stops, once, right after the
 * handshake (the peer's READY): the bytes after it come again in the next call, where a large
 * body among them is diverted like any other. */
ZW_EXPORT zw_err zw_conn_input(zw_id conn, const uint8_t *data, uint32_t len, uint32_t *out_used,
                               uint32_t *out_body);
/* The body zw_conn_input asked for is host body `body` (an id of the host's choosing, not 0; its
 * reference passes to the core). ZW_ENOENT if the connection is gone or going (the body stays
 * the host's); ZW_EINVAL if no body was asked for. */
ZW_EXPORT zw_err zw_conn_body(zw_id conn, uint32_t body);
/* Bytes to write: up to about 64 KiB at a time; *out_len = 0 when nothing is pending. Or, when
 * *out_body is not 0, the next *out_len bytes are the whole of host body *out_body, for the host
 * to write from its own copy (*out_ptr is then NULL). Either is consumed by the next call. */
ZW_EXPORT zw_err zw_conn_output(zw_id conn, const uint8_t **out_ptr, uint32_t *out_len,
                                uint32_t *out_body);
/* The transport closed (peer hung up, error, or after ZW_FX_CLOSE). Frees the connection id. */
ZW_EXPORT zw_err zw_conn_closed(zw_id conn);
/* The peer showed it is alive without sending bytes (a WebSocket pong): heartbeat timeouts
 * wait again, as after input. */
ZW_EXPORT zw_err zw_conn_alive(zw_id conn);

/* --- inproc ------------------------------------------------------------------------------- */

/* inproc:// never leaves the core: a connect and a bind of the same name (bytes after
 * "inproc://", 1 or more) on two sockets of this core are joined pipe to pipe, and messages move
 * between them as pointers, with no encoding and no host round trip. Either order works: a
 * connect before the bind is pending (its pipe takes messages at once, up to SNDHWM) and is
 * joined when the name is bound. In flight, a link holds the connecter's SNDHWM plus the
 * binder's RCVHWM (and the other way), as libzmq's inproc pipe does. As libzmq 4.3: unbinding
 * only frees the name (links made stay up); closing the binder ends its links (messages it had
 * sent stay readable, the connecter's id is stopped with ZW_FX_DIAL_STOP and never rejoins);
 * closing or disconnecting the connecter hands what it sent to the binder. Incompatible socket
 * types (and a socket connecting to itself) are not joined: the connect stays pending. */
/* ZW_EADDRINUSE if the name is bound (by any socket), ZW_EINVAL if it is empty. */
ZW_EXPORT zw_err zw_inproc_bind(zw_id sock, const uint8_t *name, uint32_t len);
/* Frees the name; ZW_ENOENT if this socket has not bound it. */
ZW_EXPORT zw_err zw_inproc_unbind(zw_id sock, const uint8_t *name, uint32_t len);
/* *out_link: an id for zw_disconnect (ZW_FX_DIAL_STOP tells when the core ended it). */
ZW_EXPORT zw_err zw_inproc_connect(zw_id sock, const uint8_t *name, uint32_t len,
                                   zw_id *out_link);

/* --- messages ----------------------------------------------------------------------------- */

/* Queues messages from a batch, in order, while the socket accepts them. *out_msgs = number of
 * whole messages taken; the rest were not (EAGAIN-like), and stay the host's. */
ZW_EXPORT zw_err zw_send(zw_id sock, const uint8_t *batch, uint32_t len, uint32_t *out_msgs);
/* Takes up to max_msgs whole messages (at least one if any is ready, even above max_bytes) as a
 * batch; *out_msgs = 0 when none is ready. max_bytes bounds the messages' bytes, bodies by ref
 * included (each frame weighs 4 + its size), not the batch's length. */
ZW_EXPORT zw_err zw_recv(zw_id sock, uint32_t max_msgs, uint32_t max_bytes,
                         const uint8_t **out_ptr, uint32_t *out_len, uint32_t *out_msgs);
/* How many messages zw_send would take now (ZW_CAPACITY_UNBOUNDED if it never blocks) and
 * ZW_STATUS_* flags. */
ZW_EXPORT zw_err zw_status(zw_id sock, uint32_t *out_capacity, uint32_t *out_flags);

/* --- effects ------------------------------------------------------------------------------ */

/* Drains the effect queue (format above); *out_len = 0 when empty. ZW_ENOMEM, from then on: an
 * effect could not be queued for lack of memory, so the host can no longer follow the core (a
 * close or dial it never hears of). The host must treat it as the engine's death. Status changes
 * and timers never need memory and are never lost. */
ZW_EXPORT zw_err zw_effects(const uint8_t **out_ptr, uint32_t *out_len);

#ifdef __cplusplus
}
#endif
#endif
