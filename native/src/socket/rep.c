/* rep.c — REP (RFC 28): receive a request (fair-queued), then send exactly one reply, which goes
 * back to the peer the request came from with the request's envelope in front.
 *
 * The envelope is every frame up to and including the first empty one. Messages without one are
 * dropped as they arrive (inbound, by rolling back the partly written message), so READABLE is
 * exact.
 */
#include "socket/socket.h"
#include "route/fq.h"

enum { IN_START = 0, IN_PASS = 1, IN_DROP = 2 };   /* pipe in_state; in_flag = delimiter seen */

typedef struct rep {
    zw_fq_t fq;              /* every in pipe */
    zw_frame_t *env;         /* envelope of the request being answered (ends with the delimiter) */
    zw_pipe_t *reply_out;    /* where the reply goes; NULL if that peer is gone */
    uint8_t owing;           /* a request was received and not yet answered */
} rep_t;

static void rep_init(zw_socket_t *s) { zw_fq_init(&((rep_t *)s->priv)->fq); }

static void rep_fini(zw_socket_t *s) {
    rep_t *r = s->priv;
    zw_msg_free(r->env);
    r->env = NULL;
    zw_fq_fini(&r->fq);
}

static int rep_attach(zw_socket_t *s, zw_pipe_t *in, zw_pipe_t *out) {
    return zw_fq_attach(&((rep_t *)s->priv)->fq, in);
}

/* A request read from a draining session holds that session's out pipe as reply_out, and the
 * session is freed with its in pipe: forget the reply pipe with it (the reply will be dropped). */
static void rep_detach_in(zw_socket_t *s, zw_pipe_t *in) {
    rep_t *r = s->priv;
    zw_fq_detach(&r->fq, in);
    if (r->reply_out == in->peer) r->reply_out = NULL;
}

static void rep_detach_out(zw_socket_t *s, zw_pipe_t *out) {
    rep_t *r = s->priv;
    if (r->reply_out == out) r->reply_out = NULL;
}

static void rep_in_ready(zw_socket_t *s, zw_pipe_t *in) {
    zw_fq_activated(&((rep_t *)s->priv)->fq, in);
}

static void rep_inbound(zw_socket_t *s, zw_pipe_t *in, zw_frame_t *f) {
    int more = (f->flags & ZW_FRAME_MORE) != 0;
    if (in->in_state == IN_START) {
        if (zw_socket_drop_command(f)) return;
        in->in_state = IN_PASS;
        in->in_flag = 0;
    }
    if (in->in_state == IN_DROP) {
        zw_frame_free(f);
    } else if (!more && !in->in_flag) {
        /* Ends without a delimiter, or with the delimiter and no body: not a request. */
        zw_pipe_rollback(in);
        zw_frame_free(f);
    } else {
        if (f->size == 0) in->in_flag = 1;
        if (zw_pipe_write(in, f, 0) != ZW_OK) {
            zw_pipe_rollback(in);
            zw_frame_free(f);
            in->in_state = more ? IN_DROP : IN_START;
            return;
        }
    }
    if (!more) in->in_state = IN_START;
}

static int rep_recv(zw_socket_t *s, zw_frame_t **msg, zw_pipe_t **from) {
    rep_t *r = s->priv;
    if (r->owing) return ZW_EFSM;
    zw_pipe_t *in = NULL;
    zw_frame_t *m = zw_fq_recv(&r->fq, &in);
    if (!m) return ZW_EAGAIN;
    zw_frame_t *delim = m;
    while (delim->size != 0) delim = delim->next;   /* present: checked on the way in */
    r->env = m;
    *msg = delim->next;
    delim->next = NULL;
    r->reply_out = in->peer;
    r->owing = 1;
    *from = in;
    return ZW_OK;
}

static int rep_send(zw_socket_t *s, zw_frame_t *msg) {
    rep_t *r = s->priv;
    if (!r->owing) return ZW_EFSM;
    zw_frame_t *env = r->env, *last = env;
    while (last->next) last = last->next;
    last->next = msg;
    r->env = NULL;
    r->owing = 0;
    /* The requester is gone, or not draining: the reply is dropped, as libzmq's ROUTER does. */
    if (!r->reply_out || zw_pipe_write_msg(r->reply_out, env, 0) != ZW_OK) zw_msg_free(env);
    r->reply_out = NULL;
    return ZW_OK;
}

static uint32_t rep_capacity(zw_socket_t *s) { return ((rep_t *)s->priv)->owing ? 1 : 0; }

static uint32_t rep_flags(zw_socket_t *s) {
    rep_t *r = s->priv;
    if (r->owing) return ZW_STATUS_RECV_FSM;
    return ZW_STATUS_SEND_FSM | (zw_fq_readable(&r->fq) ? ZW_STATUS_READABLE : 0);
}

const zw_sockops_t zw_rep_ops = {
    .type = ZW_REP,
    .priv_size = sizeof(rep_t),
    .init = rep_init,
    .fini = rep_fini,
    .attach = rep_attach,
    .connected = zw_socket_accept_peer,
    .disconnected = zw_socket_nop_pipes,
    .detach_in = rep_detach_in,
    .detach_out = rep_detach_out,
    .in_ready = rep_in_ready,
    .out_ready = zw_socket_nop_pipe,
    .inbound = rep_inbound,
    .send = rep_send,
    .recv = rep_recv,
    .capacity = rep_capacity,
    .flags = rep_flags,
};
