/* fuzz_peer.c — one real socket of any type, on one core, against peers made of fuzzer bytes.
 *
 * fuzz_engine drives an engine alone and fuzz_core drives the whole API with little checking of
 * what crosses the wire; this target sits between them: the full core (sessions, pipes, the
 * socket type's routing, timers, linger) behind one socket, whose every connection the harness
 * plays the peer of, with the wire checked in both directions.
 *
 * Input: [type] [cfg] [options] then a program of operations (reads past the end give zeros).
 *   type: one of the twelve socket types.
 *   cfg:  bit 0   side: 0 = the first connection is accepted (zw_accept), 1 = dialed (zw_connect,
 *                 ZW_FX_DIAL answered with zw_dial_result ok);
 *         bit 1   peer mode: 1 = structured, every new connection's peer stream starts with a
 *                 greeting (NULL) + READY built with the core's own encoder; 0 = raw bytes only;
 *         bit 2   the peer's ZMTP minor: 0 (3.0) or 1 (3.1); bit 3: 2 instead (a later 3.x);
 *         bits 4-5 the peer's Socket-Type: compatible (0, 1), incompatible (2), none or bogus (3);
 *         bits 6-7 the peer's Identity: none, "peer", empty, or one of a table (too long too).
 *   options: a count, then (option, value) pairs from a table of every option zmqw.h lists,
 *         values from tables of interesting ones (or wrong lengths).
 *   ops: peer bytes (raw, or well-formed frames and commands: data, multipart, SUBSCRIBE/CANCEL
 *         commands, 3.0 subscription messages, PING with ttl and context, PONG, late READY,
 *         ERROR, unknown commands, LONG encodings, huge declared sizes, malformed frames) into a
 *         connection's stream; feed k bytes of it (never while the core asked to PAUSE); drain
 *         output; zw_send of valid or malformed batches (ROUTER/STREAM addressed to ids seen);
 *         zw_recv; zw_status; time; setopt; the peer hanging up (zw_conn_closed); accept another
 *         connection; connect, answer dials (ok or failed), disconnect; probe for unannounced
 *         output.
 *   End: every peer byte fed and everything read, the socket closed with a linger from the
 *   input, time past the linger, then the core is freed.
 *
 * Checks: every return is a zw_err, and one the call may return; effect records are well formed
 * and name this socket, its live connections and dialers (PAUSE/RESUME alternate, HANDSHAKE once,
 * nothing after zw_conn_closed, DIAL_STOP or SOCKET_GONE, DIAL only when not dialing); a
 * connection whose peer was well behaved is never closed for a protocol, mechanism or socket-type
 * reason; an input that fails returns EPROTO exactly when it closes the connection. Everything
 * the core writes is decoded back with the core's decoder: our greeting (3.1, NULL), our READY
 * (our Socket-Type; Identity = our routing id exactly for REQ, DEALER and ROUTER), then only
 * what this socket type may send (PULL nothing, SUB only its own subscriptions in the form the
 * peer's version wants, PONG echoing each PING's context in order, no command inside a
 * multipart message), and each data message is one the application sent (after REQ's and REP's
 * envelopes, ROUTER's routing id), in the order sent; a drained stream ends on a message
 * boundary. zw_recv returns well-formed batches within the limits asked, ROUTER and STREAM
 * messages carry a routing id first, a SUB only returns subscribed messages; status agrees with
 * send and recv. Liveness: output the host was never told of (no ZW_FX_OUTPUT) is a bug, and so
 * is a connection left paused once the application has read everything; a socket closed with a
 * finite linger is gone once the linger is over; at the end no frame is alive (LeakSanitizer
 * checks the rest).
 *
 * FUZZ_REACH=1 prints, per input, the type, side, and whether a handshake completed and data
 * moved each way (the seed corpus must reach both for every type and side: `make reach`).
 */
#include "fuzz.h"

#include "base/frame.h"
#include "core.h"
#include "engine/engine.h"
#include "wire/decoder.h"
#include "wire/encoder.h"

#define MAXC 4          /* connections open at once */
#define MAXD 8          /* dialers over an input's life */
#define MAXSENT 2048    /* application messages remembered, to match the wire against */
#define MAXFR 64        /* frames of one wire message remembered */
#define MAXPONG 32
#define SCRATCH (1u << 20)

/* --- tables -------------------------------------------------------------------------------- */

/* Subscription prefixes: the harness subscribes and the peer subscribes only from these, so the
 * wire can be checked against the set. */
static const char *const prefixes[] = {"", "a", "ab", "b", "\x00", "\x01x", "topic/long/prefix"};
static const uint8_t prefix_lens[] = {0, 1, 2, 1, 1, 2, 17};
#define NPREFIX 7

/* Routing ids: for options (ROUTING_ID, CONNECT_ROUTING_ID) and the peer's Identity. */
static uint8_t long_id[256];
static const uint8_t *id_bytes(uint8_t i, uint32_t *len) {
    static const char *const ids[] = {"peer", "", "A", "\x00zero", "peer2"};
    static const uint8_t lens[] = {4, 0, 1, 5, 5};
    i %= 7;
    if (i == 5) { *len = 255; return long_id; }
    if (i == 6) { *len = 256; return long_id; }   /* too long */
    *len = lens[i];
    return (const uint8_t *)ids[i];
}

static const int compat[12][3] = {
    [ZW_PAIR] = {ZW_PAIR, ZW_PAIR, ZW_PAIR},       [ZW_PUB] = {ZW_SUB, ZW_XSUB, ZW_SUB},
    [ZW_SUB] = {ZW_PUB, ZW_XPUB, ZW_PUB},          [ZW_REQ] = {ZW_REP, ZW_ROUTER, ZW_REP},
    [ZW_REP] = {ZW_REQ, ZW_DEALER, ZW_REQ},        [ZW_DEALER] = {ZW_REP, ZW_DEALER, ZW_ROUTER},
    [ZW_ROUTER] = {ZW_REQ, ZW_DEALER, ZW_ROUTER},  [ZW_PULL] = {ZW_PUSH, ZW_PUSH, ZW_PUSH},
    [ZW_PUSH] = {ZW_PULL, ZW_PULL, ZW_PULL},       [ZW_XPUB] = {ZW_SUB, ZW_XSUB, ZW_SUB},
    [ZW_XSUB] = {ZW_PUB, ZW_XPUB, ZW_PUB},         [ZW_STREAM] = {ZW_PAIR, ZW_PAIR, ZW_PAIR},
};

enum { V_BOOL, V_HWM, V_MS, V_I64, V_PREFIX, V_ID, V_BYTES };
static const struct { int32_t opt; uint8_t kind; } optab[] = {
    {ZW_OPT_SUBSCRIBE, V_PREFIX},        {ZW_OPT_UNSUBSCRIBE, V_PREFIX},
    {ZW_OPT_ROUTING_ID, V_ID},           {ZW_OPT_CONNECT_ROUTING_ID, V_ID},
    {ZW_OPT_SNDHWM, V_HWM},              {ZW_OPT_RCVHWM, V_HWM},
    {ZW_OPT_CONFLATE, V_BOOL},           {ZW_OPT_MAXMSGSIZE, V_I64},
    {ZW_OPT_XPUB_VERBOSE, V_BOOL},       {ZW_OPT_XPUB_VERBOSER, V_BOOL},
    {ZW_OPT_XPUB_NODROP, V_BOOL},        {ZW_OPT_XPUB_MANUAL, V_BOOL},
    {ZW_OPT_XPUB_WELCOME_MSG, V_BYTES},  {ZW_OPT_ROUTER_MANDATORY, V_BOOL},
    {ZW_OPT_ROUTER_HANDOVER, V_BOOL},    {ZW_OPT_REQ_CORRELATE, V_BOOL},
    {ZW_OPT_REQ_RELAXED, V_BOOL},        {ZW_OPT_PROBE_ROUTER, V_BOOL},
    {ZW_OPT_LINGER, V_MS},               {ZW_OPT_RECONNECT_IVL, V_MS},
    {ZW_OPT_RECONNECT_IVL_MAX, V_MS},    {ZW_OPT_HANDSHAKE_IVL, V_MS},
    {ZW_OPT_IMMEDIATE, V_BOOL},          {ZW_OPT_STREAM_NOTIFY, V_BOOL},
    {ZW_OPT_INVERT_MATCHING, V_BOOL},    {ZW_OPT_TYPE, V_BOOL},
};
#define NOPT ((int)(sizeof optab / sizeof optab[0]))

/* --- state --------------------------------------------------------------------------------- */

typedef struct conn {
    zw_id id;
    uint8_t open;       /* not yet zw_conn_closed */
    uint8_t closing;    /* ZW_FX_CLOSE seen */
    uint8_t paused;     /* ZW_FX_PAUSE seen, RESUME not yet */
    uint8_t hs;         /* ZW_FX_HANDSHAKE seen */
    uint8_t out_sig;    /* ZW_FX_OUTPUT seen since output last gave 0 bytes */
    uint8_t clean;      /* the peer stream is well formed and compatible */
    uint8_t dirty;      /* raw bytes in the peer stream: PONGs cannot be predicted */
    uint8_t raw;        /* STREAM: no ZMTP on the wire */
    int8_t dialer;      /* index in dialers[], -1 = accepted */
    zmtp_buf_t peer;    /* peer bytes not yet fed */
    uint8_t greet[64];  /* the first peer bytes fed: its greeting */
    uint32_t greet_have;
    /* our output, decoded back */
    uint8_t ogreet[64];
    uint32_t ogreet_have;
    uint64_t out_total;
    zmtp_decoder_t dec;
    uint32_t nframes;   /* frames decoded; the first is READY */
    uint8_t rid[256];   /* our routing id when the connection was made */
    uint32_t rid_len;
    /* the wire message being decoded */
    uint32_t fr_n, fr_size[MAXFR];
    uint64_t fr_hash[MAXFR];
    uint8_t first[256];
    uint32_t first_len;
    uint8_t fr_lost, in_msg;
    uint32_t cursor;    /* sent[] before this was matched already */
    uint32_t data_msgs;
    /* PONGs owed, in order */
    uint8_t pong[MAXPONG][16], pong_len[MAXPONG];
    int pong_head, pong_n, pong_lost;
} conn_t;

