/* sub.c — SUB (RFC 29): fair-queues messages whose first frame starts with one of its
 * subscriptions. Subscriptions are counted (subscribing twice needs two unsubscribes); a peer
 * hears SUBSCRIBE when a prefix first appears, CANCEL when it goes, and every current
 * subscription when it (re)connects. Messages are filtered on arrival and again on receive (an
 * unsubscribe does not recall messages already queued).
 */
#include <stdlib.h>
#include <string.h>
#include "socket/socket.h"
#include "route/fq.h"
#include "route/mtrie.h"

enum { IN_START = 0, IN_PASS = 1, IN_DROP = 2 };   /* pipe in_state */

typedef struct sub {
    zw_fq_t fq;         /* every in pipe */
    zw_parray_t outs;   /* every out pipe (subscriptions go to all connected ones) */
    zw_trie_t subs;     /* counted prefixes */
} sub_t;

static void sub_init(zw_socket_t *s) {
    sub_t *p = s->priv;
    zw_fq_init(&p->fq);
    zw_trie_init(&p->subs);
}

static void sub_fini(zw_socket_t *s) {
    sub_t *p = s->priv;
    zw_trie_fini(&p->subs);
    zw_parray_fini(&p->outs);
    zw_fq_fini(&p->fq);
}

static int sub_attach(zw_socket_t *s, zw_pipe_t *in, zw_pipe_t *out) {
    sub_t *p = s->priv;
    int rc = zw_fq_attach(&p->fq, in);
    if (rc != ZW_OK) return rc;
    if ((rc = zw_parray_push(&p->outs, out)) != ZW_OK) zw_fq_detach(&p->fq, in);
    return rc;
}

static void sub_detach_in(zw_socket_t *s, zw_pipe_t *in) {
    zw_fq_detach(&((sub_t *)s->priv)->fq, in);
}

static void sub_detach_out(zw_socket_t *s, zw_pipe_t *out) {
    zw_parray_remove(&((sub_t *)s->priv)->outs, out);
}

static void sub_in_ready(zw_socket_t *s, zw_pipe_t *in) {
    zw_fq_activated(&((sub_t *)s->priv)->fq, in);
}

/* Queues a SUBSCRIBE/CANCEL frame; these bypass the HWM. The engine encodes it for the peer's
 * ZMTP version. */
static int send_sub(zw_pipe_t *out, const uint8_t *prefix, size_t len, uint32_t kind) {
    zw_frame_t *f = zw_frame_dup(prefix, len, kind);
    if (!f) return ZW_ENOMEM;
    zw_pipe_write(out, f, 1);
    return ZW_OK;
}

static void resend_one(const uint8_t *prefix, size_t len, void *out) {
    (void)send_sub(out, prefix, len, ZW_FRAME_SUBSCRIBE);
}

static int sub_connected(zw_socket_t *s, zw_pipe_t *in, zw_pipe_t *out, const zw_peer_t *peer,
                         const char **why) {
    (void)zw_trie_apply(&((sub_t *)s->priv)->subs, resend_one, out);
    return ZW_OK;
}

static int sub_setopt(zw_socket_t *s, int32_t opt, const uint8_t *val, uint32_t len) {
    sub_t *p = s->priv;
    int first;
    if (opt == ZW_OPT_SUBSCRIBE) {
        first = zw_trie_add(&p->subs, val, len);
        if (first < 0) return ZW_ENOMEM;
    } else {
        first = zw_trie_rm(&p->subs, val, len);   /* unknown prefix: nothing to do (libzmq) */
        if (first < 0) return ZW_OK;
    }
    if (first == 0) return ZW_OK;
    uint32_t kind = opt == ZW_OPT_SUBSCRIBE ? ZW_FRAME_SUBSCRIBE : ZW_FRAME_CANCEL;
    /* Pipes not connected get every subscription when they are (sub_connected). */
    for (uint32_t i = 0; i < p->outs.n; i++)
        if (p->outs.pipes[i]->connected) (void)send_sub(p->outs.pipes[i], val, len, kind);
    return ZW_OK;
}

/* Whether a message's first frame passes the filter (the other prefixes with INVERT_MATCHING). */
static int matches(zw_socket_t *s, const zw_frame_t *f) {
    const sub_t *p = s->priv;
    /* Out of memory for a host body's bytes: the message is dropped, as at the HWM. */
    uint8_t tmp[ZW_TOPIC_TMP], *heap;
    size_t n;
    const uint8_t *head = zw_socket_topic(f, &p->subs, tmp, &heap, &n);
    if (!head) return 0;
    int hit = zw_trie_check(&p->subs, head, n) != (s->opt.invert_matching != 0);
    free(heap);
    return hit;
}

static void sub_inbound(zw_socket_t *s, zw_pipe_t *in, zw_frame_t *f) {
    int more = (f->flags & ZW_FRAME_MORE) != 0;
    if (in->in_state == IN_START) {
        if (zw_socket_drop_command(f)) return;
        in->in_state = matches(s, f) ? IN_PASS : IN_DROP;
    }
    if (in->in_state == IN_PASS) {
        if (zw_pipe_write(in, f, 0) != ZW_OK) zw_frame_free(f);
    } else {
        zw_frame_free(f);
    }
    if (!more) in->in_state = IN_START;
}

static int sub_recv(zw_socket_t *s, zw_frame_t **msg, zw_pipe_t **from) {
    sub_t *p = s->priv;
    zw_frame_t *m = zw_fq_recv(&p->fq, from);
    if (!m) return ZW_EAGAIN;
    if (!matches(s, m)) {
        zw_msg_free(m);   /* unsubscribed since it arrived */
        m = NULL;
    }
    *msg = m;
    return ZW_OK;
}

static uint32_t sub_capacity(zw_socket_t *s) { return 0; }

static uint32_t sub_flags(zw_socket_t *s) {
    return zw_fq_readable(&((sub_t *)s->priv)->fq) ? ZW_STATUS_READABLE : 0;
}

const zw_sockops_t zw_sub_ops = {
    .type = ZW_SUB,
    .priv_size = sizeof(sub_t),
    .init = sub_init,
    .fini = sub_fini,
    .attach = sub_attach,
    .connected = sub_connected,
    .disconnected = zw_socket_nop_pipes,
    .detach_in = sub_detach_in,
    .detach_out = sub_detach_out,
    .in_ready = sub_in_ready,
    .out_ready = zw_socket_nop_pipe,
    .inbound = sub_inbound,
    .send = zw_socket_send_notsup,
    .recv = sub_recv,
    .capacity = sub_capacity,
    .flags = sub_flags,
    .setopt = sub_setopt,
};
