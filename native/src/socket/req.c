/* req.c — REQ (RFC 28): send one request, load-balanced, with an empty delimiter frame in front;
 * then accept one reply, only from the peer the request went to.
 *
 * Replies are filtered as they arrive (inbound), not when read: a message is let into an in pipe
 * only while a reply is awaited on that very peer and only if it starts with the delimiter, which
 * is stripped. So READABLE is exact and recv is O(1).
 *
 * Options, as libzmq 4.3 (req.cpp): REQ_CORRELATE puts a 4-byte request id (a counter from a
 * random start, in the host's byte order as libzmq writes it) before the delimiter, and lets in
 * only replies that carry the current one; REQ_RELAXED lets a send abandon the pending request
 * (its late reply is then dropped: by the peer filter, and by the id with CORRELATE);
 * PROBE_ROUTER sends an empty message to each new peer.
 */
#include "socket/socket.h"
#include "route/lb.h"

#include <string.h>

#include "core.h"

/* pipe in_state at each frame of an incoming message */
enum { IN_START = 0, IN_PASS = 1, IN_DROP = 2, IN_DELIM = 3 };

typedef struct req {
    zw_lb_t lb;              /* every out pipe */
    zw_pipe_t *reply_out;    /* out pipe the pending request went to; NULL if gone */
    uint8_t awaiting;        /* a request was sent and its reply not yet received */
    uint32_t request_id;     /* id of the pending request (CORRELATE) */
} req_t;

static void req_init(zw_socket_t *s) {
    req_t *r = s->priv;
    zw_lb_init(&r->lb);
    r->request_id = zw_core_random(s->core);
}

static int req_connected(zw_socket_t *s, zw_pipe_t *in, zw_pipe_t *out, const zw_peer_t *peer,
                         const char **why) {
    zw_socket_probe(s, out);
    return ZW_OK;
}
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
    case IN_START: {
        if (zw_socket_drop_command(f)) return;
        int ours = r->awaiting && r->reply_out && in->peer == r->reply_out && more;
        if (ours && s->opt.req_correlate) {
            /* the id of the pending request, then the delimiter */
            uint32_t id = 0;
            if (f->size == sizeof id) zw_frame_read(f, 0, &id, sizeof id);
            ours = f->size == sizeof id && id == r->request_id;
            in->in_state = ours ? IN_DELIM : IN_DROP;
        } else if (ours && f->size == 0) {
            in->in_state = IN_PASS;   /* delimiter: strip it */
        } else {
            in->in_state = more ? IN_DROP : IN_START;
        }
        zw_frame_free(f);
        return;
    }
    case IN_DELIM:
        in->in_state = f->size == 0 && more ? IN_PASS : more ? IN_DROP : IN_START;
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
    if (r->awaiting && !s->opt.req_relaxed) return ZW_EFSM;
    if (!zw_lb_can_send(&r->lb)) return ZW_EAGAIN;
    zw_frame_t *delim = zw_frame_new(0);
    if (!delim) return ZW_ENOMEM;
    delim->flags = ZW_FRAME_MORE;
    delim->next = msg;
    zw_frame_t *head = delim;
    if (s->opt.req_correlate) {
        uint32_t id = r->request_id + 1;
        zw_frame_t *idf = zw_frame_dup(&id, sizeof id, ZW_FRAME_MORE);
        if (!idf) {
            delim->next = NULL;
            zw_frame_free(delim);
            return ZW_ENOMEM;
        }
        idf->next = delim;
        head = idf;
        r->request_id = id;
    }
    /* Relaxed: the pending request is abandoned; a reply still on its way is not for this one.
     * The peer filter and (with CORRELATE) the id drop it; drop what has already arrived too. */
    if (r->awaiting && r->reply_out) {
        zw_frame_t *stale;
        while ((stale = zw_pipe_read(r->reply_out->peer))) zw_msg_free(stale);
    }
    zw_pipe_t *out = NULL;
    zw_lb_send(&r->lb, head, &out);   /* cannot fail: can_send said a pipe has room */
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
    return (!r->awaiting || s->opt.req_relaxed) && zw_lb_can_send(&r->lb) ? 1 : 0;
}

static uint32_t req_flags(zw_socket_t *s) {
    req_t *r = s->priv;
    if (!r->awaiting) return ZW_STATUS_RECV_FSM;
    uint32_t fl = s->opt.req_relaxed ? 0 : ZW_STATUS_SEND_FSM;
    if (r->reply_out && zw_pipe_readable(r->reply_out->peer)) fl |= ZW_STATUS_READABLE;
    return fl;
}

const zw_sockops_t zw_req_ops = {
    .type = ZW_REQ,
    .priv_size = sizeof(req_t),
    .init = req_init,
    .fini = req_fini,
    .attach = req_attach,
    .connected = req_connected,
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
