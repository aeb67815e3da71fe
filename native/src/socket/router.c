/* router.c — ROUTER (RFC 28, libzmq 4.3's router.cpp): every received message gets its peer's
 * routing id in front; every sent message's first frame names the peer it goes to.
 *
 * A peer's routing id is, in order: the id connect() named it by (ZMQ_CONNECT_ROUTING_ID, known
 * at attach, so messages to it queue before the connection is up); the Identity it announced in
 * its handshake; or, when it announced none, a generated 5-byte id (0x00 + a uint32 big-endian
 * counter from a random start, so ids are not reused within a run and cannot be guessed).
 *
 * Sending: [id][body...]. A message for no peer, for a peer that is gone, or for a peer at its
 * HWM is dropped — unless MANDATORY is set, which answers EHOSTUNREACH for the first two and
 * EAGAIN at the HWM (what libzmq does; the host passes each answer to that one send()). A
 * message of one frame has no body and is dropped, as libzmq ignores it. Without MANDATORY a
 * send never blocks, so the capacity is unbounded.
 *
 * A peer announcing an id in use is refused (its connection is closed with a reason; it will
 * reconnect and succeed once the holder is gone). libzmq instead keeps such a connection open
 * and ignores it forever — even after the holder leaves. With HANDOVER the new peer takes the
 * id: the old one is relabelled with a generated id (what it already sent stays readable under
 * that id) and its connection closed.
 */
#include "socket/socket.h"

#include <string.h>

#include "core.h"
#include "route/fq.h"
#include "route/idmap.h"

typedef struct router_peer {
    zw_rid_t rid;         /* first: read by zw_rid_key */
    uint8_t identified;   /* has its id, and its out pipe is in `outs` */
} router_peer_t;

typedef struct router {
    zw_fq_t fq;           /* every in pipe */
    zw_idmap_t outs;      /* identified out pipes, by id */
    uint32_t next_id;     /* counter of the next generated id */
} router_t;

static void router_init(zw_socket_t *s) {
    router_t *r = s->priv;
    zw_fq_init(&r->fq);
    zw_idmap_init(&r->outs, zw_rid_key);
    r->next_id = zw_core_random(s->core);
}

static void router_fini(zw_socket_t *s) {
    router_t *r = s->priv;
    zw_fq_fini(&r->fq);
    zw_idmap_fini(&r->outs);
}

static void generate(router_t *r, router_peer_t *p) { zw_rid_generate(&p->rid, r->next_id++); }

static int router_attach(zw_socket_t *s, zw_pipe_t *in, zw_pipe_t *out) {
    router_t *r = s->priv;
    router_peer_t *p = out->priv;
    const uint8_t *rid = s->attach_rid;
    if (rid && zw_idmap_find(&r->outs, rid + 1, rid[0])) return ZW_EINVAL;
    int rc = zw_fq_attach(&r->fq, in);
    if (rc != ZW_OK || !rid) return rc;
    zw_rid_set(&p->rid, rid);
    if ((rc = zw_idmap_add(&r->outs, out)) != ZW_OK) {
        zw_fq_detach(&r->fq, in);
        return rc;
    }
    p->identified = 1;
    return ZW_OK;
}

/* The peer's handshake is done: it gets its id now, unless it has one (connect's id, or the one
 * it got on an earlier connection of the same dialer: libzmq also keeps it across reconnects). */
static int router_connected(zw_socket_t *s, zw_pipe_t *in, zw_pipe_t *out, const zw_peer_t *peer,
                            const char **why) {
    router_t *r = s->priv;
    router_peer_t *p = out->priv;
    if (!p->identified) {
        if (peer->routing_id_len == 0) {
            generate(r, p);
        } else {
            zw_pipe_t *holder = zw_idmap_find(&r->outs, peer->routing_id, peer->routing_id_len);
            if (holder) {
                if (!s->opt.router_handover) {
                    *why = "ROUTER already has a peer with this routing id";
                    return ZW_CLOSE_REFUSED;
                }
                /* Relabel first (the map is keyed by the id): removing is O(1) either way. */
                zw_idmap_remove(&r->outs, holder);
                generate(r, holder->priv);
                if (zw_idmap_add(&r->outs, holder) != ZW_OK) {
                    ((router_peer_t *)holder->priv)->identified = 0;   /* unroutable, closing */
                }
                zw_socket_close_peer(s, holder);
            }
            p->rid.len = peer->routing_id_len;
            memcpy(p->rid.id, peer->routing_id, peer->routing_id_len);
        }
        if (zw_idmap_add(&r->outs, out) != ZW_OK) {
            *why = "out of memory";
            return ZW_CLOSE_NO_MEMORY;
        }
        p->identified = 1;
    }
    zw_socket_probe(s, out);
    return ZW_OK;
}

