/* dealer.c — DEALER (RFC 28): load-balances messages over its peers (blocking at HWM or with no
 * peer, as PUSH) and fair-queues what they send; no envelope of its own. */
#include "socket/socket.h"
#include "route/fq.h"
#include "route/lb.h"

typedef struct dealer {
    zw_lb_t lb;   /* every out pipe */
    zw_fq_t fq;   /* every in pipe; active = holding a message */
} dealer_t;

static void dealer_init(zw_socket_t *s) {
    dealer_t *d = s->priv;
    zw_lb_init(&d->lb);
    zw_fq_init(&d->fq);
}

static void dealer_fini(zw_socket_t *s) {
    dealer_t *d = s->priv;
    zw_lb_fini(&d->lb);
    zw_fq_fini(&d->fq);
}

static int dealer_attach(zw_socket_t *s, zw_pipe_t *in, zw_pipe_t *out) {
    dealer_t *d = s->priv;
    int rc = zw_fq_attach(&d->fq, in);
    if (rc != ZW_OK) return rc;
    rc = zw_lb_attach(&d->lb, out);
    if (rc != ZW_OK) zw_fq_detach(&d->fq, in);
    return rc;
}

static int dealer_connected(zw_socket_t *s, zw_pipe_t *in, zw_pipe_t *out, const zw_peer_t *peer,
                            const char **why) {
    zw_socket_probe(s, out);
    return ZW_OK;
}

static void dealer_detach_in(zw_socket_t *s, zw_pipe_t *in) {
    zw_fq_detach(&((dealer_t *)s->priv)->fq, in);
}

static void dealer_detach_out(zw_socket_t *s, zw_pipe_t *out) {
    zw_lb_detach(&((dealer_t *)s->priv)->lb, out);
}

static void dealer_in_ready(zw_socket_t *s, zw_pipe_t *in) {
    zw_fq_activated(&((dealer_t *)s->priv)->fq, in);
}

static void dealer_out_ready(zw_socket_t *s, zw_pipe_t *out) {
    zw_lb_activated(&((dealer_t *)s->priv)->lb, out);
}

static int dealer_send(zw_socket_t *s, zw_frame_t *msg) {
    return zw_lb_send(&((dealer_t *)s->priv)->lb, msg, NULL);
}

static int dealer_recv(zw_socket_t *s, zw_frame_t **msg, zw_pipe_t **from) {
    zw_frame_t *m = zw_fq_recv(&((dealer_t *)s->priv)->fq, from);
    if (!m) return ZW_EAGAIN;
    *msg = m;
    return ZW_OK;
}

static uint32_t dealer_capacity(zw_socket_t *s) {
    return zw_lb_capacity(&((dealer_t *)s->priv)->lb);
}

static uint32_t dealer_flags(zw_socket_t *s) {
    return zw_fq_readable(&((dealer_t *)s->priv)->fq) ? ZW_STATUS_READABLE : 0;
}

const zw_sockops_t zw_dealer_ops = {
    .type = ZW_DEALER,
    .priv_size = sizeof(dealer_t),
    .init = dealer_init,
    .fini = dealer_fini,
    .attach = dealer_attach,
    .connected = dealer_connected,
    .disconnected = zw_socket_nop_pipes,
    .detach_in = dealer_detach_in,
    .detach_out = dealer_detach_out,
    .in_ready = dealer_in_ready,
    .out_ready = dealer_out_ready,
    .inbound = zw_socket_inbound_data,
    .send = dealer_send,
    .recv = dealer_recv,
    .capacity = dealer_capacity,
    .flags = dealer_flags,
};
