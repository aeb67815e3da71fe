/* net.h — test harness: several cores wired back to back in memory.
 *
 * A node is one core (one "process"). net_run() plays the host for every node until nothing
 * moves: drains effects (logging them), answers ZW_FX_DIAL through the route table, copies each
 * connection's output into its peer's input (holding bytes while the reader is paused, as a
 * kernel buffer would), and closes both ends of a link when either side asks.
 */
#ifndef ZW_TEST_NET_H
#define ZW_TEST_NET_H

#include <stdarg.h>
#include <stdlib.h>
#include "core.h"
#include "base/frame.h"
#include "test.h"

#define NET_MAX 16
#define LOG_MAX 4096

typedef struct fxrec {
    uint8_t kind, reason;
    zw_id id;
    uint32_t arg;
} fxrec_t;

typedef struct node {
    zw_core_t *core;
    uint32_t rng;          /* this node's deterministic entropy (xorshift from its seed) */
    double now;
    fxrec_t log[LOG_MAX];
    int nlog;
} node_t;

typedef struct pending {
    uint8_t *p;
    size_t len, cap;
} pending_t;

typedef struct link {
    node_t *n[2];
    zw_id c[2];
    pending_t q[2];        /* bytes in flight towards side i */
    int paused[2];         /* side i asked to stop reading */
    int closing, alive;
    int frozen;            /* test holds traffic: nothing moves */
    uint32_t wanted[2];    /* side i's core asked for a body of this size (collected from q) */
} link_t;

typedef struct route {
    node_t *n;
    zw_id dialer;
    node_t *target;
    zw_id target_sock;
    int refuse;            /* answer dial_result(ok=0) */
    int manual;            /* leave DIAL unanswered */
} route_t;

static inline void put_u32(uint8_t *p, uint32_t v) {
    p[0] = (uint8_t)v;
    p[1] = (uint8_t)(v >> 8);
    p[2] = (uint8_t)(v >> 16);
    p[3] = (uint8_t)(v >> 24);
}

static inline uint32_t get_u32(const uint8_t *p) {
    return p[0] | p[1] << 8 | p[2] << 16 | (uint32_t)p[3] << 24;
}

/* The hosts' bodies (zmqw.h's body refs), for every node: a test sends one by naming a frame
 * "@text" (send_msg); the harness writes its bytes where a connection's output shows its id,
 * serves the core's reads of it, and counts its ZW_FX_RELEASE (more than one is a bug). */
#define BODY_MAX 1024
typedef struct tbody {
    struct node *n;
    uint8_t *p;
    uint32_t len;
    int released;
} tbody_t;
static tbody_t bodies[BODY_MAX];
static int nbodies;

/* A new body held by n's host; its id is its index + 1. */
static inline uint32_t body_new(struct node *n, const void *p, uint32_t len) {
    if (nbodies == BODY_MAX) abort();
    tbody_t *b = &bodies[nbodies++];
    b->n = n;
    b->p = malloc(len ? len : 1);
    if (len) memcpy(b->p, p, len);
    b->len = len;
    b->released = 0;
    return (uint32_t)nbodies;
}

static inline tbody_t *body_get(struct node *n, uint32_t id) {
    return id >= 1 && id <= (uint32_t)nbodies && bodies[id - 1].n == n ? &bodies[id - 1] : NULL;
}

/* The core reads a body it holds: it must be one of its node's, not released, and in range. */
static inline void body_read(void *ctx, uint32_t id, uint32_t off, uint8_t *dst, uint32_t len) {
    tbody_t *b = body_get(ctx, id);
    CHECK(b && !b->released && (uint64_t)off + len <= b->len);
    if (b && !b->released && (uint64_t)off + len <= b->len) memcpy(dst, b->p + off, len);
}

/* Bodies of node n not yet released. */
static inline int bodies_held(struct node *n) {
    int k = 0;
    for (int i = 0; i < nbodies; i++) k += bodies[i].n == n && !bodies[i].released;
    return k;
}

static link_t links[NET_MAX * 4];
static int nlinks;
static route_t routes[NET_MAX];
static int nroutes;

static inline void net_reset(void) {
    for (int i = 0; i < nlinks; i++) {
        free(links[i].q[0].p);
        free(links[i].q[1].p);
    }
    memset(links, 0, sizeof links);
    nlinks = 0;
    nroutes = 0;
    for (int i = 0; i < nbodies; i++) free(bodies[i].p);
    nbodies = 0;
}

