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
 *  mode bit 6 = 1, body refs (zmqw.h): the harness is also the host of bodies. It sends frames
 *    by ref (fresh ids of bodies it holds, real bytes) or as malformed refs, and takes the large
 *    bodies zw_conn_input asks for (collected from the bytes that follow, handed over with
 *    zw_conn_body, or a wrong call first). In every mode a raw batch's ref frames name bodies.
 * Checks, on every call: the return code is a zw_err; ids are fresh and non-zero; a live object
 * is never refused as unknown and a dead or made-up one always is; effect records are well formed
 * and name objects of the right kind (PAUSE/RESUME alternate, nothing after SOCKET_GONE /
 * DIAL_STOP, SOCKET_GONE only after close); exactly the dialers asked to dial take a
 * dial_result; options read back what was set, and invalid values are refused as zmqw.h
 * documents them; inproc names are taken and freed as documented; status agrees with what
 * send/recv do next; batches from recv are well formed and within the asked limits; a SUB only
 * returns subscribed messages. Two cores: every message received is exactly one message sent,
 * unmixed and uncorrupted, and only a PUB's reach a socket twice; at the end, once every socket
 * read what it had, no connection is left paused. Bodies: the core reads (zw_host_body_read),
 * shows (zw_conn_output) and returns (zw_recv ref frames) only bodies it holds, within them and by
 * their size; a batch with a malformed ref is refused whole and touches nothing; a message not
 * taken leaves its bodies with the host; zw_conn_body is taken only when asked and refused as
 * zmqw.h says otherwise, and input before an asked body is refused; each body passed is released
 * once, never one the core did not take. Last, the cores are freed and no frame is left alive
 * (and LeakSanitizer checks the rest); bodies the cores still held are dropped unreleased, as
 * zw_core_free tells nobody.
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
    uint8_t going;       /* conn: ZW_FX_CLOSE seen (input is moot, a body is not taken) */
    uint32_t want;       /* conn: the size of the body zw_conn_input asked for, not yet given */
    uint8_t readied;     /* conn: zw_conn_input stopped right after READY (it does so once) */
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
    int body[2];        /* side i's core asked for a body: its slot in bodies[], else -1 */
    uint32_t bhave[2];  /* bytes of it collected from q[i] so far */
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

/* --- host bodies (zmqw.h, body refs) ------------------------------------------------------
 * The bodies each core's host holds: ones the harness sends by ref, and ones it collects when
 * zw_conn_input asks. A body is its first nhead bytes (stored) and then a pattern, byte i =
 * seed + i * step, so a ref frame of any size (a raw batch may declare 2^31 - 1 bytes) costs
 * only its head; received bodies between two cores are stored whole, to be checked as tagged
 * messages. Ids are fresh per input (one counter for both cores, so a body named on the wrong
 * core is never found). States: HOST = the harness's only (being collected); LENT = inside the
 * zw_send or zw_conn_body call that passes it (the core may read it, and may not take it);
 * CORE = the core holds it, until its ZW_FX_RELEASE. */
#define MAXBODIES 64
#define BODY_FULL (131072 + 64)   /* a collected body up to this size is stored whole */
enum { B_FREE = 0, B_HOST = 1, B_LENT = 2, B_CORE = 3 };

typedef struct hbody {
    uint32_t id, size, nhead;
    uint8_t state, node, seed, step;
    uint8_t *head;
} hbody_t;

static hbody_t bodies[MAXBODIES];
static uint32_t next_body;
/* Input mode bit 6: the harness sends frames by ref and takes received bodies by ref (and reads
 * a choice byte for each); without it the program runs as it did before bodies (the regressions
 * replay unchanged), except that ref frames of raw batches name real bodies. */
static int refs_mode;

static hbody_t *body_find(int ni, uint32_t id) {
    for (int i = 0; i < MAXBODIES; i++)
        if (bodies[i].state != B_FREE && bodies[i].id == id && bodies[i].node == ni)
            return &bodies[i];
    return NULL;
}

static int body_room(void) {
    for (int i = 0; i < MAXBODIES; i++)
        if (bodies[i].state == B_FREE) return 1;
    return 0;
}

/* A fresh body of ni's host (state HOST), its first nhead bytes from head (NULL: left for the
 * caller to fill). NULL when the table is full: the caller then does without a body. */
static hbody_t *body_new(int ni, uint32_t size, const uint8_t *head, uint32_t nhead, uint8_t seed,
                         uint8_t step) {
    for (int i = 0; i < MAXBODIES; i++) {
        hbody_t *b = &bodies[i];
        if (b->state != B_FREE) continue;
        if (++next_body == 0) next_body = 1;   /* never 0 (zmqw.h) */
        *b = (hbody_t){.id = next_body, .size = size, .nhead = nhead < size ? nhead : size,
                       .state = B_HOST, .node = (uint8_t)ni, .seed = seed, .step = step};
        b->head = malloc(b->nhead ? b->nhead : 1);
        FZ_CHECK(b->head != NULL);
        if (head && b->nhead) memcpy(b->head, head, b->nhead);
        return b;
    }
    return NULL;
}

