/* core.c — the core object: ids, sessions and connections, dialers, timers, effects, linger.
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
#include "core.h"

#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "base/frame.h"
#include "engine/engine.h"
#include "pipe.h"
#include "socket/socket.h"

#define OUT_CHUNK 65536u   /* engine output kept ahead of the host, and handed per call */

enum { K_SOCK = 1, K_CONN = 2, K_DIALER = 3 };
enum { T_HANDSHAKE = 1, T_RECONNECT = 2, T_LINGER = 3 };
enum { D_DIALING, D_CONNECTED, D_WAITING, D_IDLE };

typedef struct zw_session zw_session_t;
typedef struct zw_conn zw_conn_t;
typedef struct zw_dialer zw_dialer_t;

struct zw_session {
    zw_pipe_t in, out;       /* peer -> socket, socket -> peer; linked through peer */
    zw_socket_t *sock;
    zw_conn_t *conn;         /* the handshaken connection carrying it, or NULL */
    zw_dialer_t *dialer;     /* the dialer it belongs to, or NULL (accepted) */
    zw_session_t *prev, *next;
    uint8_t persistent;      /* survives its connection (a dialer without IMMEDIATE) */
    uint8_t draining;        /* peer gone for good; freed once the socket read the in pipe */
    uint8_t out_attached;    /* the out pipe is still known to the socket */
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
    uint32_t handed;         /* bytes shown by the last zw_conn_output, consumed at next use */
    uint8_t ready;           /* handshake done */
    uint8_t closing;         /* no more traffic: ZW_FX_CLOSE sent, or the host closed it */
    uint8_t out_signalled;   /* ZW_FX_OUTPUT sent and zw_conn_output has not yet returned 0 */
    uint8_t paused;          /* ZW_FX_PAUSE sent, ZW_FX_RESUME not yet */
    uint8_t blocked;         /* the pump stopped because the in pipe was full */
};

