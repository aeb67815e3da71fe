/* fuzz_core.c — the host API (core.h) driven by a program the fuzzer writes.
 *
 * Input: [mode] then operations, one byte each plus arguments; reads past the end give zeros.
 *  mode bit 0 = 0, one core: the harness is a hostile host. Sockets of any type byte, options
 *    with arbitrary bytes, accept (stream or other framings)/connect/disconnect/dial_result,
 *    inproc bind/unbind/connect, connection input that is raw bytes, or a valid greeting + READY
 *    of a compatible type built with the real encoder (so traffic states are reached) followed by
 *    well-formed frames (requests, subscriptions, PING, unknown commands...), output, close, send
 *    of valid and malformed batches, recv, status, time, NULL out-parameters. Ids come from a
 *    table of what the core returned, or are stale, of the wrong kind, or made up.
 *  mode bit 0 = 1, two cores back to back (as native/test/net.h): the harness answers dials by
 *    accepting on the target socket, carries bytes between the cores (all at once, or a few at a
 *    time), honours PAUSE/RESUME and CLOSE, and the fuzzer closes sockets, disconnects dialers and
 *    inproc connects, and kills or half-closes links at random while tagged messages flow (over
 *    connections between the cores and inproc inside each).
 * Checks, on every call: the return code is a zw_err; ids are fresh and non-zero; a live object
 * is never refused as unknown and a dead or made-up one always is; effect records are well formed
 * and name objects of the right kind (PAUSE/RESUME alternate, nothing after SOCKET_GONE /
 * DIAL_STOP, SOCKET_GONE only after close); exactly the dialers asked to dial take a
 * dial_result; options read back what was set, and invalid values are refused as zmqw.h
 * documents them; inproc names are taken and freed as documented; status agrees with what
 * send/recv do next; batches from recv are well formed and within the asked limits; a SUB only
 * returns subscribed messages. Two cores: every message received is exactly one message sent,
 * unmixed and uncorrupted, and only a PUB's reach a socket twice; at the end, once every socket
 * read what it had, no connection is left paused. Last, the cores are freed and no frame is left
 * alive (and LeakSanitizer checks the rest).
 */
#include "fuzz.h"

#include "base/frame.h"
#include "core.h"
#include "wire/encoder.h"

#define MAXID 1024       /* ids tracked per core (they count from 1); beyond: checks by id stop */
#define MAXSUBS 64       /* SUB sockets whose subscriptions are tracked */
#define MAXPREFIX 16     /* distinct prefixes tracked per SUB socket */
#define MAXLINKS 32
#define SCRATCH (1u << 19)

enum { K_NONE = 0, K_SOCK = 1, K_CONN = 2, K_DIALER = 3, K_LINK = 4, K_COUNT = 5 };
/* K_LINK: an inproc connect (zw_inproc_connect); like a dialer it ends with DIAL_STOP. */
enum { S_LIVE = 0, S_CLOSING = 1, S_DEAD = 2 };   /* closing: socket close was called */
enum { R_AUTO = 0, R_REFUSE = 1, R_MANUAL = 2 };  /* how a dialer's DIALs are answered */

typedef struct obj {
    uint8_t kind;        /* K_*, K_NONE = never issued */
    uint8_t state;       /* S_* */
    uint8_t dialing;     /* dialer: DIAL asked and not yet answered */
    uint8_t paused;      /* conn: PAUSE seen, RESUME not yet */
    uint8_t stopped;     /* dialer: DIAL_STOP seen */
    uint8_t redials;     /* dialer: connections it made (saturating at 255) */
    uint8_t immediate;   /* socket: IMMEDIATE set; dialer: it was when it was made */
    uint8_t pair_off;    /* PAIR socket: the model below does not apply (inproc) */
    zw_id pair_active;   /* PAIR socket: the session in use (its dialer, or its accepted conn) */
    zw_id dialer;        /* conn: the dialer that made it, 0 = accepted */
    uint8_t lost;        /* socket: one of its connections was lost (REP known bug) */
    uint8_t route;       /* dialer (two cores): R_* */
    int8_t link;         /* conn (two cores): link index, -1 none */
    int8_t subs;         /* socket: index in subs[], -1 = untracked */
    int8_t peers;        /* STREAM socket: index in peers[], -1 = untracked */
    int32_t type;        /* socket type (conn/dialer: their socket's) */
    zw_id sock;          /* conn/dialer: owning socket */
    zw_id target;        /* dialer (two cores): socket to accept on, on the other core */
    uint16_t idx;        /* position in its live list */
} obj_t;

typedef struct idlist {
    zw_id id[MAXID];
    uint32_t n;
} idlist_t;

typedef struct node {
    zw_core_t *core;
    uint32_t rng;                /* this core's entropy: xorshift, reset per input (replayable) */
    double now;
    uint32_t maxid;
    int untracked;               /* an id >= MAXID came back: id checks are off */
    obj_t obj[MAXID];
    idlist_t live[K_COUNT], stale[K_COUNT];
    zw_id binder[8];             /* inproc name (inproc_names) -> socket that bound it, or 0 */
} node_t;

typedef struct subset {
    uint8_t p[MAXPREFIX][8];
    uint8_t len[MAXPREFIX];
    uint32_t count[MAXPREFIX];
    int n, untracked, unsubscribed;
} subset_t;

typedef struct pending {
    uint8_t *p;
    size_t len, cap;
} pending_t;

typedef struct link {
    int node[2];
    zw_id c[2];
    pending_t q[2];     /* bytes in flight towards side i */
    uint8_t alive;      /* some side not yet zw_conn_closed */
    uint8_t open[2];    /* side i not yet zw_conn_closed */
    uint8_t closing;    /* a side asked (ZW_FX_CLOSE): close both at the next run */
} link_t;

static node_t N[2];
static subset_t subs[MAXSUBS];
static int nsubs;
/* A STREAM socket's peers as its messages name them: [id][""] announces a peer (the first
 * message under an id), [id][""] again its departure, and nothing may follow that. */
#define MAXSTREAMS 16
#define MAXPEERS 32
typedef struct peerset {
    uint8_t id[MAXPEERS][5];
    uint8_t state[MAXPEERS];   /* 1 = arrived, 2 = departed */
    int n, untracked;          /* untracked: too many, or STREAM_NOTIFY was turned off */
    uint8_t last[5];           /* the id of the last message read, to send to */
    int have_last;
} peerset_t;
static peerset_t peers[MAXSTREAMS];
static int npeersets;
static link_t links[MAXLINKS];
static int nlinks;
static int net_mode;
static uint32_t next_msgid;
/* Per tagged message: sent by a PUB, XPUB or XSUB (each peer gets its own copy), and received
 * already.
 * Every other pattern hands a message to exactly one peer, so receiving it twice is a bug. */
#define MAXMSG 65536
static uint8_t msg_fanout[MAXMSG], msg_seen[MAXMSG];
static uint8_t scratch[SCRATCH];
static int trace;   /* FUZZ_TRACE=1: print every operation and effect (to read a reproducer) */

#define TRACE(...)                                                                           \
    do {                                                                                     \
        if (trace) fprintf(stderr, __VA_ARGS__);                                             \
    } while (0)

/* --- object table ------------------------------------------------------------------------ */

static obj_t *obj_of(node_t *n, zw_id id) { return id && id < MAXID ? &n->obj[id] : NULL; }

static void list_add(idlist_t *l, zw_id id) {
    if (l->n < MAXID) l->id[l->n++] = id;
}

/* A fresh id from the core: never 0, never seen before. */
static obj_t *issue(node_t *n, zw_id id, uint8_t kind, int32_t type, zw_id sock) {
    FZ_CHECK(id != 0);
    if (id >= MAXID) {
        n->untracked = 1;
        return NULL;
    }
    obj_t *o = &n->obj[id];
    FZ_CHECK(o->kind == K_NONE);
    if (id > n->maxid) n->maxid = id;
    *o = (obj_t){.kind = kind, .type = type, .sock = sock, .link = -1, .subs = -1, .peers = -1};
    o->idx = (uint16_t)n->live[kind].n;
    list_add(&n->live[kind], id);
    return o;
}

static void kill_obj(node_t *n, zw_id id) {
    obj_t *o = obj_of(n, id);
    if (!o || o->state == S_DEAD) return;
    o->state = S_DEAD;
    idlist_t *l = &n->live[o->kind];
    if (o->idx < l->n && l->id[o->idx] == id) {
        zw_id last = l->id[--l->n];
        l->id[o->idx] = last;
        n->obj[last].idx = o->idx;
    }
    list_add(&n->stale[o->kind], id);
}

/* An id for an operation on `kind`: mostly a live one, sometimes stale, of another kind, or
 * made up. */
static zw_id pick(node_t *n, fz_t *in, uint8_t kind) {
    uint8_t b = fz_u8(in);
    idlist_t *l = &n->live[kind], *s = &n->stale[kind];
    if (b < 208 && l->n) return l->id[b % l->n];
    if (b < 232 && s->n) return s->id[b % s->n];
    if (b < 244) {
        uint8_t other = (uint8_t)(1 + b % (K_COUNT - 1));
        if (n->live[other].n) return n->live[other].id[b % n->live[other].n];
    }
    static const zw_id bogus[] = {0, 0xffffffffu, 0x80000000u, MAXID - 1};
    if (b % 5 == 4) return n->maxid + 1;
    return bogus[b % 4];
}

/* What the core must know about id as `kind`: 1 = live, 0 = unknown, -1 = either. */
static int known(node_t *n, zw_id id, uint8_t kind, int closing_ok) {
    if (n->untracked && (id == 0 || id >= MAXID)) return id == 0 ? 0 : -1;
    obj_t *o = obj_of(n, id);
    if (!o) return n->untracked ? -1 : 0;
    if (o->kind != kind || o->state == S_DEAD) return 0;
    /* Effects are drained after every call, so a closing socket not yet seen GONE is there. */
    if (kind == K_SOCK && o->state == S_CLOSING) return closing_ok ? 1 : 0;
    if (kind == K_DIALER || kind == K_LINK) {
        /* A closing socket frees its dialers when it finishes, whenever that is. */
        obj_t *s = obj_of(n, o->sock);
        if (s && s->state != S_LIVE) return -1;
    }
    return 1;
}

static void check_known(int k, zw_err rc, zw_err unknown_rc) {
    if (k == 1) FZ_CHECK(rc != unknown_rc);
    if (k == 0) FZ_CHECK(rc == unknown_rc);
}

static subset_t *subs_of(node_t *n, zw_id sock) {
    obj_t *o = obj_of(n, sock);
    return o && o->subs >= 0 ? &subs[o->subs] : NULL;
}

/* --- effects ----------------------------------------------------------------------------- */