static void router_detach_in(zw_socket_t *s, zw_pipe_t *in) {
    zw_fq_detach(&((router_t *)s->priv)->fq, in);
}

static void router_detach_out(zw_socket_t *s, zw_pipe_t *out) {
    router_peer_t *p = out->priv;
    if (p->identified) zw_idmap_remove(&((router_t *)s->priv)->outs, out);
    /* What its in pipe still holds is read under this id; only routing to it ends. */
}

static void router_in_ready(zw_socket_t *s, zw_pipe_t *in) {
    zw_fq_activated(&((router_t *)s->priv)->fq, in);
}

/* A refused peer's frames (handed over as its connection closes) are nobody's messages. */
static void router_inbound(zw_socket_t *s, zw_pipe_t *in, zw_frame_t *f) {
    if (((router_peer_t *)in->priv)->identified) zw_socket_inbound_data(s, in, f);
    else zw_frame_free(f);
}

static int router_send(zw_socket_t *s, zw_frame_t *msg) {
    router_t *r = s->priv;
    zw_frame_t *body = msg->next;
    int mandatory = s->opt.router_mandatory;
    uint8_t tmp[ZW_RID_MAX];
    const uint8_t *id = zw_socket_id_bytes(msg, tmp);
    zw_pipe_t *out = body && id ? zw_idmap_find(&r->outs, id, (uint32_t)msg->size) : NULL;
    if (body && (!out || out->closed) && mandatory) return ZW_EHOSTUNREACH;
    if (out && !zw_pipe_writable(out)) {
        if (mandatory) return ZW_EAGAIN;
        out = NULL;
    }
    msg->next = NULL;
    zw_frame_free(msg);
    if (!out) {
        zw_msg_free(body);   /* unroutable (or no body): dropped, as libzmq */
        return ZW_OK;
    }
    if (zw_pipe_write_msg(out, body, 0) != ZW_OK) zw_msg_free(body);   /* checked: cannot fail */
    return ZW_OK;
}

static int router_recv(zw_socket_t *s, zw_frame_t **msg, zw_pipe_t **from) {
    router_t *r = s->priv;
    zw_pipe_t *in = NULL;
    zw_frame_t *m = zw_fq_recv(&r->fq, &in);
    if (!m) return ZW_EAGAIN;
    const router_peer_t *p = in->priv;
    zw_frame_t *id = zw_frame_dup(p->rid.id, p->rid.len, ZW_FRAME_MORE);
    *from = in;
    if (!id) {
        zw_msg_free(m);   /* out of memory: as a message lost on the way in */
        *msg = NULL;
        return ZW_OK;
    }
    id->next = m;
    *msg = id;
    return ZW_OK;
}

static uint32_t router_capacity(zw_socket_t *s) { return ZW_CAPACITY_UNBOUNDED; }

static uint32_t router_flags(zw_socket_t *s) {
    return zw_fq_readable(&((router_t *)s->priv)->fq) ? ZW_STATUS_READABLE : 0;
}

const zw_sockops_t zw_router_ops = {
    .type = ZW_ROUTER,
    .priv_size = sizeof(router_t),
    .pipe_priv_size = sizeof(router_peer_t),
    .init = router_init,
    .fini = router_fini,
    .attach = router_attach,
    .connected = router_connected,
    .disconnected = zw_socket_nop_pipes,
    .detach_in = router_detach_in,
    .detach_out = router_detach_out,
    .in_ready = router_in_ready,
    .out_ready = zw_socket_nop_pipe,
    .inbound = router_inbound,
    .send = router_send,
    .recv = router_recv,
    .capacity = router_capacity,
    .flags = router_flags,
};
