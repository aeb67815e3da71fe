/* socket.c — socket base: socket type table, option table, helpers shared by socket types. */
#include "socket/socket.h"

#include <string.h>

/* --- socket types ------------------------------------------------------------------------- */

const zw_sockops_t *zw_sockops_find(int type) {
    switch (type) {
    case ZW_REQ: return &zw_req_ops;
    case ZW_REP: return &zw_rep_ops;
    case ZW_PUB: return &zw_pub_ops;
    case ZW_SUB: return &zw_sub_ops;
    case ZW_PUSH: return &zw_push_ops;
    case ZW_PULL: return &zw_pull_ops;
    case ZW_DEALER: return &zw_dealer_ops;
    case ZW_ROUTER: return &zw_router_ops;
    case ZW_PAIR: return &zw_pair_ops;
    case ZW_STREAM: return &zw_stream_ops;
    case ZW_XPUB: return &zw_xpub_ops;
    case ZW_XSUB: return &zw_xsub_ops;
    default: return NULL;
    }
}

/* --- helpers ------------------------------------------------------------------------------ */

int zw_socket_drop_command(zw_frame_t *f) {
    if (!(f->flags & (ZW_FRAME_COMMAND | ZW_FRAME_SUBSCRIBE | ZW_FRAME_CANCEL))) return 0;
    zw_frame_free(f);
    return 1;
}

const uint8_t *zw_socket_id_bytes(const zw_frame_t *f, uint8_t tmp[ZW_RID_MAX]) {
    if (f->size > ZW_RID_MAX) return NULL;
    uint8_t *heap;   /* never used: the id fits in tmp */
    return zw_frame_head(f, f->size, tmp, ZW_RID_MAX, &heap);
}

const uint8_t *zw_socket_topic(const zw_frame_t *f, const zw_trie_t *t, uint8_t tmp[ZW_TOPIC_TMP],
                               uint8_t **heap, size_t *n) {
    size_t held = zw_trie_bytes(t);
    *n = f->size < held ? f->size : held;
    return zw_frame_head(f, *n, tmp, ZW_TOPIC_TMP, heap);
}

void zw_socket_inbound_data(zw_socket_t *s, zw_pipe_t *in, zw_frame_t *f) {
    if (zw_socket_drop_command(f)) return;
    if (zw_pipe_write(in, f, 0) != ZW_OK) zw_frame_free(f);
}

void zw_socket_inbound_drop(zw_socket_t *s, zw_pipe_t *in, zw_frame_t *f) { zw_frame_free(f); }

int zw_socket_send_notsup(zw_socket_t *s, zw_frame_t *msg) { return ZW_ENOTSUP; }

int zw_socket_recv_notsup(zw_socket_t *s, zw_frame_t **msg, zw_pipe_t **from) {
    return ZW_ENOTSUP;
}

void zw_socket_nop_pipe(zw_socket_t *s, zw_pipe_t *p) {}
void zw_socket_nop_pipes(zw_socket_t *s, zw_pipe_t *in, zw_pipe_t *out) {}

void zw_socket_probe(zw_socket_t *s, zw_pipe_t *out) {
    if (!s->opt.probe_router) return;
    zw_frame_t *f = zw_frame_new(0);
    if (!f) return;   /* out of memory: the probe is an optimisation the peer cannot count on */
    f->flags = 0;
    if (zw_pipe_write(out, f, 1) != ZW_OK) zw_frame_free(f);
}

int zw_socket_accept_peer(zw_socket_t *s, zw_pipe_t *in, zw_pipe_t *out, const zw_peer_t *peer,
                          const char **why) {
    return ZW_OK;
}

/* --- options ------------------------------------------------------------------------------ */

enum { OPT_INT, OPT_INT64, OPT_BYTES };
enum { OPT_RW = 0, OPT_RO = 1, OPT_WO = 2 };

#define ALL_TYPES 0xffffu
#define TYPE_BIT(t) (1u << (t))
#define NO_FIELD ((size_t)-1)

typedef struct zw_optrow {
    int32_t id;        /* ZW_OPT_* */
    uint8_t kind;      /* OPT_INT (int32 LE), OPT_INT64 (int64 LE), OPT_BYTES */
    uint8_t access;    /* OPT_RW, OPT_RO, OPT_WO */
    int64_t min, max;  /* accepted values (bytes: length) */
    int64_t def;       /* default (ints) */
    uint32_t types;    /* socket types the option applies to, bit per ZW_* type */
    size_t field;      /* offset in zw_sockopts_t, or NO_FIELD (handled by the socket type) */
} zw_optrow_t;

#define F(name) offsetof(zw_sockopts_t, name)

/* One row per option. Defaults are libzmq's (LINGER -1 included; the TS layer sets zeromq.js's
 * defaults explicitly). */