static void body_drop(hbody_t *b) {
    free(b->head);
    *b = (hbody_t){0};
}

/* n bytes from offset off of b (within it). */
FZ_NOCOV static void body_copy(const hbody_t *b, uint32_t off, uint8_t *dst, uint32_t n) {
    uint32_t i = 0;
    if (off < b->nhead) {
        i = b->nhead - off < n ? b->nhead - off : n;
        memcpy(dst, b->head + off, i);
    }
    for (; i < n; i++) dst[i] = (uint8_t)(b->seed + (off + i) * b->step);
}

/* zw_host_body_read: the core reads only bodies it holds (or is being passed), within them. */
static void body_reader(void *ctx, uint32_t id, uint32_t off, uint8_t *dst, uint32_t len) {
    int ni = *(const int *)ctx;
    hbody_t *b = body_find(ni, id);
    TRACE("  core%d body_read id=%u off=%u len=%u%s\n", ni, id, off, len, b ? "" : " (not held)");
    FZ_CHECK(b && (b->state == B_LENT || b->state == B_CORE));
    FZ_CHECK((uint64_t)off + len <= b->size);
    FZ_CHECK(len == 0 || dst != NULL);
    body_copy(b, off, dst, len);
}

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

static void le32(uint8_t *p, uint32_t v) {
    p[0] = (uint8_t)v, p[1] = (uint8_t)(v >> 8);
    p[2] = (uint8_t)(v >> 16), p[3] = (uint8_t)(v >> 24);
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
        FZ_CHECK(kind >= ZW_FX_DIAL && kind <= ZW_FX_PING);
        FZ_CHECK(id != 0);
        if (kind != ZW_FX_CLOSE) FZ_CHECK(reason == 0);
        /* A body id is the host's own, not a core object: one the harness passed to this core
         * (by zw_send or zw_conn_body) and not released since, so each is released once. */
        if (kind == ZW_FX_RELEASE) {
            hbody_t *b = body_find(ni, id);
            FZ_CHECK(b && b->state == B_CORE);
            body_drop(b);
            continue;
        }
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
            o->going = 1;
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

/* A framing the build takes (zmqw.h): STREAM always; MESSAGE and MESSAGE_BARE (ZWS 2.0) for
 * every type but STREAM, which has none (ZW_ENOTSUP); any other value is ZW_EINVAL. type: the
 * socket's, -1 when the harness does not know it. */
static void check_framing(int32_t framing, int k, zw_err rc, zw_err unknown_rc, int type) {
    int message = framing == ZW_FRAMING_MESSAGE || framing == ZW_FRAMING_MESSAGE_BARE;
    if (framing == ZW_FRAMING_STREAM) {
        check_known(k, rc, unknown_rc);
    } else {
        /* Which is checked first, the id or the framing, is not specified. */
        FZ_CHECK(rc != ZW_OK || message);
        if (k == 1 && !message) FZ_CHECK(rc == ZW_EINVAL);
        if (k == 1 && message && type >= 0)
            FZ_CHECK(type == ZW_STREAM ? rc == ZW_ENOTSUP : rc == ZW_OK || rc == ZW_ENOMEM);
    }
}

static zw_id do_accept(int ni, zw_id sock, int32_t framing) {
    node_t *n = &N[ni];
    int k = known(n, sock, K_SOCK, 0);
    zw_id c = 0;
    zw_err rc = fz_rc(zw_core_accept(n->core, sock, framing, &c));
    TRACE("  core%d accept sock=%u framing=%d -> rc=%d conn=%u\n", ni, sock, framing, rc, c);
    obj_t *so = obj_of(n, sock);
    check_framing(framing, k, rc, ZW_ENOTSOCK, so ? so->type : -1);
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
        /* The framing is judged only for a dialer waiting, with somewhere to put the conn. */
        check_framing(framing, k, rc, ZW_ENOENT, o && dialing && !null_out ? o->type : -1);
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

/* Connection input; with used and body (refs), the core may stop at a large body's header and
 * ask for it (*body = its size), which the caller collects and hands over (do_body). Without,
 * every byte is taken (core.h). */
static zw_err do_input(int ni, zw_id c, const uint8_t *p, uint32_t len, uint32_t *used,
                       uint32_t *body) {
    node_t *n = &N[ni];
    int k = known(n, c, K_CONN, 0);
    obj_t *o = obj_of(n, c);
    uint32_t want = k == 1 && o ? o->want : 0;
    /* A close since the body was asked (output failing, the body's frame refused) decides what
     * input does now: the effects say so. */
    if (want) drain(ni);
    if (!len) p = FUZZ_AVOID_NULL_INPUT ? scratch : NULL;   /* nothing to pass: maybe no area */
    uint32_t u = 0xdeadbeef, b = 0xdeadbeef;
    zw_err rc = fz_rc(zw_core_conn_input(n->core, c, p, len, used ? &u : NULL, used ? &b : NULL));
    TRACE("  core%d input conn=%u len=%u%s -> rc=%d used=%u body=%u\n", ni, c, len,
          used ? " refs" : "", rc, used ? u : len, used ? b : 0);
    check_known(k, rc, ZW_ENOENT);
    FZ_CHECK(rc == ZW_OK || rc == ZW_ENOENT || rc == ZW_EPROTO || rc == ZW_EINVAL);
    /* A body asked for comes before any more input (ZW_EINVAL), unless the connection is going,
     * when input is moot (taken whole); EINVAL means nothing else. */
    if (want) FZ_CHECK(o->going ? rc == ZW_OK : rc == ZW_EINVAL);
    else FZ_CHECK(rc != ZW_EINVAL);
    if (!used) return rc;
    if (rc != ZW_OK) {
        FZ_CHECK(u == 0xdeadbeef && b == 0xdeadbeef);   /* out-parameters only on success */
        return rc;
    }
    FZ_CHECK(u <= len);
    if (b) {
        /* Only a large data frame's body is diverted, and it fits a ref frame's size. */
        FZ_CHECK(b >= ZW_BODY_MIN && b <= INT32_MAX && !want);
        if (o && k == 1) o->want = b;
    } else {
        /* It stops only at a body (or takes all: moot), or once right after READY: what follows
         * must come again, through the scanner, so that a body after READY is diverted too. */
        if (u != len && !want) {
            FZ_CHECK(u > 0 && o && k == 1 && !o->readied);
            o->readied = 1;
        }
    }
    *used = u;
    *body = b;
    return rc;
}

/* zw_conn_body: hands body bd (the harness's, state HOST) to conn. Taken only when the
 * connection asked for one and is not going (ZW_ENOENT: the body stays the host's, which drops
 * it); ZW_EINVAL when none was asked. */
static zw_err do_body(int ni, zw_id c, hbody_t *bd) {
    node_t *n = &N[ni];
    int k = known(n, c, K_CONN, 0);
    obj_t *o = obj_of(n, c);
    if (k == 1) drain(ni);   /* as in do_input: whether it is going */
    uint32_t want = k == 1 && o ? o->want : 0;
    uint32_t id = bd->id, size = bd->size;
    bd->state = B_LENT;   /* its frame may complete a message the socket looks at at once */
    zw_err rc = fz_rc(zw_core_conn_body(n->core, c, id));
    TRACE("  core%d conn_body conn=%u body=%u size=%u (want=%u) -> rc=%d\n", ni, c, id, size,
          want, rc);
    if (k == 0) FZ_CHECK(rc == ZW_ENOENT);   /* a live one's ENOENT: going (below) */
    FZ_CHECK(rc == ZW_OK || rc == ZW_ENOENT || rc == ZW_EINVAL);
    if (k == 1 && o) {
        if (o->going) FZ_CHECK(rc == ZW_ENOENT);
        else FZ_CHECK(rc == (want ? ZW_OK : ZW_EINVAL));
    }
    if (rc == ZW_OK) {
        bd->state = B_CORE;
        if (o) o->want = 0;
        drain(ni);   /* the frame it completed may have failed the connection */
    } else {
        body_drop(bd);   /* not taken: still the host's, which has no use for it */
    }
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
        uint32_t len = 0xdeadbeef, body = 0xdeadbeef;
        zw_err rc = fz_rc(zw_core_conn_output(n->core, c, &p, &len, &body));
        check_known(k, rc, ZW_ENOENT);
        FZ_CHECK(rc == ZW_OK || rc == ZW_ENOENT);
        if (rc != ZW_OK) return;
        if (body) {
            /* The whole of a body the core holds, for the host to write from its own copy: only
             * a large one (a smaller ref frame is copied into the output). */
            hbody_t *b = body_find(ni, body);
            TRACE("  core%d output conn=%u -> body %u, %u bytes%s\n", ni, c, body, len,
                  b ? "" : " (not held)");
            FZ_CHECK(b && b->state == B_CORE && len == b->size && p == NULL);
            FZ_CHECK(len >= ZW_BODY_MIN);
            if (sink) {
                if (sink->len + len > sink->cap) {
                    size_t cap = (sink->len + len) * 2;
                    uint8_t *np = realloc(sink->p, cap);
                    FZ_CHECK(np != NULL);
                    sink->p = np;
                    sink->cap = cap;
                }
                body_copy(b, 0, sink->p + sink->len, len);
                sink->len += len;
            }
            continue;
        }
        FZ_CHECK(len <= 65536);
        FZ_CHECK(len == 0 || p != NULL);
        if (len) fz_touch(p, len);
        if (len) TRACE("  core%d output conn=%u -> %u bytes\n", ni, c, len);
        if (sink) q_put(sink, p, len);
        if (len == 0) return;
    }
}

/* Whether b is a batch of whole frames ending with a whole message, each ref frame 8 bytes
 * naming a body (id not 0) of at most 2^31 - 1 bytes (zmqw.h). */
static int batch_valid(const uint8_t *b, uint32_t len, uint32_t *msgs) {
    uint32_t pos = 0, more = 0, m = 0;
    while (pos < len) {
        if (len - pos < 4) return 0;
        uint32_t h = get32(b + pos), sz = h & ZW_BATCH_LEN_MASK;
        pos += 4;
        if (sz > len - pos) return 0;
        if ((h & ZW_BATCH_REF) &&
            (sz != ZW_BATCH_REF_LEN || get32(b + pos) == 0 || get32(b + pos + 4) > INT32_MAX))
            return 0;
        pos += sz;
        more = h & ZW_BATCH_MORE;
        if (!more) m++;
    }
    *msgs = m;
    return !more;
}

static void check_msg(int ni, zw_id sock, const uint8_t *b, uint32_t len, int sub_check);

/* One received message (batch form, ref frames checked already), with each ref frame replaced by
 * its body's bytes, into a buffer of its own: *m and *len are updated. 0 if it would not fit. */
#define EXPAND_CAP (1u << 20)
static int expand_refs(int ni, const uint8_t **m, uint32_t *len) {
    static uint8_t *buf;
    const uint8_t *b = *m;
    uint64_t need = 0;
    int refs = 0;
    for (uint32_t pos = 0; pos < *len;) {
        uint32_t h = get32(b + pos), sz = h & ZW_BATCH_LEN_MASK;
        refs |= (h & ZW_BATCH_REF) != 0;
        need += 4 + (uint64_t)((h & ZW_BATCH_REF) ? get32(b + pos + 8) : sz);
        pos += 4 + sz;
    }
    if (!refs) return 1;
    if (need > EXPAND_CAP) return 0;
    if (!buf) {
        buf = malloc(EXPAND_CAP);
        FZ_CHECK(buf != NULL);
    }
    uint32_t o = 0;
    for (uint32_t pos = 0; pos < *len;) {
        uint32_t h = get32(b + pos), sz = h & ZW_BATCH_LEN_MASK;
        if (h & ZW_BATCH_REF) {
            hbody_t *bd = body_find(ni, get32(b + pos + 4));
            le32(buf + o, bd->size | (h & ZW_BATCH_MORE));
            body_copy(bd, 0, buf + o + 4, bd->size);
            o += 4 + bd->size;
        } else {
            memcpy(buf + o, b + pos, 4 + sz);
            o += 4 + sz;
        }
        pos += 4 + sz;
    }
    *m = buf;
    *len = o;
    return 1;
}

/* The bodies a batch names, during and after the zw_send that passes them: lent for the call
 * (the socket may read them before it takes the message), then the core's for the first `took`
 * messages and, for the rest, the host's again (dropped: a release for one would then fail). Ids
 * the harness does not hold appear only in malformed frames, which the core must refuse. */
static void bodies_lend(int ni, const uint8_t *b, uint32_t len, int lend, uint32_t took) {
    uint32_t pos = 0, m = 0;
    while (len - pos >= 4) {
        uint32_t h = get32(b + pos), sz = h & ZW_BATCH_LEN_MASK;
        pos += 4;
        if (sz > len - pos) return;
        if ((h & ZW_BATCH_REF) && sz == ZW_BATCH_REF_LEN) {
            hbody_t *bd = body_find(ni, get32(b + pos));
            if (lend && bd && bd->state == B_HOST) bd->state = B_LENT;
            if (!lend && bd && bd->state == B_LENT) {
                TRACE("    body %u %s\n", bd->id, m < took ? "taken" : "not taken");
                if (m < took) bd->state = B_CORE;
                else body_drop(bd);
            }
        }
        pos += sz;
        if (!(h & ZW_BATCH_MORE)) m++;
    }
}

static void do_send_checked(int ni, zw_id sock, const uint8_t *batch, uint32_t len,
                            uint32_t *out_took);

static void do_send(int ni, zw_id sock, const uint8_t *batch, uint32_t len) {
    uint32_t took = 0;
    bodies_lend(ni, batch, len, 1, 0);
    do_send_checked(ni, sock, batch, len, &took);
    bodies_lend(ni, batch, len, 0, took);
}

/* *out_took: the messages the core took (0 unless zw_send succeeded). */
static void do_send_checked(int ni, zw_id sock, const uint8_t *batch, uint32_t len,
                            uint32_t *out_took) {
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
    if (rc == ZW_OK && took <= msgs) *out_took = took;
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
    /* Ref frames name bodies this core holds, by their size; max_bytes bounds the messages with
     * their bodies (each frame weighs 4 + its size). The release follows, once read. */
    uint64_t weight = 0;
    for (uint32_t pos = 0; pos < len;) {
        uint32_t h = get32(p + pos), sz = h & ZW_BATCH_LEN_MASK;
        if (h & ZW_BATCH_REF) {
            FZ_CHECK(sz == ZW_BATCH_REF_LEN);
            hbody_t *b = body_find(ni, get32(p + pos + 4));
            TRACE("    ref frame body=%u size=%u%s\n", get32(p + pos + 4), get32(p + pos + 8),
                  b ? "" : " (not held)");
            FZ_CHECK(b && b->state == B_CORE && get32(p + pos + 8) == b->size);
            weight += 4 + (uint64_t)b->size;
        } else {
            weight += 4 + (uint64_t)sz;
        }
        pos += 4 + sz;
    }
    if (msgs >= 2) FZ_CHECK(weight <= max_bytes);
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
        const uint8_t *m = p + start;
        uint32_t mlen = pos - start;
        /* Checked as the bytes the host would read: ref frames with their bodies' bytes (a
         * message too large for that, from a raw batch, goes unchecked). */
        if (!expand_refs(ni, &m, &mlen)) continue;
        check_msg(ni, sock, m, mlen, !(first_held && start == 0));
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

/* Frame layout: topic byte, msgid (u32 LE), index, count, then pattern bytes. */
#define TAG 7

static uint8_t pattern(uint32_t msgid, uint32_t idx, uint32_t i) {
    return (uint8_t)(msgid * 131u + idx * 17u + i);
}

/* Appends one frame of `size` bytes (head[0..nhead), then byte i = seed + i * step) at b + len:
 * inline, or in refs mode by a fuzzer choice as a ref to a fresh body of those bytes, or as a
 * malformed ref frame (id 0, a size over 2^31 - 1, or not 8 bytes long) that the core must
 * refuse with its whole batch before reading anything (its id, when not 0, is not held, so a
 * read fails body_reader). Returns the new length, 0 when the frame does not fit. */
static uint32_t put_frame(fz_t *in, int ni, uint8_t *b, uint32_t len, uint32_t cap, uint32_t more,
                          const uint8_t *head, uint32_t nhead, uint32_t size, uint8_t seed,
                          uint8_t step) {
    uint8_t how = refs_mode ? fz_u8(in) : 0;
    if (how >= 96 && cap - len >= 4 + 12) {
        uint8_t *p = b + len;
        if (how < 240) {
            hbody_t *bd = body_new(ni, size, head, nhead, seed, step);
            if (bd) {
                le32(p, ZW_BATCH_REF | more | ZW_BATCH_REF_LEN);
                le32(p + 4, bd->id);
                le32(p + 8, size);
                TRACE("    frame by ref: body %u, %u bytes\n", bd->id, size);
                return len + 4 + ZW_BATCH_REF_LEN;
            }
        } else {
            static const uint32_t lens[] = {ZW_BATCH_REF_LEN, ZW_BATCH_REF_LEN, 4, 12};
            uint32_t fl = lens[how % 4];
            le32(p, ZW_BATCH_REF | more | fl);
            le32(p + 4, how % 4 == 0 ? 0 : 0x7fffff00u + how);
            le32(p + 8, how % 4 == 1 ? 0x80000000u | size : size);
            le32(p + 12, 0);
            TRACE("    malformed ref frame %u\n", how % 4);
            return len + 4 + fl;
        }
    }
    if ((uint64_t)len + 4 + size > cap) return 0;
    le32(b + len, size | more);
    if (nhead) memcpy(b + len + 4, head, nhead);
    fz_fill(b + len + 4 + nhead, size - nhead, (uint8_t)(seed + nhead * step), step);
    return len + 4 + size;
}

/* A raw batch's ref frames name bodies the host holds: each well-formed one gets a fresh body of
 * its declared size (a pattern: no input read, so raw programs parse as before), or id 0 (to be
 * refused) when the table is full. Malformed ones stay as they are. The walk stops where
 * bodies_lend's does. */
static void raw_refs(int ni, uint8_t *b, uint32_t len) {
    uint32_t pos = 0;
    while (len - pos >= 4) {
        uint32_t h = get32(b + pos), sz = h & ZW_BATCH_LEN_MASK;
        pos += 4;
        if (sz > len - pos) return;
        if ((h & ZW_BATCH_REF) && sz == ZW_BATCH_REF_LEN && get32(b + pos) != 0 &&
            get32(b + pos + 4) <= INT32_MAX) {
            hbody_t *bd = body_new(ni, get32(b + pos + 4), NULL, 0, b[pos], 1);
            le32(b + pos, bd ? bd->id : 0);
        }
        pos += sz;
    }
}

static uint32_t build_tagged(fz_t *in, int ni, uint8_t *b, uint32_t cap) {
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
            uint8_t tag[TAG] = {topic, (uint8_t)id, (uint8_t)(id >> 8), (uint8_t)(id >> 16),
                                (uint8_t)(id >> 24), (uint8_t)f, (uint8_t)nf};
            /* By ref or inline: the same bytes, tag then pattern(id, f, 0) + j. */
            uint32_t nl = put_frame(in, ni, b, len, cap, f + 1 < nf ? ZW_BATCH_MORE : 0, tag, TAG,
                                    TAG + extra, (uint8_t)(pattern(id, (uint32_t)f, 0) - TAG), 1);
            if (!nl) return len;   /* whole messages only */
            len = nl;
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
    if (l->body[s] >= 0) body_drop(&bodies[l->body[s]]);   /* half collected: nobody's now */
    l->body[s] = -1;
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
    l->body[0] = l->body[1] = -1;
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
        /* As the wasm host does (refs mode): a large body the core asks for is collected from
         * the bytes that follow, over as many runs as it takes, and handed over whole; the
         * input goes on after it. */
        int ni = l->node[s];
        for (size_t off = 0; off < n && l->open[s];) {
            if (l->body[s] >= 0) {
                hbody_t *b = &bodies[l->body[s]];
                size_t k = n - off < b->size - l->bhave[s] ? n - off : b->size - l->bhave[s];
                memcpy(b->head + l->bhave[s], tmp + off, k);
                off += k;
                l->bhave[s] += (uint32_t)k;
                if (l->bhave[s] == b->size) {
                    l->body[s] = -1;
                    do_body(ni, l->c[s], b);
                }
                continue;
            }
            uint32_t used = 0, body = 0;
            int refs = refs_mode && body_room();
            if (do_input(ni, l->c[s], tmp + off, (uint32_t)(n - off), refs ? &used : NULL,
                         refs ? &body : NULL) != ZW_OK)
                break;   /* refused (going): the rest is moot */
            off += refs ? used : n - off;
            if (!body) continue;
            /* Bounded by what the other core sent: the harness's tagged frames. */
            FZ_CHECK(body <= BODY_FULL);
            hbody_t *b = body_new(ni, body, NULL, body, 0, 0);
            FZ_CHECK(b != NULL);   /* body_room said so */
            l->body[s] = (int)(b - bodies);
            l->bhave[s] = 0;
        }
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

/* The body conn asked for (one core, refs mode): the next `size` bytes of the stream, of which
 * the `have` at p are here (the rest a pattern, as if it came later), stored whole when small
 * enough. Handed over, mostly; or (a fuzzer choice) a wrong call first: a body to a connection
 * that asked for none, input before the body, the body handed twice, or never (the connection
 * then takes no more input). */
static void collect_body(int ni, fz_t *in, zw_id c, const uint8_t *p, size_t have, uint32_t size) {
    node_t *n = &N[ni];
    uint8_t how = fz_u8(in);
    TRACE("  core%d collect conn=%u size=%u have=%zu how=%u\n", ni, c, size, have, how);
    if (how >= 0xf8) return;   /* never handed over */
    uint32_t u, bd;
    switch (how % 8) {
    case 5: {   /* another connection (or a stale or made-up id) asked for nothing */
        zw_id other = pick(n, in, K_CONN);
        obj_t *o = obj_of(n, other);
        hbody_t *b = other != c && !(o && o->want) ? body_new(ni, size, NULL, 0, 0x5a, 1) : NULL;
        if (b) do_body(ni, other, b);
        break;
    }
    case 6:   /* more input first: refused while the body is due */
        do_input(ni, c, p, have < 16 ? (uint32_t)have : 16, &u, &bd);
        break;
    }
    hbody_t *b = body_new(ni, size, p, have < BODY_FULL ? (uint32_t)have : BODY_FULL,
                          (uint8_t)have, 3);
    if (!b) return;   /* input_stream keeps a slot free; do_body may not have */
    do_body(ni, c, b);
    if (how % 8 == 7) {   /* again: nothing is asked now */
        hbody_t *again = body_new(ni, size, NULL, 0, 0xa5, 1);
        if (again) do_body(ni, c, again);
    }
}

/* Feeds p[0..n) to conn in pieces of chunk bytes. In refs mode, while the harness has room for a
 * body, the core may stop at a large body: collect_body takes it from the bytes that follow. */
static void input_stream(int ni, fz_t *in, zw_id c, const uint8_t *p, size_t n, size_t chunk) {
    if (n == 0) {   /* an empty read is a call too (with no area: do_input) */
        uint32_t used, body;
        int refs = refs_mode && body_room();
        do_input(ni, c, p, 0, refs ? &used : NULL, refs ? &body : NULL);
        return;
    }
    for (size_t at = 0; at < n;) {
        size_t k = n - at < chunk ? n - at : chunk;
        uint32_t used = 0, body = 0;
        if (!refs_mode || !body_room()) {
            if (do_input(ni, c, p + at, (uint32_t)k, NULL, NULL) != ZW_OK) return;
            at += k;
            continue;
        }
        if (do_input(ni, c, p + at, (uint32_t)k, &used, &body) != ZW_OK) return;
        at += used;
        if (!body) continue;
        size_t have = n - at < body ? n - at : body;
        collect_body(ni, in, c, p + at, have, body);
        at += have;
    }
}

/* Feeds b to conn in pieces chosen by the fuzzer. */
static void feed_pieces(int ni, fz_t *in, zw_id c, const uint8_t *p, size_t n, uint8_t how) {
    static const size_t sizes[] = {SIZE_MAX, SIZE_MAX, 1, 2, 7, 63, 64, 65};
    input_stream(ni, in, c, p, n, sizes[how % 8]);
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
        len = build_tagged(in, ni, scratch, SCRATCH);
        obj_t *o = obj_of(&N[ni], sock);
        for (uint32_t id = first; id < next_msgid && id < MAXMSG; id++)
            msg_fanout[id] = !o || o->type == ZW_PUB || o->type == ZW_XPUB || o->type == ZW_XSUB;
    } else {
        int nmsgs = fz_u8(in) % 4;
        for (int m = 0; m < nmsgs; m++) {
            int nf = 1 + fz_u8(in) % 3;
            for (int f = 0; f < nf; f++) {
                uint32_t sz = fz_size(in);
                uint32_t nl = put_frame(in, ni, scratch, len, SCRATCH,
                                        f + 1 < nf ? ZW_BATCH_MORE : 0, NULL, 0, sz,
                                        (uint8_t)('m' + f), 0);
                if (!nl) break;
                len = nl;
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
        static const int32_t framings[] = {ZW_FRAMING_MESSAGE, ZW_FRAMING_MESSAGE_BARE, -1,
                                           ZW_FRAMING_STREAM};
        int32_t framing = (b & 0x70) == 0x70 ? framings[(b >> 1) & 3] : ZW_FRAMING_STREAM;
        do_dial_result(0, d, b & 1 ? 0 : 1, framing, b == 0xff);
        break;
    }
    case OP_IN_RAW: {
        zw_id c = pick(n, in, K_CONN);
        size_t got;
        const uint8_t *p = fz_bytes(in, fz_u8(in), &got);
        memcpy(scratch, p, got);   /* the core must not keep the host's area */
        input_stream(0, in, c, scratch, got, SIZE_MAX);
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
        feed_pieces(0, in, c, zmtp_buf_head(&b), zmtp_buf_len(&b), fz_u8(in));
        zmtp_buf_free(&b);
        break;
    }
    case OP_IN_FRAMES: {
        zw_id c = pick(n, in, K_CONN);
        zmtp_buf_t b = {0};
        peer_frames(&b, in);
        feed_pieces(0, in, c, zmtp_buf_head(&b), zmtp_buf_len(&b), fz_u8(in));
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
        raw_refs(0, scratch, (uint32_t)got);
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
        static const int32_t framings[] = {ZW_FRAMING_MESSAGE, ZW_FRAMING_MESSAGE_BARE, -1,
                                           INT32_MAX};
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
    for (int i = 0; i < MAXBODIES; i++)
        if (bodies[i].state != B_FREE) body_drop(&bodies[i]);
    next_body = 0;
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
    refs_mode = (mode & 0x40) != 0;
    static const int node_index[2] = {0, 1};
    for (int i = 0; i < 1 + net_mode; i++) {
        N[i].rng = 0x1234u + (uint32_t)i;
        N[i].core = zw_core_new(entropy, &N[i].rng);
        FZ_CHECK(N[i].core != NULL);
        zw_core_set_body_reader(N[i].core, body_reader, (void *)&node_index[i]);
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
    /* A core freed with bodies still held tells nobody (core.c: no host is left to hear it, and
     * test_refs.c test_free_with_bodies): the host just drops them. None may be mid-call. */
    int held = 0;
    for (int i = 0; i < MAXBODIES; i++) {
        FZ_CHECK(bodies[i].state != B_LENT);
        held += bodies[i].state == B_CORE;
        if (bodies[i].state != B_FREE) body_drop(&bodies[i]);
    }
    TRACE("end: %d bodies the cores still held, dropped\n", held);
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
    /* Refs mode (0x40; a choice byte after each frame's size: < 96 inline, < 240 by ref, else a
     * malformed ref). One core, PUSH: a message of two ref frames (3 and 70000 bytes) and one of
     * an inline 8192, written (the large body shown by id); then two malformed refs, refused. */
    static const uint8_t refs_push[] = {
        0x40,
        OP_OPEN, 4,                              /* PUSH */
        OP_ACCEPT, 0,
        OP_IN_HELLO, 0, 0x02, 4,
        OP_SEND, 0, 2, 1, 3, 200, 238, 200, 0, 232, 50,
        OP_OUTPUT, 0, 7,
        OP_SEND, 0, 1, 0, 5, 250,                /* a ref frame 4 bytes long */
        OP_SEND, 0, 1, 0, 5, 244,                /* id 0 */
        OP_OUTPUT, 0, 7,
        OP_CLOSED, 0,
    };
    fz_write_seed(dir, "single_refs_push", refs_push, sizeof refs_push);
    /* Refs mode, one core, PULL: large frames from a PUSH peer are collected by the host and
     * handed over (once, then twice: refused), read as refs; then, fed a byte at a time, input
     * before the body (refused) and a body to a made-up connection. */
    static const uint8_t refs_pull[] = {
        0x40,
        OP_OPEN, 5,                              /* PULL */
        OP_ACCEPT, 0,
        OP_IN_HELLO, 0, 0x42, 2,
        0, 3, 'a', 'b', 'c',
        0, 238, 'b', 'i', 'g', 'b', 'o', 'd', 'y', '0', '1', '2', '3', '4', '5', '6', '7', '8',
        0, 232, 'n', 'e', 'x', 't', 'b', 'o', 'd', 'y', '0', '1', '2', '3', '4', '5', '6', '7',
        5,                                       /* 63 bytes at a time */
        7,                                       /* the 8192 (the 70000 came before READY): twice */
        OP_RECV, 0, 0x30,
        OP_IN_FRAMES, 0, 1,
        0, 234, 't', 'h', 'i', 'r', 'd', 'b', 'o', 'd', 'y', '0', '1', '2', '3', '4', '5', '6',
        0, 233, 'f', 'o', 'u', 'r', 't', 'h', 'b', 'o', 'd', 'y', '0', '1', '2', '3', '4', '5',
        2,                                       /* a byte at a time */
        6, 5, 0xff,                              /* input first; a body to a made-up conn */
        OP_RECV, 0, 0x30,
        OP_CLOSED, 0,
    };
    fz_write_seed(dir, "single_refs_pull", refs_pull, sizeof refs_pull);
    /* One core (not refs mode): a raw batch's ref frame names a body the harness makes for it. */
    static const uint8_t refs_raw[] = {
        0,
        OP_OPEN, 4,                              /* PUSH */
        OP_ACCEPT, 0,
        OP_IN_HELLO, 0, 0x02, 0,
        OP_SEND_RAW, 0, 12, 0x08, 0, 0, 0x40, 5, 0, 0, 0, 0x28, 0x23, 0, 0,   /* 9000 bytes */
        OP_OUTPUT, 0, 7,
    };
    fz_write_seed(dir, "single_refs_raw", refs_raw, sizeof refs_raw);
    /* Refs mode, two cores, PUSH -> PULL: a 70000-byte and a small body by ref, an 8199-byte
     * frame inline, moved in pieces; the receiving host collects the large ones. */
    static const uint8_t refs_net[] = {
        0x41,
        NOP_OPEN, 4,                             /* PUSH on core 0 */
        B1 | NOP_OPEN, 5,                        /* PULL on core 1 */
        NOP_CONNECT, 0, 0, 0,
        NOP_RUN, 5,
        NOP_SEND, 0, 1, 1, 0, 238, 200, 5, 200, 0, 0, 232, 0,
        NOP_STEP, 0, 0, NOP_STEP, 0, 6,
        NOP_RUN, 30,
        B1 | NOP_RECV, 0, 0x30,
        NOP_RUN, 10,
    };
    fz_write_seed(dir, "net_refs_push_pull", refs_net, sizeof refs_net);
    /* Refs mode, two cores, PUB -> SUB "a": the PUB reads a ref frame's topic through the host. */
    static const uint8_t refs_pubsub[] = {
        0x41,
        NOP_OPEN, 2,                             /* PUB on core 0 */
        B1 | NOP_OPEN, 3,                        /* SUB on core 1 */
        B1 | NOP_SETOPT, 0, 1, 12,               /* SUBSCRIBE "a" */
        B1 | NOP_CONNECT, 0, 0, 0,
        NOP_RUN, 20,
        NOP_SEND, 0, 1, 0, 0, 232, 200, 0, 1, 3, 200,
        NOP_RUN, 20,
        B1 | NOP_RECV, 0, 0x30,
        NOP_RUN, 10,
    };
    fz_write_seed(dir, "net_refs_pub_sub", refs_pubsub, sizeof refs_pubsub);
}

FZ_SEED_WRITER(write_seeds)
