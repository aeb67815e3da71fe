/* pull.c — PULL (RFC 30): fair-queues messages from its peers; never sends. */
#include "socket/socket.h"
#include "route/fq.h"

typedef struct pull {
    zw_fq_t fq;   /* every in pipe; active = holding a message */
} pull_t;

static void pull_init(zw_socket_t *s) { zw_fq_init(&((pull_t *)s->priv)->fq); }
static void pull_fini(zw_socket_t *s) { zw_fq_fini(&((pull_t *)s->priv)->fq); }

static int pull_attach(zw_socket_t *s, zw_pipe_t *in, zw_pipe_t *out) {
    return zw_fq_attach(&((pull_t *)s->priv)->fq, in);
}

static void pull_detach_in(zw_socket_t *s, zw_pipe_t *in) {
    zw_fq_detach(&((pull_t *)s->priv)->fq, in);
}

static void pull_in_ready(zw_socket_t *s, zw_pipe_t *in) {
    zw_fq_activated(&((pull_t *)s->priv)->fq, in);
}

static int pull_recv(zw_socket_t *s, zw_frame_t **msg, zw_pipe_t **from) {
    zw_frame_t *m = zw_fq_recv(&((pull_t *)s->priv)->fq, from);
    if (!m) return ZW_EAGAIN;
    *msg = m;
    return ZW_OK;
}

static uint32_t pull_capacity(zw_socket_t *s) { return 0; }

static uint32_t pull_flags(zw_socket_t *s) {
    return zw_fq_readable(&((pull_t *)s->priv)->fq) ? ZW_STATUS_READABLE : 0;
}

const zw_sockops_t zw_pull_ops = {
    .type = ZW_PULL,
    .priv_size = sizeof(pull_t),
    .init = pull_init,
    .fini = pull_fini,
    .attach = pull_attach,
    .connected = zw_socket_accept_peer,
    .disconnected = zw_socket_nop_pipes,
    .detach_in = pull_detach_in,
    .detach_out = zw_socket_nop_pipe,
    .in_ready = pull_in_ready,
    .out_ready = zw_socket_nop_pipe,
    .inbound = zw_socket_inbound_data,
    .send = zw_socket_send_notsup,
    .recv = pull_recv,
    .capacity = pull_capacity,
    .flags = pull_flags,
};