static const zw_optrow_t opt_rows[] = {
    {ZW_OPT_ROUTING_ID, OPT_BYTES, OPT_RW, 0, 255, 0, ALL_TYPES, F(routing_id)},
    {ZW_OPT_SUBSCRIBE, OPT_BYTES, OPT_WO, 0, ZW_BATCH_LEN_MASK, 0, TYPE_BIT(ZW_SUB) | TYPE_BIT(ZW_XPUB),
     NO_FIELD},
    {ZW_OPT_UNSUBSCRIBE, OPT_BYTES, OPT_WO, 0, ZW_BATCH_LEN_MASK, 0,
     TYPE_BIT(ZW_SUB) | TYPE_BIT(ZW_XPUB), NO_FIELD},
    {ZW_OPT_TYPE, OPT_INT, OPT_RO, 0, 0, 0, ALL_TYPES, NO_FIELD},
    {ZW_OPT_LINGER, OPT_INT, OPT_RW, -1, INT32_MAX, -1, ALL_TYPES, F(linger)},
    {ZW_OPT_RECONNECT_IVL, OPT_INT, OPT_RW, -1, INT32_MAX, 100, ALL_TYPES, F(reconnect_ivl)},
    {ZW_OPT_RECONNECT_IVL_MAX, OPT_INT, OPT_RW, 0, INT32_MAX, 0, ALL_TYPES,
     F(reconnect_ivl_max)},
    {ZW_OPT_MAXMSGSIZE, OPT_INT64, OPT_RW, -1, INT64_MAX, -1, ALL_TYPES, F(maxmsgsize)},
    {ZW_OPT_SNDHWM, OPT_INT, OPT_RW, 0, INT32_MAX, 1000, ALL_TYPES, F(sndhwm)},
    {ZW_OPT_RCVHWM, OPT_INT, OPT_RW, 0, INT32_MAX, 1000, ALL_TYPES, F(rcvhwm)},
    {ZW_OPT_IMMEDIATE, OPT_INT, OPT_RW, 0, 1, 0, ALL_TYPES, F(immediate)},
    {ZW_OPT_HANDSHAKE_IVL, OPT_INT, OPT_RW, 0, INT32_MAX, 30000, ALL_TYPES, F(handshake_ivl)},
    /* libzmq's bounds: the TTL travels as tenths of a second in 16 bits. */
    {ZW_OPT_HEARTBEAT_IVL, OPT_INT, OPT_RW, 0, INT32_MAX, 0, ALL_TYPES, F(heartbeat_ivl)},
    {ZW_OPT_HEARTBEAT_TTL, OPT_INT, OPT_RW, 0, 6553599, 0, ALL_TYPES, F(heartbeat_ttl)},
    {ZW_OPT_HEARTBEAT_TIMEOUT, OPT_INT, OPT_RW, -1, INT32_MAX, -1, ALL_TYPES, F(heartbeat_timeout)},
    {ZW_OPT_PROBE_ROUTER, OPT_INT, OPT_RW, 0, 1, 0, TYPE_BIT(ZW_REQ) | TYPE_BIT(ZW_DEALER) | TYPE_BIT(ZW_ROUTER),
     F(probe_router)},
    {ZW_OPT_REQ_CORRELATE, OPT_INT, OPT_RW, 0, 1, 0, TYPE_BIT(ZW_REQ), F(req_correlate)},
    {ZW_OPT_REQ_RELAXED, OPT_INT, OPT_RW, 0, 1, 0, TYPE_BIT(ZW_REQ), F(req_relaxed)},
    {ZW_OPT_CONFLATE, OPT_INT, OPT_RW, 0, 1, 0,
     TYPE_BIT(ZW_PUSH) | TYPE_BIT(ZW_PULL) | TYPE_BIT(ZW_PUB) | TYPE_BIT(ZW_SUB) | TYPE_BIT(ZW_DEALER),
     F(conflate)},
    {ZW_OPT_STREAM_NOTIFY, OPT_INT, OPT_RW, 0, 1, 1, TYPE_BIT(ZW_STREAM), F(stream_notify)},
    {ZW_OPT_ROUTER_MANDATORY, OPT_INT, OPT_WO, 0, 1, 0, TYPE_BIT(ZW_ROUTER), F(router_mandatory)},
    {ZW_OPT_ROUTER_HANDOVER, OPT_INT, OPT_WO, 0, 1, 0, TYPE_BIT(ZW_ROUTER), F(router_handover)},
    {ZW_OPT_CONNECT_ROUTING_ID, OPT_BYTES, OPT_WO, 1, 255, 0, TYPE_BIT(ZW_ROUTER) | TYPE_BIT(ZW_STREAM),
     F(connect_rid)},
    {ZW_OPT_XPUB_VERBOSE, OPT_INT, OPT_WO, 0, 1, 0, TYPE_BIT(ZW_XPUB), NO_FIELD},
    {ZW_OPT_XPUB_VERBOSER, OPT_INT, OPT_WO, 0, 1, 0, TYPE_BIT(ZW_XPUB), NO_FIELD},
    {ZW_OPT_XPUB_NODROP, OPT_INT, OPT_RW, 0, 1, 0, TYPE_BIT(ZW_PUB) | TYPE_BIT(ZW_XPUB), F(xpub_nodrop)},
    {ZW_OPT_XPUB_MANUAL, OPT_INT, OPT_RW, 0, 1, 0, TYPE_BIT(ZW_XPUB), F(xpub_manual)},
    {ZW_OPT_XPUB_WELCOME_MSG, OPT_BYTES, OPT_WO, 0, ZW_BATCH_LEN_MASK, 0, TYPE_BIT(ZW_XPUB), NO_FIELD},
    {ZW_OPT_INVERT_MATCHING, OPT_INT, OPT_RW, 0, 1, 0,
     TYPE_BIT(ZW_PUB) | TYPE_BIT(ZW_SUB) | TYPE_BIT(ZW_XPUB) | TYPE_BIT(ZW_XSUB), F(invert_matching)},
};