typedef struct dialer {
    zw_id id;
    uint8_t live, dialing, stopped;
} dialer_t;

typedef struct sent {
    uint64_t h;
    uint32_t nf;
} sent_t;

typedef struct harness {
    zw_core_t *core;
    uint32_t rng;
    double now;
    int type, side, structured, minor, ptype_mode, pid_mode;
    zw_id sock;
    int closed, gone;
    conn_t c[MAXC];
    dialer_t d[MAXD];
    int nd;
    zw_id just_closed;   /* the connection zw_conn_closed is freeing */
    /* socket options as set */
    uint8_t rid[256];
    uint32_t rid_len;
    int probe_ever, invert, linger, xpub_manual;
    int crid_set;   /* CONNECT_ROUTING_ID set since the last connect */
    uint64_t welcome_h[4];   /* every welcome message set (the last four) */
    int nwelcome, welcome_next;
    int sub_count[NPREFIX], subs_untracked, unsub_since_recv;
    /* application messages sent, in order */
    sent_t sent[MAXSENT];
    uint32_t nsent;
    int sent_lost;
    /* routing ids received (ROUTER, STREAM), to address sends */
    uint8_t last_id[256];
    uint32_t last_id_len;
    /* reach */
    int reach_hs, reach_out, reach_in;
} harness_t;

static harness_t H;
static uint8_t scratch[SCRATCH];
static int trace, reach;

#define TRACE(...)                                                                           \
    do {                                                                                     \
        if (trace) fprintf(stderr, __VA_ARGS__);                                             \
    } while (0)

static uint32_t get32(const uint8_t *p) {
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}
static void le32(uint8_t *p, uint32_t v) {
    for (int i = 0; i < 4; i++) p[i] = (uint8_t)(v >> (8 * i));
}

/* A message's hash: its frames' sizes and hashes, in order (so frame boundaries count). */
static uint64_t mh_add(uint64_t h, uint32_t size, uint64_t fh) {
    h = (h ^ size) * 1099511628211ull;
    return (h ^ fh) * 1099511628211ull;
}
#define MH_INIT 1469598103934665603ull

static conn_t *conn_by_id(harness_t *h, zw_id id) {
    for (int i = 0; i < MAXC; i++)
        if (h->c[i].open && h->c[i].id == id) return &h->c[i];
    return NULL;
}
static dialer_t *dialer_by_id(harness_t *h, zw_id id) {
    for (int i = 0; i < h->nd; i++)
        if (h->d[i].id == id) return &h->d[i];
    return NULL;
}

static int prefix_known(const uint8_t *p, uint32_t n) {
    for (int i = 0; i < NPREFIX; i++)
        if (prefix_lens[i] == n && (n == 0 || memcmp(prefixes[i], p, n) == 0)) return 1;
    return 0;
}

/* --- effects ------------------------------------------------------------------------------ */

static void drain(harness_t *h) {
    const uint8_t *p;
    uint32_t len = 0xdeadbeef;
    FZ_CHECK(fz_rc(zw_core_effects(h->core, &p, &len)) == ZW_OK);
    if (!len) return;
    FZ_CHECK(p != NULL);
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
        TRACE("  fx kind=%u reason=%u id=%u arg=%u %.*s\n", kind, reason, id, arg, (int)tl,
              (const char *)r + 12);
        FZ_CHECK(id != 0);
        if (kind != ZW_FX_CLOSE) FZ_CHECK(reason == 0 && tl == 0);
        FZ_CHECK(!h->gone);   /* nothing after SOCKET_GONE: the socket had nothing left */
        if (kind == ZW_FX_OUTPUT || kind == ZW_FX_HANDSHAKE || kind == ZW_FX_CLOSE ||
            kind == ZW_FX_PAUSE || kind == ZW_FX_RESUME) {
            if (!conn_by_id(h, id) && id == h->just_closed) {
                /* The id zw_conn_closed freed (the open bug in fuzz.h). */
                if (!FUZZ_AVOID_FX_AFTER_CLOSED)
                    FZ_CHECK(!"an effect names the connection zw_conn_closed freed");
                continue;
            }
        }
        switch (kind) {
        case ZW_FX_DIAL: {
            dialer_t *d = dialer_by_id(h, id);
            FZ_CHECK(d && d->live && !d->dialing && arg == h->sock);
            d->dialing = 1;
            break;
        }
        case ZW_FX_DIAL_STOP: {
            dialer_t *d = dialer_by_id(h, id);
            FZ_CHECK(d && !d->stopped && arg == h->sock);
            d->stopped = 1;
            d->live = 0;
            break;
        }
        case ZW_FX_OUTPUT: {
            conn_t *c = conn_by_id(h, id);
            FZ_CHECK(c && arg == h->sock && !c->closing);
            c->out_sig = 1;
            break;
        }
        case ZW_FX_HANDSHAKE: {
            conn_t *c = conn_by_id(h, id);
            FZ_CHECK(c && arg == h->sock && !c->hs && !c->closing);
            c->hs = 1;
            h->reach_hs = 1;
            break;
        }
        case ZW_FX_CLOSE: {
            conn_t *c = conn_by_id(h, id);
            FZ_CHECK(c && !c->closing && (arg == h->sock || arg == 0));
            FZ_CHECK(reason <= FZ_CLOSE_MAX && tl > 0);
            /* A well-behaved, compatible peer is never refused for what it said. */
            if (c->clean)
                FZ_CHECK(reason != ZW_CLOSE_PROTOCOL && reason != ZW_CLOSE_MECHANISM &&
                         reason != ZW_CLOSE_SOCKET_TYPE && reason != ZW_CLOSE_UNEXPECTED_COMMAND &&
                         reason != ZW_CLOSE_INVALID_METADATA);
            c->closing = 1;
            break;
        }
        case ZW_FX_PAUSE:
        case ZW_FX_RESUME: {
            conn_t *c = conn_by_id(h, id);
            FZ_CHECK(c && arg == h->sock);
            FZ_CHECK(c->paused == (kind == ZW_FX_RESUME));
            c->paused = kind == ZW_FX_PAUSE;
            break;
        }
        case ZW_FX_STATUS: FZ_CHECK(id == h->sock); break;
        case ZW_FX_RETRY: {
            /* A re-dial is scheduled: only for a dialer that lives, after at least its interval. */
            dialer_t *d = dialer_by_id(h, id);
            FZ_CHECK(d && !d->stopped);
            break;
        }
        case ZW_FX_SOCKET_GONE:
            FZ_CHECK(id == h->sock && h->closed);
            h->gone = 1;
            break;
        default: FZ_CHECK(!"unknown effect kind");
        }
    }
}

/* --- our output, decoded back ------------------------------------------------------------- */

typedef struct ready_ctx {
    const char *type;
    int have_type, have_id;
    const uint8_t *id;
    uint32_t id_len;
} ready_ctx_t;

static int ready_prop(void *ctx, const uint8_t *name, uint8_t name_len, const uint8_t *value,
                      uint32_t value_len) {
    ready_ctx_t *r = ctx;
    if (zmtp_prop_name_is(name, name_len, ZMTP_PROP_SOCKET_TYPE, ZMTP_PROP_SOCKET_TYPE_LEN)) {
        FZ_CHECK(!r->have_type);
        FZ_CHECK(value_len == strlen(r->type) && memcmp(value, r->type, value_len) == 0);
        r->have_type = 1;
    } else if (zmtp_prop_name_is(name, name_len, ZMTP_PROP_IDENTITY, ZMTP_PROP_IDENTITY_LEN)) {
        FZ_CHECK(!r->have_id);
        r->have_id = 1;
        r->id = value;
        r->id_len = value_len;
    }
    return 0;
}

static int peer_minor(const conn_t *c) { return c->greet_have > ZMTP_MINOR_OFF ? c->greet[ZMTP_MINOR_OFF] : -1; }

/* Matches the wire message's frames from `from` on against sent[], in order. */
static void match_sent(harness_t *h, conn_t *c, uint32_t from) {
    if (c->fr_lost || h->sent_lost) return;
    uint64_t mh = MH_INIT;
    for (uint32_t i = from; i < c->fr_n; i++) mh = mh_add(mh, c->fr_size[i], c->fr_hash[i]);
    uint32_t nf = c->fr_n - from;
    for (uint32_t i = c->cursor; i < h->nsent; i++) {
        if (h->sent[i].h == mh && h->sent[i].nf == nf) {
            c->cursor = i + 1;
            return;
        }
    }
    fprintf(stderr, "wire message of %u frames (from %u) was never sent, or out of order\n",
            c->fr_n, from);
    FZ_CHECK(!"a data message on the wire is not the next one the application sent");
}

