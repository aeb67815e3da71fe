/* push.c — PUSH (RFC 30): load-balances messages over its peers; blocks at HWM or with no peer;
 * never receives. */
#include "socket/socket.h"
#include "route/lb.h"

typedef struct push {
    zw_lb_t lb;   /* every out pipe */
} push_t;

static void push_init(zw_socket_t *s) { zw_lb_init(&((push_t *)s->priv)->lb); }
static void push_fini(zw_socket_t *s) { zw_lb_fini(&((push_t *)s->priv)->lb); }

static int push_attach(zw_socket_t *s, zw_pipe_t *in, zw_pipe_t *out) {
    return zw_lb_attach(&((push_t *)s->priv)->lb, out);
}

static void push_detach_out(zw_socket_t *s, zw_pipe_t *out) {
    zw_lb_detach(&((push_t *)s->priv)->lb, out);
}

static void push_out_ready(zw_socket_t *s, zw_pipe_t *out) {
    zw_lb_activated(&((push_t *)s->priv)->lb, out);
}

static int push_send(zw_socket_t *s, zw_frame_t *msg) {
    return zw_lb_send(&((push_t *)s->priv)->lb, msg, NULL);
}

static uint32_t push_capacity(zw_socket_t *s) {
    return zw_lb_capacity(&((push_t *)s->priv)->lb);
}

static uint32_t push_flags(zw_socket_t *s) { return 0; }

const zw_sockops_t zw_push_ops = {
    .type = ZW_PUSH,
    .priv_size = sizeof(push_t),
    .init = push_init,
    .fini = push_fini,
    .attach = push_attach,
    .connected = zw_socket_accept_peer,
    .disconnected = zw_socket_nop_pipes,
    .detach_in = zw_socket_nop_pipe,
    .detach_out = push_detach_out,
    .in_ready = zw_socket_nop_pipe,
    .out_ready = push_out_ready,
    .inbound = zw_socket_inbound_drop,
    .send = push_send,
    .recv = zw_socket_recv_notsup,
    .capacity = push_capacity,
    .flags = push_flags,
};