/* Tests want the same run every time: each node's entropy is an xorshift of its seed. */
static inline void node_entropy(void *ctx, uint8_t *buf, uint32_t len) {
    uint32_t *x = ctx;
    for (uint32_t i = 0; i < len; i++) {
        *x ^= *x << 13;
        *x ^= *x >> 17;
        *x ^= *x << 5;
        buf[i] = (uint8_t)*x;
    }
}

static inline void node_init(node_t *n, uint32_t seed) {
    memset(n, 0, sizeof *n);
    n->rng = seed ? seed : 0x9e3779b9u;
    n->core = zw_core_new(node_entropy, &n->rng);
    zw_core_set_body_reader(n->core, body_read, n);
}

static inline int fx_count(node_t *n, uint8_t kind, zw_id id) {
    int k = 0;
    for (int i = 0; i < n->nlog; i++)
        if (n->log[i].kind == kind && (id == 0 || n->log[i].id == id)) k++;
    return k;
}

static inline const fxrec_t *fx_last(node_t *n, uint8_t kind) {
    for (int i = n->nlog - 1; i >= 0; i--)
        if (n->log[i].kind == kind) return &n->log[i];
    return NULL;
}

static inline link_t *link_of(node_t *n, zw_id conn, int *side) {
    for (int i = 0; i < nlinks; i++)
        for (int s = 0; s < 2; s++)
            if (links[i].alive && links[i].n[s] == n && links[i].c[s] == conn) {
                if (side) *side = s;
                return &links[i];
            }
    return NULL;
}

static inline link_t *net_link(node_t *a, zw_id ca, node_t *b, zw_id cb) {
    link_t *l = &links[nlinks++];
    memset(l, 0, sizeof *l);
    l->n[0] = a;
    l->c[0] = ca;
    l->n[1] = b;
    l->c[1] = cb;
    l->alive = 1;
    return l;
}

static inline void net_route(node_t *n, zw_id dialer, node_t *target, zw_id sock) {
    routes[nroutes++] = (route_t){n, dialer, target, sock, 0, 0};
}

static inline route_t *route_of(node_t *n, zw_id dialer) {
    for (int i = 0; i < nroutes; i++)
        if (routes[i].n == n && routes[i].dialer == dialer) return &routes[i];
    return NULL;
}

/* How every link made from now on carries its connections (ZW_FRAMING_*; net_setup resets it). */
static int net_framing = ZW_FRAMING_STREAM;

/* Answers a DIAL now: connects the dialer to its route's target socket. */
static inline link_t *net_dial(node_t *n, zw_id dialer) {
    route_t *r = route_of(n, dialer);
    if (!r) return NULL;
    zw_id c1 = 0, c2 = 0;
    if (r->refuse) {
        zw_core_dial_result(n->core, dialer, 0, ZW_FRAMING_STREAM, &c1);
        return NULL;
    }
    if (zw_core_dial_result(n->core, dialer, 1, net_framing, &c1) != ZW_OK) return NULL;
    if (zw_core_accept(r->target->core, r->target_sock, net_framing, &c2) != ZW_OK) return NULL;
    return net_link(n, c1, r->target, c2);
}

static inline int drain_effects(node_t *n) {
    const uint8_t *p;
    uint32_t len;
    if (zw_core_effects(n->core, &p, &len) != ZW_OK || len == 0) return 0;
    /* copy: answering effects calls into the core, which may reuse the buffer */
    uint8_t *copy = malloc(len);
    memcpy(copy, p, len);
    for (uint32_t pos = 0; pos + 12 <= len;) {
        const uint8_t *r = copy + pos;
        fxrec_t rec = {r[0], r[1], (zw_id)(r[4] | r[5] << 8 | r[6] << 16 | (uint32_t)r[7] << 24),
                       (uint32_t)(r[8] | r[9] << 8 | r[10] << 16 | (uint32_t)r[11] << 24)};
        uint32_t tl = (uint32_t)(r[2] | r[3] << 8);
        pos += 12 + tl;
        if (n->nlog < LOG_MAX) n->log[n->nlog++] = rec;
        int side;
        link_t *l;
        switch (rec.kind) {
        case ZW_FX_DIAL: {
            route_t *rt = route_of(n, rec.id);
            if (rt && !rt->manual) net_dial(n, rec.id);
            break;
        }
        case ZW_FX_PAUSE:
        case ZW_FX_RESUME:
            if ((l = link_of(n, rec.id, &side))) l->paused[side] = rec.kind == ZW_FX_PAUSE;
            break;
        case ZW_FX_CLOSE:
            if ((l = link_of(n, rec.id, &side))) l->closing = 1;
            break;
        case ZW_FX_RELEASE: {
            tbody_t *b = body_get(n, rec.id);
            CHECK(b && !b->released);   /* the core held it, and releases it once */
            if (b) b->released++;
            break;
        }
        }
    }
    free(copy);
    return 1;
}