struct zw_dialer {
    zw_id id;
    zw_socket_t *sock;
    zw_session_t *session;   /* its pipes (persistent, or only while connected with IMMEDIATE) */
    zw_conn_t *conn;         /* current transport connection, or NULL */
    zw_timer_t timer;        /* next ZW_FX_DIAL */
    int32_t ivl;             /* current reconnect interval (backoff); 0 = start from the option */
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
    uint32_t rng;
    zw_id next_id;
    double now;
    slot_t *map;             /* open addressing, linear probing, power-of-two size */
    uint32_t map_cap, map_n;
    buf_t fx, fx_out;        /* effects being queued / handed out by the last zw_effects */
    buf_t rbuf;              /* zw_recv output */
    zw_id *dirty;            /* sockets owed a ZW_FX_STATUS (appended when effects are drained) */
    uint32_t ndirty, capdirty;
    zw_timer_t **timers;     /* armed timers, unordered */
    uint32_t ntimers, captimers;
    zw_socket_t *sockets;
    zw_conn_t *zombies;      /* connections whose socket is gone */
    uint32_t closing;        /* sockets lingering */
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

/* --- ids ---------------------------------------------------------------------------------- */

static uint32_t id_hash(zw_id id) { return id * 2654435761u; }

static slot_t *map_find(const zw_core_t *c, zw_id id) {
    if (!c->map_cap || id == 0) return NULL;
    uint32_t mask = c->map_cap - 1;
    for (uint32_t i = id_hash(id) & mask;; i = (i + 1) & mask) {
        if (c->map[i].id == id) return &c->map[i];
        if (c->map[i].id == 0) return NULL;
    }
}

static void *map_get(const zw_core_t *c, zw_id id, uint8_t kind) {
    slot_t *s = map_find(c, id);
    return s && s->kind == kind ? s->obj : NULL;
}

static void map_insert(slot_t *map, uint32_t cap, zw_id id, uint8_t kind, void *obj) {
    uint32_t mask = cap - 1, i = id_hash(id) & mask;
    while (map[i].id) i = (i + 1) & mask;
    map[i] = (slot_t){id, kind, obj};
}

static int map_put(zw_core_t *c, zw_id id, uint8_t kind, void *obj) {
    if ((c->map_n + 1) * 2 > c->map_cap) {
        uint32_t cap = c->map_cap ? c->map_cap * 2 : 64;
        slot_t *m = calloc(cap, sizeof *m);
        if (!m) return ZW_ENOMEM;
        for (uint32_t i = 0; i < c->map_cap; i++)
            if (c->map[i].id) map_insert(m, cap, c->map[i].id, c->map[i].kind, c->map[i].obj);
        free(c->map);
        c->map = m;
        c->map_cap = cap;
    }
    map_insert(c->map, c->map_cap, id, kind, obj);
    c->map_n++;
    return ZW_OK;
}

static void map_del(zw_core_t *c, zw_id id) {
    slot_t *s = map_find(c, id);
    if (!s) return;
    /* Backward-shift deletion keeps probe chains intact without tombstones. */
    uint32_t mask = c->map_cap - 1, i = (uint32_t)(s - c->map), j = i;
    for (;;) {
        j = (j + 1) & mask;
        if (c->map[j].id == 0) break;
        uint32_t k = id_hash(c->map[j].id) & mask;
        int movable = i <= j ? (k <= i || k > j) : (k <= i && k > j);
        if (movable) {
            c->map[i] = c->map[j];
            i = j;
        }
    }
    c->map[i].id = 0;
    c->map_n--;
}

/* A fresh id bound to obj; 0 when out of memory. */
static zw_id id_new(zw_core_t *c, uint8_t kind, void *obj) {
    zw_id id;
    do {
        id = c->next_id++;
    } while (id == 0 || map_find(c, id));
    return map_put(c, id, kind, obj) == ZW_OK ? id : 0;
}

/* --- effects ------------------------------------------------------------------------------ */

static int buf_reserve(buf_t *b, uint32_t extra) {
    if ((uint64_t)b->len + extra <= b->cap) return ZW_OK;
    uint64_t cap = b->cap ? b->cap : 256;
    while (cap < (uint64_t)b->len + extra) cap *= 2;
    if (cap > 0xffffffffu) return ZW_ENOMEM;
    uint8_t *p = realloc(b->p, (size_t)cap);
    if (!p) return ZW_ENOMEM;
    b->p = p;
    b->cap = (uint32_t)cap;
    return ZW_OK;
}

static void put32(uint8_t *p, uint32_t v) {
    p[0] = (uint8_t)v;
    p[1] = (uint8_t)(v >> 8);
    p[2] = (uint8_t)(v >> 16);
    p[3] = (uint8_t)(v >> 24);
}

static uint32_t get32(const uint8_t *p) {
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

/* Queues one effect record. Out of memory loses it (nothing better to do). */
static void fx(zw_core_t *c, uint8_t kind, uint8_t reason, zw_id id, uint32_t arg,
               const char *text) {
    size_t tl = text ? strlen(text) : 0;
    if (tl > 0xffff) tl = 0xffff;
    if (buf_reserve(&c->fx, 12 + (uint32_t)tl) != ZW_OK) return;
    uint8_t *p = c->fx.p + c->fx.len;
    p[0] = kind;
    p[1] = reason;
    p[2] = (uint8_t)tl;
    p[3] = (uint8_t)(tl >> 8);
    put32(p + 4, id);
    put32(p + 8, arg);
    if (tl) memcpy(p + 12, text, tl);
    c->fx.len += 12 + (uint32_t)tl;
}

static void mark_status(zw_socket_t *s) {
    zw_core_t *c = s->core;
    if (s->status_queued) return;
    if (c->ndirty == c->capdirty) {
        uint32_t cap = c->capdirty ? c->capdirty * 2 : 16;
        zw_id *d = realloc(c->dirty, cap * sizeof *d);
        if (!d) return;
        c->dirty = d;
        c->capdirty = cap;
    }
    c->dirty[c->ndirty++] = s->id;
    s->status_queued = 1;
}

/* --- timers ------------------------------------------------------------------------------- */

static void timer_init(zw_timer_t *t, uint8_t kind) {
    t->due = 0;
    t->index = UINT32_MAX;
    t->kind = kind;
}

static void timer_cancel(zw_core_t *c, zw_timer_t *t) {
    if (t->index == UINT32_MAX) return;
    zw_timer_t *last = c->timers[--c->ntimers];
    c->timers[t->index] = last;
    last->index = t->index;
    t->index = UINT32_MAX;
}

static void timer_arm(zw_core_t *c, zw_timer_t *t, double due) {
    t->due = due;
    if (t->index != UINT32_MAX) return;
    if (c->ntimers == c->captimers) {
        uint32_t cap = c->captimers ? c->captimers * 2 : 16;
        zw_timer_t **nt = realloc(c->timers, cap * sizeof *nt);
        if (!nt) return;   /* out of memory: the timer never fires */
        c->timers = nt;
        c->captimers = cap;
    }
    t->index = c->ntimers;
    c->timers[c->ntimers++] = t;
}

/* --- sessions ----------------------------------------------------------------------------- */

static void conn_flush(zw_conn_t *conn);

static void out_on_msg(zw_pipe_t *p) {
    zw_session_t *s = p->session;
    if (s->conn) conn_flush(s->conn);
}

static zw_session_t *session_new(zw_socket_t *sock, zw_dialer_t *d, int persistent) {
    zw_session_t *s = calloc(1, sizeof *s);
    if (!s) return NULL;
    zw_pipe_init(&s->in, (uint32_t)sock->opt.rcvhwm);
    zw_pipe_init(&s->out, (uint32_t)sock->opt.sndhwm);
    s->in.peer = &s->out;
    s->out.peer = &s->in;
    s->in.session = s->out.session = s;
    s->out.on_msg = out_on_msg;
    s->sock = sock;
    s->dialer = d;
    s->persistent = (uint8_t)persistent;
    if (sock->ops->attach(sock, &s->in, &s->out) != ZW_OK) {
        free(s);
        return NULL;
    }
    s->out_attached = 1;
    LIST_ADD(sock->sessions, s);
    mark_status(sock);
    return s;
}

static void session_free(zw_session_t *s) {
    zw_socket_t *sock = s->sock;
    if (s->out_attached) sock->ops->detach_out(sock, &s->out);
    sock->ops->detach_in(sock, &s->in);
    zw_pipe_fini(&s->out);
    zw_pipe_fini(&s->in);
    if (s->dialer && s->dialer->session == s) s->dialer->session = NULL;
    if (s->conn) s->conn->session = NULL;
    LIST_DEL(sock->sessions, s);
    mark_status(sock);
    free(s);
}

/* The peer is gone for good: outbound messages are dropped now; messages already received stay
 * readable (as libzmq's delayed pipe termination) and the session goes once they are read. */
static void session_close(zw_session_t *s) {
    zw_socket_t *sock = s->sock;
    if (s->out_attached) {
        sock->ops->detach_out(sock, &s->out);
        s->out_attached = 0;
    }
    zw_pipe_fini(&s->out);
    zw_pipe_rollback(&s->in);
    if (s->dialer && s->dialer->session == s) s->dialer->session = NULL;
    s->dialer = NULL;
    if (s->in.msgs == 0 || sock->closing) {
        session_free(s);
    } else {
        s->draining = 1;
        mark_status(sock);
    }
}

/* The session's connection stopped carrying traffic. */
static void session_lost(zw_session_t *s) {
    zw_socket_t *sock = s->sock;
    s->in.connected = s->out.connected = 0;
    sock->ops->disconnected(sock, &s->in, &s->out);
    if (s->persistent) {
        zw_pipe_rollback(&s->in);
        s->in.in_state = s->in.in_flag = 0;
        /* Subscriptions still queued were for the old peer; the next one gets them all. */
        zw_pipe_purge_commands(&s->out);
        mark_status(sock);
    } else {
        session_close(s);
    }
}

/* --- connections -------------------------------------------------------------------------- */

static void schedule_reconnect(zw_dialer_t *d);

/* Drops the bytes the host was shown by the last zw_conn_output (it copied them). */
static void conn_settle(zw_conn_t *conn) {
    if (conn->handed) {
        zw_engine_consume(conn->engine, conn->handed);
        conn->handed = 0;
    }
}

static void conn_signal_output(zw_conn_t *conn) {
    if (conn->out_signalled || conn->closing || !conn->sock) return;
    if (zw_engine_pending(conn->engine) > conn->handed) {
        conn->out_signalled = 1;
        fx(conn->core, ZW_FX_OUTPUT, 0, conn->id, conn->sock->id, NULL);
    }
}

static zw_conn_t *conn_new(zw_socket_t *sock, zw_dialer_t *d) {
    zw_core_t *c = sock->core;
    zw_conn_t *conn = calloc(1, sizeof *conn);
    if (!conn) return NULL;
    zw_engine_cfg_t cfg = {
        .socket_type = sock->ops->type,
        .routing_id = sock->opt.routing_id,
        .routing_id_len = sock->opt.routing_id_len,
        .max_msg_size = sock->opt.maxmsgsize,
    };
    conn->engine = zw_engine_new(&cfg);
    if (!conn->engine || !(conn->id = id_new(c, K_CONN, conn))) {
        zw_engine_free(conn->engine);
        free(conn);
        return NULL;
    }
    conn->core = c;
    conn->sock = sock;
    conn->dialer = d;
    timer_init(&conn->hs_timer, T_HANDSHAKE);
    if (sock->opt.handshake_ivl > 0)
        timer_arm(c, &conn->hs_timer, c->now + sock->opt.handshake_ivl);
    LIST_ADD(sock->conns, conn);
    conn_signal_output(conn);   /* our greeting */
    return conn;
}

/* Moves whole messages from the out pipe into the engine while it holds < OUT_CHUNK. */
static void conn_flush(zw_conn_t *conn) {
    zw_session_t *s = conn->session;
    if (!conn->ready || conn->closing || !s) return;
    conn_settle(conn);
    zw_pipe_t *out = &s->out;
    int was_full = zw_pipe_full(out);
    while (out->msgs && zw_engine_pending(conn->engine) < OUT_CHUNK) {
        zw_frame_t *f = zw_pipe_read(out);
        while (f) {
            zw_frame_t *next = f->next;
            f->next = NULL;
            (void)zw_engine_write(conn->engine, f);   /* failure shows as engine ERROR */
            f = next;
        }
    }
    if (was_full && !zw_pipe_full(out)) {
        s->sock->ops->out_ready(s->sock, out);
        mark_status(s->sock);
    }
    conn_signal_output(conn);
}

/* Stops using conn: detaches it from its session and dialer (which schedules a re-dial). */
static void conn_detach(zw_conn_t *conn) {
    zw_core_t *c = conn->core;
    timer_cancel(c, &conn->hs_timer);
    zw_session_t *s = conn->session;
    if (s) {
        conn->session = NULL;
        s->conn = NULL;
        session_lost(s);
    }
    zw_dialer_t *d = conn->dialer;
    if (d) {
        conn->dialer = NULL;
        if (d->conn == conn) {
            d->conn = NULL;
            schedule_reconnect(d);
        }
    }
}

/* The connection must go: tells the host (ZW_FX_CLOSE) and stops using it. */
static void conn_fail(zw_conn_t *conn, int reason, const char *text) {
    if (conn->closing) return;
    conn->closing = 1;
    fx(conn->core, ZW_FX_CLOSE, (uint8_t)reason, conn->id, conn->sock ? conn->sock->id : 0, text);
    if (conn->sock) conn_detach(conn);
}

static void conn_fail_engine(zw_conn_t *conn) {
    const char *text = NULL;
    int reason = zw_engine_error(conn->engine, &text);
    conn_fail(conn, reason, text ? text : "protocol error");
}

/* Moves decoded frames from the engine into the socket while the in pipe has room. */
static void conn_pump(zw_conn_t *conn) {
    if (!conn->ready || conn->closing) return;
    zw_socket_t *sock = conn->sock;
    zw_session_t *s = conn->session;
    zw_frame_t *f;
    conn->blocked = 0;
    if (!s || sock->closing) {
        while ((f = zw_engine_next(conn->engine))) zw_frame_free(f);
    } else {
        zw_pipe_t *in = &s->in;
        for (;;) {
            if (!zw_pipe_writable(in)) {
                conn->blocked = 1;
                break;
            }
            if (!(f = zw_engine_next(conn->engine))) break;
            int had = in->msgs > 0;
            sock->ops->inbound(sock, in, f);
            if (!had && in->msgs) {
                sock->ops->in_ready(sock, in);
                mark_status(sock);
            }
        }
    }
    if (conn->blocked && !conn->paused) {
        conn->paused = 1;
        fx(conn->core, ZW_FX_PAUSE, 0, conn->id, sock->id, NULL);
    } else if (!conn->blocked && conn->paused) {
        conn->paused = 0;
        fx(conn->core, ZW_FX_RESUME, 0, conn->id, sock->id, NULL);
    }
    if (zw_engine_state(conn->engine) == ZW_ENGINE_ERROR) conn_fail_engine(conn);
    else conn_signal_output(conn);
}

static void conn_ready(zw_conn_t *conn) {
    zw_core_t *c = conn->core;
    zw_socket_t *sock = conn->sock;
    conn->ready = 1;
    timer_cancel(c, &conn->hs_timer);
    fx(c, ZW_FX_HANDSHAKE, 0, conn->id, sock->id, NULL);
    zw_dialer_t *d = conn->dialer;
    zw_session_t *s = d ? d->session : NULL;
    if (d) d->ivl = 0;   /* success resets the backoff */
    if (!s && !sock->closing) {
        s = session_new(sock, d, 0);
        if (!s) {
            conn_fail(conn, ZW_CLOSE_NO_MEMORY, "out of memory");
            return;
        }
        if (d) d->session = s;
    }
    if (s) {
        s->conn = conn;
        conn->session = s;
        s->in.connected = s->out.connected = 1;
        sock->ops->connected(sock, &s->in, &s->out);
        mark_status(sock);
        conn_flush(conn);
    }
    conn_pump(conn);
}

/* After the engine saw input or output: errors, handshake completion, decoded frames. */
static void conn_process(zw_conn_t *conn) {
    zw_engine_state_t st = zw_engine_state(conn->engine);
    if (st == ZW_ENGINE_ERROR) conn_fail_engine(conn);
    else if (!conn->ready && st == ZW_ENGINE_READY) conn_ready(conn);
    else if (conn->ready) conn_pump(conn);
    else conn_signal_output(conn);
}

static void conn_free(zw_conn_t *conn) {
    zw_engine_free(conn->engine);
    free(conn);
}

/* --- dialers ------------------------------------------------------------------------------ */

static void schedule_reconnect(zw_dialer_t *d) {
    zw_socket_t *sock = d->sock;
    zw_core_t *c = sock->core;
    int32_t base = sock->opt.reconnect_ivl, max = sock->opt.reconnect_ivl_max;
    if (base < 0) {
        d->state = D_IDLE;
        return;
    }
    if (d->ivl <= 0) d->ivl = base;
    d->state = D_WAITING;
    timer_arm(c, &d->timer, c->now + d->ivl);
    /* libzmq's backoff: double up to the maximum, only when the maximum is above the base. */
    if (max > base && d->ivl < max) d->ivl = d->ivl > max / 2 ? max : d->ivl * 2;
}

static void dialer_free(zw_core_t *c, zw_dialer_t *d) {
    timer_cancel(c, &d->timer);
    if (d->session) d->session->dialer = NULL;
    fx(c, ZW_FX_DIAL_STOP, 0, d->id, d->sock->id, NULL);
    map_del(c, d->id);
    LIST_DEL(d->sock->dialers, d);
    free(d);
}

/* --- sockets ------------------------------------------------------------------------------ */

static zw_socket_t *sock_get(zw_core_t *c, zw_id id) { return map_get(c, id, K_SOCK); }

/* Frees the socket now: connections become zombies (until zw_conn_closed), dialers stop. */
static void socket_finish(zw_socket_t *sock) {
    zw_core_t *c = sock->core;
    if (sock->closing) c->closing--;
    timer_cancel(c, &sock->linger_timer);
    while (sock->conns) {
        zw_conn_t *conn = sock->conns;
        LIST_DEL(sock->conns, conn);
        timer_cancel(c, &conn->hs_timer);
        if (!conn->closing) {
            conn->closing = 1;
            fx(c, ZW_FX_CLOSE, ZW_CLOSE_NONE, conn->id, sock->id, "socket closed");
        }
        if (conn->session) conn->session->conn = NULL;
        conn->session = NULL;
        conn->dialer = NULL;
        conn->sock = NULL;
        LIST_ADD(c->zombies, conn);
    }
    while (sock->dialers) dialer_free(c, sock->dialers);
    while (sock->sessions) session_free(sock->sessions);
    sock->ops->fini(sock);
    zw_msg_free(sock->prefetch);
    map_del(c, sock->id);
    fx(c, ZW_FX_SOCKET_GONE, 0, sock->id, 0, NULL);
    LIST_DEL(c->sockets, sock);
    free(sock);
}

/* Whether a lingering socket has nothing left to write. */
static int linger_done(zw_socket_t *sock) {
    for (zw_session_t *s = sock->sessions; s; s = s->next)
        if (s->out.msgs) return 0;
    for (zw_conn_t *conn = sock->conns; conn; conn = conn->next)
        if (conn->ready && !conn->closing && zw_engine_pending(conn->engine) > conn->handed)
            return 0;
    return 1;
}

static void settle_closing(zw_core_t *c) {
    if (!c->closing) return;
    zw_socket_t *next;
    for (zw_socket_t *s = c->sockets; s; s = next) {
        next = s->next;
        if (s->closing && linger_done(s)) socket_finish(s);
    }
}

/* --- core --------------------------------------------------------------------------------- */

zw_core_t *zw_core_new(uint32_t seed) {
    zw_core_t *c = calloc(1, sizeof *c);
    if (!c) return NULL;
    c->rng = seed ? seed : 0x9e3779b9u;
    c->next_id = 1;
    return c;
}

void zw_core_free(zw_core_t *c) {
    if (!c) return;
    while (c->sockets) socket_finish(c->sockets);
    while (c->zombies) {
        zw_conn_t *conn = c->zombies;
        LIST_DEL(c->zombies, conn);
        conn_free(conn);
    }
    free(c->map);
    free(c->fx.p);
    free(c->fx_out.p);
    free(c->rbuf.p);
    free(c->dirty);
    free(c->timers);
    free(c);
}

uint32_t zw_core_random(zw_core_t *c) {
    uint32_t x = c->rng;
    x ^= x << 13;
    x ^= x >> 17;
    x ^= x << 5;
    return c->rng = x;
}

static void timer_fire(zw_core_t *c, zw_timer_t *t) {
    switch (t->kind) {
    case T_HANDSHAKE:
        conn_fail(CONTAINER(t, zw_conn_t, hs_timer), ZW_CLOSE_HANDSHAKE_TIMEOUT,
                  "handshake timed out");
        break;
    case T_RECONNECT: {
        zw_dialer_t *d = CONTAINER(t, zw_dialer_t, timer);
        d->state = D_DIALING;
        fx(c, ZW_FX_DIAL, 0, d->id, d->sock->id, NULL);
        break;
    }
    case T_LINGER:
        socket_finish(CONTAINER(t, zw_socket_t, linger_timer));
        break;
    }
}

zw_err zw_core_advance(zw_core_t *c, double now_ms, double *out_next) {
    if (!out_next) return ZW_EINVAL;
    if (now_ms > c->now) c->now = now_ms;
    for (;;) {
        zw_timer_t *due = NULL;
        for (uint32_t i = 0; i < c->ntimers && !due; i++)
            if (c->timers[i]->due <= c->now) due = c->timers[i];
        if (!due) break;
        timer_cancel(c, due);
        timer_fire(c, due);
    }
    settle_closing(c);
    double next = -1;
    for (uint32_t i = 0; i < c->ntimers; i++)
        if (next < 0 || c->timers[i]->due < next) next = c->timers[i]->due;
    *out_next = next;
    return ZW_OK;
}

zw_err zw_core_socket_open(zw_core_t *c, int32_t type, zw_id *out_sock) {
    const zw_sockops_t *ops = zw_sockops_find(type);
    if (!ops) return ZW_EINVAL;
    if (!out_sock) return ZW_EINVAL;
    size_t head = (sizeof(zw_socket_t) + 15) & ~(size_t)15;
    zw_socket_t *s = calloc(1, head + ops->priv_size);
    if (!s) return ZW_ENOMEM;
    s->core = c;
    s->ops = ops;
    s->priv = (uint8_t *)s + head;
    zw_sockopt_defaults(&s->opt);
    timer_init(&s->linger_timer, T_LINGER);
    if (!(s->id = id_new(c, K_SOCK, s))) {
        free(s);
        return ZW_ENOMEM;
    }
    ops->init(s);
    LIST_ADD(c->sockets, s);
    *out_sock = s->id;
    return ZW_OK;
}

zw_err zw_core_socket_close(zw_core_t *c, zw_id id) {
    zw_socket_t *s = sock_get(c, id);
    if (!s || s->closing) return ZW_ENOTSOCK;
    s->closing = 1;
    c->closing++;
    mark_status(s);
    zw_msg_free(s->prefetch);
    s->prefetch = NULL;
    /* Received messages are dropped at once (as libzmq); outbound ones linger. */
    zw_session_t *next;
    for (zw_session_t *ss = s->sessions; ss; ss = next) {
        next = ss->next;
        if (ss->draining) {
            session_free(ss);
        } else {
            zw_pipe_fini(&ss->in);
            ss->in.in_state = ss->in.in_flag = 0;
        }
    }
    for (zw_conn_t *conn = s->conns; conn; conn = conn->next)
        if (conn->blocked) conn_pump(conn);
    if (s->opt.linger == 0) socket_finish(s);
    else if (s->opt.linger > 0) timer_arm(c, &s->linger_timer, c->now + s->opt.linger);
    settle_closing(c);
    return ZW_OK;
}

zw_err zw_core_setopt(zw_core_t *c, zw_id id, int32_t opt, const uint8_t *val, uint32_t len) {
    zw_socket_t *s = sock_get(c, id);
    if (!s || s->closing) return ZW_ENOTSOCK;
    return zw_sockopt_set(s, opt, val, len);
}

zw_err zw_core_getopt(zw_core_t *c, zw_id id, int32_t opt, uint8_t *val, uint32_t *inout_len) {
    zw_socket_t *s = sock_get(c, id);
    if (!s) return ZW_ENOTSOCK;
    return zw_sockopt_get(s, opt, val, inout_len);
}

zw_err zw_core_accept(zw_core_t *c, zw_id id, zw_id *out_conn) {
    zw_socket_t *s = sock_get(c, id);
    if (!s || s->closing) return ZW_ENOTSOCK;
    if (!out_conn) return ZW_EINVAL;
    zw_conn_t *conn = conn_new(s, NULL);
    if (!conn) return ZW_ENOMEM;
    *out_conn = conn->id;
    return ZW_OK;
}

zw_err zw_core_connect(zw_core_t *c, zw_id id, zw_id *out_dialer) {
    zw_socket_t *s = sock_get(c, id);
    if (!s || s->closing) return ZW_ENOTSOCK;
    if (!out_dialer) return ZW_EINVAL;
    zw_dialer_t *d = calloc(1, sizeof *d);
    if (!d) return ZW_ENOMEM;
    d->sock = s;
    timer_init(&d->timer, T_RECONNECT);
    if (!(d->id = id_new(c, K_DIALER, d))) {
        free(d);
        return ZW_ENOMEM;
    }
    if (!s->opt.immediate && !(d->session = session_new(s, d, 1))) {
        map_del(c, d->id);
        free(d);
        return ZW_ENOMEM;
    }
    LIST_ADD(s->dialers, d);
    d->state = D_DIALING;
    fx(c, ZW_FX_DIAL, 0, d->id, s->id, NULL);
    *out_dialer = d->id;
    return ZW_OK;
}

zw_err zw_core_disconnect(zw_core_t *c, zw_id id) {
    zw_dialer_t *d = map_get(c, id, K_DIALER);
    if (!d) return ZW_ENOENT;
    zw_socket_t *sock = d->sock;
    if (d->conn) {
        zw_conn_t *conn = d->conn;
        d->conn = NULL;
        conn->dialer = NULL;
        conn_fail(conn, ZW_CLOSE_NONE, "disconnected");
    }
    if (d->session) {
        zw_session_t *s = d->session;
        d->session = NULL;
        s->dialer = NULL;
        session_close(s);
    }
    dialer_free(c, d);
    mark_status(sock);
    settle_closing(c);
    return ZW_OK;
}

zw_err zw_core_dial_result(zw_core_t *c, zw_id id, int32_t ok, zw_id *out_conn) {
    zw_dialer_t *d = map_get(c, id, K_DIALER);
    if (!d) return ZW_ENOENT;
    if (d->state != D_DIALING) return ZW_EINVAL;
    if (!ok) {
        schedule_reconnect(d);
        return ZW_OK;
    }
    if (!out_conn) return ZW_EINVAL;
    zw_conn_t *conn = conn_new(d->sock, d);
    if (!conn) {
        schedule_reconnect(d);
        return ZW_ENOMEM;
    }
    d->conn = conn;
    d->state = D_CONNECTED;
    *out_conn = conn->id;
    return ZW_OK;
}

zw_err zw_core_conn_input(zw_core_t *c, zw_id id, const uint8_t *data, uint32_t len) {
    zw_conn_t *conn = map_get(c, id, K_CONN);
    if (!conn) return ZW_ENOENT;
    if (len && !data) return ZW_EINVAL;
    if (conn->closing || !conn->sock) return ZW_OK;   /* going away: input is moot */
    conn_settle(conn);
    (void)zw_engine_input(conn->engine, data, len);
    conn_process(conn);
    int failed = conn->closing;
    settle_closing(c);
    return failed ? ZW_EPROTO : ZW_OK;
}

zw_err zw_core_conn_output(zw_core_t *c, zw_id id, const uint8_t **out_ptr, uint32_t *out_len) {
    zw_conn_t *conn = map_get(c, id, K_CONN);
    if (!conn) return ZW_ENOENT;
    if (!out_ptr || !out_len) return ZW_EINVAL;
    conn_settle(conn);
    if (conn->sock) conn_flush(conn);
    uint32_t n = 0;
    const uint8_t *p = zw_engine_output(conn->engine, OUT_CHUNK, &n);
    conn->handed = n;   /* consumed at the next use of the engine: p stays valid until then */
    if (n == 0) conn->out_signalled = 0;
    if (conn->sock && zw_engine_state(conn->engine) == ZW_ENGINE_ERROR) conn_fail_engine(conn);
    settle_closing(c);
    *out_ptr = p;
    *out_len = n;
    return ZW_OK;
}

zw_err zw_core_conn_closed(zw_core_t *c, zw_id id) {
    zw_conn_t *conn = map_get(c, id, K_CONN);
    if (!conn) return ZW_ENOENT;
    if (conn->sock) {
        if (!conn->closing) {
            conn->closing = 1;
            conn_detach(conn);
        }
        timer_cancel(c, &conn->hs_timer);
        LIST_DEL(conn->sock->conns, conn);
    } else {
        LIST_DEL(c->zombies, conn);
    }
    map_del(c, conn->id);
    conn_free(conn);
    settle_closing(c);
    return ZW_OK;
}

/* --- messages ----------------------------------------------------------------------------- */

/* Whether batch is a sequence of whole frames ending with a whole message. */
static int batch_valid(const uint8_t *b, uint32_t len) {
    uint32_t pos = 0, more = 0;
    while (pos < len) {
        if (len - pos < 4) return 0;
        uint32_t h = get32(b + pos), n = h & ZW_BATCH_LEN_MASK;
        pos += 4;
        if (n > len - pos) return 0;
        pos += n;
        more = h & ZW_BATCH_MORE;
    }
    return !more;
}

/* Builds the message starting at *pos (valid batch), advancing *pos; NULL if out of memory. */
static zw_frame_t *batch_msg(const uint8_t *b, uint32_t *pos) {
    zw_frame_t *head = NULL, **tail = &head;
    for (;;) {
        uint32_t h = get32(b + *pos), n = h & ZW_BATCH_LEN_MASK;
        zw_frame_t *f = zw_frame_dup(b + *pos + 4, n, (h & ZW_BATCH_MORE) ? ZW_FRAME_MORE : 0);
        if (!f) {
            zw_msg_free(head);
            return NULL;
        }
        *pos += 4 + n;
        *tail = f;
        tail = &f->next;
        if (!(h & ZW_BATCH_MORE)) return head;
    }
}

zw_err zw_core_send(zw_core_t *c, zw_id id, const uint8_t *batch, uint32_t len,
                    uint32_t *out_msgs) {
    zw_socket_t *s = sock_get(c, id);
    if (!s || s->closing) return ZW_ENOTSOCK;
    if (!out_msgs || (len && !batch)) return ZW_EINVAL;
    if (!batch_valid(batch, len)) return ZW_EMSGSIZE;
    uint32_t before = s->ops->flags(s), pos = 0, n = 0;
    zw_err rc = ZW_OK;
    while (pos < len) {
        uint32_t start = pos;
        zw_frame_t *msg = batch_msg(batch, &pos);
        if (!msg) {
            if (n == 0) rc = ZW_ENOMEM;
            break;
        }
        int r = s->ops->send(s, msg);
        if (r != ZW_OK) {
            zw_msg_free(msg);
            pos = start;
            if (n == 0 && r != ZW_EAGAIN) rc = (zw_err)r;
            break;
        }
        n++;
    }
    if (s->ops->flags(s) != before) mark_status(s);
    if (rc == ZW_OK) *out_msgs = n;
    return rc;
}

/* After the socket read from pipe `from`: a drained orphan session goes, a paused connection
 * may resume. */
static void after_read(zw_pipe_t *from) {
    zw_session_t *s = from->session;
    if (s->draining) {
        if (!from->msgs) session_free(s);
    } else if (s->conn && s->conn->blocked) {
        conn_pump(s->conn);
    }
}

static uint32_t msg_bytes(const zw_frame_t *m) {
    uint64_t n = 0;
    for (; m; m = m->next) n += 4 + (uint64_t)m->size;
    return n > 0xffffffffu ? 0xffffffffu : (uint32_t)n;
}

zw_err zw_core_recv(zw_core_t *c, zw_id id, uint32_t max_msgs, uint32_t max_bytes,
                    const uint8_t **out_ptr, uint32_t *out_len, uint32_t *out_msgs) {
    zw_socket_t *s = sock_get(c, id);
    if (!s || s->closing) return ZW_ENOTSOCK;
    if (!out_ptr || !out_len || !out_msgs) return ZW_EINVAL;
    uint32_t before = s->ops->flags(s) | (s->prefetch ? ZW_STATUS_READABLE : 0);
    uint32_t n = 0;
    zw_err rc = ZW_OK;
    c->rbuf.len = 0;
    while (max_msgs == 0 || n < max_msgs) {
        zw_frame_t *m = s->prefetch;
        s->prefetch = NULL;
        if (!m) {
            zw_pipe_t *from = NULL;
            int r = s->ops->recv(s, &m, &from);
            if (r != ZW_OK) {
                if (n == 0 && r != ZW_EAGAIN) rc = (zw_err)r;
                break;
            }
            after_read(from);
            if (!m) continue;   /* dropped by the socket */
        }
        uint32_t size = msg_bytes(m);
        if ((n > 0 && (uint64_t)c->rbuf.len + size > max_bytes) ||
            buf_reserve(&c->rbuf, size) != ZW_OK) {
            s->prefetch = m;   /* first in line next time */
            if (n == 0) rc = ZW_ENOMEM;
            break;
        }
        for (zw_frame_t *f = m; f; f = f->next) {
            uint8_t *p = c->rbuf.p + c->rbuf.len;
            put32(p, f->size | (f->next ? ZW_BATCH_MORE : 0));
            memcpy(p + 4, f->data, f->size);
            c->rbuf.len += 4 + f->size;
        }
        zw_msg_free(m);
        n++;
    }
    uint32_t after = s->ops->flags(s) | (s->prefetch ? ZW_STATUS_READABLE : 0);
    if (after != before) mark_status(s);
    if (rc != ZW_OK) return rc;
    *out_ptr = c->rbuf.p;
    *out_len = c->rbuf.len;
    *out_msgs = n;
    return ZW_OK;
}

zw_err zw_core_status(zw_core_t *c, zw_id id, uint32_t *out_capacity, uint32_t *out_flags) {
    zw_socket_t *s = sock_get(c, id);
    if (!s) return ZW_ENOTSOCK;
    if (!out_capacity || !out_flags) return ZW_EINVAL;
    if (s->closing) {
        *out_capacity = 0;
        *out_flags = ZW_STATUS_CLOSED;
        return ZW_OK;
    }
    *out_capacity = s->ops->capacity(s);
    *out_flags = s->ops->flags(s) | (s->prefetch ? ZW_STATUS_READABLE : 0);
    return ZW_OK;
}

zw_err zw_core_effects(zw_core_t *c, const uint8_t **out_ptr, uint32_t *out_len) {
    if (!out_ptr || !out_len) return ZW_EINVAL;
    for (uint32_t i = 0; i < c->ndirty; i++) {
        zw_socket_t *s = sock_get(c, c->dirty[i]);
        if (!s) continue;
        s->status_queued = 0;
        fx(c, ZW_FX_STATUS, 0, s->id, 0, NULL);
    }
    c->ndirty = 0;
    buf_t t = c->fx_out;
    c->fx_out = c->fx;
    c->fx = t;
    c->fx.len = 0;
    *out_ptr = c->fx_out.p;
    *out_len = c->fx_out.len;
    return ZW_OK;
}
