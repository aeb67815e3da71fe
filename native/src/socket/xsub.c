/* xsub.c — XSUB (RFC 29, libzmq 4.3 xsub.cpp): receives everything its peers send, with no
 * filter of its own (the publishers filter). A message the application sends whose first frame
 * starts with 0x01/0x00 is a subscription/cancel for every peer: each subscribe goes out (a
 * duplicate too, so an XPUB upstream in verbose mode sees it), a cancel only when the last
 * reference to the prefix goes; they are counted and re-sent to a peer that (re)connects, as
 * SUB's are. Any other message goes upstream as data to every peer with room (dropped at HWM).
 */
#include "socket/socket.h"
#include "route/dist.h"
#include "route/fq.h"
#include "route/mtrie.h"

typedef struct xsub {
    zw_fq_t fq;         /* every in pipe */
    zw_dist_t dist;     /* every out pipe: upstream data to all, subscriptions to connected */
    zw_trie_t subs;     /* counted prefixes, re-sent on (re)connection */
} xsub_t;

static void xsub_init(zw_socket_t *s) {
    xsub_t *p = s->priv;
    zw_fq_init(&p->fq);
    zw_dist_init(&p->dist);
    zw_trie_init(&p->subs);
}

static void xsub_fini(zw_socket_t *s) {
    xsub_t *p = s->priv;
    zw_trie_fini(&p->subs);
    zw_dist_fini(&p->dist);
    zw_fq_fini(&p->fq);
}

static int xsub_attach(zw_socket_t *s, zw_pipe_t *in, zw_pipe_t *out) {
    xsub_t *p = s->priv;
    int rc = zw_fq_attach(&p->fq, in);
    if (rc != ZW_OK) return rc;
    if ((rc = zw_dist_attach(&p->dist, out)) != ZW_OK) zw_fq_detach(&p->fq, in);
    return rc;
}

static void xsub_detach_in(zw_socket_t *s, zw_pipe_t *in) {
    zw_fq_detach(&((xsub_t *)s->priv)->fq, in);
}

static void xsub_detach_out(zw_socket_t *s, zw_pipe_t *out) {
    zw_dist_detach(&((xsub_t *)s->priv)->dist, out);
}

static void xsub_in_ready(zw_socket_t *s, zw_pipe_t *in) {
    zw_fq_activated(&((xsub_t *)s->priv)->fq, in);
}

/* A SUBSCRIBE/CANCEL frame past the HWM; the engine encodes it for the peer's ZMTP version. */
static void send_sub(zw_pipe_t *out, const uint8_t *prefix, size_t len, uint32_t kind) {
    zw_frame_t *f = zw_frame_dup(prefix, len, kind);
    if (f && zw_pipe_write(out, f, 1) != ZW_OK) zw_frame_free(f);
}

static void resend_one(const uint8_t *prefix, size_t len, void *out) {
    send_sub(out, prefix, len, ZW_FRAME_SUBSCRIBE);
}

static int xsub_connected(zw_socket_t *s, zw_pipe_t *in, zw_pipe_t *out, const zw_peer_t *peer,
                          const char **why) {
    (void)zw_trie_apply(&((xsub_t *)s->priv)->subs, resend_one, out);
    return ZW_OK;
}

static int xsub_send(zw_socket_t *s, zw_frame_t *msg) {
    xsub_t *p = s->priv;
    uint8_t first = 2;
    if (msg->size) zw_frame_read(msg, 0, &first, 1);
    if (first > 1) {
        zw_dist_match_all(&p->dist);
        (void)zw_dist_send_matching(&p->dist, msg);   /* at HWM or out of memory: dropped */
        return ZW_OK;
    }
    /* A subscription; further frames of the message carry nothing and are dropped. Its prefix
     * is needed as bytes (a host body's are read in). */
    zw_frame_t *rest = msg->next;
    msg->next = NULL;
    if (!(msg = zw_frame_inline(msg))) {
        zw_msg_free(rest);
        return ZW_OK;   /* out of memory: the subscription is dropped, as at HWM */
    }
    msg->next = rest;
    int on = msg->data[0] == 1;
    const uint8_t *prefix = msg->data + 1;
    size_t n = msg->size - 1;
    int r = on ? zw_trie_add(&p->subs, prefix, n) : zw_trie_rm(&p->subs, prefix, n);
    if (on && r < 0) return ZW_ENOMEM;   /* msg stays the caller's */
    if (on || r == 1) {
        uint32_t kind = on ? ZW_FRAME_SUBSCRIBE : ZW_FRAME_CANCEL;
        /* Pipes not connected get every subscription when they are (xsub_connected). */
        for (uint32_t i = 0; i < p->dist.a.n; i++)
            if (p->dist.a.pipes[i]->connected) send_sub(p->dist.a.pipes[i], prefix, n, kind);
    }
    zw_msg_free(msg);
    return ZW_OK;
}

static int xsub_recv(zw_socket_t *s, zw_frame_t **msg, zw_pipe_t **from) {
    zw_frame_t *m = zw_fq_recv(&((xsub_t *)s->priv)->fq, from);
    if (!m) return ZW_EAGAIN;
    *msg = m;
    return ZW_OK;
}

static uint32_t xsub_capacity(zw_socket_t *s) { return ZW_CAPACITY_UNBOUNDED; }

static uint32_t xsub_flags(zw_socket_t *s) {
    return zw_fq_readable(&((xsub_t *)s->priv)->fq) ? ZW_STATUS_READABLE : 0;
}

const zw_sockops_t zw_xsub_ops = {
    .type = ZW_XSUB,
    .priv_size = sizeof(xsub_t),
    .init = xsub_init,
    .fini = xsub_fini,
    .attach = xsub_attach,
    .connected = xsub_connected,
    .disconnected = zw_socket_nop_pipes,
    .detach_in = xsub_detach_in,
    .detach_out = xsub_detach_out,
    .in_ready = xsub_in_ready,
    .out_ready = zw_socket_nop_pipe,
    .inbound = zw_socket_inbound_data,
    .send = xsub_send,
    .recv = xsub_recv,
    .capacity = xsub_capacity,
    .flags = xsub_flags,
};