static inline void q_put(pending_t *q, const uint8_t *p, uint32_t n) {
    if (q->len + n > q->cap) {
        q->cap = (q->len + n) * 2;
        q->p = realloc(q->p, q->cap);
    }
    memcpy(q->p + q->len, p, n);
    q->len += n;
}

/* Moves bytes both ways on one link; 1 if anything moved. ignore_pause delivers even to a side
 * that asked to stop reading, as a host does with the chunk or two it read before the pause
 * took effect (and with a peer's last bytes when it hangs up). */
static inline int shuttle_ex(link_t *l, int ignore_pause) {
    int moved = 0;
    for (int s = 0; s < 2; s++) {
        for (;;) {
            const uint8_t *p;
            uint32_t n = 0, body = 0;
            if (zw_core_conn_output(l->n[s]->core, l->c[s], &p, &n, &body) != ZW_OK || n == 0) break;
            if (body) {
                /* The whole rest of a body the host holds (it must still hold it). */
                tbody_t *b = body_get(l->n[s], body);
                CHECK(b && !b->released && n <= b->len);
                if (!b || b->released || n > b->len) break;
                p = b->p + (b->len - n);
            }
            q_put(&l->q[1 - s], p, n);
            moved = 1;
        }
    }
    for (int s = 0; s < 2; s++) {
        /* What was written before a close still arrives, as a kernel delivers it before FIN. */
        if ((l->paused[s] && !ignore_pause) || l->q[s].len == 0) continue;
        if (l->wanted[s] > l->q[s].len) continue;   /* a body still arriving */
        size_t n = l->q[s].len;
        l->q[s].len = 0;
        uint8_t *tmp = malloc(n);
        memcpy(tmp, l->q[s].p, n);
        /* As the wasm host does: large bodies are collected here, never given to the core. */
        size_t off = 0;
        zw_core_t *core = l->n[s]->core;
        while (off < n || l->wanted[s]) {
            if (l->wanted[s]) {
                if (n - off < l->wanted[s]) break;
                uint32_t id = body_new(l->n[s], tmp + off, l->wanted[s]);
                off += l->wanted[s];
                l->wanted[s] = 0;
                if (zw_core_conn_body(core, l->c[s], id) != ZW_OK) bodies[id - 1].released = -1;
                continue;
            }
            uint32_t used = 0, body = 0;
            if (zw_core_conn_input(core, l->c[s], tmp + off, (uint32_t)(n - off), &used, &body) != ZW_OK) {
                off = n;   /* refused (a broken peer): the rest is moot */
                break;
            }
            off += used;
            l->wanted[s] = body;
        }
        if (off < n) q_put(&l->q[s], tmp + off, (uint32_t)(n - off));   /* the body's rest */
        free(tmp);
        moved = 1;
    }
    return moved;
}

static inline int shuttle(link_t *l) { return shuttle_ex(l, 0); }

static inline void link_close(link_t *l) {
    for (int s = 0; s < 2; s++) zw_core_conn_closed(l->n[s]->core, l->c[s]);
    l->alive = 0;
}

static node_t *net_nodes[NET_MAX];
static int nnodes;

static inline void net_nodes_set(int n, ...) {
    va_list ap;
    va_start(ap, n);
    nnodes = n;
    for (int i = 0; i < n; i++) net_nodes[i] = va_arg(ap, node_t *);
    va_end(ap);
}

static inline void net_run(void) {
    for (int round = 0; round < 100000; round++) {
        int moved = 0;
        for (int i = 0; i < nnodes; i++) moved |= drain_effects(net_nodes[i]);
        for (int i = 0; i < nlinks; i++) {
            link_t *l = &links[i];
            if (!l->alive || l->frozen) continue;
            moved |= shuttle(l);
            if (l->closing) {
                link_close(l);
                moved = 1;
            }
        }
        if (!moved) return;
    }
}

static inline void net_advance(node_t *n, double ms) {
    double next;
    n->now += ms;
    zw_core_advance(n->core, n->now, &next);
}

/* --- messages ----------------------------------------------------------------------------- */

