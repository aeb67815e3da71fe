/* internal.h — what the core's files (src/core/) share: its private structs, and the functions
 * that cross files. Only the files in src/core/ include it; everything else goes through core.h.
 *
 * The core object: ids, sessions and connections, dialers, timers, effects, linger.
 *
 * Data path, per connection:
 *   in:  zw_conn_input -> engine -> (pump, while the in pipe has room) socket inbound -> in pipe
 *        -> socket recv (fq, ...) -> zw_recv batch
 *   out: zw_send batch -> socket send (lb, dist, ...) -> out pipe -> (flush, while the engine
 *        holds < 64 KiB) engine -> zw_conn_output
 * Backpressure: a full in pipe stops the pump (ZW_FX_PAUSE; ZW_FX_RESUME once the socket reads);
 * an engine holding 64 KiB stops the flush, so the out pipe fills and the socket stops taking
 * messages (its capacity falls to 0).
 *
 * Re-entrancy rule: socket ops and pipe hooks may flush (move frames to an engine) but never
 * free sessions, sockets or connections; anything that frees is done from the API entry points,
 * and lingering sockets are finished in settle_closing() at the end of each entry point.
 */
#ifndef ZW_CORE_INTERNAL_H
#define ZW_CORE_INTERNAL_H

#include <stddef.h>
#include <stdint.h>

#include "base/frame.h"
#include "core.h"
#include "engine/engine.h"
#include "pipe.h"
#include "socket/socket.h"

#define OUT_CHUNK 65536u   /* engine output kept ahead of the host, and handed per call */

enum { K_SOCK = 1, K_CONN = 2, K_DIALER = 3, K_INPROC = 4 };
enum { D_DIALING, D_CONNECTED, D_WAITING, D_IDLE };

typedef struct zw_session zw_session_t;
typedef struct zw_conn zw_conn_t;
typedef struct zw_dialer zw_dialer_t;
typedef struct zw_inproc zw_inproc_t;
typedef struct zw_inproc_name zw_inproc_name_t;

struct zw_session {
    zw_pipe_t in, out;       /* peer -> socket, socket -> peer; linked through peer */
    zw_socket_t *sock;
    zw_conn_t *conn;         /* the handshaken connection carrying it, or NULL */
    zw_dialer_t *dialer;     /* the dialer it belongs to, or NULL (accepted) */
    zw_inproc_t *inproc;     /* the inproc link it is one end of, or NULL (see inproc.c) */
    zw_session_t *prev, *next;
    uint8_t persistent;      /* survives its connection (a dialer without IMMEDIATE) */
    uint8_t draining;        /* peer gone for good; freed once the socket read the in pipe */
    uint8_t out_attached;    /* the out pipe is still known to the socket */
    uint8_t close_requested; /* the socket asked to close its connection (zw_socket_close_peer) */
};

struct zw_conn {
    zw_id id;
    zw_core_t *core;
    zw_socket_t *sock;       /* NULL once the socket is gone (kept until zw_conn_closed) */
    zw_engine_t *engine;
    zw_session_t *session;   /* set from handshake until the connection stops carrying traffic */
    zw_dialer_t *dialer;     /* the dialer that asked for it, or NULL (accepted) */
    zw_conn_t *prev, *next;  /* socket's conns, or the core's zombies */
    zw_timer_t hs_timer;
    zw_timer_t hb_ivl;       /* heartbeats (heartbeat.c): the next PING */
    zw_timer_t hb_timeout;   /* traffic due since our PING */
    zw_timer_t hb_ttl;       /* traffic due within the TTL of the peer's PING */
    uint32_t handed;         /* bytes shown by the last zw_conn_output, consumed at next use */
    uint8_t ready;           /* handshake done */
    uint8_t closing;         /* no more traffic: ZW_FX_CLOSE sent, or the host closed it */
    uint8_t out_signalled;   /* ZW_FX_OUTPUT sent and zw_conn_output has not yet returned 0 */
    uint8_t paused;          /* ZW_FX_PAUSE sent, ZW_FX_RESUME not yet */
    uint8_t transport_gone;  /* in zw_conn_closed: the host has forgotten the id, tell it nothing */
    uint8_t blocked;         /* the pump stopped because the in pipe was full */
};

struct zw_dialer {
    zw_id id;
    zw_socket_t *sock;
    zw_session_t *session;   /* its pipes (persistent, or only while connected with IMMEDIATE) */
    zw_conn_t *conn;         /* current transport connection, or NULL */
    zw_timer_t timer;        /* next ZW_FX_DIAL */
    int32_t ivl;             /* current reconnect interval (backoff); 0 = start from the option */
    uint8_t *rid;            /* [len][id] its connect named the peer by, or NULL (heap) */
    uint8_t state;           /* D_* */
    zw_dialer_t *prev, *next;
};

typedef struct buf {
    uint8_t *p;
    uint32_t len, cap;
} buf_t;

typedef struct slot {
    zw_id id;                /* 0 = free */
    uint8_t kind;
    void *obj;
} slot_t;