/* A whole data message on the wire (c->fr_*). */
static void wire_message(harness_t *h, conn_t *c) {
    c->data_msgs++;
    h->reach_out = 1;
    int sub_form = c->fr_n == 1 && c->first_len >= 1 && c->first[0] <= 1;
    switch (h->type) {
    case ZW_PULL: FZ_CHECK(!"PULL sent a message"); return;
    case ZW_SUB:
        FZ_CHECK(sub_form && peer_minor(c) == 0);   /* 3.1 peers get commands */
        if (!h->subs_untracked) FZ_CHECK(prefix_known(c->first + 1, c->first_len - 1));
        return;
    case ZW_XSUB:
        if (sub_form && peer_minor(c) == 0) return;   /* a subscription */
        break;
    default: break;
    }
    /* PROBE_ROUTER's empty message goes into the pipe when a handshake completes, after what
     * a dialer's pipe holds already (libzmq writes it when the pipe is attached, so first): any
     * position, for any value the option ever had. */
    if (h->probe_ever && c->fr_n == 1 && c->fr_size[0] == 0 &&
        (h->type == ZW_REQ || h->type == ZW_DEALER || h->type == ZW_ROUTER))
        return;
    /* XPUB's welcome message likewise: written when the handshake completes, after what the
     * pipe holds already (libzmq: when the pipe is attached, so first). */
    if (h->type == ZW_XPUB && c->fr_n == 1) {
        uint64_t w = mh_add(MH_INIT, c->fr_size[0], c->fr_hash[0]);
        for (int i = 0; i < h->nwelcome; i++)
            if (h->welcome_h[i] == w) return;
    }
    uint32_t from = 0;
    if (h->type == ZW_REQ) {
        /* [""] or, with REQ_CORRELATE, [request id][""] before the body. */
        if (c->fr_n >= 2 && c->fr_size[0] == 0) from = 1;
        else if (c->fr_n >= 3 && c->fr_size[0] == 4 && c->fr_size[1] == 0) from = 2;
        else FZ_CHECK(!"REQ sent a message without its envelope");
    } else if (h->type == ZW_REP) {
        /* The request's envelope, through its empty delimiter, then the reply. */
        uint32_t i = 0;
        while (i < c->fr_n && c->fr_size[i] != 0) i++;
        if (i + 1 >= c->fr_n || c->fr_lost) return;
        from = i + 1;
    }
    match_sent(h, c, from);
}

static void wire_frame(harness_t *h, conn_t *c, zw_frame_t *f) {
    FZ_CHECK((f->flags & ~(uint32_t)(ZW_FRAME_MORE | ZW_FRAME_COMMAND)) == 0);
    if (c->nframes++ == 0) {
        /* Our READY: Socket-Type is ours; Identity is sent by REQ, DEALER and ROUTER only. */
        zmtp_cmd_t cmd;
        FZ_CHECK(f->flags == ZW_FRAME_COMMAND);
        FZ_CHECK(zmtp_cmd_parse(f->data, f->size, &cmd) == 0);
        FZ_CHECK(zmtp_cmd_is(&cmd, ZMTP_CMD_READY, ZMTP_CMD_READY_LEN));
        ready_ctx_t r = {fz_type_names[h->type], 0, 0, NULL, 0};
        FZ_CHECK(zmtp_props_walk(cmd.data, cmd.data_len, ready_prop, &r) == 0);
        FZ_CHECK(r.have_type);
        int with_id = h->type == ZW_REQ || h->type == ZW_DEALER || h->type == ZW_ROUTER;
        FZ_CHECK(r.have_id == with_id);
        if (with_id)
            FZ_CHECK(r.id_len == c->rid_len && (!r.id_len || memcmp(r.id, c->rid, r.id_len) == 0));
        return;
    }
    if (f->flags & ZW_FRAME_COMMAND) {
        zmtp_cmd_t cmd;
        FZ_CHECK(!c->in_msg);   /* a message goes out whole: nothing inside it */
        FZ_CHECK(zmtp_cmd_parse(f->data, f->size, &cmd) == 0);
        if (zmtp_cmd_is(&cmd, ZMTP_CMD_PONG, ZMTP_CMD_PONG_LEN)) {
            FZ_CHECK(cmd.data_len <= ZMTP_PING_MAX_CONTEXT);
            if (!c->dirty && !c->pong_lost) {
                FZ_CHECK(c->pong_n > 0);   /* a PONG for every PING, no more */
                int i = c->pong_head;
                FZ_CHECK(cmd.data_len == c->pong_len[i] &&
                         memcmp(cmd.data, c->pong[i], cmd.data_len) == 0);
                c->pong_head = (c->pong_head + 1) % MAXPONG;
                c->pong_n--;
            }
        } else if (zmtp_cmd_is(&cmd, ZMTP_CMD_SUBSCRIBE, ZMTP_CMD_SUBSCRIBE_LEN) ||
                   zmtp_cmd_is(&cmd, ZMTP_CMD_CANCEL, ZMTP_CMD_CANCEL_LEN)) {
            FZ_CHECK(h->type == ZW_SUB || h->type == ZW_XSUB);
            FZ_CHECK(peer_minor(c) >= 1);   /* 3.0 peers get the message form */
            if (h->type == ZW_SUB && !h->subs_untracked)
                FZ_CHECK(prefix_known(cmd.data, cmd.data_len));
            h->reach_out = 1;
        } else {
            FZ_CHECK(!"unexpected command on the wire");
        }
        return;
    }
    if (!c->in_msg) {
        c->fr_n = 0;
        c->fr_lost = 0;
        c->first_len = f->size < sizeof c->first ? f->size : (uint32_t)sizeof c->first;
        if (c->first_len) memcpy(c->first, f->data, c->first_len);
    }
    if (c->fr_n < MAXFR) {
        c->fr_size[c->fr_n] = f->size;
        c->fr_hash[c->fr_n] = fz_hash(f->data, f->size, NULL, 0);
        c->fr_n++;
    } else {
        c->fr_lost = 1;
    }
    c->in_msg = (f->flags & ZW_FRAME_MORE) != 0;
    if (!c->in_msg) wire_message(h, c);
}

/* Bytes the core handed out for c, in stream order. */
static void wire_bytes(harness_t *h, conn_t *c, const uint8_t *p, uint32_t n) {
    c->out_total += n;
    if (c->raw) {
        fz_touch(p, n);
        h->reach_out = 1;
        return;
    }
    if (c->ogreet_have < ZMTP_GREETING_SIZE) {
        uint32_t k = ZMTP_GREETING_SIZE - c->ogreet_have;
        if (k > n) k = n;
        memcpy(c->ogreet + c->ogreet_have, p, k);
        c->ogreet_have += k;
        p += k;
        n -= k;
        if (c->ogreet_have < ZMTP_GREETING_SIZE) return;
        zmtp_greeting_info_t info;
        int reason;
        const char *text;
        FZ_CHECK(zmtp_greeting_check(c->ogreet, ZMTP_GREETING_SIZE, ZMTP_MECH_NULL, &info,
                                     &reason, &text) == ZMTP_GREETING_DONE);
        FZ_CHECK(info.major == 3 && info.minor == 1 && info.as_server == 0);
    }
    while (n) {
        size_t used = 0;
        zw_frame_t *f = NULL;
        FZ_CHECK(zmtp_decoder_decode(&c->dec, p, n, &used, &f) == ZMTP_DEC_OK);
        p += used;
        n -= (uint32_t)used;
        if (f) {
            wire_frame(h, c, f);
            zw_frame_free(f);
        }
    }
}

/* --- connections -------------------------------------------------------------------------- */

static conn_t *conn_free_slot(harness_t *h) {
    for (int i = 0; i < MAXC; i++)
        if (!h->c[i].open) return &h->c[i];
    return NULL;
}

static void conn_reset(conn_t *c) {
    zmtp_buf_t keep = c->peer;
    zmtp_decoder_fini(&c->dec);
    memset(c, 0, sizeof *c);
    keep.start = keep.end = 0;
    c->peer = keep;
    zmtp_decoder_init(&c->dec, -1, ZW_WIRE_ZMTP);
    c->dialer = -1;
}

/* Appends the peer's greeting and READY as the input's cfg says; 1 if it is one a well-behaved
 * compatible peer would send. */
static int peer_hello(harness_t *h, conn_t *c, uint8_t pick) {
    zmtp_buf_t *b = &c->peer;
    int clean = 1;
    FZ_CHECK(zmtp_buf_reserve(b, ZMTP_GREETING_SIZE) == 0);
    zmtp_greeting_build(zmtp_buf_tail(b), ZMTP_MECH_NULL, 0);
    zmtp_buf_tail(b)[ZMTP_MINOR_OFF] = (uint8_t)h->minor;
    b->end += ZMTP_GREETING_SIZE;
    const char *name;
    switch (h->ptype_mode) {
    case 0:
    case 1: {
        int t = compat[h->type][pick % 3];
        FZ_CHECK(zw_socket_types_compatible(h->type, t));
        name = fz_type_names[t];
        break;
    }
    case 2: {
        int t = pick % 12;
        while (zw_socket_types_compatible(h->type, t)) t = (t + 1) % 12;
        name = fz_type_names[t];
        clean = 0;
        break;
    }
    default:
        name = (pick & 1) ? "BOGUS" : NULL;
        clean = 0;
        break;
    }
    uint32_t id_len = 0;
    const uint8_t *id = NULL;
    if (h->pid_mode == 1) id = id_bytes(0, &id_len);
    else if (h->pid_mode == 2) id = id_bytes(1, &id_len);
    else if (h->pid_mode == 3) id = id_bytes((uint8_t)(pick >> 2), &id_len);
    if (id_len > ZMTP_IDENTITY_MAX) clean = 0;
    zmtp_prop_t props[2];
    size_t n = 0;
    if (name) props[n++] = (zmtp_prop_t){ZMTP_PROP_SOCKET_TYPE, (const uint8_t *)name,
                                         (uint32_t)strlen(name)};
    if (h->pid_mode) props[n++] = (zmtp_prop_t){ZMTP_PROP_IDENTITY, id, id_len};
    FZ_CHECK(zmtp_cmd_write_props(b, ZMTP_CMD_READY, props, n) == 0);
    return clean;
}