/* Sends one message of the given NUL-terminated frames; returns messages taken (0/1) or -err. */
static inline int send_msg(node_t *n, zw_id sock, int nframes, ...) {
    uint8_t batch[4096];
    uint32_t len = 0;
    va_list ap;
    va_start(ap, nframes);
    int first = nbodies;
    for (int i = 0; i < nframes; i++) {
        const char *s = va_arg(ap, const char *);
        uint32_t more = i + 1 < nframes ? ZW_BATCH_MORE : 0;
        if (s[0] == '@') {   /* a host body: "@text" sends text by reference */
            uint32_t sl = (uint32_t)strlen(s + 1);
            put_u32(batch + len, ZW_BATCH_REF | more | ZW_BATCH_REF_LEN);
            put_u32(batch + len + 4, body_new(n, s + 1, sl));
            put_u32(batch + len + 8, sl);
            len += 4 + ZW_BATCH_REF_LEN;
            continue;
        }
        uint32_t sl = (uint32_t)strlen(s);
        put_u32(batch + len, sl | more);
        memcpy(batch + len + 4, s, sl);
        len += 4 + sl;
    }
    va_end(ap);
    uint32_t took = 0;
    int rc = zw_core_send(n->core, sock, batch, len, &took);
    /* A message not taken leaves its bodies with the host: drop them (as a host would). */
    if (rc || took == 0)
        for (int i = first; i < nbodies; i++) bodies[i].released = -1;
    return rc ? -rc : (int)took;
}

/* Receives one message; frames joined with '|' into out. Returns frames, 0 if none, -err. */
static inline int recv_msg(node_t *n, zw_id sock, char *out, size_t cap) {
    const uint8_t *p;
    uint32_t len, msgs;
    int rc = zw_core_recv(n->core, sock, 1, 0, &p, &len, &msgs);
    if (rc) return -rc;
    if (msgs == 0) return 0;
    size_t o = 0;
    int frames = 0;
    for (uint32_t pos = 0; pos < len;) {
        uint32_t h = p[pos] | p[pos + 1] << 8 | p[pos + 2] << 16 | (uint32_t)p[pos + 3] << 24;
        uint32_t sz = h & ZW_BATCH_LEN_MASK;
        const uint8_t *body = p + pos + 4;
        uint32_t blen = sz;
        if (frames && o + 1 < cap) out[o++] = '|';
        if (h & ZW_BATCH_REF) {   /* a body of this node's host, shown as "@" + its bytes */
            tbody_t *b = body_get(n, get_u32(body));
            CHECK(b && !b->released && get_u32(body + 4) == b->len);
            if (o + 1 < cap) out[o++] = '@';
            body = b ? b->p : body;
            blen = b ? b->len : 0;
        }
        for (uint32_t i = 0; i < blen && o + 1 < cap; i++) out[o++] = (char)body[i];
        pos += 4 + sz;
        frames++;
    }
    out[o] = 0;
    return frames;
}

static inline uint32_t status_flags(node_t *n, zw_id sock) {
    uint32_t cap, fl;
    if (zw_core_status(n->core, sock, &cap, &fl) != ZW_OK) return 0xdead;
    return fl;
}

static inline uint32_t status_cap(node_t *n, zw_id sock) {
    uint32_t cap, fl;
    if (zw_core_status(n->core, sock, &cap, &fl) != ZW_OK) return 0xdead;
    return cap;
}

static inline int set_int(node_t *n, zw_id sock, int32_t opt, int32_t v) {
    uint8_t b[4] = {(uint8_t)v, (uint8_t)(v >> 8), (uint8_t)(v >> 16), (uint8_t)(v >> 24)};
    return zw_core_setopt(n->core, sock, opt, b, 4);
}

static inline int set_str(node_t *n, zw_id sock, int32_t opt, const char *s) {
    return zw_core_setopt(n->core, sock, opt, (const uint8_t *)s, (uint32_t)strlen(s));
}

static inline zw_id open_sock(node_t *n, int type) {
    zw_id s = 0;
    zw_core_socket_open(n->core, type, &s);
    return s;
}

/* dialer socket on a connects to target socket on b; returns the dialer id. */
static inline zw_id connect_to(node_t *a, zw_id sock, node_t *b, zw_id target) {
    zw_id d = 0;
    zw_core_connect(a->core, sock, &d);
    net_route(a, d, b, target);
    return d;
}

/* --- the fixture every conversation test uses ------------------------------------------- */

/* Three cores ("processes"), made fresh by net_setup for each test; the first n (2 or 3) are
 * driven by net_run. net_teardown frees them all and checks that no frame is left alive. */
static node_t A, B, C;

static inline void net_setup(int n) {
    net_reset();
    net_framing = ZW_FRAMING_STREAM;
    node_init(&A, 1);
    node_init(&B, 2);
    node_init(&C, 3);
    if (n == 2) net_nodes_set(2, &A, &B);
    else net_nodes_set(3, &A, &B, &C);
}

static inline void net_teardown(void) {
    zw_core_free(A.core);
    zw_core_free(B.core);
    zw_core_free(C.core);
    net_reset();
    CHECK_EQ(zw_frame_live(), 0);
}

#endif
