/* req.c — REQ (RFC 28): send one request, load-balanced, with an empty delimiter frame in front;
 * then accept one reply, only from the peer the request went to.
 *
 * Replies are filtered as they arrive (inbound), not when read: a message is let into an in pipe
 * only while a reply is awaited on that very peer and only if it starts with the delimiter, which
 * is stripped. So READABLE is exact and recv is O(1).
 */
#include "socket/socket.h"
#include "route/lb.h"

enum { IN_START = 0, IN_PASS = 1, IN_DROP = 2 };   /* pipe in_state */

typedef struct req {
    zw_lb_t lb;              /* every out pipe */
    zw_pipe_t *reply_out;    /* out pipe the pending request went to; NULL if gone */
    uint8_t awaiting;        /* a request was sent and its reply not yet received */
} req_t;

static void req_init(zw_socket_t *s) { zw_lb_init(&((req_t *)s->priv)->lb); }
static void req_fini(zw_socket_t *s) { zw_lb_fini(&((req_t *)s->priv)->lb); }

static int req_attach(zw_socket_t *s, zw_pipe_t *in, zw_pipe_t *out) {
    return zw_lb_attach(&((req_t *)s->priv)->lb, out);
}

static void req_detach_out(zw_socket_t *s, zw_pipe_t *out) {
    req_t *r = s->priv;
    zw_lb_detach(&r->lb, out);
    /* As libzmq: the request is lost with its peer and REQ keeps waiting (a new socket or
     * reconnecting dialer pipe is the way out). */
    if (r->reply_out == out) r->reply_out = NULL;
}

static void req_out_ready(zw_socket_t *s, zw_pipe_t *out) {
    zw_lb_activated(&((req_t *)s->priv)->lb, out);
}

static void req_inbound(zw_socket_t *s, zw_pipe_t *in, zw_frame_t *f) {
    req_t *r = s->priv;
    int more = (f->flags & ZW_FRAME_MORE) != 0;
    switch (in->in_state) {
    case IN_START:
        if (zw_socket_drop_command(f)) return;
        if (r->awaiting && r->reply_out && in->peer == r->reply_out && f->size == 0 && more) {
            in->in_state = IN_PASS;   /* delimiter: strip it */
        } else {
            in->in_state = more ? IN_DROP : IN_START;
        }
        zw_frame_free(f);
        return;
    case IN_PASS:
        if (zw_pipe_write(in, f, 0) != ZW_OK) zw_frame_free(f);
        break;
    default:
        zw_frame_free(f);
        break;
    }
    if (!more) in->in_state = IN_START;
}

static int req_send(zw_socket_t *s, zw_frame_t *msg) {
    req_t *r = s->priv;
    if (r->awaiting) return ZW_EFSM;
    if (!zw_lb_can_send(&r->lb)) return ZW_EAGAIN;
    zw_frame_t *delim = zw_frame_new(0);
    if (!delim) return ZW_ENOMEM;
    delim->flags = ZW_FRAME_MORE;
    delim->next = msg;
    zw_pipe_t *out = NULL;
    zw_lb_send(&r->lb, delim, &out);   /* cannot fail: can_send said a pipe has room */
    r->reply_out = out;
    r->awaiting = 1;
    return ZW_OK;
}

static int req_recv(zw_socket_t *s, zw_frame_t **msg, zw_pipe_t **from) {
    req_t *r = s->priv;
    if (!r->awaiting) return ZW_EFSM;
    if (!r->reply_out) return ZW_EAGAIN;
    zw_pipe_t *in = r->reply_out->peer;
    zw_frame_t *m = zw_pipe_read(in);
    if (!m) return ZW_EAGAIN;
    /* One reply per request: anything else the peer sent is not an answer to the next one. */
    zw_frame_t *extra;
    while ((extra = zw_pipe_read(in))) zw_msg_free(extra);
    r->awaiting = 0;
    r->reply_out = NULL;
    *msg = m;
    *from = in;
    return ZW_OK;
}

static uint32_t req_capacity(zw_socket_t *s) {
    req_t *r = s->priv;
    return !r->awaiting && zw_lb_can_send(&r->lb) ? 1 : 0;
}

static uint32_t req_flags(zw_socket_t *s) {
    req_t *r = s->priv;
    if (!r->awaiting) return ZW_STATUS_RECV_FSM;
    uint32_t fl = ZW_STATUS_SEND_FSM;
    if (r->reply_out && zw_pipe_readable(r->reply_out->peer)) fl |= ZW_STATUS_READABLE;
    return fl;
}

const zw_sockops_t zw_req_ops = {
    .type = ZW_REQ,
    .priv_size = sizeof(req_t),
    .init = req_init,
    .fini = req_fini,
    .attach = req_attach,
    .connected = zw_socket_accept_peer,
    .disconnected = zw_socket_nop_pipes,
    .detach_in = zw_socket_nop_pipe,
    .detach_out = req_detach_out,
    .in_ready = zw_socket_nop_pipe,
    .out_ready = req_out_ready,
    .inbound = req_inbound,
    .send = req_send,
    .recv = req_recv,
    .capacity = req_capacity,
    .flags = req_flags,
};