struct zw_core {
    zw_entropy_fn entropy;
    void *entropy_ctx;
    zw_id next_id;
    double now;
    slot_t *map;             /* open addressing, linear probing, power-of-two size */
    uint32_t map_cap, map_n;
    buf_t fx, fx_out;        /* effects being queued / handed out by the last zw_effects */
    buf_t rbuf;              /* zw_recv output */
    zw_socket_t *dirty;      /* sockets owed a ZW_FX_STATUS (queued when effects are drained) */
    zw_timer_t *timers;      /* armed timers, unordered */
    uint8_t fx_lost;         /* an effect could not be queued: zw_effects fails from now on */
    uint8_t close_requests;  /* some socket has close_requests (zw_socket_close_peer) */
    zw_socket_t *sockets;
    zw_conn_t *zombies;      /* connections whose socket is gone */
    uint32_t closing;        /* sockets lingering */
    zw_inproc_name_t *inproc_names;   /* every bound inproc name */
    zw_inproc_t *inprocs;    /* every inproc connect, linked or pending */
    zw_body_host_t bodies;   /* how ref frames reach the host's bodies (reader, ZW_FX_RELEASE) */
    zw_body_read_fn body_read;
    void *body_ctx;
    uint8_t bodies_quiet;    /* freeing frames the host still owns (a message not taken) */
    uint8_t freeing;         /* zw_core_free: nobody is left to hear of released bodies */
};

#define LIST_ADD(head, x)                                                                    \
    do {                                                                                     \
        (x)->prev = NULL;                                                                    \
        (x)->next = (head);                                                                  \
        if (head) (head)->prev = (x);                                                        \
        (head) = (x);                                                                        \
    } while (0)
#define LIST_DEL(head, x)                                                                    \
    do {                                                                                     \
        if ((x)->prev) (x)->prev->next = (x)->next; else (head) = (x)->next;                 \
        if ((x)->next) (x)->next->prev = (x)->prev;                                          \
        (x)->prev = (x)->next = NULL;                                                        \
    } while (0)
#define CONTAINER(ptr, type, member) ((type *)(void *)((char *)(ptr) - offsetof(type, member)))

/* ids.c */
void *map_get(const zw_core_t *c, zw_id id, uint8_t kind);
void map_del(zw_core_t *c, zw_id id);
zw_id id_new(zw_core_t *c, uint8_t kind, void *obj);

/* effects.c */
int buf_reserve(buf_t *b, uint32_t extra);
void put32(uint8_t *p, uint32_t v);
void fx(zw_core_t *c, uint8_t kind, uint8_t reason, zw_id id, uint32_t arg, const char *text);
void mark_status(zw_socket_t *s);
void unmark_status(zw_socket_t *s);

/* timers.c */
void timer_init(zw_timer_t *t, void (*fire)(zw_core_t *c, zw_timer_t *t));
void timer_cancel(zw_core_t *c, zw_timer_t *t);
void timer_arm(zw_core_t *c, zw_timer_t *t, double due);

/* sessions.c */
/* A session of sock (for dialer d, or accepted/inproc when d is NULL), its pipes attached to the
 * socket. rid: [len][id] connect() named the peer by (ZMQ_CONNECT_ROUTING_ID), or NULL. ZW_OK
 * with *out, or the socket's refusal (ZW_EINVAL: rid in use) or ZW_ENOMEM. */
int session_new(zw_socket_t *sock, zw_dialer_t *d, int persistent, const uint8_t *rid,
                zw_session_t **out);
/* Takes the socket's ZMQ_CONNECT_ROUTING_ID for one connect (libzmq clears it once used): a heap
 * copy [len][id], or NULL when unset. *ok = 0 if out of memory. */
uint8_t *connect_rid_take(zw_socket_t *sock, int *ok);
void session_free(zw_session_t *s);
void session_close(zw_session_t *s);
void session_lost(zw_session_t *s);
void sessions_close_requested(zw_core_t *c);

/* conns.c */
zw_conn_t *conn_new(zw_socket_t *sock, zw_dialer_t *d, zw_engine_kind_t kind, int bare);
zw_err conn_engine_kind(int32_t framing, int type, zw_engine_kind_t *out, int *bare);
/* After the engine saw input or output, or was just made: errors, handshake done, frames. */
void conn_process(zw_conn_t *conn);
void conn_flush(zw_conn_t *conn);
void conn_fail(zw_conn_t *conn, int reason, const char *text);
void conn_pump(zw_conn_t *conn);
void conn_free(zw_conn_t *conn);
/* heartbeat.c */
void heartbeat_init(zw_conn_t *conn);
void heartbeat_start(zw_conn_t *conn);   /* at the handshake */
void heartbeat_input(zw_conn_t *conn);   /* the peer sent something */
void heartbeat_stop(zw_conn_t *conn);

/* dialers.c */
void schedule_reconnect(zw_dialer_t *d);
void dialer_free(zw_core_t *c, zw_dialer_t *d);

/* inproc.c */
void inproc_pull(zw_session_t *s);
zw_err inproc_disconnect(zw_core_t *c, zw_id id);
void inproc_socket_close(zw_socket_t *sock);
void inproc_socket_finish(zw_socket_t *sock);

/* sockets.c */
zw_socket_t *sock_get(zw_core_t *c, zw_id id);
void socket_finish(zw_socket_t *sock);
void settle_closing(zw_core_t *c);

#endif