static uint32_t get32(const uint8_t *p) {
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static void link_mark_closing(int node, zw_id conn);
static void answer_dial(int node, zw_id dialer, int ok);

/* PAIR: which session is in use. The first one attached takes the socket: a dialer's at
 * zw_connect (without IMMEDIATE), an accepted connection's (or an IMMEDIATE dialer's) at its
 * handshake. It is given up when that session goes: its dialer stops, or its (accepted or
 * IMMEDIATE) connection is lost. */
static zw_id pair_self(node_t *n, obj_t *c, zw_id conn) {
    (void)n;
    return c->dialer ? c->dialer : conn;
}

static void pair_gone(node_t *n, zw_id sock, zw_id session) {
    obj_t *s = obj_of(n, sock);
    if (s && s->type == ZW_PAIR && s->pair_active == session) {
        s->pair_active = 0;
        if (FUZZ_AVOID_PAIR_WEDGE) s->pair_off = 1;   /* the open bug: stop checking it */
    }
}

static void pair_handshake(node_t *n, obj_t *c, zw_id conn) {
    obj_t *s = obj_of(n, c->sock);
    if (!s || s->type != ZW_PAIR || s->pair_active) return;
    /* None in use: the first session to connect takes the socket, a dialer's too (pair.c
     * pair_connected); one attached while another was in use is adopted here, not at connect. */
    s->pair_active = pair_self(n, c, conn);
}

/* A PAIR refused a peer: it must have another one in use, or a dialer (other than the refused
 * connection's) whose session could be. A PAIR with no peer at all takes the next one. */
static void pair_refused(node_t *n, obj_t *c, zw_id conn) {
    obj_t *s = obj_of(n, c->sock);
    if (!s || s->type != ZW_PAIR || s->pair_off || s->state != S_LIVE) return;
    zw_id self = pair_self(n, c, conn);
    if (s->pair_active && s->pair_active != self) return;
    for (uint32_t i = 0; i < n->live[K_DIALER].n; i++) {
        zw_id d = n->live[K_DIALER].id[i];
        obj_t *o = obj_of(n, d);
        if (o && d != self && o->sock == c->sock && !o->immediate) return;
    }
    FZ_CHECK(!"PAIR refused a peer while it has none");
}

/* A connection stopped carrying traffic: the socket's `lost` flag (REP known bug), and PAIR's
 * session when it was the connection's own. */
static void conn_lost(node_t *n, zw_id conn) {
    obj_t *c = obj_of(n, conn);
    if (!c) return;
    obj_t *s = obj_of(n, c->sock), *d = obj_of(n, c->dialer);
    if (s) s->lost = 1;
    if (!c->dialer || (d && d->immediate)) pair_gone(n, c->sock, pair_self(n, c, conn));
}

#define MAXDIALS 64

/* Drains and checks the effect queue; answers DIALs (two cores) once the records are read. */
static void drain(int ni) {
    node_t *n = &N[ni];
    const uint8_t *p;
    uint32_t len = 0xdeadbeef;
    FZ_CHECK(fz_rc(zw_core_effects(n->core, &p, &len)) == ZW_OK);
    if (!len) return;
    FZ_CHECK(p != NULL);
    zw_id dials[MAXDIALS];
    int ndials = 0;
    uint32_t pos = 0;
    while (pos < len) {
        FZ_CHECK(len - pos >= 12);
        const uint8_t *r = p + pos;
        uint8_t kind = r[0], reason = r[1];
        uint32_t tl = (uint32_t)(r[2] | r[3] << 8);
        zw_id id = get32(r + 4);
        uint32_t arg = get32(r + 8);
        FZ_CHECK(len - pos - 12 >= tl);
        if (tl) fz_touch(r + 12, tl);
        pos += 12 + tl;
        TRACE("  core%d fx kind=%u reason=%u id=%u arg=%u %.*s\n", ni, kind, reason, id, arg,
              (int)tl, (const char *)r + 12);
        FZ_CHECK(kind >= ZW_FX_DIAL && kind <= ZW_FX_RELEASE);
        FZ_CHECK(id != 0);
        if (kind != ZW_FX_CLOSE) FZ_CHECK(reason == 0);
        /* A body id is the harness's own (a ref frame in a batch it made up), not a core object;
         * this harness keeps no bodies (their bytes read as zeros, their output stalls). */
        if (kind == ZW_FX_RELEASE) continue;
        obj_t *o = obj_of(n, id);
        if (!o) {
            FZ_CHECK(n->untracked);
            continue;
        }
        switch (kind) {
        case ZW_FX_DIAL:
            FZ_CHECK(o->kind == K_DIALER && o->state != S_DEAD && arg == o->sock);
            o->dialing = 1;
            if (net_mode && o->route != R_MANUAL && ndials < MAXDIALS) dials[ndials++] = id;
            break;
        case ZW_FX_DIAL_STOP:
            /* After zw_disconnect (the harness marked it dead), its socket's end, or (inproc) the
             * binder's end. */
            FZ_CHECK((o->kind == K_DIALER || o->kind == K_LINK) && !o->stopped && arg == o->sock);
            o->stopped = 1;
            pair_gone(n, o->sock, id);
            kill_obj(n, id);
            break;
        case ZW_FX_OUTPUT:
            FZ_CHECK(o->kind == K_CONN && arg == o->sock);
            break;
        case ZW_FX_HANDSHAKE:
            FZ_CHECK(o->kind == K_CONN && arg == o->sock);
            pair_handshake(n, o, id);
            break;
        case ZW_FX_CLOSE:
            FZ_CHECK(o->kind == K_CONN && (arg == o->sock || arg == 0));
            FZ_CHECK(reason <= FZ_CLOSE_MAX && tl > 0);
            if (reason == ZW_CLOSE_REFUSED) pair_refused(n, o, id);
            conn_lost(n, id);
            if (net_mode) link_mark_closing(ni, id);
            break;
        case ZW_FX_PAUSE:
        case ZW_FX_RESUME:
            FZ_CHECK(o->kind == K_CONN);
            FZ_CHECK(o->paused == (kind == ZW_FX_RESUME));   /* they alternate */
            o->paused = kind == ZW_FX_PAUSE;
            break;
        case ZW_FX_STATUS:
            FZ_CHECK(o->kind == K_SOCK && o->state != S_DEAD);
            break;
        case ZW_FX_SOCKET_GONE:
            FZ_CHECK(o->kind == K_SOCK && o->state == S_CLOSING);
            kill_obj(n, id);
            break;
        }
    }
    for (int i = 0; i < ndials; i++) {
        obj_t *d = obj_of(n, dials[i]);
        if (d && d->state != S_DEAD && d->dialing) answer_dial(ni, dials[i], d->route == R_AUTO);
    }
}

/* --- calls, each checked ----------------------------------------------------------------- */

static zw_id do_open(int ni, int32_t type) {
    node_t *n = &N[ni];
    zw_id id = 0;
    zw_err rc = fz_rc(zw_core_socket_open(n->core, type, &id));
    TRACE("  core%d open type=%d -> rc=%d id=%u\n", ni, type, rc, id);
    if (type < ZW_PAIR || type > ZW_STREAM) FZ_CHECK(rc == ZW_EINVAL);
    FZ_CHECK(rc == ZW_OK || rc == ZW_EINVAL || rc == ZW_ENOMEM);   /* EINVAL: not implemented */
    if (rc != ZW_OK) return 0;
    obj_t *o = issue(n, id, K_SOCK, type, 0);
    if (o && type == ZW_STREAM && npeersets < MAXSTREAMS) {
        o->peers = (int8_t)npeersets;
        memset(&peers[npeersets], 0, sizeof peers[npeersets]);
        npeersets++;
    }
    if (o && type == ZW_SUB && nsubs < MAXSUBS) {
        o->subs = (int8_t)nsubs;
        memset(&subs[nsubs], 0, sizeof subs[nsubs]);
        nsubs++;
    }
    if (FUZZ_AVOID_HUGE_ALLOC) {
        /* The decoder allocates a frame's whole body from its header: keep bodies small. */
        int64_t v = FUZZ_SIZE_CAP;
        uint8_t b[8];
        for (int i = 0; i < 8; i++) b[i] = (uint8_t)(v >> (8 * i));
        FZ_CHECK(zw_core_setopt(n->core, id, ZW_OPT_MAXMSGSIZE, b, 8) == ZW_OK);
    }
    return id;
}

static void do_close(int ni, zw_id id) {
    node_t *n = &N[ni];
    int k = known(n, id, K_SOCK, 0);
    zw_err rc = fz_rc(zw_core_socket_close(n->core, id));
    TRACE("  core%d close sock=%u -> rc=%d\n", ni, id, rc);
    check_known(k, rc, ZW_ENOTSOCK);
    FZ_CHECK(rc == ZW_OK || rc == ZW_ENOTSOCK);
    obj_t *o = obj_of(n, id);
    if (rc == ZW_OK && o) o->state = S_CLOSING;
}

static const int32_t opts[] = {ZW_OPT_ROUTING_ID, ZW_OPT_SUBSCRIBE, ZW_OPT_UNSUBSCRIBE,
                               ZW_OPT_TYPE, ZW_OPT_LINGER, ZW_OPT_RECONNECT_IVL,
                               ZW_OPT_RECONNECT_IVL_MAX, ZW_OPT_MAXMSGSIZE, ZW_OPT_SNDHWM,
                               ZW_OPT_RCVHWM, ZW_OPT_IMMEDIATE, ZW_OPT_HANDSHAKE_IVL,
                               ZW_OPT_ROUTER_MANDATORY, ZW_OPT_ROUTER_HANDOVER,
                               ZW_OPT_CONNECT_ROUTING_ID};
#define NOPTS ((int)(sizeof opts / sizeof opts[0]))

/* Options libzmq cannot read back (setsockopt only). */
static int opt_write_only(int32_t opt) {
    return opt == ZW_OPT_ROUTER_MANDATORY || opt == ZW_OPT_ROUTER_HANDOVER ||
           opt == ZW_OPT_CONNECT_ROUTING_ID;
}

/* zmqw.h's rules for a value: 1 = must be accepted, 0 = must be refused (EINVAL), -1 = depends
 * on state the harness does not follow. */
static int opt_valid(int32_t type, int32_t opt, const uint8_t *v, uint32_t len) {
    int64_t x = 0;
    if (len == 4) x = (int32_t)get32(v);
    if (len == 8) x = (int64_t)((uint64_t)get32(v) | (uint64_t)get32(v + 4) << 32);
    switch (opt) {
    case ZW_OPT_ROUTING_ID: return len <= 255 && !(len > 0 && v[0] == 0);
    case ZW_OPT_SUBSCRIBE:
    case ZW_OPT_UNSUBSCRIBE:   /* XPUB: only in manual mode, which the harness does not follow */
        return type == ZW_SUB ? 1 : type == ZW_XPUB ? -1 : 0;
    case ZW_OPT_LINGER:
    case ZW_OPT_RECONNECT_IVL: return len == 4 && x >= -1;
    case ZW_OPT_RECONNECT_IVL_MAX:
    case ZW_OPT_SNDHWM:
    case ZW_OPT_RCVHWM:
    case ZW_OPT_HANDSHAKE_IVL: return len == 4 && x >= 0;
    case ZW_OPT_IMMEDIATE: return len == 4 && (x == 0 || x == 1);
    case ZW_OPT_MAXMSGSIZE: return len == 8 && x >= -1;
    case ZW_OPT_STREAM_NOTIFY: return type == ZW_STREAM && len == 4 && (x == 0 || x == 1);
    case ZW_OPT_ROUTER_MANDATORY:
    case ZW_OPT_ROUTER_HANDOVER: return type == ZW_ROUTER && len == 4 && (x == 0 || x == 1);
    case ZW_OPT_CONNECT_ROUTING_ID:
        return (type == ZW_ROUTER || type == ZW_STREAM) && len >= 1 && len <= 255;
    default: return 0;   /* TYPE is read-only; anything else is unknown */
    }
}

static void track_sub(subset_t *s, int on, const uint8_t *v, uint32_t len) {
    if (!s || s->untracked) return;
    if (len > 8) {
        s->untracked = 1;
        return;
    }
    int i;
    for (i = 0; i < s->n; i++)
        if (s->len[i] == len && (len == 0 || memcmp(s->p[i], v, len) == 0)) break;
    if (!on) {
        s->unsubscribed = 1;
        if (i < s->n && s->count[i]) s->count[i]--;
        return;
    }
    if (i == s->n) {
        if (s->n == MAXPREFIX) {
            s->untracked = 1;
            return;
        }
        if (len) memcpy(s->p[i], v, len);   /* v may be NULL when empty */
        s->len[i] = (uint8_t)len;
        s->count[i] = 0;
        s->n++;
    }
    s->count[i]++;
}

static int subscribed(const subset_t *s, const uint8_t *data, uint32_t len) {
    for (int i = 0; i < s->n; i++)
        if (s->count[i] && s->len[i] <= len && (!s->len[i] || !memcmp(s->p[i], data, s->len[i])))
            return 1;
    return 0;
}

static void do_setopt(int ni, zw_id id, int32_t opt, const uint8_t *v, uint32_t len) {
    node_t *n = &N[ni];
    int k = known(n, id, K_SOCK, 0);
    if (FUZZ_AVOID_NULL_MEMCPY && !v) v = scratch;
    if (FUZZ_AVOID_HUGE_ALLOC && opt == ZW_OPT_MAXMSGSIZE && len == 8) {
        /* Unlimited or above the cap: the cap instead (see do_open). */
        int64_t x = (int64_t)((uint64_t)get32(v) | (uint64_t)get32(v + 4) << 32);
        if (x == -1 || x > FUZZ_SIZE_CAP) {
            static uint8_t cap[8];
            for (int i = 0; i < 8; i++) cap[i] = (uint8_t)((int64_t)FUZZ_SIZE_CAP >> (8 * i));
            v = cap;
        }
    }
    zw_err rc = fz_rc(zw_core_setopt(n->core, id, opt, v, len));
    TRACE("  core%d setopt sock=%u opt=%d len=%u -> rc=%d\n", ni, id, opt, len, rc);
    check_known(k, rc, ZW_ENOTSOCK);
    if (k != 1) return;
    obj_t *o = obj_of(n, id);
    int32_t type = o ? o->type : -1;
    if (o && v) {
        int valid = opt_valid(type, opt, v, len);
        if (valid == 1) FZ_CHECK(rc == ZW_OK || rc == ZW_ENOMEM);
        if (valid == 0) FZ_CHECK(rc == ZW_EINVAL);
    }
    if (rc != ZW_OK) return;
    if (opt == ZW_OPT_SUBSCRIBE || opt == ZW_OPT_UNSUBSCRIBE) {
        track_sub(subs_of(n, id), opt == ZW_OPT_SUBSCRIBE, v, len);
        return;
    }
    if (opt == ZW_OPT_IMMEDIATE && o) o->immediate = get32(v) != 0;
    if (opt == ZW_OPT_STREAM_NOTIFY && o && o->peers >= 0 && get32(v) == 0)
        peers[o->peers].untracked = 1;   /* notices missed from now on */
    if (opt_write_only(opt)) return;
    /* Readable options read back what was set. */
    uint8_t back[256];
    uint32_t blen = sizeof back;
    FZ_CHECK(fz_rc(zw_core_getopt(n->core, id, opt, back, &blen)) == ZW_OK);
    FZ_CHECK(blen == len && (len == 0 || memcmp(back, v, len) == 0));
}

static void do_getopt(int ni, zw_id id, int32_t opt, uint32_t cap, int null_val) {
    node_t *n = &N[ni];
    int k = known(n, id, K_SOCK, 1);
    uint8_t *val = null_val && !FUZZ_AVOID_NULL_MEMCPY ? NULL : scratch;
    uint32_t len = cap;
    zw_err rc = fz_rc(zw_core_getopt(n->core, id, opt, val, &len));
    check_known(k, rc, ZW_ENOTSOCK);
    FZ_CHECK(rc == ZW_OK || rc == ZW_EINVAL || rc == ZW_ENOTSOCK);
    if (rc == ZW_OK) {
        FZ_CHECK(len <= cap);
        obj_t *o = obj_of(n, id);
        if (opt == ZW_OPT_TYPE && o) FZ_CHECK(len == 4 && (int32_t)get32(scratch) == o->type);
    } else {
        FZ_CHECK(len == cap);   /* out-parameters only on success */
    }
}

/* A framing the build takes: STREAM always; MESSAGE (ZWS) is ZW_ENOTSUP until it exists. */
static void check_framing(int32_t framing, int k, zw_err rc, zw_err unknown_rc) {
    if (framing == ZW_FRAMING_STREAM) {
        check_known(k, rc, unknown_rc);
    } else {
        /* Which is checked first, the id or the framing, is not specified. */
        FZ_CHECK(rc != ZW_OK || framing == ZW_FRAMING_MESSAGE);
        if (k == 1 && framing != ZW_FRAMING_MESSAGE) FZ_CHECK(rc == ZW_EINVAL);
    }
}

static zw_id do_accept(int ni, zw_id sock, int32_t framing) {
    node_t *n = &N[ni];
    int k = known(n, sock, K_SOCK, 0);
    zw_id c = 0;
    zw_err rc = fz_rc(zw_core_accept(n->core, sock, framing, &c));
    TRACE("  core%d accept sock=%u framing=%d -> rc=%d conn=%u\n", ni, sock, framing, rc, c);
    check_framing(framing, k, rc, ZW_ENOTSOCK);
    FZ_CHECK(rc == ZW_OK || rc == ZW_ENOTSOCK || rc == ZW_ENOMEM || rc == ZW_EINVAL ||
             rc == ZW_ENOTSUP);
    if (framing == ZW_FRAMING_STREAM) FZ_CHECK(rc != ZW_EINVAL && rc != ZW_ENOTSUP);
    if (rc != ZW_OK) return 0;
    obj_t *s = obj_of(n, sock);
    issue(n, c, K_CONN, s ? s->type : -1, sock);
    return c;
}

static zw_id do_connect(int ni, zw_id sock) {
    node_t *n = &N[ni];
    int k = known(n, sock, K_SOCK, 0);
    zw_id d = 0;
    zw_err rc = fz_rc(zw_core_connect(n->core, sock, &d));
    TRACE("  core%d connect sock=%u -> rc=%d dialer=%u\n", ni, sock, rc, d);
    check_known(k, rc, ZW_ENOTSOCK);
    /* EINVAL: a ROUTER's or STREAM's connect routing id is in use. */
    FZ_CHECK(rc == ZW_OK || rc == ZW_ENOTSOCK || rc == ZW_ENOMEM || rc == ZW_EINVAL);
    if (rc != ZW_OK) return 0;
    obj_t *s = obj_of(n, sock);
    obj_t *o = issue(n, d, K_DIALER, s ? s->type : -1, sock);
    if (o) o->dialing = 1;   /* the first DIAL is asked at once */
    if (o && s) {
        o->immediate = s->immediate;
        if (s->type == ZW_PAIR && !s->immediate && !s->pair_active) s->pair_active = d;
    }
    return d;
}

static void do_disconnect(int ni, zw_id d) {
    node_t *n = &N[ni];
    obj_t *x = obj_of(n, d);
    int k = known(n, d, x && x->kind == K_LINK ? K_LINK : K_DIALER, 0);
    zw_err rc = fz_rc(zw_core_disconnect(n->core, d));
    check_known(k, rc, ZW_ENOENT);
    FZ_CHECK(rc == ZW_OK || rc == ZW_ENOENT);
    if (rc == ZW_OK) {
        obj_t *o = obj_of(n, d);
        if (o) {
            kill_obj(n, d);   /* DIAL_STOP follows; the id is gone already */
            obj_t *s = obj_of(n, o->sock);
            if (s) s->lost = 1;
            pair_gone(n, o->sock, d);
        }
    }
}

/* --- inproc: names from a small set, so binds and connects meet ------------------------- */

static const char *const inproc_names[] = {"a", "b", "ab", "a\0", "\xff", "long-name-0123456789",
                                           "x", ""};
#define NNAMES 8

static void inproc_name(uint8_t b, const uint8_t **p, uint32_t *len) {
    int i = b % NNAMES;
    *p = (const uint8_t *)inproc_names[i];
    *len = i == 3 ? 2 : (uint32_t)strlen(inproc_names[i]);
}

/* 1 = the name is bound by a live socket, 0 = by nobody, -1 = by a closing one (its names go
 * when it does, at close or at its end: not specified). */
static int name_bound(node_t *n, int i) {
    zw_id b = n->binder[i];
    if (!b) return 0;
    obj_t *o = obj_of(n, b);
    if (!o || o->state == S_DEAD) return 0;
    return o->state == S_LIVE ? 1 : -1;
}

static void pair_model_off(node_t *n, zw_id sock) {
    obj_t *o = obj_of(n, sock);
    if (o && o->kind == K_SOCK) o->pair_off = 1;   /* inproc sessions: not modelled */
}

static void do_inproc_bind(int ni, zw_id sock, uint8_t nb) {
    node_t *n = &N[ni];
    pair_model_off(n, sock);
    const uint8_t *name;
    uint32_t len;
    inproc_name(nb, &name, &len);
    int k = known(n, sock, K_SOCK, 0), i = nb % NNAMES;
    zw_err rc = fz_rc(zw_core_inproc_bind(n->core, sock, name, len));
    TRACE("  core%d inproc_bind sock=%u name=%d -> rc=%d\n", ni, sock, i, rc);
    FZ_CHECK(rc == ZW_OK || rc == ZW_ENOTSOCK || rc == ZW_EINVAL || rc == ZW_EADDRINUSE ||
             rc == ZW_ENOMEM);
    if (len == 0) {   /* which comes first, the id or the name, is not specified */
        FZ_CHECK(rc != ZW_OK);
        if (k == 1) FZ_CHECK(rc == ZW_EINVAL);
        return;
    }
    check_known(k, rc, ZW_ENOTSOCK);
    if (k != 1) return;
    int b = name_bound(n, i);
    if (b == 1) FZ_CHECK(rc == ZW_EADDRINUSE);
    if (b == 0) FZ_CHECK(rc == ZW_OK || rc == ZW_ENOMEM);
    if (rc == ZW_OK) n->binder[i] = sock;
}

static void do_inproc_unbind(int ni, zw_id sock, uint8_t nb) {
    node_t *n = &N[ni];
    const uint8_t *name;
    uint32_t len;
    inproc_name(nb, &name, &len);
    int k = known(n, sock, K_SOCK, 0), i = nb % NNAMES;
    zw_err rc = fz_rc(zw_core_inproc_unbind(n->core, sock, name, len));
    TRACE("  core%d inproc_unbind sock=%u name=%d -> rc=%d\n", ni, sock, i, rc);
    FZ_CHECK(rc == ZW_OK || rc == ZW_ENOTSOCK || rc == ZW_ENOENT || rc == ZW_EINVAL);
    if (len == 0) {
        FZ_CHECK(rc != ZW_OK);
        return;
    }
    check_known(k, rc, ZW_ENOTSOCK);
    if (k != 1) return;
    /* ZW_ENOENT if this socket has not bound it. */
    FZ_CHECK(rc == (n->binder[i] == sock ? ZW_OK : ZW_ENOENT));
    if (rc == ZW_OK) n->binder[i] = 0;
}

static zw_id do_inproc_connect(int ni, zw_id sock, uint8_t nb) {
    node_t *n = &N[ni];
    pair_model_off(n, sock);
    const uint8_t *name;
    uint32_t len;
    inproc_name(nb, &name, &len);
    int k = known(n, sock, K_SOCK, 0);
    zw_id l = 0;
    zw_err rc = fz_rc(zw_core_inproc_connect(n->core, sock, name, len, &l));
    TRACE("  core%d inproc_connect sock=%u name=%d -> rc=%d link=%u\n", ni, sock, nb % NNAMES, rc,
          l);
    FZ_CHECK(rc == ZW_OK || rc == ZW_ENOTSOCK || rc == ZW_EINVAL || rc == ZW_ENOMEM);
    if (len == 0) {
        FZ_CHECK(rc != ZW_OK);
        if (k == 1) FZ_CHECK(rc == ZW_EINVAL);
        return 0;
    }
    check_known(k, rc, ZW_ENOTSOCK);
    if (rc != ZW_OK) return 0;
    obj_t *s = obj_of(n, sock);
    issue(n, l, K_LINK, s ? s->type : -1, sock);
    return l;
}

/* Returns the new conn id (ok and accepted), else 0. */
static zw_id do_dial_result(int ni, zw_id d, int ok, int32_t framing, int null_out) {
    node_t *n = &N[ni];
    int k = known(n, d, K_DIALER, 0);
    obj_t *o = obj_of(n, d);
    int dialing = o && o->kind == K_DIALER && o->dialing;
    zw_id c = 0;
    zw_err rc = fz_rc(zw_core_dial_result(n->core, d, ok, framing, null_out ? NULL : &c));
    TRACE("  core%d dial_result dialer=%u ok=%d framing=%d -> rc=%d conn=%u\n", ni, d, ok,
          framing, rc, c);
    if (ok && framing != ZW_FRAMING_STREAM) {
        check_framing(framing, k, rc, ZW_ENOENT);
        /* A framing the core cannot speak is answered like a failed dial: a retry later. */
        if (o && dialing && !null_out && rc != ZW_ENOENT) o->dialing = 0;
        if (rc != ZW_OK || null_out) return 0;
        obj_t *co = issue(n, c, K_CONN, o ? o->type : -1, o ? o->sock : 0);
        if (co && o && o->kind == K_DIALER) co->dialer = d;
        return c;
    }
    check_known(k, rc, ZW_ENOENT);
    /* Dials are only asked with ZW_FX_DIAL (and by zw_connect), and effects are drained after
     * every call: the harness knows exactly which dialers wait for an answer. */
    if (k == 1 && dialing)
        FZ_CHECK(null_out && ok ? rc == ZW_EINVAL : rc == ZW_OK || rc == ZW_ENOMEM);
    if (k == 1 && !dialing) FZ_CHECK(rc == ZW_EINVAL);
    if (o && (rc == ZW_OK || (rc == ZW_ENOMEM && ok))) o->dialing = 0;
    if (rc != ZW_OK || !ok || null_out) return 0;
    obj_t *co = issue(n, c, K_CONN, o ? o->type : -1, o ? o->sock : 0);
    if (co && o && o->kind == K_DIALER) co->dialer = d;
    if (o && o->kind == K_DIALER) {
        int again = o->redials > 0;
        if (o->redials < 255) o->redials++;
        obj_t *sk = obj_of(n, o->sock);
        if (again && FUZZ_AVOID_STREAM_REDIAL && sk && sk->peers >= 0)
            peers[sk->peers].untracked = 1;
    }
    return c;
}

static zw_err do_input(int ni, zw_id c, const uint8_t *p, uint32_t len) {
    node_t *n = &N[ni];
    int k = known(n, c, K_CONN, 0);
    if (!len) p = FUZZ_AVOID_NULL_INPUT ? scratch : NULL;   /* nothing to pass: maybe no area */
    zw_err rc = fz_rc(zw_core_conn_input(n->core, c, p, len, NULL, NULL));
    TRACE("  core%d input conn=%u len=%u -> rc=%d\n", ni, c, len, rc);
    check_known(k, rc, ZW_ENOENT);
    FZ_CHECK(rc == ZW_OK || rc == ZW_ENOENT || rc == ZW_EPROTO);
    return rc;
}

/* Output of one conn: calls zw_conn_output until it gives 0 bytes (at most `times`), handing
 * each view to sink. */
static void do_output(int ni, zw_id c, int times, pending_t *sink);

static void do_closed(int ni, zw_id c) {
    node_t *n = &N[ni];
    int k = known(n, c, K_CONN, 0);
    /* Effects queued before the close happened before it: the model reads them first (a PAIR's
     * refusal of one peer while another still held it; fuzz_core: pair_refusal_then_close). */
    drain(ni);
    zw_err rc = fz_rc(zw_core_conn_closed(n->core, c));
    TRACE("  core%d closed conn=%u -> rc=%d\n", ni, c, rc);
    check_known(k, rc, ZW_ENOENT);
    FZ_CHECK(rc == ZW_OK || rc == ZW_ENOENT);
    if (rc == ZW_OK) {
        conn_lost(n, c);
        kill_obj(n, c);
    }
}

static void q_put(pending_t *q, const uint8_t *p, size_t n) {
    if (!n) return;
    if (q->len + n > q->cap) {
        size_t cap = (q->len + n) * 2;
        uint8_t *np = realloc(q->p, cap);
        FZ_CHECK(np != NULL);
        q->p = np;
        q->cap = cap;
    }
    memcpy(q->p + q->len, p, n);
    q->len += n;
}

static void do_output(int ni, zw_id c, int times, pending_t *sink) {
    node_t *n = &N[ni];
    for (int i = 0; i < times; i++) {
        int k = known(n, c, K_CONN, 0);
        const uint8_t *p = NULL;
        uint32_t len = 0xdeadbeef;
        zw_err rc = fz_rc(zw_core_conn_output(n->core, c, &p, &len, NULL));
        check_known(k, rc, ZW_ENOENT);
        FZ_CHECK(rc == ZW_OK || rc == ZW_ENOENT);
        if (rc != ZW_OK) return;
        FZ_CHECK(len <= 65536);
        FZ_CHECK(len == 0 || p != NULL);
        if (len) fz_touch(p, len);
        if (len) TRACE("  core%d output conn=%u -> %u bytes\n", ni, c, len);
        if (sink) q_put(sink, p, len);
        if (len == 0) return;
    }
}

/* Whether b is a batch of whole frames ending with a whole message (zmqw.h). */
static int batch_valid(const uint8_t *b, uint32_t len, uint32_t *msgs) {
    uint32_t pos = 0, more = 0, m = 0;
    while (pos < len) {
        if (len - pos < 4) return 0;
        uint32_t h = get32(b + pos), sz = h & ZW_BATCH_LEN_MASK;
        pos += 4;
        if (sz > len - pos) return 0;
        pos += sz;
        more = h & ZW_BATCH_MORE;
        if (!more) m++;
    }
    *msgs = m;
    return !more;
}

static void check_msg(int ni, zw_id sock, const uint8_t *b, uint32_t len, int sub_check);

static void do_send(int ni, zw_id sock, const uint8_t *batch, uint32_t len) {
    node_t *n = &N[ni];
    int k = known(n, sock, K_SOCK, 0);
    obj_t *o = obj_of(n, sock);
    if (o && o->type == ZW_REP && o->lost && FUZZ_AVOID_REP_UAF) return;
    uint32_t cap = 0, flags = 0;
    zw_err src = zw_core_status(n->core, sock, &cap, &flags);
    uint32_t msgs = 0;
    int valid = batch_valid(batch, len, &msgs);
    uint32_t took = 0xdeadbeef;
    zw_err rc = fz_rc(zw_core_send(n->core, sock, len ? batch : NULL, len, &took));
    TRACE("  core%d send sock=%u len=%u msgs=%u -> rc=%d took=%u (cap=%u flags=%u)\n", ni, sock,
          len, msgs, rc, took, cap, flags);
    check_known(k, rc, ZW_ENOTSOCK);
    if (k != 1) return;
    if (!valid) {
        FZ_CHECK(rc == ZW_EMSGSIZE);
        return;
    }
    /* STREAM refuses a message that is not [routing id][data] (EINVAL); STREAM, and ROUTER with
     * MANDATORY, refuse an unknown id (EHOSTUNREACH) and a full peer (EAGAIN), even when the
     * ones before it were taken: capacity does not predict what depends on the message. */
    int stream = o && (o->type == ZW_STREAM || o->type == ZW_ROUTER);
    FZ_CHECK(rc == ZW_OK || rc == ZW_EAGAIN || rc == ZW_EFSM || rc == ZW_ENOTSUP ||
             rc == ZW_ENOMEM || (stream && (rc == ZW_EINVAL || rc == ZW_EHOSTUNREACH)));
    if (o && o->type == ZW_ROUTER) FZ_CHECK(rc != ZW_EINVAL);
    if (rc == ZW_OK) FZ_CHECK(took <= msgs);
    else FZ_CHECK(took == 0xdeadbeef);
    if (src != ZW_OK || rc == ZW_ENOMEM || msgs == 0 || stream) return;
    /* Status said what send would do. */
    if (flags & ZW_STATUS_SEND_FSM) FZ_CHECK(rc == ZW_EFSM);
    if (rc == ZW_EFSM) FZ_CHECK(flags & ZW_STATUS_SEND_FSM);
    if (cap > 0 && !(flags & ZW_STATUS_SEND_FSM)) {
        FZ_CHECK(rc == ZW_OK);
        FZ_CHECK(took >= (msgs < cap ? msgs : cap));
    }
    if (cap == ZW_CAPACITY_UNBOUNDED) FZ_CHECK(took == msgs);
}

static void do_recv(int ni, zw_id sock, uint32_t max_msgs, uint32_t max_bytes) {
    node_t *n = &N[ni];
    int k = known(n, sock, K_SOCK, 0);
    uint32_t cap = 0, flags = 0;
    zw_err src = zw_core_status(n->core, sock, &cap, &flags);
    const uint8_t *p = NULL;
    uint32_t len = 0xdeadbeef, msgs = 0xdeadbeef;
    zw_err rc = fz_rc(zw_core_recv(n->core, sock, max_msgs, max_bytes, &p, &len, &msgs));
    TRACE("  core%d recv sock=%u -> rc=%d msgs=%u len=%u (flags=%u)\n", ni, sock, rc, msgs, len,
          flags);
    check_known(k, rc, ZW_ENOTSOCK);
    if (k != 1) return;
    FZ_CHECK(rc == ZW_OK || rc == ZW_EAGAIN || rc == ZW_EFSM || rc == ZW_ENOTSUP ||
             rc == ZW_ENOMEM);
    obj_t *o = obj_of(n, sock);
    int sub = o && o->type == ZW_SUB;
    if (src == ZW_OK && rc != ZW_ENOMEM) {
        if (flags & ZW_STATUS_RECV_FSM) FZ_CHECK(rc == ZW_EFSM);
        if (rc == ZW_EFSM) FZ_CHECK(flags & ZW_STATUS_RECV_FSM);
        /* READABLE = at least one message can be received (a SUB may still drop it, when it was
         * unsubscribed after it arrived). */
        if (rc == ZW_OK && !sub) FZ_CHECK((msgs > 0) == ((flags & ZW_STATUS_READABLE) != 0));
        if (rc == ZW_OK && msgs > 0) FZ_CHECK(flags & ZW_STATUS_READABLE);
    }
    if (rc != ZW_OK) return;
    if (max_msgs) FZ_CHECK(msgs <= max_msgs);
    FZ_CHECK(len == 0 || p != NULL);
    uint32_t got = 0;
    FZ_CHECK(batch_valid(p, len, &got) && got == msgs);
    if (msgs >= 2) FZ_CHECK(len <= max_bytes);
    /* Message by message. A message a SUB held back from an earlier recv (over max_bytes) was
     * filtered then, so an unsubscribe since does not recall it. */
    subset_t *ss = subs_of(n, sock);
    int first_held = ss && ss->unsubscribed;
    if (ss) ss->unsubscribed = 0;
    uint32_t pos = 0;
    while (pos < len) {
        uint32_t start = pos;
        for (;;) {
            uint32_t h = get32(p + pos);
            pos += 4 + (h & ZW_BATCH_LEN_MASK);
            if (!(h & ZW_BATCH_MORE)) break;
        }
        check_msg(ni, sock, p + start, pos - start, !(first_held && start == 0));
    }
}

static void do_status(int ni, zw_id sock) {
    node_t *n = &N[ni];
    int k = known(n, sock, K_SOCK, 1);
    uint32_t cap = 0xdeadbeef, flags = 0xdeadbeef;
    zw_err rc = fz_rc(zw_core_status(n->core, sock, &cap, &flags));
    check_known(k, rc, ZW_ENOTSOCK);
    FZ_CHECK(rc == ZW_OK || rc == ZW_ENOTSOCK);
    if (rc != ZW_OK) return;
    FZ_CHECK((flags & ~0xfu) == 0);
    obj_t *o = obj_of(n, sock);
    if (o && o->state == S_CLOSING) FZ_CHECK(flags == ZW_STATUS_CLOSED && cap == 0);
    if (o && o->state == S_LIVE) FZ_CHECK(!(flags & ZW_STATUS_CLOSED));
    if (o && (o->type == ZW_SUB || o->type == ZW_PULL) && o->state == S_LIVE) FZ_CHECK(cap == 0);
    if (o && o->type == ZW_PUB && o->state == S_LIVE) FZ_CHECK(cap == ZW_CAPACITY_UNBOUNDED);
}

static void do_advance(int ni, double t) {
    node_t *n = &N[ni];
    double next = -7;
    FZ_CHECK(fz_rc(zw_core_advance(n->core, t, &next)) == ZW_OK);
    if (t > n->now) n->now = t;
    FZ_CHECK(next == -1 || next > n->now || next != next);
}

/* --- messages: tagged (two cores) and checked on receipt ---------------------------------- */

static void le32(uint8_t *p, uint32_t v) {
    p[0] = (uint8_t)v, p[1] = (uint8_t)(v >> 8);
    p[2] = (uint8_t)(v >> 16), p[3] = (uint8_t)(v >> 24);
}

/* Frame layout: topic byte, msgid (u32 LE), index, count, then pattern bytes. */
#define TAG 7

static uint8_t pattern(uint32_t msgid, uint32_t idx, uint32_t i) {
    return (uint8_t)(msgid * 131u + idx * 17u + i);
}

static uint32_t build_tagged(fz_t *in, uint8_t *b, uint32_t cap) {
    uint32_t len = 0;
    int nmsgs = 1 + fz_u8(in) % 3;
    for (int m = 0; m < nmsgs; m++) {
        uint32_t id = next_msgid++;
        uint8_t fb = fz_u8(in);
        int nf = 1 + fb % 3;
        uint8_t topic = (uint8_t)("abc"[fz_u8(in) % 3]);
        if (fb & 0x80) {   /* an empty delimiter first: a DEALER's request to a REP */
            if (len + 4 > cap) return len;
            le32(b + len, ZW_BATCH_MORE);
            len += 4;
        }
        for (int f = 0; f < nf; f++) {
            uint32_t extra = fz_size(in);
            uint32_t sz = TAG + extra;
            if (len + 4 + sz > cap) return len;   /* whole messages only */
            uint8_t *p = b + len;
            le32(p, sz | (f + 1 < nf ? ZW_BATCH_MORE : 0));
            p[4] = topic;
            p[5] = (uint8_t)id, p[6] = (uint8_t)(id >> 8), p[7] = (uint8_t)(id >> 16),
            p[8] = (uint8_t)(id >> 24);
            p[9] = (uint8_t)f;
            p[10] = (uint8_t)nf;
            fz_fill(p + 4 + TAG, extra, pattern(id, (uint32_t)f, 0), 1);
            len += 4 + sz;
        }
    }
    return len;
}

/* A STREAM message: [5-byte id][data]; the id's notices and data come in order. */
static void check_stream_msg(obj_t *o, const uint8_t *b, uint32_t len) {
    uint32_t h0 = get32(b), idlen = h0 & ZW_BATCH_LEN_MASK;
    FZ_CHECK((h0 & ZW_BATCH_MORE) && idlen >= 1 && idlen <= 255 && len >= 8 + idlen);
    if (idlen != 5 || b[4] != 0) {
        /* Named by a connect routing id: not one the tracker below can follow. */
        FZ_CHECK(!(get32(b + 4 + idlen) & ZW_BATCH_MORE));
        if (o->peers >= 0) peers[o->peers].untracked = 1;
        return;
    }
    FZ_CHECK(len >= 8 + 5);
    uint32_t h1 = get32(b + 9);
    FZ_CHECK(!(h1 & ZW_BATCH_MORE) && len == 4 + 5 + 4 + (h1 & ZW_BATCH_LEN_MASK));
    TRACE("    stream msg id=%02x%02x%02x%02x%02x data=%u bytes\n", b[4], b[5], b[6], b[7], b[8],
          h1 & ZW_BATCH_LEN_MASK);
    if (o->peers < 0) return;
    peerset_t *ps = &peers[o->peers];
    memcpy(ps->last, b + 4, 5);   /* for OP_STREAM_SEND */
    ps->have_last = 1;
    if (ps->untracked) return;
    int i;
    for (i = 0; i < ps->n; i++)
        if (memcmp(ps->id[i], b + 4, 5) == 0) break;
    if (i == ps->n) {
        if (ps->n == MAXPEERS) {
            ps->untracked = 1;
            return;
        }
        memcpy(ps->id[i], b + 4, 5);
        ps->state[i] = 0;
        ps->n++;
    }
    int empty = (h1 & ZW_BATCH_LEN_MASK) == 0;
    if (empty) {
        FZ_CHECK(ps->state[i] < 2);   /* nothing after a departure */
        ps->state[i]++;
    } else {
        FZ_CHECK(ps->state[i] == 1);   /* data only between arrival and departure */
    }
}

/* One received message (batch form). */
static void check_msg(int ni, zw_id sock, const uint8_t *b, uint32_t len, int sub_check) {
    subset_t *s = subs_of(&N[ni], sock);
    uint32_t h0 = get32(b), sz0 = h0 & ZW_BATCH_LEN_MASK;
    if (s && !s->untracked && sub_check) FZ_CHECK(subscribed(s, b + 4, sz0));
    obj_t *o = obj_of(&N[ni], sock);
    if (o && o->type == ZW_STREAM) {
        check_stream_msg(o, b, len);
        return;   /* STREAM: raw bytes, not tags */
    }
    if (o && o->type == ZW_XPUB && sz0 >= 1 && b[4] <= 1) {
        /* A peer's subscription (0x01) or cancel (0x00) with its prefix: one frame. (Upstream
         * data whose first frame is empty is data: b[4] is then the next frame's header.) */
        FZ_CHECK(!(h0 & ZW_BATCH_MORE) && len == 4 + sz0);
        return;
    }
    if (!net_mode) return;
    /* Two cores: exactly one tagged message, whole, after any envelope (empty delimiters: a
     * DEALER reads them in front of a REP's reply). */
    uint32_t pos = 0, idx = 0, id = 0, nf = 0;
    if (o && o->type == ZW_ROUTER) {
        /* The peer's routing id comes first: 1..255 bytes, more to follow. */
        FZ_CHECK((h0 & ZW_BATCH_MORE) && sz0 >= 1 && sz0 <= 255 && len > 4 + sz0);
        pos = 4 + sz0;
    }
    while (pos < len && (get32(b + pos) & ZW_BATCH_LEN_MASK) == 0) {
        FZ_CHECK(get32(b + pos) & ZW_BATCH_MORE);
        pos += 4;
    }
    uint8_t topic = pos < len ? b[pos + 4] : 0;
    while (pos < len) {
        uint32_t h = get32(b + pos), sz = h & ZW_BATCH_LEN_MASK;
        const uint8_t *f = b + pos + 4;
        FZ_CHECK(sz >= TAG);
        uint32_t fid = get32(f + 1);
        if (idx == 0) {
            id = fid;
            nf = f[6];
            FZ_CHECK(id < next_msgid && nf >= 1);
        }
        FZ_CHECK(fid == id && f[5] == idx && f[6] == nf && f[0] == topic);
        FZ_CHECK(fz_filled(f + TAG, sz - TAG, pattern(id, idx, 0), 1));
        idx++;
        pos += 4 + sz;
        FZ_CHECK(((h & ZW_BATCH_MORE) != 0) == (pos < len));
    }
    FZ_CHECK(idx == nf);
    if (id < MAXMSG) {
        if (!msg_fanout[id]) FZ_CHECK(!msg_seen[id]);   /* delivered twice */
        msg_seen[id] = 1;
    }
}

/* --- two cores: links ------------------------------------------------------------------- */

static link_t *link_of(int node, zw_id conn, int *side) {
    obj_t *o = obj_of(&N[node], conn);
    if (!o || o->link < 0) return NULL;
    link_t *l = &links[o->link];
    for (int s = 0; s < 2; s++)
        if (l->open[s] && l->node[s] == node && l->c[s] == conn) {
            if (side) *side = s;
            return l;
        }
    return NULL;
}

static void link_mark_closing(int node, zw_id conn) {
    link_t *l = link_of(node, conn, NULL);
    if (l) l->closing = 1;
}

static void link_close_side(link_t *l, int s) {
    if (!l->open[s]) return;
    l->open[s] = 0;
    do_closed(l->node[s], l->c[s]);
    l->q[s].len = 0;
    if (!l->open[1 - s]) l->alive = 0;
}

static void link_close(link_t *l) {
    link_close_side(l, 0);
    link_close_side(l, 1);
}

static void answer_dial(int ni, zw_id d, int ok) {
    node_t *n = &N[ni];
    obj_t *o = obj_of(n, d);
    if (!o) return;
    if (!ok || nlinks == MAXLINKS) {
        do_dial_result(ni, d, 0, ZW_FRAMING_STREAM, 0);
        return;
    }
    zw_id c1 = do_dial_result(ni, d, 1, ZW_FRAMING_STREAM, 0);
    if (!c1) return;
    zw_id c2 = do_accept(1 - ni, o->target, ZW_FRAMING_STREAM);
    if (!c2) {
        do_closed(ni, c1);   /* nobody listening: the connection is reset */
        return;
    }
    link_t *l = &links[nlinks];
    l->node[0] = ni, l->c[0] = c1, l->node[1] = 1 - ni, l->c[1] = c2;
    l->q[0].len = l->q[1].len = 0;
    l->alive = l->open[0] = l->open[1] = 1;
    l->closing = 0;
    obj_t *a = obj_of(n, c1), *b = obj_of(&N[1 - ni], c2);
    if (a) a->link = (int8_t)nlinks;
    if (b) b->link = (int8_t)nlinks;
    nlinks++;
}

/* Moves bytes on one link: every pending output into the queues, then at most `budget` bytes
 * of each queue into its reader (not while it is paused). 1 if anything moved. */
static int shuttle(link_t *l, size_t budget) {
    int moved = 0;
    for (int s = 0; s < 2; s++) {
        if (!l->open[s]) continue;
        size_t before = l->q[1 - s].len;
        do_output(l->node[s], l->c[s], 64, l->open[1 - s] ? &l->q[1 - s] : NULL);
        if (!l->open[1 - s]) l->q[1 - s].len = 0;
        moved |= l->q[1 - s].len != before;
    }
    for (int s = 0; s < 2; s++) {
        pending_t *q = &l->q[s];
        if (!l->open[s] || !q->len || l->closing) continue;
        obj_t *o = obj_of(&N[l->node[s]], l->c[s]);
        if (o && o->paused) continue;
        size_t n = q->len < budget ? q->len : budget;
        /* The core may call back nothing, but copy anyway: the queue may grow meanwhile. */
        uint8_t *tmp = malloc(n);
        FZ_CHECK(tmp != NULL);
        memcpy(tmp, q->p, n);
        memmove(q->p, q->p + n, q->len - n);
        q->len -= n;
        do_input(l->node[s], l->c[s], tmp, (uint32_t)n);
        free(tmp);
        moved = 1;
    }
    return moved;
}

static void net_run(int rounds) {
    for (int r = 0; r < rounds; r++) {
        int moved = 0;
        drain(0);
        drain(1);
        for (int i = 0; i < nlinks; i++) {
            link_t *l = &links[i];
            if (!l->alive) continue;
            if (!l->open[0] || !l->open[1] || l->closing) {
                /* A half-closed link: the other side hears it now. Closing: both go. */
                link_close(l);
                moved = 1;
                continue;
            }
            moved |= shuttle(l, SIZE_MAX);
        }
        if (!moved) {
            drain(0);
            drain(1);
            return;
        }
    }
}

/* --- the program ------------------------------------------------------------------------ */

static int32_t pick_type(fz_t *in) {
    static const int32_t impl[] = {ZW_REQ, ZW_REP, ZW_PUB, ZW_SUB, ZW_PUSH, ZW_PULL};
    uint8_t t = fz_u8(in);
    if (t < 160) return impl[t % 6];
    if (t < 240) return t % 12;   /* every type zmqw.h names, implemented or not yet */
    return (int32_t)t - 245;   /* -5 .. 10: unimplemented types and nonsense */
}


/* An option value: interesting ints, int64s, or raw bytes. */
static const uint8_t *opt_value(fz_t *in, int32_t opt, uint32_t *len, uint8_t *buf) {
    static const int32_t ints[] = {-2, -1, 0, 1, 2, 10, 100, 1000, INT32_MAX, INT32_MIN};
    static const int64_t longs[] = {-2, -1, 0, 1, 255, 256, 65536, INT64_MAX, INT64_MIN};
    uint8_t k = fz_u8(in);
    switch (k % 5) {
    case 0:
    case 1: {
        int32_t v = ints[(k >> 3) % (sizeof ints / sizeof ints[0])];
        if (opt == ZW_OPT_MAXMSGSIZE) {
            int64_t w = longs[(k >> 3) % (sizeof longs / sizeof longs[0])];
            for (int i = 0; i < 8; i++) buf[i] = (uint8_t)((uint64_t)w >> (8 * i));
            *len = 8;
        } else {
            le32(buf, (uint32_t)v);
            *len = 4;
        }
        return buf;
    }
    case 2: {   /* a short topic-like prefix */
        static const char *const topics[] = {"", "a", "b", "ab", "abc", "\x00", "a\x00b"};
        const char *t = topics[(k >> 3) % 7];
        size_t tl = (k >> 3) % 7 == 5 ? 1 : (k >> 3) % 7 == 6 ? 3 : strlen(t);
        memcpy(buf, t, tl);
        *len = (uint32_t)tl;
        return buf;
    }
    case 3: {   /* raw bytes */
        size_t got;
        const uint8_t *p = fz_bytes(in, fz_u8(in) % 64, &got);
        memcpy(buf, p, got);
        *len = (uint32_t)got;
        return buf;
    }
    default: {  /* a length nothing takes */
        static const uint32_t odd[] = {0, 1, 3, 5, 7, 9, 256, 300};
        *len = odd[(k >> 3) % 8];
        memset(buf, (k & 0x80) ? 0xff : 0x01, *len);
        return buf;
    }
    }
}

static double pick_time(node_t *n, fz_t *in) {
    static const double d[] = {0, 1, 10, 99, 100, 101, 1000, 5000, 30000, 30001, 1e6};
    uint8_t b = fz_u8(in);
    if (b < 240) return n->now + d[b % 11];
    static const double odd[] = {-1, 0, 1e300, 1.0 / 0.0, -1.0 / 0.0, 0.0 / 0.0};
    return odd[b % 6];
}

/* Well-formed peer frames appended to b (one core). */
static void peer_frames(zmtp_buf_t *b, fz_t *in) {
    int n = 1 + fz_u8(in) % 6;
    for (int i = 0; i < n; i++) {
        uint8_t kind = fz_u8(in);
        uint32_t size = fz_size(in);
        size_t got = 0;
        const uint8_t *body = fz_bytes(in, size < 16 ? size : 16, &got);
        uint8_t *p = scratch;
        memcpy(p, body, got);
        if (size > got) fz_fill(p + got, size - got, (uint8_t)got, 1);
        switch (kind % 12) {
        case 0: zmtp_encode_frame(b, 0, p, size); break;
        case 1: zmtp_encode_frame(b, ZMTP_FLAG_MORE, p, size); break;
        case 2:   /* a request: delimiter + body (REP), or reply (REQ) */
        case 3:
            zmtp_encode_frame(b, ZMTP_FLAG_MORE, NULL, 0);
            zmtp_encode_frame(b, kind & 1 ? ZMTP_FLAG_MORE : 0, p, size);
            if (kind & 1) zmtp_encode_frame(b, 0, p, size / 2);
            break;
        case 4: zmtp_cmd_write(b, ZMTP_CMD_SUBSCRIBE, p, size < 8 ? size : 8); break;
        case 5: zmtp_cmd_write(b, ZMTP_CMD_CANCEL, p, size < 8 ? size : 8); break;
        case 6: zmtp_cmd_write(b, ZMTP_CMD_PING, p, size < 40 ? size : 40); break;
        case 7: zmtp_cmd_write(b, ZMTP_CMD_PONG, p, size < 40 ? size : 40); break;
        case 8: zmtp_cmd_write(b, (kind & 0x10) ? ZMTP_CMD_READY : "X-NEW", p, size); break;
        case 9: zmtp_cmd_write_error(b, "go away"); break;
        case 10: {   /* 3.0 subscription message */
            uint8_t head = (kind >> 4) & 1;
            zmtp_encode_frame2(b, 0, &head, 1, p, size < 8 ? size : 8);
            break;
        }
        default:     /* routing-id envelope, as from a ROUTER or DEALER */
            zmtp_encode_frame(b, ZMTP_FLAG_MORE, "id", 2);
            zmtp_encode_frame(b, ZMTP_FLAG_MORE, NULL, 0);
            zmtp_encode_frame(b, 0, p, size);
            break;
        }
    }
}

/* Feeds b to conn in pieces chosen by the fuzzer. */
static void feed_pieces(int ni, zw_id c, const uint8_t *p, size_t n, uint8_t how) {
    static const size_t sizes[] = {SIZE_MAX, SIZE_MAX, 1, 2, 7, 63, 64, 65};
    size_t chunk = sizes[how % 8];
    for (size_t at = 0; at < n;) {
        size_t k = n - at < chunk ? n - at : chunk;
        if (do_input(ni, c, p + at, (uint32_t)k) != ZW_OK) return;
        at += k;
    }
}

enum {
    OP_OPEN, OP_CLOSE, OP_SETOPT, OP_GETOPT, OP_ACCEPT, OP_CONNECT, OP_DISCONNECT,
    OP_DIAL_RESULT, OP_IN_RAW, OP_IN_HELLO, OP_IN_FRAMES, OP_OUTPUT, OP_CLOSED, OP_SEND,
    OP_SEND_RAW, OP_RECV, OP_STATUS, OP_ADVANCE, OP_NULL_OUT, OP_ACCEPT_FRAMED, OP_INPROC_BIND,
    OP_INPROC_UNBIND, OP_INPROC_CONNECT, OP_STREAM_SEND, OP_COUNT
};

enum {
    NOP_OPEN, NOP_CLOSE, NOP_SETOPT, NOP_CONNECT, NOP_DISCONNECT, NOP_SEND, NOP_RECV, NOP_STATUS,
    NOP_RUN, NOP_STEP, NOP_KILL, NOP_HALF, NOP_ANSWER, NOP_ADVANCE, NOP_GETOPT, NOP_INPROC_BIND,
    NOP_INPROC_UNBIND, NOP_INPROC_CONNECT, NOP_COUNT
};

static void send_from(int ni, fz_t *in, zw_id sock, int tagged) {
    uint32_t len = 0;
    if (tagged) {
        uint32_t first = next_msgid;
        len = build_tagged(in, scratch, SCRATCH);
        obj_t *o = obj_of(&N[ni], sock);
        for (uint32_t id = first; id < next_msgid && id < MAXMSG; id++)
            msg_fanout[id] = !o || o->type == ZW_PUB || o->type == ZW_XPUB || o->type == ZW_XSUB;
    } else {
        int nmsgs = fz_u8(in) % 4;
        for (int m = 0; m < nmsgs; m++) {
            int nf = 1 + fz_u8(in) % 3;
            for (int f = 0; f < nf; f++) {
                uint32_t sz = fz_size(in);
                if (len + 4 + sz > SCRATCH) break;
                le32(scratch + len, sz | (f + 1 < nf ? ZW_BATCH_MORE : 0));
                memset(scratch + len + 4, 'm' + f, sz);
                len += 4 + sz;
            }
        }
    }
    do_send(ni, sock, scratch, len);
}

static const char *const op_names[] = {
    "open", "close", "setopt", "getopt", "accept", "connect", "disconnect", "dial_result",
    "in_raw", "in_hello", "in_frames", "output", "closed", "send", "send_raw", "recv", "status",
    "advance", "null_out", "accept_framed", "inproc_bind", "inproc_unbind", "inproc_connect",
    "stream_send"};
static const char *const nop_names[] = {
    "open", "close", "setopt", "connect", "disconnect", "send", "recv", "status", "run", "step",
    "kill", "half", "answer", "advance", "getopt", "inproc_bind", "inproc_unbind",
    "inproc_connect"};

static void single_op(fz_t *in) {
    node_t *n = &N[0];
    uint8_t op = fz_u8(in) % OP_COUNT;
    TRACE("op %s @%zu\n", op_names[op], in->pos);
    switch (op) {
    case OP_OPEN: do_open(0, pick_type(in)); break;
    case OP_CLOSE: do_close(0, pick(n, in, K_SOCK)); break;
    case OP_SETOPT: {
        zw_id s = pick(n, in, K_SOCK);
        uint8_t o = fz_u8(in);
        int32_t opt = o < 236 ? opts[o % NOPTS] : o < 240 ? ZW_OPT_STREAM_NOTIFY : (int32_t)o - 250;
        uint8_t buf[320];
        uint32_t len;
        const uint8_t *v = opt_value(in, opt, &len, buf);
        do_setopt(0, s, opt, (len == 0 && (o & 0x80)) ? NULL : v, len);   /* empty: maybe none */
        break;
    }
    case OP_GETOPT: {
        zw_id s = pick(n, in, K_SOCK);
        uint8_t o = fz_u8(in);
        static const uint32_t caps[] = {0, 1, 3, 4, 7, 8, 255, 256};
        uint8_t c = fz_u8(in);
        do_getopt(0, s, o < 236 ? opts[o % NOPTS] : o < 240 ? ZW_OPT_STREAM_NOTIFY : (int32_t)o - 250,
                  caps[c % 8], c >= 128);
        break;
    }
    case OP_ACCEPT: do_accept(0, pick(n, in, K_SOCK), ZW_FRAMING_STREAM); break;
    case OP_CONNECT: do_connect(0, pick(n, in, K_SOCK)); break;
    case OP_DISCONNECT: do_disconnect(0, pick(n, in, K_DIALER)); break;   /* and links: pick */
    case OP_DIAL_RESULT: {
        zw_id d = pick(n, in, K_DIALER);
        uint8_t b = fz_u8(in);
        static const int32_t framings[] = {ZW_FRAMING_MESSAGE, 2, -1, ZW_FRAMING_STREAM};
        int32_t framing = (b & 0x70) == 0x70 ? framings[(b >> 1) & 3] : ZW_FRAMING_STREAM;
        do_dial_result(0, d, b & 1 ? 0 : 1, framing, b == 0xff);
        break;
    }
    case OP_IN_RAW: {
        zw_id c = pick(n, in, K_CONN);
        size_t got;
        const uint8_t *p = fz_bytes(in, fz_u8(in), &got);
        memcpy(scratch, p, got);   /* the core must not keep the host's area */
        do_input(0, c, scratch, (uint32_t)got);
        break;
    }
    case OP_IN_HELLO: {
        zw_id c = pick(n, in, K_CONN);
        obj_t *o = obj_of(n, c);
        uint8_t cfg = fz_u8(in);
        int type = (cfg & 0x30) == 0x30 ? fz_u8(in) % 13 : fz_compatible_type(o ? o->type : 0, cfg);
        zmtp_buf_t b = {0};
        static const uint8_t pid[] = {'P', 'E', 'E', 'R'};
        fz_peer_hello(&b, (cfg >> 1) & 1, (cfg >> 2) & 1, type == 12 ? -1 : type, pid,
                      (cfg & 8) ? 4 : 0);
        if (cfg & 0x40) peer_frames(&b, in);
        feed_pieces(0, c, zmtp_buf_head(&b), zmtp_buf_len(&b), fz_u8(in));
        zmtp_buf_free(&b);
        break;
    }
    case OP_IN_FRAMES: {
        zw_id c = pick(n, in, K_CONN);
        zmtp_buf_t b = {0};
        peer_frames(&b, in);
        feed_pieces(0, c, zmtp_buf_head(&b), zmtp_buf_len(&b), fz_u8(in));
        zmtp_buf_free(&b);
        break;
    }
    case OP_OUTPUT: do_output(0, pick(n, in, K_CONN), 1 + fz_u8(in) % 8, NULL); break;
    case OP_CLOSED: do_closed(0, pick(n, in, K_CONN)); break;
    case OP_SEND: send_from(0, in, pick(n, in, K_SOCK), 0); break;
    case OP_SEND_RAW: {
        zw_id s = pick(n, in, K_SOCK);
        size_t got;
        const uint8_t *p = fz_bytes(in, fz_u8(in), &got);
        memcpy(scratch, p, got);
        do_send(0, s, scratch, (uint32_t)got);
        break;
    }
    case OP_RECV: {
        static const uint32_t mm[] = {0, 1, 1, 2, 5}, mb[] = {0, 10, 1000, UINT32_MAX};
        zw_id s = pick(n, in, K_SOCK);
        uint8_t b = fz_u8(in);
        do_recv(0, s, mm[b % 5], mb[(b >> 4) % 4]);
        break;
    }
    case OP_STATUS: do_status(0, pick(n, in, K_SOCK)); break;
    case OP_ADVANCE: do_advance(0, pick_time(n, in)); break;
    case OP_ACCEPT_FRAMED: {
        static const int32_t framings[] = {ZW_FRAMING_MESSAGE, 2, -1, INT32_MAX};
        zw_id s = pick(n, in, K_SOCK);
        do_accept(0, s, framings[fz_u8(in) % 4]);
        break;
    }
    case OP_INPROC_BIND: {
        zw_id s = pick(n, in, K_SOCK);
        do_inproc_bind(0, s, fz_u8(in));
        break;
    }
    case OP_INPROC_UNBIND: {
        zw_id s = pick(n, in, K_SOCK);
        do_inproc_unbind(0, s, fz_u8(in));
        break;
    }
    case OP_INPROC_CONNECT: {
        zw_id s = pick(n, in, K_SOCK);
        do_inproc_connect(0, s, fz_u8(in));
        break;
    }
    case OP_STREAM_SEND: {   /* [id][data] to a peer a STREAM socket named; empty data closes it */
        zw_id s = pick(n, in, K_SOCK);
        uint8_t b = fz_u8(in);
        obj_t *o = obj_of(n, s);
        uint8_t id[5] = {0, 0, 0, 0, 0};
        if (o && o->peers >= 0 && peers[o->peers].have_last) memcpy(id, peers[o->peers].last, 5);
        if (b & 0x80) id[4] ^= 1;   /* an id nobody has */
        uint32_t sz = (b & 0x40) ? 0 : fz_size(in);
        le32(scratch, 5 | ZW_BATCH_MORE);
        memcpy(scratch + 4, id, 5);
        le32(scratch + 9, sz);
        memset(scratch + 13, 's', sz);
        do_send(0, s, scratch, 13 + sz);
        break;
    }
    case OP_NULL_OUT:
    default: {   /* a NULL out-parameter is never success */
        uint8_t which = fz_u8(in) % 8;
        zw_core_t *c = n->core;
        zw_id s = pick(n, in, K_SOCK);
        uint32_t u;
        const uint8_t *p;
        zw_err rc;
        switch (which) {
        case 0: rc = zw_core_socket_open(c, ZW_PUSH, NULL); break;
        case 1: rc = zw_core_accept(c, s, ZW_FRAMING_STREAM, NULL); break;
        case 2: rc = zw_core_connect(c, s, NULL); break;
        case 3: rc = zw_core_status(c, s, NULL, &u); break;
        case 4: rc = zw_core_recv(c, s, 1, 0, NULL, &u, &u); break;
        case 5: rc = zw_core_send(c, s, scratch, 0, NULL); break;
        case 6: rc = zw_core_effects(c, &p, NULL); break;
        default: rc = zw_core_advance(c, n->now, NULL); break;
        }
        FZ_CHECK(fz_rc(rc) != ZW_OK);
        break;
    }
    }
}

static void net_op(fz_t *in) {
    uint8_t b = fz_u8(in);
    int ni = b >> 7;
    node_t *n = &N[ni];
    TRACE("op core%d %s @%zu\n", ni, nop_names[(b & 0x7f) % NOP_COUNT], in->pos);
    switch ((b & 0x7f) % NOP_COUNT) {
    case NOP_OPEN: do_open(ni, pick_type(in)); break;
    case NOP_CLOSE: do_close(ni, pick(n, in, K_SOCK)); break;
    case NOP_SETOPT: {
        zw_id s = pick(n, in, K_SOCK);
        int32_t opt = opts[fz_u8(in) % 12];
        uint8_t buf[320];
        uint32_t len;
        const uint8_t *v = opt_value(in, opt, &len, buf);
        do_setopt(ni, s, opt, v, len);
        break;
    }
    case NOP_GETOPT: do_getopt(ni, pick(n, in, K_SOCK), opts[fz_u8(in) % 12], 256, 0); break;
    case NOP_CONNECT: {
        zw_id s = pick(n, in, K_SOCK);
        zw_id t = pick(&N[1 - ni], in, K_SOCK);
        uint8_t mode = fz_u8(in) % 8;
        zw_id d = do_connect(ni, s);
        obj_t *o = obj_of(n, d);
        if (o) {
            o->target = t;
            o->route = mode < 6 ? R_AUTO : mode == 6 ? R_REFUSE : R_MANUAL;
        }
        /* The first DIAL was queued by zw_connect: answered at the next drain. */
        break;
    }
    case NOP_DISCONNECT: {
        uint8_t x = fz_u8(in);   /* a dialer or an inproc connect */
        do_disconnect(ni, pick(n, in, x & 1 ? K_LINK : K_DIALER));
        break;
    }
    case NOP_INPROC_BIND: {
        zw_id s = pick(n, in, K_SOCK);
        do_inproc_bind(ni, s, fz_u8(in));
        break;
    }
    case NOP_INPROC_UNBIND: {
        zw_id s = pick(n, in, K_SOCK);
        do_inproc_unbind(ni, s, fz_u8(in));
        break;
    }
    case NOP_INPROC_CONNECT: {
        zw_id s = pick(n, in, K_SOCK);
        do_inproc_connect(ni, s, fz_u8(in));
        break;
    }
    case NOP_SEND: send_from(ni, in, pick(n, in, K_SOCK), 1); break;
    case NOP_RECV: {
        static const uint32_t mm[] = {0, 1, 1, 2, 5}, mb[] = {0, 10, 1000, UINT32_MAX};
        zw_id s = pick(n, in, K_SOCK);
        uint8_t x = fz_u8(in);
        do_recv(ni, s, mm[x % 5], mb[(x >> 4) % 4]);
        break;
    }
    case NOP_STATUS: do_status(ni, pick(n, in, K_SOCK)); break;
    case NOP_RUN: net_run(1 + fz_u8(in) % 64); break;
    case NOP_STEP: {   /* a few bytes on one link */
        if (!nlinks) break;
        link_t *l = &links[fz_u8(in) % nlinks];
        static const size_t budgets[] = {1, 2, 3, 10, 64, 100, 4096, SIZE_MAX};
        size_t budget = budgets[fz_u8(in) % 8];
        if (l->alive && l->open[0] && l->open[1]) shuttle(l, budget);
        break;
    }
    case NOP_KILL: {
        if (!nlinks) break;
        link_t *l = &links[fz_u8(in) % nlinks];
        if (l->alive) link_close(l);
        break;
    }
    case NOP_HALF: {
        if (!nlinks) break;
        uint8_t x = fz_u8(in);
        link_t *l = &links[x % nlinks];
        if (l->alive) link_close_side(l, (x >> 7) & 1);
        break;
    }
    case NOP_ANSWER: {   /* a dial left to the fuzzer (route R_MANUAL), or any dialer at all */
        zw_id d = pick(n, in, K_DIALER);
        uint8_t x = fz_u8(in);
        obj_t *o = obj_of(n, d);
        if (o && o->kind == K_DIALER) answer_dial(ni, d, x & 1);
        else do_dial_result(ni, d, x & 1, ZW_FRAMING_STREAM, 0);
        break;
    }
    default: {
        uint8_t which = fz_u8(in);
        double t = pick_time(n, in);
        if (which & 1) do_advance(ni, t);
        else {
            do_advance(0, t);
            do_advance(1, t);
        }
        break;
    }
    }
}

/* The end of a two-core program: the application reads everything there is (a REP answers each
 * request) and the hosts carry it, a few times over. Then no connection may still be paused: once
 * the reader caught up, every ZW_FX_PAUSE must have had its ZW_FX_RESUME (or a ZW_FX_CLOSE). */
static void settle_all(void) {
    net_run(256);
    for (int round = 0; round < 8; round++) {
        for (int ni = 0; ni < 2; ni++) {
            node_t *n = &N[ni];
            for (uint32_t i = 0; i < n->live[K_SOCK].n; i++) {
                zw_id s = n->live[K_SOCK].id[i];
                obj_t *o = obj_of(n, s);
                if (!o || o->state != S_LIVE) continue;
                if (o->type != ZW_REP) {
                    do_recv(ni, s, 0, UINT32_MAX);
                    continue;
                }
                for (int k = 0; k < 64; k++) {   /* each request read is answered */
                    const uint8_t *p;
                    uint32_t len, msgs = 0;
                    if (zw_core_recv(n->core, s, 1, UINT32_MAX, &p, &len, &msgs) != ZW_OK ||
                        !msgs)
                        break;
                    if (FUZZ_AVOID_REP_UAF && o->lost) break;
                    uint8_t reply[4 + TAG];
                    uint32_t id = next_msgid++;
                    if (id < MAXMSG) msg_fanout[id] = 0;
                    le32(reply, TAG);
                    reply[4] = 'r';
                    le32(reply + 5, id);
                    reply[9] = 0, reply[10] = 1;
                    do_send(ni, s, reply, sizeof reply);
                }
            }
            drain(ni);
        }
        net_run(256);
    }
    for (int ni = 0; ni < 2; ni++) {
        node_t *n = &N[ni];
        for (uint32_t i = 0; i < n->live[K_CONN].n; i++) {
            obj_t *c = obj_of(n, n->live[K_CONN].id[i]);
            if (c) FZ_CHECK(!c->paused);
        }
    }
}

static void entropy(void *ctx, uint8_t *buf, uint32_t len) {
    uint32_t *x = ctx;
    for (uint32_t i = 0; i < len; i++) {
        *x ^= *x << 13;
        *x ^= *x >> 17;
        *x ^= *x << 5;
        buf[i] = (uint8_t)*x;
    }
}

static void reset(void) {
    for (int i = 0; i < 2; i++) {
        node_t *n = &N[i];
        memset(n->obj, 0, (n->maxid + 1) * sizeof n->obj[0]);
        n->maxid = 0;
        n->untracked = 0;
        n->now = 0;
        for (int k = 0; k < K_COUNT; k++) n->live[k].n = n->stale[k].n = 0;
        memset(n->binder, 0, sizeof n->binder);
    }
    for (int i = 0; i < nlinks; i++) links[i].q[0].len = links[i].q[1].len = 0;
    nlinks = 0;
    nsubs = 0;
    npeersets = 0;
    memset(msg_seen, 0, next_msgid < MAXMSG ? next_msgid : MAXMSG);
    next_msgid = 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    fz_t in = {data, size, 0};
    int64_t live0 = zw_frame_live();
    static int inited;
    if (!inited) {
        trace = getenv("FUZZ_TRACE") != NULL;
        inited = 1;
    }
    reset();
    uint8_t mode = fz_u8(&in);
    net_mode = mode & 1;
    for (int i = 0; i < 1 + net_mode; i++) {
        N[i].rng = 0x1234u + (uint32_t)i;
        N[i].core = zw_core_new(entropy, &N[i].rng);
        FZ_CHECK(N[i].core != NULL);
    }
    int ops = 0;
    while (fz_left(&in) && ops++ < 2000) {
        if (net_mode) {
            net_op(&in);
            drain(0);
            drain(1);
        } else {
            single_op(&in);
            drain(0);
        }
    }
    if (net_mode) settle_all();
    for (int i = 0; i < 1 + net_mode; i++) {
        zw_core_free(N[i].core);
        N[i].core = NULL;
    }
    FZ_CHECK(zw_frame_live() == live0);
    return 0;
}

/* --- seeds ------------------------------------------------------------------------------- */

#define B1 0x80   /* node 1, in two-core programs */

static void write_seeds(const char *dir) {
    /* One core, REP: accept, a REQ peer's hello + one request, recv, reply, output, close. */
    static const uint8_t rep[] = {
        0,
        OP_OPEN, 1,                              /* REP */
        OP_ACCEPT, 0,
        OP_IN_HELLO, 0, 0x42, 0, 2, 5, 'h', 'e', 'l', 'l', 'o', 0,
        OP_RECV, 0, 0x31,
        OP_SEND, 0, 1, 0, 3,
        OP_OUTPUT, 0, 2,
        OP_STATUS, 0,
        OP_CLOSED, 0,
        OP_CLOSE, 0,
        OP_ADVANCE, 7,
    };
    fz_write_seed(dir, "single_rep", rep, sizeof rep);
    /* One core, PUSH dialing: dial answered, a PULL peer's hello fed 7 bytes at a time, two
     * messages (one of two frames), output, reconnect after the connection closes. */
    static const uint8_t push[] = {
        0,
        OP_OPEN, 4,                              /* PUSH */
        OP_SETOPT, 0, 8, 25,                     /* SNDHWM = 1 */
        OP_CONNECT, 0,
        OP_DIAL_RESULT, 0, 0,
        OP_IN_HELLO, 0, 0x02, 4,
        OP_SEND, 0, 2, 1, 4, 5, 0, 238,
        OP_OUTPUT, 0, 3,
        OP_CLOSED, 0,
        OP_ADVANCE, 4,
        OP_DIAL_RESULT, 0, 1,
        OP_ADVANCE, 6,
        OP_CLOSE, 0,
    };
    fz_write_seed(dir, "single_push", push, sizeof push);
    /* One core, SUB: subscribe "a", a PUB peer sends two messages, recv. */
    static const uint8_t sub[] = {
        0,
        OP_OPEN, 3,                              /* SUB */
        OP_SETOPT, 0, 1, 12,                     /* SUBSCRIBE "a" */
        OP_ACCEPT, 0,
        OP_IN_HELLO, 0, 0x40, 1, 0, 2, 'a', 'x', 0, 2, 'b', 'y', 0,
        OP_RECV, 0, 0,
        OP_OUTPUT, 0, 4,
    };
    fz_write_seed(dir, "single_sub", sub, sizeof sub);
    /* Two cores, REQ -> REP: connect, run, request, run, recv, reply, run, recv. */
    static const uint8_t reqrep[] = {
        1,
        B1 | NOP_OPEN, 1,                        /* REP on core 1 */
        NOP_OPEN, 0,                             /* REQ on core 0 */
        NOP_CONNECT, 0, 0, 0,
        NOP_RUN, 10,
        NOP_SEND, 0, 0, 1, 0, 3, 4,
        NOP_RUN, 10,
        B1 | NOP_RECV, 0, 0x31,
        B1 | NOP_SEND, 0, 0, 0, 0, 5,
        NOP_RUN, 10,
        NOP_RECV, 0, 0x31,
    };
    fz_write_seed(dir, "net_req_rep", reqrep, sizeof reqrep);
    /* Two cores, PUB -> SUB "a": two messages, topics a and b. */
    static const uint8_t pubsub[] = {
        1,
        NOP_OPEN, 2,                             /* PUB on core 0 */
        B1 | NOP_OPEN, 3,                        /* SUB on core 1 */
        B1 | NOP_SETOPT, 0, 1, 12,               /* SUBSCRIBE "a" */
        B1 | NOP_CONNECT, 0, 0, 0,
        NOP_RUN, 20,
        NOP_SEND, 0, 1, 0, 0, 2, 0, 1, 2,
        NOP_RUN, 20,
        B1 | NOP_RECV, 0, 0,
    };
    fz_write_seed(dir, "net_pub_sub", pubsub, sizeof pubsub);
    /* Two cores, PUSH -> PULL: a 70000-byte frame, moved a byte at a time, then the rest. */
    static const uint8_t pushpull[] = {
        1,
        NOP_OPEN, 4,                             /* PUSH on core 0 */
        B1 | NOP_OPEN, 5,                        /* PULL on core 1 */
        NOP_CONNECT, 0, 0, 0,
        NOP_RUN, 5,
        NOP_SEND, 0, 0, 0, 0, 238,
        NOP_STEP, 0, 0, NOP_STEP, 0, 2, NOP_STEP, 0, 6,
        NOP_RUN, 30,
        B1 | NOP_RECV, 0, 0,
        NOP_KILL, 0,
        NOP_ADVANCE, 1, 4,
        NOP_RUN, 30,
    };
    fz_write_seed(dir, "net_push_pull", pushpull, sizeof pushpull);
    /* One core, PULL at RCVHWM 1: three messages from a PUSH peer, so the connection pauses;
     * reading resumes it. */
    static const uint8_t hwm[] = {
        0,
        OP_OPEN, 5,                              /* PULL */
        OP_SETOPT, 0, 9, 25,                     /* RCVHWM = 1 */
        OP_ACCEPT, 0,
        OP_IN_HELLO, 0, 0x42, 2, 0, 3, 'a', 'b', 'c', 0, 3, 'd', 'e', 'f', 0, 3, 'g', 'h', 'i', 0,
        OP_RECV, 0, 1,
        OP_RECV, 0, 1,
        OP_IN_FRAMES, 0, 1, 0, 2, 'j', 'k', 0, 2, 'l', 'm', 0,
        OP_RECV, 0, 0,
        OP_CLOSED, 0,
        OP_RECV, 0, 0,
    };
    fz_write_seed(dir, "single_pull_hwm", hwm, sizeof hwm);
    /* One core, inproc PUSH -> PULL: bind, connect, send, recv, then the binder closes. */
    static const uint8_t inproc[] = {
        0,
        OP_OPEN, 4,                              /* PUSH */
        OP_OPEN, 5,                              /* PULL */
        OP_INPROC_CONNECT, 0, 0,                 /* before the bind: pending */
        OP_SEND, 0, 1, 0, 3,
        OP_INPROC_BIND, 1, 0,
        OP_RECV, 1, 0,
        OP_INPROC_BIND, 0, 0,                    /* taken */
        OP_INPROC_UNBIND, 1, 0,
        OP_SEND, 0, 2, 0, 3, 1, 4, 5,
        OP_CLOSE, 1,
        OP_SEND, 0, 1, 0, 3,
        OP_DISCONNECT, 235,                      /* the link (picked as another kind) */
    };
    fz_write_seed(dir, "single_inproc", inproc, sizeof inproc);
    /* Two cores, with inproc on core 0: PUB -> SUB "a" inside core 0, and a REQ on core 1
     * talking to a REP on core 0 over a connection. */
    static const uint8_t netinproc[] = {
        1,
        NOP_OPEN, 2,                             /* PUB, core 0 */
        NOP_OPEN, 3,                             /* SUB, core 0 */
        NOP_SETOPT, 1, 1, 12,                    /* SUBSCRIBE "a" */
        NOP_INPROC_BIND, 0, 1,
        NOP_INPROC_CONNECT, 1, 1,
        NOP_SEND, 0, 1, 0, 0, 3, 0, 1, 3,
        NOP_RECV, 1, 0,
        NOP_OPEN, 1,                             /* REP, core 0 */
        B1 | NOP_OPEN, 0,                        /* REQ, core 1 */
        B1 | NOP_CONNECT, 0, 2, 0,
        NOP_RUN, 10,
        B1 | NOP_SEND, 0, 0, 0, 0, 3,
        NOP_RUN, 10,
        NOP_RECV, 2, 1,
        NOP_SEND, 2, 0, 0, 0, 3,
        NOP_RUN, 10,
        B1 | NOP_RECV, 0, 1,
        NOP_CLOSE, 0,
    };
    fz_write_seed(dir, "net_inproc", netinproc, sizeof netinproc);
    /* Two cores: PAIR <- two PAIR dialers (the second is refused), and DEALER -> REP with an
     * envelope. */
    static const uint8_t pairs[] = {
        1,
        NOP_OPEN, 168,                           /* PAIR, core 0 */
        B1 | NOP_OPEN, 168,                      /* PAIR, core 1 */
        B1 | NOP_CONNECT, 0, 0, 0,
        B1 | NOP_CONNECT, 0, 0, 0,
        NOP_RUN, 10,
        NOP_SEND, 0, 0, 0, 0, 3,
        B1 | NOP_SEND, 0, 0, 0, 0, 3,
        NOP_RUN, 10,
        NOP_RECV, 0, 0,
        B1 | NOP_RECV, 0, 0,
        NOP_OPEN, 173,                           /* DEALER, core 0 */
        B1 | NOP_OPEN, 1,                        /* REP, core 1 */
        NOP_CONNECT, 1, 1, 0,
        NOP_RUN, 10,
        NOP_SEND, 1, 0, 0x80, 0, 3,
        NOP_RUN, 10,
        B1 | NOP_RECV, 1, 1,
        B1 | NOP_SEND, 1, 0, 0, 0, 3,
        NOP_RUN, 10,
        NOP_RECV, 1, 0,
    };
    fz_write_seed(dir, "net_pair_dealer", pairs, sizeof pairs);
    /* One core, STREAM: a raw peer accepted, its read, a reply to its id, then closing it by
     * sending [id][""]; and a dialer that reconnects. */
    static const uint8_t stream[] = {
        0,
        OP_OPEN, 167,                            /* STREAM */
        OP_ACCEPT, 0,
        OP_IN_RAW, 0, 2, 'h', 'i',
        OP_RECV, 0, 0x32,
        OP_STREAM_SEND, 0, 0, 3,
        OP_OUTPUT, 0, 2,
        OP_STREAM_SEND, 0, 0x40,
        OP_OUTPUT, 0, 2,
        OP_CLOSED, 0,
        OP_RECV, 0, 0x32,
        OP_CONNECT, 0,
        OP_DIAL_RESULT, 0, 0,
        OP_IN_RAW, 0, 1, 'x',
        OP_RECV, 0, 0x32,
    };
    fz_write_seed(dir, "single_stream", stream, sizeof stream);
}

FZ_SEED_WRITER(write_seeds)
