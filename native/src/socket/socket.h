/* socket.h — the socket base: options, the ops table every socket type implements, and the
 * services the core offers socket types.
 *
 * A socket type is a small policy over routing strategies (route/). It sees pipes, never
 * connections: the core creates a session (an in pipe and an out pipe, linked through `peer`)
 * per connected peer and tells the socket with attach/connected/disconnected/detach.
 *
 * Contracts for every ops member:
 *  - Called only by the core, never re-entered for the same socket. A write into an out pipe may
 *    move frames on to the connection at once (pipe on_msg), but never calls back into ops.
 *  - send: on ZW_OK the socket owns msg (a whole message, frames linked through next, last
 *    without ZW_FRAME_MORE); on any error msg stays the caller's. Errors: ZW_EAGAIN (no room),
 *    ZW_EFSM, ZW_ENOTSUP.
 *  - recv: on ZW_OK *msg is a whole message the caller now owns and *from the in pipe it was read
 *    from; *msg = NULL with ZW_OK means a message was read from *from and dropped (call again).
 *    Errors: ZW_EAGAIN, ZW_EFSM, ZW_ENOTSUP.
 *  - inbound: one frame decoded from the peer of `in`, ownership passes to the socket, which
 *    writes it into `in`, keeps it, or frees it. The core calls it only while zw_pipe_writable(in).
 *  - capacity/flags: capacity as zw_status reports it; flags = ZW_STATUS_SEND_FSM/RECV_FSM/
 *    READABLE (the core adds CLOSED). flags must be O(1): it is checked around every send/recv.
 */
#ifndef ZW_SOCKET_H
#define ZW_SOCKET_H

#include <stddef.h>
#include <stdint.h>
#include "zmqw.h"
#include "pipe.h"
#include "route/idmap.h"
#include "route/mtrie.h"

typedef struct zw_socket zw_socket_t;
struct zw_core;

/* One deadline, embedded in its owner and linked into the core's list while armed: arming never
 * allocates, so no timer can be lost to a full heap. */
typedef struct zw_timer zw_timer_t;
struct zw_timer {
    double due;                  /* ms, host's monotonic clock */
    zw_timer_t *prev, *next;     /* the core's armed list; both NULL and armed = 0 otherwise */
    uint8_t armed;
    /* Called once when due, after the timer was unlinked; the owner finds itself with
     * CONTAINER(t, owner_type, member). May free its owner (called from zw_advance only). */
    void (*fire)(struct zw_core *c, zw_timer_t *t);
};

/* What the core knows of a peer once its handshake is done, handed to `connected`. Valid only
 * during that call: a socket type copies what it keeps (into the pipes' priv area). */
typedef struct zw_peer {
    int socket_type;             /* the ZW_* type the peer announced */
    int zmtp_minor;              /* 0 = ZMTP 3.0, 1 = 3.1 (subscriptions, heartbeats) */
    const uint8_t *routing_id;   /* its Identity property; routing_id_len 0 when none or empty */
    uint8_t routing_id_len;
    const uint8_t *props;        /* all of its READY properties, as on the wire (name/value) */
    uint32_t props_len;
} zw_peer_t;