/* A connection the core just made: the harness's peer for it. */
static conn_t *conn_made(harness_t *h, conn_t *c, zw_id id, int dialer, uint8_t pick) {
    conn_reset(c);
    c->id = id;
    c->open = 1;
    c->dialer = (int8_t)dialer;
    c->raw = h->type == ZW_STREAM;
    memcpy(c->rid, h->rid, h->rid_len);
    c->rid_len = h->rid_len;
    if (h->structured && !c->raw) {
        c->clean = (uint8_t)peer_hello(h, c, pick);
    } else {
        c->clean = 0;
        c->dirty = 1;
    }
    return c;
}

static void do_accept(harness_t *h, uint8_t pick) {
    conn_t *c = conn_free_slot(h);
    zw_id id = 0;
    zw_err rc = fz_rc(zw_core_accept(h->core, h->sock, ZW_FRAMING_STREAM, c ? &id : NULL));
    TRACE("accept -> rc=%d id=%u\n", rc, id);
    if (h->closed) FZ_CHECK(rc == ZW_ENOTSOCK);
    else if (!c) FZ_CHECK(rc == ZW_EINVAL);
    else FZ_CHECK(rc == ZW_OK);
    if (rc == ZW_OK) {
        FZ_CHECK(id != 0 && !conn_by_id(h, id));
        conn_made(h, c, id, -1, pick);
    }
    drain(h);
}

static void do_connect(harness_t *h) {
    if (h->nd == MAXD) return;
    zw_id id = 0;
    zw_err rc = fz_rc(zw_core_connect(h->core, h->sock, &id));
    TRACE("connect -> rc=%d id=%u\n", rc, id);
    /* EINVAL: the CONNECT_ROUTING_ID set for it names a peer that exists (ROUTER, STREAM). */
    int crid = h->crid_set;
    h->crid_set = 0;
    if (h->closed) FZ_CHECK(rc == ZW_ENOTSOCK);
    else FZ_CHECK(rc == ZW_OK || (rc == ZW_EINVAL && crid));
    if (rc != ZW_OK) return;
    FZ_CHECK(id != 0 && !dialer_by_id(h, id) && !conn_by_id(h, id) && id != h->sock);
    h->d[h->nd++] = (dialer_t){id, 1, 0, 0};
    drain(h);
    FZ_CHECK(h->d[h->nd - 1].dialing);   /* it asks at once */
}

/* Answers every dial asked for: ok (a new connection, if a slot is free) or failed. */
static void answer_dials(harness_t *h, int ok, uint8_t pick) {
    for (int i = 0; i < h->nd; i++) {
        dialer_t *d = &h->d[i];
        if (!d->live || !d->dialing) continue;
        conn_t *c = ok ? conn_free_slot(h) : NULL;
        zw_id id = 0;
        zw_err rc = fz_rc(zw_core_dial_result(h->core, d->id, c ? 1 : 0, ZW_FRAMING_STREAM, &id));
        TRACE("dial_result %u ok=%d -> rc=%d id=%u\n", d->id, c != NULL, rc, id);
        FZ_CHECK(rc == ZW_OK);
        d->dialing = 0;
        if (c) {
            FZ_CHECK(id != 0 && !conn_by_id(h, id));
            conn_made(h, c, id, i, pick);
        }
        drain(h);
    }
    /* A dial answered twice, or never asked for, is refused. */
    if (h->nd && !h->d[0].dialing) {
        zw_id id = 0;
        zw_err rc = fz_rc(zw_core_dial_result(h->core, h->d[0].id, 1, ZW_FRAMING_STREAM, &id));
        FZ_CHECK(rc == (h->d[0].live ? ZW_EINVAL : ZW_ENOENT));
        drain(h);
    }
}

static void do_disconnect(harness_t *h, uint8_t b) {
    if (!h->nd) return;
    dialer_t *d = &h->d[b % h->nd];
    int was = d->live;
    zw_err rc = fz_rc(zw_core_disconnect(h->core, d->id));
    TRACE("disconnect %u -> rc=%d\n", d->id, rc);
    FZ_CHECK(rc == (was ? ZW_OK : ZW_ENOENT));
    if (rc == ZW_OK) d->live = 0;
    drain(h);
    if (was) FZ_CHECK(d->stopped);
}

static void do_output(harness_t *h, conn_t *c, int times) {
    for (int i = 0; c->open && (times == 0 || i < times) && i < 256; i++) {
        const uint8_t *p = NULL;
        uint32_t len = 0xdeadbeef;
        FZ_CHECK(fz_rc(zw_core_conn_output(h->core, c->id, &p, &len, NULL)) == ZW_OK);
        FZ_CHECK(len <= 65536 && (len == 0 || p != NULL));
        TRACE("output %u -> %u\n", c->id, len);
        if (len) wire_bytes(h, c, p, len);
        drain(h);
        if (!len) {
            c->out_sig = 0;
            /* Drained: the stream stops between messages (the greeting went out first). */
            if (!c->raw && c->out_total)
                FZ_CHECK(c->ogreet_have == ZMTP_GREETING_SIZE &&
                         c->dec.state == ZMTP_DEC_FLAGS && !c->in_msg);
            break;
        }
    }
}

static void do_closed(harness_t *h, conn_t *c) {
    if (!c->open) return;
    drain(h);   /* what was queued before the close happened before it */
    zw_err rc = fz_rc(zw_core_conn_closed(h->core, c->id));
    TRACE("closed %u -> rc=%d\n", c->id, rc);
    FZ_CHECK(rc == ZW_OK);
    c->open = 0;
    h->just_closed = c->id;
    drain(h);
    h->just_closed = 0;
    /* Its id is freed. */
    const uint8_t *p;
    uint32_t len;
    FZ_CHECK(fz_rc(zw_core_conn_output(h->core, c->id, &p, &len, NULL)) == ZW_ENOENT);
    FZ_CHECK(fz_rc(zw_core_conn_input(h->core, c->id, scratch, 1, NULL, NULL)) == ZW_ENOENT);
}

static void feed(harness_t *h, conn_t *c, size_t n) {
    if (!c->open || c->paused) return;   /* a paused host does not read */
    size_t have = zmtp_buf_len(&c->peer);
    if (n > have) n = have;
    const uint8_t *p = n ? zmtp_buf_head(&c->peer) : NULL;
    if (c->greet_have < sizeof c->greet) {
        size_t k = sizeof c->greet - c->greet_have;
        if (k > n) k = n;
        if (k) memcpy(c->greet + c->greet_have, p, k);
        c->greet_have += (uint32_t)k;
    }
    int was_closing = c->closing;
    zw_err rc = fz_rc(zw_core_conn_input(h->core, c->id, p, (uint32_t)n, NULL, NULL));
    TRACE("input %u len=%zu -> rc=%d\n", c->id, n, rc);
    FZ_CHECK(rc == ZW_OK || rc == ZW_EPROTO);
    if (n) zmtp_buf_consume(&c->peer, n);
    drain(h);
    /* EPROTO exactly when this input closed the connection. */
    if (!was_closing) FZ_CHECK((rc == ZW_EPROTO) == (c->closing != 0));
    else FZ_CHECK(rc == ZW_OK);
}

/* --- peer bytes --------------------------------------------------------------------------- */

static uint8_t body_buf[131072 + 64];

/* A body: input bytes, then a pattern up to size. */
static const uint8_t *body(fz_t *in, uint32_t size) {
    size_t got = 0;
    const uint8_t *b = fz_bytes(in, size < 32 ? size : 32, &got);
    memcpy(body_buf, b, got);
    if (size > got) fz_fill(body_buf + got, size - got, (uint8_t)got, 3);
    return body_buf;
}

static void owe_pong(conn_t *c, const uint8_t *ctx, uint32_t n) {
    if (n > 16) n = 16;
    if (c->pong_n == MAXPONG) {
        c->pong_lost = 1;
        return;
    }
    int i = (c->pong_head + c->pong_n++) % MAXPONG;
    memcpy(c->pong[i], ctx, n);
    c->pong_len[i] = (uint8_t)n;
}

