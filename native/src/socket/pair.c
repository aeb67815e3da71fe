/* pair.c — PAIR (RFC 31): exactly one peer. Sends block with no peer or at HWM; receives come
 * from that peer.
 *
 * The socket uses the first session attached to it (a connecting PAIR's pipe exists from
 * connect() on, so messages queue before the peer is up). Any other session's peer is refused
 * when its handshake completes, and what such a session holds is never read.
 */
#include "socket/socket.h"

typedef struct pair {
    zw_pipe_t *in, *out;   /* the one session in use; both NULL when there is none */
} pair_t;

static void pair_init(zw_socket_t *s) {}
static void pair_fini(zw_socket_t *s) {}

static int pair_attach(zw_socket_t *s, zw_pipe_t *in, zw_pipe_t *out) {
    pair_t *p = s->priv;
    if (!p->out) {
        p->in = in;
        p->out = out;
    }
    return ZW_OK;
}

/* The session in use, or the first to connect when the one in use went away (a second dialer's
 * session attached earlier; found by fuzz_core: regressions/fuzz_core/pair_refuses_with_no_peer). */
static int pair_connected(zw_socket_t *s, zw_pipe_t *in, zw_pipe_t *out, const zw_peer_t *peer,
                          const char **why) {
    pair_t *p = s->priv;
    if (!p->out) {
        p->in = in;
        p->out = out;
    }
    if (p->out == out) return ZW_OK;
    *why = "PAIR already has a peer";
    return ZW_CLOSE_REFUSED;
}

static void pair_detach_in(zw_socket_t *s, zw_pipe_t *in) {
    pair_t *p = s->priv;
    if (p->in == in) p->in = NULL;
}

static void pair_detach_out(zw_socket_t *s, zw_pipe_t *out) {
    pair_t *p = s->priv;
    if (p->out == out) p->out = NULL;
}

static void pair_inbound(zw_socket_t *s, zw_pipe_t *in, zw_frame_t *f) {
    if (((pair_t *)s->priv)->in == in) zw_socket_inbound_data(s, in, f);
    else zw_frame_free(f);
}

static int pair_send(zw_socket_t *s, zw_frame_t *msg) {
    pair_t *p = s->priv;
    if (!p->out || !zw_pipe_writable(p->out)) return ZW_EAGAIN;
    return zw_pipe_write_msg(p->out, msg, 0);
}

static int pair_recv(zw_socket_t *s, zw_frame_t **msg, zw_pipe_t **from) {
    pair_t *p = s->priv;
    zw_frame_t *m = p->in ? zw_pipe_read(p->in) : NULL;
    if (!m) return ZW_EAGAIN;
    *msg = m;
    *from = p->in;
    return ZW_OK;
}

static uint32_t pair_capacity(zw_socket_t *s) {
    const zw_pipe_t *out = ((pair_t *)s->priv)->out;
    if (!out || out->closed) return 0;
    if (out->hwm == 0) return ZW_CAPACITY_UNBOUNDED;
    return out->msgs < out->hwm ? out->hwm - out->msgs : 0;
}

static uint32_t pair_flags(zw_socket_t *s) {
    const zw_pipe_t *in = ((pair_t *)s->priv)->in;
    return in && zw_pipe_readable(in) ? ZW_STATUS_READABLE : 0;
}

const zw_sockops_t zw_pair_ops = {
    .type = ZW_PAIR,
    .priv_size = sizeof(pair_t),
    .init = pair_init,
    .fini = pair_fini,
    .attach = pair_attach,
    .connected = pair_connected,
    .disconnected = zw_socket_nop_pipes,
    .detach_in = pair_detach_in,
    .detach_out = pair_detach_out,
    .in_ready = zw_socket_nop_pipe,
    .out_ready = zw_socket_nop_pipe,
    .inbound = pair_inbound,
    .send = pair_send,
    .recv = pair_recv,
    .capacity = pair_capacity,
    .flags = pair_flags,
};