typedef struct zw_sockopts {
    uint8_t routing_id[255];
    uint8_t routing_id_len;
    int32_t linger;              /* ms, -1 = forever */
    int32_t reconnect_ivl;       /* ms, -1 = never */
    int32_t reconnect_ivl_max;   /* ms, 0 = no backoff */
    int32_t sndhwm, rcvhwm;      /* messages, 0 = unlimited */
    int32_t immediate;           /* 1 = dialers get pipes only once connected */
    int32_t handshake_ivl;       /* ms, 0 = no limit */
    int32_t heartbeat_ivl;       /* ms between PINGs, 0 = none */
    int32_t heartbeat_ttl;       /* ms, in tenths of a second (libzmq rounds down), 0 = none */
    int32_t heartbeat_timeout;   /* ms, -1 = heartbeat_ivl */
    int32_t probe_router;        /* REQ, DEALER, ROUTER: send an empty message to each new peer */
    int32_t req_correlate;       /* REQ: prefix requests with a request id, match replies by it */
    int32_t req_relaxed;         /* REQ: send again without waiting for the reply */
    int32_t conflate;            /* pipes hold only their newest message (CONFLATE) */
    int32_t stream_notify;       /* STREAM: announce peers' arrival and departure as [id][""] */
    int32_t xpub_nodrop;         /* PUB/XPUB: send EAGAINs at a matching peer's HWM */
    int32_t xpub_manual;         /* XPUB: subscriptions applied by the application */
    int32_t invert_matching;     /* PUB/SUB/XPUB: deliver where no subscription matches */
    int32_t router_mandatory;    /* ROUTER: an unroutable send fails (EHOSTUNREACH, EAGAIN at HWM) */
    int32_t router_handover;     /* ROUTER: a peer with a routing id in use takes it over */
    uint8_t connect_rid[256];    /* ROUTER, STREAM: [len][id] the next connect names its peer by */
    int64_t maxmsgsize;          /* bytes, -1 = unlimited */
} zw_sockopts_t;

typedef struct zw_sockops {
    int type;
    size_t priv_size;
    void (*init)(zw_socket_t *s);
    void (*fini)(zw_socket_t *s);
    /* A new session's pipes. ZW_OK, ZW_ENOMEM or ZW_EINVAL (s->attach_rid is taken); nothing is
     * kept on error. */
    int (*attach)(zw_socket_t *s, zw_pipe_t *in, zw_pipe_t *out);
    /* Bytes of per-peer state the core allocates (zeroed) with each session; both of its pipes'
     * priv point at it. 0 = none. */
    size_t pipe_priv_size;
    /* Every connection is a new peer (STREAM): a dialer keeps no pipes across reconnects, so what
     * an old connection left is read as that connection's, under its own id. */
    uint8_t peer_per_connection;
    /* The session's peer completed the handshake: its pipes now reach a live peer. ZW_OK keeps
     * it; any other value refuses the peer (PAIR's second peer, ROUTER's duplicate routing id):
     * a ZW_CLOSE_* reason with a static text in *why, and the core closes that connection
     * (`disconnected` follows, as for any lost connection). */
    int (*connected)(zw_socket_t *s, zw_pipe_t *in, zw_pipe_t *out, const zw_peer_t *peer,
                     const char **why);
    /* The session lost its connection; its pipes stay (a dialer will reconnect). */
    void (*disconnected)(zw_socket_t *s, zw_pipe_t *in, zw_pipe_t *out);
    /* The pipe is going away: forget it. */
    void (*detach_in)(zw_socket_t *s, zw_pipe_t *in);
    void (*detach_out)(zw_socket_t *s, zw_pipe_t *out);
    /* in got its first complete message; out fell below HWM. */
    void (*in_ready)(zw_socket_t *s, zw_pipe_t *in);
    void (*out_ready)(zw_socket_t *s, zw_pipe_t *out);
    void (*inbound)(zw_socket_t *s, zw_pipe_t *in, zw_frame_t *f);
    int (*send)(zw_socket_t *s, zw_frame_t *msg);
    int (*recv)(zw_socket_t *s, zw_frame_t **msg, zw_pipe_t **from);
    uint32_t (*capacity)(zw_socket_t *s);
    uint32_t (*flags)(zw_socket_t *s);
    /* Type-specific options (SUBSCRIBE...); NULL = none. */
    int (*setopt)(zw_socket_t *s, int32_t opt, const uint8_t *val, uint32_t len);
} zw_sockops_t;