static void peer_frames(conn_t *c, fz_t *in) {
    zmtp_buf_t *b = &c->peer;
    int n = 1 + fz_u8(in) % 4;
    for (int i = 0; i < n; i++) {
        uint8_t kind = fz_u8(in);
        switch (kind % 16) {
        case 0:
        case 1: {   /* data, last or MORE */
            uint32_t size = fz_size(in);
            zmtp_encode_frame(b, kind % 2 ? ZMTP_FLAG_MORE : 0, body(in, size), size);
            break;
        }
        case 2:
        case 3: {   /* SUBSCRIBE / CANCEL command */
            uint8_t p = fz_u8(in) % NPREFIX;
            zmtp_cmd_write(b, kind % 2 ? ZMTP_CMD_CANCEL : ZMTP_CMD_SUBSCRIBE, prefixes[p],
                           prefix_lens[p]);
            break;
        }
        case 4: {   /* 3.0 subscription message */
            uint8_t p = fz_u8(in);
            uint8_t head = p & 0x80 ? 0 : 1;
            p %= NPREFIX;
            zmtp_encode_frame2(b, 0, &head, 1, prefixes[p], prefix_lens[p]);
            break;
        }
        case 5: {   /* PING: ttl + context (up to 20: more than is echoed) */
            uint8_t k = fz_u8(in) % 21;
            uint8_t ping[22];
            ping[0] = fz_u8(in);
            ping[1] = fz_u8(in);
            fz_fill(ping + 2, k, (uint8_t)(kind ^ 0x5a), 1);
            zmtp_cmd_write(b, ZMTP_CMD_PING, ping, 2u + k);
            owe_pong(c, ping + 2, k);
            break;
        }
        case 6: zmtp_cmd_write(b, ZMTP_CMD_PONG, "ctx", 3); break;
        case 7: {   /* a late READY, an ERROR, an unknown command: dropped after the handshake */
            static const char *const names[] = {ZMTP_CMD_READY, ZMTP_CMD_ERROR, "X-UNKNOWN",
                                                "HELLO", "JOIN"};
            uint32_t size = fz_size(in) % 300;
            zmtp_cmd_write(b, names[fz_u8(in) % 5], body(in, size), size);
            break;
        }
        case 8: {   /* a small frame with an 8-byte size (valid for any size) */
            uint8_t hdr[9] = {(uint8_t)(ZMTP_FLAG_LONG | (kind & 0x10 ? ZMTP_FLAG_MORE : 0))};
            uint32_t size = fz_u8(in) % 16;
            hdr[8] = (uint8_t)size;
            zmtp_buf_append(b, hdr, 9);
            zmtp_buf_append(b, body(in, size), size);
            break;
        }
        case 9: {   /* a multipart message of many small frames */
            uint8_t parts = 2 + fz_u8(in) % 30;
            for (uint8_t k = 0; k < parts; k++) {
                uint8_t x[3] = {k, (uint8_t)(k * 7), 0};
                zmtp_encode_frame(b, k + 1 < parts ? ZMTP_FLAG_MORE : 0, x, k % 4);
            }
            break;
        }
        case 10: {   /* a request: [id...][""][body] as REP/ROUTER peers want */
            uint32_t size = fz_size(in);
            if (kind & 0x10) zmtp_encode_frame(b, ZMTP_FLAG_MORE, "rid", 3);
            zmtp_encode_frame(b, ZMTP_FLAG_MORE, NULL, 0);
            zmtp_encode_frame(b, 0, body(in, size), size);
            break;
        }
        /* From here on the peer misbehaves. */
        case 11: {   /* a huge declared size, and a few body bytes */
            static const uint64_t sizes[] = {70000, 0x7fffffffull, 0x80000000ull,
                                             0xffffffffull, 1ull << 40, 1ull << 63, ~0ull,
                                             1u << 20};
            uint64_t s = sizes[fz_u8(in) % 8];
            uint8_t hdr[9];
            size_t hn = zw_header_encode(ZW_WIRE_ZMTP, hdr, kind & 0x10 ? ZMTP_FLAG_COMMAND : 0, s);
            zmtp_buf_append(b, hdr, hn);
            uint32_t k = fz_size(in);
            zmtp_buf_append(b, body(in, k), k);
            c->clean = 0;
            break;
        }
        case 12: {   /* malformed: PING without a ttl, a command without a name */
            static const uint8_t bad[][3] = {{4, 0x04, 'P'}, {4, 0x00, 0}, {4, 0x01, 9}};
            uint8_t w = fz_u8(in) % 3;
            if (w == 0) zmtp_cmd_write(b, ZMTP_CMD_PING, "x", 1);
            else zmtp_buf_append(b, bad[w], 3);
            c->clean = 0;
            break;
        }
        case 13: {   /* reserved flag bits, or MORE on a command */
            uint8_t fl = fz_u8(in) & 1 ? (uint8_t)(ZMTP_FLAG_COMMAND | ZMTP_FLAG_MORE)
                                        : (uint8_t)(0x08 << (kind >> 5));
            uint8_t x[3] = {fl, 1, 'z'};
            zmtp_buf_append(b, x, 3);
            c->clean = 0;
            break;
        }
        case 14: {   /* a long data frame */
            static const uint32_t sizes[] = {256, 8192, 65536, 65537, 131072};
            uint32_t size = sizes[fz_u8(in) % 5];
            zmtp_encode_frame(b, kind & 0x10 ? ZMTP_FLAG_MORE : 0, body(in, size), size);
            break;
        }
        default: {  /* a second greeting in the middle of traffic */
            uint8_t g[ZMTP_GREETING_SIZE];
            zmtp_greeting_build(g, ZMTP_MECH_NULL, 0);
            zmtp_buf_append(b, g, sizeof g);
            c->clean = 0;
            break;
        }
        }
    }
}

/* --- the application side ------------------------------------------------------------------ */

static int batch_valid(const uint8_t *b, uint32_t len, uint32_t *msgs) {
    uint32_t pos = 0, more = 0, m = 0;
    while (pos < len) {
        if (len - pos < 4) return 0;
        uint32_t hd = get32(b + pos), sz = hd & ZW_BATCH_LEN_MASK;
        pos += 4;
        if (sz > len - pos) return 0;
        pos += sz;
        more = hd & ZW_BATCH_MORE;
        if (!more) m++;
    }
    *msgs = m;
    return !more;
}

/* Records the messages of a valid batch as sent (all of them: the wire is matched as a
 * subsequence, so one the core did not take costs nothing), as they must appear on the wire. */
static void record_sent(harness_t *h, const uint8_t *b, uint32_t len) {
    uint32_t pos = 0;
    while (pos < len) {
        uint64_t mh = MH_INIT;
        uint32_t nf = 0, idx = 0;
        int sub = 0;
        for (;; idx++) {
            uint32_t hd = get32(b + pos), sz = hd & ZW_BATCH_LEN_MASK;
            const uint8_t *d = b + pos + 4;
            pos += 4 + sz;
            if (idx == 0 && h->type == ZW_XSUB && sz > 0 && d[0] <= 1) sub = 1;
            if (!(idx == 0 && h->type == ZW_ROUTER)) {   /* ROUTER: the id is not sent */
                mh = mh_add(mh, sz, fz_hash(d, sz, NULL, 0));
                nf++;
            }
            if (!(hd & ZW_BATCH_MORE)) break;
        }
        if (sub || h->type == ZW_STREAM) continue;
        if (h->nsent == MAXSENT) {
            h->sent_lost = 1;
            return;
        }
        h->sent[h->nsent++] = (sent_t){mh, nf};
    }
}

static uint32_t put_frame(uint8_t *b, uint32_t pos, int more, const uint8_t *d, uint32_t n) {
    le32(b + pos, n | (more ? ZW_BATCH_MORE : 0));
    if (n) memcpy(b + pos + 4, d, n);
    return pos + 4 + n;
}

static void do_send(harness_t *h, fz_t *in) {
    uint8_t *b = scratch;
    uint32_t pos = 0;
    uint8_t hd = fz_u8(in);
    int nmsg = 1 + hd % 4;
    for (int m = 0; m < nmsg; m++) {
        uint8_t shape = fz_u8(in);
        int nf = 1 + shape % 4;   /* data frames */
        if (h->type == ZW_ROUTER || h->type == ZW_STREAM) {
            /* The routing id first: the last one received, one the peer named, or made up. */
            uint8_t w = fz_u8(in);
            uint32_t n;
            const uint8_t *id;
            if (w % 3 == 0 && h->last_id_len) {
                id = h->last_id;
                n = h->last_id_len;
            } else {
                id = id_bytes((uint8_t)(w / 3), &n);
                if (n > 255) n = 255;
            }
            pos = put_frame(b, pos, 1, id, n);
            if (h->type == ZW_STREAM) nf = 1;   /* [id][data] */
        }
        if (h->type == ZW_XSUB && (shape & 0x30) == 0x30) {
            /* A subscription (0x01) or cancel (0x00) upstream. */
            uint8_t p = fz_u8(in);
            uint8_t sb[32];
            sb[0] = p & 0x80 ? 0 : 1;
            p %= NPREFIX;
            memcpy(sb + 1, prefixes[p], prefix_lens[p]);
            pos = put_frame(b, pos, 0, sb, 1u + prefix_lens[p]);
            continue;
        }
        for (int fi = 0; fi < nf; fi++) {
            uint32_t size = fz_size(in);
            if (h->type == ZW_STREAM && (shape & 0x40)) size = 0;   /* [id][""]: hang up */
            if (pos + 4 + size > SCRATCH) size = 0;
            uint8_t seed = fz_u8(in);
            le32(b + pos, size | (fi + 1 < nf ? ZW_BATCH_MORE : 0));
            fz_fill(b + pos + 4, size, seed, 11);
            pos += 4 + size;
        }
    }
    /* Now and then a malformed batch: cut short, or its last frame saying MORE. */
    if ((hd & 0xf0) == 0xf0 && pos > 0) {
        if (hd & 0x08) {
            pos--;
        } else {
            uint32_t p = 0, last = 0;
            while (p < pos) {
                last = p;
                p += 4 + (get32(b + p) & ZW_BATCH_LEN_MASK);
            }
            b[last + 3] |= 0x80;
        }
    }
    uint32_t msgs = 0;
    int valid = batch_valid(b, pos, &msgs);
    uint32_t cap = 0, flags = 0;
    zw_err src = zw_core_status(h->core, h->sock, &cap, &flags);
    if (valid) record_sent(h, b, pos);
    uint32_t took = 0xdeadbeef;
    zw_err rc = fz_rc(zw_core_send(h->core, h->sock, pos ? b : NULL, pos, &took));
    TRACE("send len=%u msgs=%u valid=%d -> rc=%d took=%u\n", pos, msgs, valid, rc, took);
    if (h->closed) {
        FZ_CHECK(rc == ZW_ENOTSOCK);
    } else if (!valid) {
        FZ_CHECK(rc == ZW_EMSGSIZE);
    } else {
        int answered = h->type == ZW_STREAM || h->type == ZW_ROUTER;
        FZ_CHECK(rc == ZW_OK || rc == ZW_EAGAIN || rc == ZW_EFSM || rc == ZW_ENOTSUP ||
                 (answered && rc == ZW_EHOSTUNREACH) || (h->type == ZW_STREAM && rc == ZW_EINVAL));
        FZ_CHECK((rc == ZW_ENOTSUP) == (h->type == ZW_SUB || h->type == ZW_PULL));
        if (rc == ZW_OK) FZ_CHECK(took <= msgs);
        else FZ_CHECK(took == 0xdeadbeef);
        if (src == ZW_OK && !answered) {
            if (flags & ZW_STATUS_SEND_FSM) FZ_CHECK(rc == ZW_EFSM);
            if (rc == ZW_EFSM) FZ_CHECK(flags & ZW_STATUS_SEND_FSM);
            if (cap == ZW_CAPACITY_UNBOUNDED && rc == ZW_OK) FZ_CHECK(took == msgs);
            if (cap > 0 && !(flags & ZW_STATUS_SEND_FSM) && rc != ZW_ENOTSUP)
                FZ_CHECK(rc == ZW_OK && took >= (msgs < cap ? msgs : cap));
        }
    }
    drain(h);
}