static const zw_optrow_t *opt_row(int32_t id) {
    for (size_t i = 0; i < sizeof opt_rows / sizeof opt_rows[0]; i++)
        if (opt_rows[i].id == id) return &opt_rows[i];
    return NULL;
}

void zw_sockopt_defaults(zw_sockopts_t *o) {
    memset(o, 0, sizeof *o);
    for (size_t i = 0; i < sizeof opt_rows / sizeof opt_rows[0]; i++) {
        const zw_optrow_t *r = &opt_rows[i];
        if (r->field == NO_FIELD || r->kind == OPT_BYTES) continue;
        uint8_t *p = (uint8_t *)o + r->field;
        if (r->kind == OPT_INT) {
            int32_t v = (int32_t)r->def;
            memcpy(p, &v, 4);
        } else {
            memcpy(p, &r->def, 8);
        }
    }
}

static int64_t le_int(const uint8_t *v, uint32_t n) {
    uint64_t x = 0;
    for (uint32_t i = 0; i < n; i++) x |= (uint64_t)v[i] << (8 * i);
    return n == 4 ? (int64_t)(int32_t)(uint32_t)x : (int64_t)x;
}

static void le_put(uint8_t *v, uint64_t x, uint32_t n) {
    for (uint32_t i = 0; i < n; i++) v[i] = (uint8_t)(x >> (8 * i));
}

int zw_sockopt_set(zw_socket_t *s, int32_t opt, const uint8_t *val, uint32_t len) {
    const zw_optrow_t *r = opt_row(opt);
    if (!r || r->access == OPT_RO || !(r->types & TYPE_BIT(s->ops->type))) return ZW_EINVAL;
    if (len && !val) return ZW_EINVAL;
    if (r->field == NO_FIELD) {
        return s->ops->setopt ? s->ops->setopt(s, opt, val, len) : ZW_EINVAL;
    }
    uint8_t *p = (uint8_t *)&s->opt + r->field;
    switch (r->kind) {
    case OPT_BYTES:
        if (len < r->min || len > r->max) return ZW_EINVAL;
        if (opt == ZW_OPT_ROUTING_ID) {
            if (len > 0 && val[0] == 0) return ZW_EINVAL;   /* 0x00 ids are generated ones */
            if (len) memcpy(s->opt.routing_id, val, len);     /* val may be NULL when empty */
            s->opt.routing_id_len = (uint8_t)len;
        } else if (opt == ZW_OPT_CONNECT_ROUTING_ID) {
            /* Any bytes, as libzmq (a 0x00 start may collide with a generated id: the connect
             * is then refused, see router.c). Used, and cleared, by the next connect. */
            s->opt.connect_rid[0] = (uint8_t)len;
            memcpy(s->opt.connect_rid + 1, val, len);
        }
        return ZW_OK;
    case OPT_INT:
    case OPT_INT64: {
        uint32_t n = r->kind == OPT_INT ? 4 : 8;
        if (len != n) return ZW_EINVAL;
        int64_t v = le_int(val, n);
        if (v < r->min || v > r->max) return ZW_EINVAL;
        if (n == 4) {
            int32_t v32 = (int32_t)v;
            memcpy(p, &v32, 4);
        } else {
            memcpy(p, &v, 8);
        }
        return ZW_OK;
    }
    }
    return ZW_EINVAL;
}

int zw_sockopt_get(zw_socket_t *s, int32_t opt, uint8_t *val, uint32_t *inout_len) {
    const zw_optrow_t *r = opt_row(opt);
    if (!r || r->access == OPT_WO || !(r->types & TYPE_BIT(s->ops->type)) || !inout_len)
        return ZW_EINVAL;
    if (opt == ZW_OPT_ROUTING_ID) {
        uint32_t n = s->opt.routing_id_len;
        if (*inout_len < n || (n && !val)) return ZW_EINVAL;
        if (n) memcpy(val, s->opt.routing_id, n);   /* val may be NULL for an empty id */
        *inout_len = n;
        return ZW_OK;
    }
    uint32_t n = r->kind == OPT_INT64 ? 8 : 4;
    if (*inout_len < n || !val) return ZW_EINVAL;
    int64_t v;
    if (opt == ZW_OPT_TYPE) {
        v = s->ops->type;
    } else if (n == 4) {
        int32_t v32;
        memcpy(&v32, (uint8_t *)&s->opt + r->field, 4);
        v = v32;
    } else {
        memcpy(&v, (uint8_t *)&s->opt + r->field, 8);
    }
    le_put(val, (uint64_t)v, n);
    *inout_len = n;
    return ZW_OK;
}