struct zw_socket {
    struct zw_core *core;
    zw_id id;
    const zw_sockops_t *ops;
    zw_sockopts_t opt;
    uint8_t closing;             /* zw_socket_close was called; lingering */
    uint8_t status_queued;       /* in the core's dirty list: a STATUS effect is owed */
    zw_socket_t *dirty_prev, *dirty_next;   /* the core's dirty list (no allocation to mark) */
    struct zw_session *sessions; /* every session (with pipes) of this socket */
    struct zw_conn *conns;       /* every connection not yet zw_conn_closed */
    struct zw_dialer *dialers;
    uint8_t close_requests;      /* some session has close_requested (zw_socket_close_peer) */
    zw_socket_t *prev, *next;    /* the core's socket list */
    zw_frame_t *prefetch;        /* a received message that did not fit the last zw_recv */
    zw_timer_t linger_timer;
    /* During ops->attach only: [len][id] that connect() named this peer by
     * (ZMQ_CONNECT_ROUTING_ID, ROUTER and STREAM), or NULL. */
    const uint8_t *attach_rid;
    void *priv;                  /* ops->priv_size bytes, allocated with the socket */
};

/* Socket type table. NULL for types not implemented. */
const zw_sockops_t *zw_sockops_find(int type);

/* Option table (socket.c). */
void zw_sockopt_defaults(zw_sockopts_t *o);
int zw_sockopt_set(zw_socket_t *s, int32_t opt, const uint8_t *val, uint32_t len);
int zw_sockopt_get(zw_socket_t *s, int32_t opt, uint8_t *val, uint32_t *inout_len);

/* --- helpers for socket types ------------------------------------------------------------- */

/* Frees frames that carry commands or subscriptions (not data for this socket); 1 if it did. */
int zw_socket_drop_command(zw_frame_t *f);
/* The bytes of a routing id frame f (a message's first, on ROUTER and STREAM sends): f->data, or
 * for a host body a copy in tmp; NULL when f is longer than any routing id (no peer has it). */
const uint8_t *zw_socket_id_bytes(const zw_frame_t *f, uint8_t tmp[ZW_RID_MAX]);
/* The bytes of a message's first frame f that matching it against the subscriptions in t can
 * look at (*n of them: no prefix in t is longer than the bytes t holds): f->data, or for a host
 * body a copy in tmp or in *heap (malloc'd, the caller frees it). NULL when out of memory. */
#define ZW_TOPIC_TMP 256
const uint8_t *zw_socket_topic(const zw_frame_t *f, const zw_trie_t *t, uint8_t tmp[ZW_TOPIC_TMP],
                               uint8_t **heap, size_t *n);
/* Passes data frames into in (HWM already checked by the core), drops commands. */
void zw_socket_inbound_data(zw_socket_t *s, zw_pipe_t *in, zw_frame_t *f);
/* Drops every frame (types that never receive). */
void zw_socket_inbound_drop(zw_socket_t *s, zw_pipe_t *in, zw_frame_t *f);
int zw_socket_send_notsup(zw_socket_t *s, zw_frame_t *msg);
int zw_socket_recv_notsup(zw_socket_t *s, zw_frame_t **msg, zw_pipe_t **from);
void zw_socket_nop_pipe(zw_socket_t *s, zw_pipe_t *p);
void zw_socket_nop_pipes(zw_socket_t *s, zw_pipe_t *in, zw_pipe_t *out);
/* Asks the core to close the connection under `out` (STREAM's zero-length send), after what was
 * queued on it is handed to the connection. Takes effect when the current API call ends, so
 * the pipe stays valid for the rest of the op; `disconnected` follows as for any lost peer. */
void zw_socket_close_peer(zw_socket_t *s, zw_pipe_t *out);
/* PROBE_ROUTER: queues an empty message to a peer that just connected (forced past the HWM, as
 * libzmq sends it on attach). For the connected op of REQ, DEALER and ROUTER. */
void zw_socket_probe(zw_socket_t *s, zw_pipe_t *out);
int zw_socket_accept_peer(zw_socket_t *s, zw_pipe_t *in, zw_pipe_t *out, const zw_peer_t *peer,
                          const char **why);

extern const zw_sockops_t zw_req_ops, zw_rep_ops, zw_pub_ops, zw_sub_ops, zw_push_ops,
    zw_pull_ops, zw_dealer_ops, zw_router_ops, zw_pair_ops, zw_stream_ops,
    zw_xpub_ops, zw_xsub_ops;

#endif