static int subscribed(harness_t *h, const uint8_t *d, uint32_t n) {
    for (int i = 0; i < NPREFIX; i++)
        if (h->sub_count[i] && prefix_lens[i] <= n &&
            memcmp(prefixes[i], d, prefix_lens[i]) == 0)
            return 1;
    return 0;
}

static void check_msg(harness_t *h, const uint8_t *b, uint32_t len, int sub_check) {
    uint32_t pos = 0, nf = 0, f0 = 0;
    const uint8_t *d0 = NULL;
    while (pos < len) {
        uint32_t hd = get32(b + pos), sz = hd & ZW_BATCH_LEN_MASK;
        if (nf == 0) {
            f0 = sz;
            d0 = b + pos + 4;
        }
        nf++;
        pos += 4 + sz;
    }
    fz_touch(b, len);
    switch (h->type) {
    case ZW_ROUTER:
        FZ_CHECK(nf >= 2 && f0 >= 1 && f0 <= 255);
        memcpy(h->last_id, d0, f0);
        h->last_id_len = f0;
        break;
    case ZW_STREAM:
        FZ_CHECK(nf == 2 && f0 >= 1 && f0 <= 255);
        memcpy(h->last_id, d0, f0);
        h->last_id_len = f0;
        break;
    case ZW_SUB:
        if (sub_check && !h->invert && !h->subs_untracked) FZ_CHECK(subscribed(h, d0, f0));
        break;
    default: break;
    }
}

static void do_recv(harness_t *h, uint32_t max_msgs, uint32_t max_bytes, uint32_t *out_msgs) {
    uint32_t cap = 0, flags = 0;
    zw_err src = zw_core_status(h->core, h->sock, &cap, &flags);
    const uint8_t *p = NULL;
    uint32_t len = 0xdeadbeef, msgs = 0xdeadbeef;
    zw_err rc = fz_rc(zw_core_recv(h->core, h->sock, max_msgs, max_bytes, &p, &len, &msgs));
    TRACE("recv max=%u/%u -> rc=%d msgs=%u len=%u\n", max_msgs, max_bytes, rc, msgs, len);
    if (out_msgs) *out_msgs = 0;
    if (h->closed) {
        FZ_CHECK(rc == ZW_ENOTSOCK);
        return;
    }
    FZ_CHECK(rc == ZW_OK || rc == ZW_EAGAIN || rc == ZW_EFSM || rc == ZW_ENOTSUP);
    FZ_CHECK((rc == ZW_ENOTSUP) == (h->type == ZW_PUB || h->type == ZW_PUSH));
    int sub = h->type == ZW_SUB;
    if (src == ZW_OK) {
        if (flags & ZW_STATUS_RECV_FSM) FZ_CHECK(rc == ZW_EFSM);
        if (rc == ZW_EFSM) FZ_CHECK(flags & ZW_STATUS_RECV_FSM);
        if (rc == ZW_OK && !sub) FZ_CHECK((msgs > 0) == ((flags & ZW_STATUS_READABLE) != 0));
        if (rc == ZW_OK && msgs > 0) FZ_CHECK(flags & ZW_STATUS_READABLE);
    }
    if (rc == ZW_OK) {
        if (max_msgs) FZ_CHECK(msgs <= max_msgs);
        FZ_CHECK(len == 0 || p != NULL);
        uint32_t got = 0;
        FZ_CHECK(batch_valid(p, len, &got) && got == msgs);
        if (msgs >= 2) FZ_CHECK(len <= max_bytes);
        int first_held = h->unsub_since_recv;
        h->unsub_since_recv = 0;
        uint32_t pos = 0;
        while (pos < len) {
            uint32_t start = pos;
            for (;;) {
                uint32_t hd = get32(p + pos);
                pos += 4 + (hd & ZW_BATCH_LEN_MASK);
                if (!(hd & ZW_BATCH_MORE)) break;
            }
            check_msg(h, p + start, pos - start, !(first_held && start == 0));
        }
        if (msgs) h->reach_in = 1;
        if (out_msgs) *out_msgs = msgs;
    }
    drain(h);
}

static void do_status(harness_t *h) {
    uint32_t cap = 0xdeadbeef, flags = 0xdeadbeef;
    zw_err rc = fz_rc(zw_core_status(h->core, h->sock, &cap, &flags));
    if (h->gone) {
        FZ_CHECK(rc == ZW_ENOTSOCK);
        return;
    }
    FZ_CHECK(rc == ZW_OK);
    FZ_CHECK((flags & ~0xfu) == 0);
    if (h->closed) FZ_CHECK(flags == ZW_STATUS_CLOSED && cap == 0);
    else FZ_CHECK(!(flags & ZW_STATUS_CLOSED));
    if (!h->closed && (h->type == ZW_SUB || h->type == ZW_PULL)) FZ_CHECK(cap == 0);
}

static void do_advance(harness_t *h, double dt) {
    h->now += dt;
    double next = -7;
    FZ_CHECK(fz_rc(zw_core_advance(h->core, h->now, &next)) == ZW_OK);
    FZ_CHECK(next == -1 || next > h->now);
    TRACE("advance %.0f -> next %.0f\n", h->now, next);
    drain(h);
}

/* An option value from the tables (or a wrong length now and then). */
static const uint8_t *opt_value(fz_t *in, uint8_t kind, uint32_t *len, uint8_t *buf, int *pidx) {
    uint8_t b = fz_u8(in);
    *pidx = -1;
    if (b >= 250 && kind != V_PREFIX) {   /* wrong lengths and odd values */
        static const uint32_t lens[] = {0, 1, 3, 5, 8, 4};
        *len = lens[b - 250];
        memset(buf, 0x7f, 8);
        return buf;
    }
    switch (kind) {
    case V_BOOL: *len = 4; le32(buf, b & 1); return buf;
    case V_HWM: {
        static const int32_t v[] = {0, 1, 2, 3, 10, 1000};
        *len = 4;
        le32(buf, (uint32_t)v[b % 6]);
        return buf;
    }
    case V_MS: {
        static const int32_t v[] = {-1, 0, 1, 10, 100, 1000, 30000, -2};
        *len = 4;
        le32(buf, (uint32_t)v[b % 8]);
        return buf;
    }
    case V_I64: {
        static const int64_t v[] = {-1, 0, 1, 2, 10, 255, 256, 1000, 65536, 131072, -5};
        int64_t x = v[b % 11];
        *len = 8;
        for (int i = 0; i < 8; i++) buf[i] = (uint8_t)((uint64_t)x >> (8 * i));
        return buf;
    }
    case V_PREFIX:
        if (b >= 240) {   /* any bytes: the SUB model stops */
            size_t got;
            const uint8_t *p = fz_bytes(in, b - 240, &got);
            *len = (uint32_t)got;
            return p;
        }
        *pidx = b % NPREFIX;
        *len = prefix_lens[*pidx];
        return (const uint8_t *)prefixes[*pidx];
    case V_ID: return id_bytes(b, len);
    default: {
        static const char *const w[] = {"", "welcome", ("\x01" "a")};
        if (b % 4 == 3) {
            *len = 300;
            fz_fill(buf, 300, 9, 1);
            return buf;
        }
        *len = (uint32_t)strlen(w[b % 4]);
        return (const uint8_t *)w[b % 4];
    }
    }
}

static void do_setopt(harness_t *h, fz_t *in) {
    uint8_t o = fz_u8(in) % NOPT;
    int32_t opt = optab[o].opt;
    uint8_t buf[512];
    uint32_t len;
    int pidx;
    const uint8_t *v = opt_value(in, optab[o].kind, &len, buf, &pidx);
    zw_err rc = fz_rc(zw_core_setopt(h->core, h->sock, opt, v, len));
    TRACE("setopt %d len=%u -> rc=%d\n", opt, len, rc);
    if (h->closed) {
        FZ_CHECK(rc == ZW_ENOTSOCK);
        return;
    }
    FZ_CHECK(rc == ZW_OK || rc == ZW_EINVAL);
    if (opt == ZW_OPT_TYPE) FZ_CHECK(rc == ZW_EINVAL);
    if (rc != ZW_OK) {
        drain(h);
        return;
    }
    int32_t x = len == 4 ? (int32_t)get32(v) : 0;
    switch (opt) {
    case ZW_OPT_SUBSCRIBE:
    case ZW_OPT_UNSUBSCRIBE:
        if (h->type != ZW_SUB) break;
        if (pidx < 0) {
            h->subs_untracked = 1;
        } else if (opt == ZW_OPT_SUBSCRIBE) {
            h->sub_count[pidx]++;
        } else if (h->sub_count[pidx]) {
            h->sub_count[pidx]--;
            h->unsub_since_recv = 1;
        }
        break;
    case ZW_OPT_ROUTING_ID:
        FZ_CHECK(len <= 255 && !(len && v[0] == 0));
        memcpy(h->rid, v, len);
        h->rid_len = len;
        break;
    case ZW_OPT_PROBE_ROUTER: h->probe_ever |= x; break;
    case ZW_OPT_CONNECT_ROUTING_ID: h->crid_set = 1; break;
    case ZW_OPT_INVERT_MATCHING: h->invert = x; break;
    case ZW_OPT_LINGER: h->linger = x; break;
    case ZW_OPT_XPUB_MANUAL: h->xpub_manual = x; break;
    case ZW_OPT_XPUB_WELCOME_MSG:
        if (len) {
            h->welcome_h[h->welcome_next++ % 4] = mh_add(MH_INIT, len, fz_hash(v, len, NULL, 0));
            if (h->nwelcome < 4) h->nwelcome++;
        }
        break;
    default: break;
    }
    drain(h);
}

/* Output the host was never told of: a host that follows the effects would never write it. */
static void probe_output(harness_t *h) {
    for (int i = 0; i < MAXC; i++) {
        conn_t *c = &h->c[i];
        if (!c->open || c->closing || c->out_sig) continue;
        const uint8_t *p;
        uint32_t len = 0xdeadbeef;
        FZ_CHECK(fz_rc(zw_core_conn_output(h->core, c->id, &p, &len, NULL)) == ZW_OK);
        if (len) {
            fprintf(stderr, "conn %u: %u bytes of output without ZW_FX_OUTPUT\n", c->id, len);
            FZ_CHECK(!"output pending that the host was not told of");
        }
        drain(h);
    }
}

/* Obeys the effects as a host would: writes what is signalled, closes what is asked. */
static void settle(harness_t *h) {
    for (int round = 0; round < 64; round++) {
        int did = 0;
        drain(h);
        for (int i = 0; i < MAXC; i++) {
            conn_t *c = &h->c[i];
            if (!c->open) continue;
            if (c->out_sig || c->closing) {
                do_output(h, c, 0);
                did = 1;
            }
            if (c->closing) {
                do_closed(h, c);
                did = 1;
            }
        }
        if (!did) return;
    }
}

/* --- the program --------------------------------------------------------------------------- */

static conn_t *pick_conn(harness_t *h, uint8_t b) {
    int open[MAXC], n = 0;
    for (int i = 0; i < MAXC; i++)
        if (h->c[i].open) open[n++] = i;
    return n ? &h->c[open[b % n]] : NULL;
}

static void entropy(void *ctx, uint8_t *buf, uint32_t len) {
    uint32_t *s = ctx;
    for (uint32_t i = 0; i < len; i++) {
        *s ^= *s << 13;
        *s ^= *s >> 17;
        *s ^= *s << 5;
        buf[i] = (uint8_t)*s;
    }
}

static void finish(harness_t *h, fz_t *in) {
    /* Every peer byte arrives and the application reads all it can, until nothing moves. */
    int can_read = h->type != ZW_REQ && h->type != ZW_REP;
    int still = 1;
    for (int round = 0; round < 32 && still; round++) {
        still = 0;
        for (int i = 0; i < MAXC; i++) {
            conn_t *c = &h->c[i];
            if (c->open && !c->paused && zmtp_buf_len(&c->peer)) {
                feed(h, c, zmtp_buf_len(&c->peer));
                still = 1;
            }
        }
        settle(h);
        uint32_t got = 0;
        if (can_read) {
            do_recv(h, 0, UINT32_MAX, &got);
            if (got) still = 1;
        }
        settle(h);
    }
    drain(h);
    probe_output(h);
    if (!still && can_read) {
        /* Everything was read: no connection may stay paused (the peer would hang). */
        for (int i = 0; i < MAXC; i++)
            if (h->c[i].open && !h->c[i].closing) FZ_CHECK(!h->c[i].paused);
    }
    /* Close with a linger from the input, and let time pass. */
    static const int32_t lingers[] = {0, 0, 1, 100, 30000, -1, 5, 0};
    uint8_t lb = fz_u8(in);
    if (lb & 0x80) {
        uint8_t v[4];
        le32(v, (uint32_t)lingers[lb & 7]);
        FZ_CHECK(fz_rc(zw_core_setopt(h->core, h->sock, ZW_OPT_LINGER, v, 4)) == ZW_OK);
        h->linger = lingers[lb & 7];
    }
    FZ_CHECK(fz_rc(zw_core_socket_close(h->core, h->sock)) == ZW_OK);
    h->closed = 1;
    drain(h);
    if (!h->gone) do_status(h);
    FZ_CHECK(fz_rc(zw_core_socket_close(h->core, h->sock)) == (h->gone ? ZW_ENOTSOCK : ZW_ENOTSOCK));
    settle(h);
    if (h->linger >= 0) {
        do_advance(h, (double)h->linger + 1);
        settle(h);
        FZ_CHECK(h->gone);   /* the linger is over */
    }
    if (h->gone) {
        /* Gone: every connection was asked to close, every dialer stopped. */
        for (int i = 0; i < MAXC; i++)
            if (h->c[i].open) FZ_CHECK(h->c[i].closing);
        for (int i = 0; i < h->nd; i++) FZ_CHECK(h->d[i].stopped);
    }
    for (int i = 0; i < MAXC; i++) do_closed(h, &h->c[i]);
    do_status(h);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    fz_t in = {data, size, 0};
    harness_t *h = &H;
    int64_t live0 = zw_frame_live();
    static int once;
    if (!once) {
        once = 1;
        trace = getenv("FUZZ_TRACE") != NULL;
        reach = getenv("FUZZ_REACH") != NULL;
        fz_fill(long_id, sizeof long_id, 'r', 1);
        for (int i = 0; i < MAXC; i++) zmtp_decoder_init(&h->c[i].dec, -1, ZW_WIRE_ZMTP);
    }
    /* Emptied, not freed: peer buffers keep their pages across inputs. */
    for (int i = 0; i < MAXC; i++) conn_reset(&h->c[i]);
    conn_t keep[MAXC];
    memcpy(keep, h->c, sizeof keep);
    memset(h, 0, sizeof *h);
    memcpy(h->c, keep, sizeof keep);
    h->linger = -1;
    h->rng = 0x9e3779b9u;
    h->core = zw_core_new(entropy, &h->rng);
    FZ_CHECK(h->core != NULL);

    h->type = fz_u8(&in) % 12;
    uint8_t cfg = fz_u8(&in);
    h->side = cfg & 1;
    h->structured = (cfg >> 1) & 1;
    h->minor = cfg & 0x08 ? 2 : (cfg >> 2) & 1;
    h->ptype_mode = (cfg >> 4) & 3;
    h->pid_mode = (cfg >> 6) & 3;
    TRACE("type=%s side=%s structured=%d minor=%d ptype=%d pid=%d\n", fz_type_names[h->type],
          h->side ? "connect" : "accept", h->structured, h->minor, h->ptype_mode, h->pid_mode);
    FZ_CHECK(fz_rc(zw_core_socket_open(h->core, h->type, &h->sock)) == ZW_OK);
    drain(h);
    int nopt = fz_u8(&in) % 8;
    for (int i = 0; i < nopt; i++) do_setopt(h, &in);

    if (h->side) {
        do_connect(h);
        answer_dials(h, 1, fz_u8(&in));
    } else {
        do_accept(h, fz_u8(&in));
    }

    while (fz_left(&in)) {
        uint8_t op = fz_u8(&in);
        uint8_t a = fz_u8(&in);
        conn_t *c = pick_conn(h, a);
        switch (op % 16) {
        case 0: {   /* raw peer bytes */
            size_t got;
            const uint8_t *p = fz_bytes(&in, fz_u8(&in), &got);
            if (c) {
                zmtp_buf_append(&c->peer, p, got);
                if (got) c->clean = 0, c->dirty = 1;
            }
            break;
        }
        case 1:
        case 2:
            if (c) peer_frames(c, &in);
            else (void)fz_u8(&in);
            break;
        case 3:
        case 4: {   /* feed k bytes: 0 = all */
            uint8_t k = fz_u8(&in);
            if (c) feed(h, c, k ? k : zmtp_buf_len(&c->peer));
            break;
        }
        case 5:     /* output: one view, or until empty */
            if (c) do_output(h, c, a & 0x80 ? 1 : 0);
            break;
        case 6:
        case 7: do_send(h, &in); break;
        case 8: {
            static const uint32_t maxm[] = {0, 1, 2, 16}, maxb[] = {0, 1, 100, 65536,
                                                                    UINT32_MAX};
            do_recv(h, maxm[a & 3], maxb[(a >> 2) % 5], NULL);
            break;
        }
        case 9: do_status(h); break;
        case 10: {
            static const double dts[] = {0, 1, 10, 100, 101, 1000, 30001, 1e7};
            do_advance(h, dts[a & 7]);
            break;
        }
        case 11: do_setopt(h, &in); break;
        case 12:    /* the peer hangs up */
            if (c) do_closed(h, c);
            break;
        case 13:    /* a host obeying every effect */
            settle(h);
            if (a & 1) probe_output(h);
            break;
        case 14:
            switch (a % 5) {
            case 0: do_accept(h, fz_u8(&in)); break;
            case 1: do_connect(h); break;
            case 2: answer_dials(h, 1, fz_u8(&in)); break;
            case 3: answer_dials(h, 0, 0); break;
            default: do_disconnect(h, fz_u8(&in)); break;
            }
            break;
        default:    /* feed every connection everything, in pieces of k */
            for (int i = 0; i < MAXC; i++) {
                conn_t *x = &h->c[i];
                size_t k = 1 + a % 64;
                while (x->open && !x->paused && zmtp_buf_len(&x->peer))
                    feed(h, x, (a & 0x80) ? zmtp_buf_len(&x->peer) : k);
            }
            break;
        }
    }
    finish(h, &in);
    if (reach)
        fprintf(stderr, "REACH %s %s hs=%d out=%d in=%d\n", fz_type_names[h->type],
                h->side ? "connect" : "accept", h->reach_hs, h->reach_out, h->reach_in);
    zw_core_free(h->core);
    h->core = NULL;
    for (int i = 0; i < MAXC; i++) zmtp_decoder_fini(&h->c[i].dec);
    FZ_CHECK(zw_frame_live() == live0);
    for (int i = 0; i < MAXC; i++) zmtp_decoder_init(&h->c[i].dec, -1, ZW_WIRE_ZMTP);
    return 0;
}

/* --- seeds ------------------------------------------------------------------------------- */

/* For every type, side and ZMTP version: a structured peer that completes the handshake, then
 * traffic both ways in an order that suits every pattern (REQ sends first, REP answers what it
 * read, PUB needs a subscription, ROUTER addresses the peer's Identity). */
static void write_seeds(const char *dir) {
    char name[64];
    for (int t = 0; t < 12; t++) {
        for (int side = 0; side < 2; side++) {
            for (int minor = 0; minor < 2; minor++) {
                uint8_t s[256];
                size_t n = 0;
                s[n++] = (uint8_t)t;
                /* side, structured, minor, compatible type, Identity "peer" */
                s[n++] = (uint8_t)(side | 0x02 | (minor << 2) | (1 << 6));
                if (t == ZW_SUB) {
                    s[n++] = 1;                 /* one option: SUBSCRIBE "" */
                    s[n++] = 0, s[n++] = 0;
                } else if (t == ZW_ROUTER) {
                    s[n++] = 1;                 /* ROUTER_MANDATORY: sends are answered */
                    s[n++] = 13, s[n++] = 1;
                } else {
                    s[n++] = 0;
                }
                s[n++] = (uint8_t)(t * 7);      /* pick the peer's type */
                if (t == ZW_STREAM) {
                    /* raw bytes from the peer */
                    s[n++] = 0, s[n++] = 0, s[n++] = 5;
                    memcpy(s + n, "hello", 5), n += 5;
                }
                s[n++] = 3, s[n++] = 0, s[n++] = 0;          /* feed all */
                s[n++] = 5, s[n++] = 0;                      /* output until empty */
                int one = t == ZW_STREAM;                    /* STREAM: [id][one frame] */
                s[n++] = 6, s[n++] = 0;                      /* send one message... */
                s[n++] = 0, s[n++] = one ? 0 : 1;            /*   of two frames */
                if (t == ZW_ROUTER || t == ZW_STREAM) s[n++] = 1;   /* to "peer" */
                s[n++] = 5, s[n++] = 1;
                if (!one) s[n++] = 3, s[n++] = 2;
                s[n++] = 5, s[n++] = 0;                      /* output */
                /* The peer: a subscription, a PING, a request-shaped message, a plain one. */
                s[n++] = 1, s[n++] = 0, s[n++] = 3;          /* peer_frames: 4 */
                s[n++] = 2, s[n++] = 0;                      /*   SUBSCRIBE "" */
                s[n++] = 5, s[n++] = 4, s[n++] = 0, s[n++] = 10;   /* PING ttl 10, ctx 4 */
                s[n++] = 10, s[n++] = 5;                     /*   [""]["hello"-ish] */
                memcpy(s + n, "hello", 5), n += 5;
                s[n++] = 4, s[n++] = 0x01;                   /*   3.0 subscribe "" */
                s[n++] = 3, s[n++] = 0, s[n++] = 0;          /* feed all */
                s[n++] = 8, s[n++] = 0;                      /* recv */
                s[n++] = 6, s[n++] = 0;                      /* send again (REP's reply) */
                s[n++] = 0, s[n++] = one ? 0 : 1;
                if (t == ZW_ROUTER || t == ZW_STREAM) s[n++] = 0;   /* id: the last one read */
                s[n++] = 2, s[n++] = 4;
                if (!one) s[n++] = 6, s[n++] = 9;
                s[n++] = 13, s[n++] = 1;                     /* settle, probe */
                s[n++] = 10, s[n++] = 3;                     /* advance */
                s[n++] = 8, s[n++] = 0;                      /* recv */
                s[n++] = 0x80 | 3;                           /* linger 100 at the end */
                snprintf(name, sizeof name, "%s_%s_3%d", fz_type_names[t],
                         side ? "connect" : "accept", minor);
                for (char *p = name; *p; p++) *p = (char)(*p >= 'A' && *p <= 'Z' ? *p + 32 : *p);
                fz_write_seed(dir, name, s, n);
            }
        }
    }
    /* The greeting as raw bytes, a byte at a time, then a reconnect after the peer hangs up. */
    {
        uint8_t s[200];
        size_t n = 0;
        s[n++] = ZW_PUSH, s[n++] = 0x01, s[n++] = 0, s[n++] = 0;
        s[n++] = 0, s[n++] = 0, s[n++] = ZMTP_GREETING_SIZE;
        zmtp_greeting_build(s + n, ZMTP_MECH_NULL, 0);
        n += ZMTP_GREETING_SIZE;
        s[n++] = 15, s[n++] = 0;                     /* feed all, a byte at a time */
        s[n++] = 6, s[n++] = 0, s[n++] = 0, s[n++] = 5, s[n++] = 1;
        s[n++] = 12, s[n++] = 0;                     /* hang up */
        s[n++] = 10, s[n++] = 4;                     /* advance 101: the redial */
        s[n++] = 14, s[n++] = 2, s[n++] = 0;         /* answer it */
        s[n++] = 5, s[n++] = 0;
        fz_write_seed(dir, "push_raw_greeting_redial", s, n);
    }
    /* A ROUTER with two peers of the same Identity (the second refused, or handed over). */
    for (int handover = 0; handover < 2; handover++) {
        uint8_t s[64];
        size_t n = 0;
        s[n++] = ZW_ROUTER, s[n++] = 0x02 | 0x04 | (1 << 6);
        s[n++] = 1, s[n++] = 14, s[n++] = (uint8_t)handover;   /* ROUTER_HANDOVER */
        s[n++] = 0;
        s[n++] = 14, s[n++] = 0, s[n++] = 0;          /* accept another */
        s[n++] = 15, s[n++] = 0x80;                   /* feed everything */
        s[n++] = 1, s[n++] = 0, s[n++] = 0, s[n++] = 0, s[n++] = 3;
        s[n++] = 15, s[n++] = 0x80;
        s[n++] = 8, s[n++] = 0;
        s[n++] = 6, s[n++] = 0, s[n++] = 0, s[n++] = 0, s[n++] = 1, s[n++] = 1;
        s[n++] = 13, s[n++] = 1;
        fz_write_seed(dir, handover ? "router_handover" : "router_duplicate_id", s, n);
    }
    /* A PULL at RCVHWM 1 with many messages: PAUSE, then RESUME as it reads. */
    {
        uint8_t s[64];
        size_t n = 0;
        s[n++] = ZW_PULL, s[n++] = 0x02 | 0x04;
        s[n++] = 1, s[n++] = 5, s[n++] = 1;           /* RCVHWM 1 */
        s[n++] = 0;
        s[n++] = 1, s[n++] = 0, s[n++] = 3, s[n++] = 9, s[n++] = 5, s[n++] = 0, s[n++] = 3,
        s[n++] = 0, s[n++] = 4, s[n++] = 0, s[n++] = 200;
        s[n++] = 15, s[n++] = 3;                      /* feed in pieces of 4 */
        s[n++] = 8, s[n++] = 1, s[n++] = 15, s[n++] = 3;
        s[n++] = 8, s[n++] = 0, s[n++] = 15, s[n++] = 3;
        fz_write_seed(dir, "pull_hwm_pause", s, n);
    }
    /* A huge declared size, a handshake timeout, an incompatible peer. */
    {
        static const uint8_t huge[] = {ZW_DEALER, 0x02 | 0x04, 0, 0, 1, 0, 0, 11, 6, 5,
                                       3, 0, 0, 5, 0};
        fz_write_seed(dir, "dealer_huge_size", huge, sizeof huge);
        static const uint8_t tmo[] = {ZW_REQ, 0x01, 1, 21, 3, 0, 10, 5, 5, 0, 10, 5};
        fz_write_seed(dir, "req_handshake_timeout", tmo, sizeof tmo);
        static const uint8_t bad[] = {ZW_PUSH, 0x02 | 0x20, 0, 0, 3, 0, 0, 5, 0};
        fz_write_seed(dir, "push_incompatible", bad, sizeof bad);
    }
}

FZ_SEED_WRITER(write_seeds)
