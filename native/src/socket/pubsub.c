/* pubsub.c — PUB and XPUB; see pubsub.h. Semantics are libzmq 4.3's xpub.cpp. */
#include "socket/pubsub.h"

#include <stdlib.h>
#include <string.h>

enum { IN_START = 0, IN_PASS = 1, IN_DROP = 2 };   /* pipe in_state */

void zw_pubsock_init(zw_socket_t *s) {
    zw_pubsock_t *p = s->priv;
    zw_dist_init(&p->dist);
    zw_fq_init(&p->fq);
    zw_trie_init(&p->subs);
    p->xpub = s->ops->type == ZW_XPUB;
}

void zw_pubsock_fini(zw_socket_t *s) {
    zw_pubsock_t *p = s->priv;
    zw_frame_free(p->welcome);
    zw_trie_fini(&p->subs);
    zw_fq_fini(&p->fq);
    zw_dist_fini(&p->dist);
}

int zw_pubsock_attach(zw_socket_t *s, zw_pipe_t *in, zw_pipe_t *out) {
    zw_pubsock_t *p = s->priv;
    int rc = zw_dist_attach(&p->dist, out);
    if (rc != ZW_OK) return rc;
    if ((rc = zw_fq_attach(&p->fq, in)) != ZW_OK) zw_dist_detach(&p->dist, out);
    return rc;
}

/* A new peer starts with no subscriptions (a reconnecting one sends them all again) and gets
 * the welcome message first (libzmq sends it when the pipe attaches; ours may outlive a
 * connection, so each new peer gets it). */
int zw_pubsock_connected(zw_socket_t *s, zw_pipe_t *in, zw_pipe_t *out, const zw_peer_t *peer,
                         const char **why) {
    zw_pubsock_t *p = s->priv;
    zw_mtrie_rm_pipe(&p->subs, out);
    if (p->welcome) {
        zw_frame_t *f = zw_frame_dup(p->welcome->data, p->welcome->size, 0);
        if (f && zw_pipe_write(out, f, 0) != ZW_OK) zw_frame_free(f);   /* OOM/full: no welcome */
    }
    return ZW_OK;
}

/* Hands the application a subscription as a 0x01/0x00 message read from `in`. Force-written:
 * a cancel for a departed peer must not be lost to the HWM. */
static void notify(zw_pipe_t *in, int on, const uint8_t *prefix, size_t n, int force) {
    zw_frame_t *f = zw_frame_new(n + 1);
    if (!f) return;   /* out of memory: the application misses this one */
    f->flags = 0;
    f->data[0] = on ? 1 : 0;
    if (n) memcpy(f->data + 1, prefix, n);
    if (zw_pipe_write(in, f, force) != ZW_OK) zw_frame_free(f);
}

typedef struct gone { zw_pubsock_t *p; zw_pipe_t *in; } gone_t;
static void gone_cb(const uint8_t *prefix, size_t len, void *arg) {
    notify(((gone_t *)arg)->in, 0, prefix, len, 1);
}

/* The peer's subscriptions go with it; XPUB tells the application of each prefix nobody else
 * holds (all of them with VERBOSER), as libzmq's xpipe_terminated does. Manual mode: libzmq
 * replays the peer's own requests from a second trie; we do not keep one (see report). */
void zw_pubsock_disconnected(zw_socket_t *s, zw_pipe_t *in, zw_pipe_t *out) {
    zw_pubsock_t *p = s->priv;
    if (!p->xpub || s->opt.xpub_manual) {
        zw_mtrie_rm_pipe(&p->subs, out);
        return;
    }
    zw_pipe_rollback(in);   /* an unfinished upstream message must not swallow the cancels */
    in->in_state = IN_START;
    gone_t g = {p, in};
    int had = in->msgs > 0;
    zw_mtrie_rm_pipe_cb(&p->subs, out, !p->verbose_unsubs, gone_cb, &g);
    if (!had && in->msgs) zw_fq_activated(&p->fq, in);
}

void zw_pubsock_detach_in(zw_socket_t *s, zw_pipe_t *in) {
    zw_fq_detach(&((zw_pubsock_t *)s->priv)->fq, in);
}

void zw_pubsock_detach_out(zw_socket_t *s, zw_pipe_t *out) {
    zw_pubsock_t *p = s->priv;
    if (p->last == out) p->last = NULL;
    zw_mtrie_rm_pipe(&p->subs, out);
    zw_dist_detach(&p->dist, out);
}

void zw_pubsock_in_ready(zw_socket_t *s, zw_pipe_t *in) {
    zw_fq_activated(&((zw_pubsock_t *)s->priv)->fq, in);
}

static void subscription(zw_socket_t *s, zw_pipe_t *in, int on, const uint8_t *prefix,
                         size_t n) {
    zw_pubsock_t *p = s->priv;
    zw_pipe_t *out = in->peer;
    int tell;
    if (s->opt.xpub_manual) {
        tell = 1;   /* every request; the application decides what to apply */
    } else if (on) {
        int first = zw_mtrie_count(&p->subs, prefix, n) == 0;
        /* Out of memory: the subscription is lost; the peer just gets fewer messages. */
        tell = zw_mtrie_add(&p->subs, prefix, n, out) >= 0 && (first || p->verbose_subs);
    } else {
        /* libzmq tells of a cancel unless other pipes still hold the prefix (also when this
         * pipe never held it). */
        (void)zw_mtrie_rm(&p->subs, prefix, n, out);
        tell = zw_mtrie_count(&p->subs, prefix, n) == 0 || p->verbose_unsubs;
    }
    if (p->xpub && tell) notify(in, on, prefix, n, 0);
}

void zw_pubsock_inbound(zw_socket_t *s, zw_pipe_t *in, zw_frame_t *f) {
    zw_pubsock_t *p = s->priv;
    int more = (f->flags & ZW_FRAME_MORE) != 0;
    if (in->in_state == IN_START) {
        if (f->flags & (ZW_FRAME_SUBSCRIBE | ZW_FRAME_CANCEL)) {
            subscription(s, in, (f->flags & ZW_FRAME_SUBSCRIBE) != 0, f->data, f->size);
            zw_frame_free(f);
            return;   /* a command frame is a whole message */
        }
        if (f->flags & ZW_FRAME_COMMAND) {
            zw_frame_free(f);
            return;
        }
        uint8_t first = 2;
        if (f->size) zw_frame_read(f, 0, &first, 1);
        if (first <= 1 && !(f = zw_frame_inline(f))) {
            if (more) in->in_state = IN_DROP;   /* out of memory: dropped, as at HWM */
            return;
        }
        if (first <= 1) {
            /* A subscription message; further parts of it are dropped (libzmq would read them
             * as further subscriptions; no peer sends that). */
            subscription(s, in, f->data[0] == 1, f->data + 1, f->size - 1);
            zw_frame_free(f);
            if (more) in->in_state = IN_DROP;
            return;
        }
        /* Upstream data (an XSUB's): XPUB hands it to the application, PUB drops it. */
        in->in_state = p->xpub ? IN_PASS : IN_DROP;
    }
    if (in->in_state == IN_PASS) {
        if (zw_pipe_write(in, f, 0) != ZW_OK) zw_frame_free(f);
    } else {
        zw_frame_free(f);
    }
    if (!more) in->in_state = IN_START;
}

static void match_cb(void *pipe, void *arg) { zw_dist_match(arg, pipe); }

int zw_pubsock_send(zw_socket_t *s, zw_frame_t *msg) {
    zw_pubsock_t *p = s->priv;
    uint8_t tmp[ZW_TOPIC_TMP], *heap;
    size_t n;
    const uint8_t *head = zw_socket_topic(msg, &p->subs, tmp, &heap, &n);
    if (!head) return ZW_ENOMEM;   /* msg stays the caller's */
    zw_mtrie_match(&p->subs, head, n, match_cb, &p->dist);
    free(heap);
    if (s->opt.invert_matching) zw_dist_reverse_match(&p->dist);
    if (s->opt.xpub_nodrop && !zw_dist_matching_writable(&p->dist)) {
        zw_dist_unmatch(&p->dist);
        return ZW_EAGAIN;   /* msg stays the caller's */
    }
    (void)zw_dist_send_matching(&p->dist, msg);   /* a failed copy = a dropped message */
    return ZW_OK;
}

int zw_pubsock_recv(zw_socket_t *s, zw_frame_t **msg, zw_pipe_t **from) {
    zw_pubsock_t *p = s->priv;
    zw_frame_t *m = zw_fq_recv(&p->fq, from);
    if (!m) return ZW_EAGAIN;
    /* Manual mode subscribes the peer last heard from. One whose session is draining (gone for
     * good: its out pipe has left the trie and is freed once this read is done) cannot be, or
     * a later SUBSCRIBE would put a freed pipe in the trie. */
    p->last = (*from)->peer->closed ? NULL : (*from)->peer;
    *msg = m;
    return ZW_OK;
}

/* Without NODROP a publisher never blocks. With it, a send waits while any peer is at HWM
 * (conservative: libzmq only checks the peers the message matches, which capacity cannot know
 * before the message; zw_send still takes a message that fits). */
uint32_t zw_pubsock_capacity(zw_socket_t *s) {
    zw_pubsock_t *p = s->priv;
    if (!s->opt.xpub_nodrop) return ZW_CAPACITY_UNBOUNDED;
    uint32_t cap = ZW_CAPACITY_UNBOUNDED;
    for (uint32_t i = 0; i < p->dist.a.n; i++) {
        const zw_pipe_t *o = p->dist.a.pipes[i];
        if (o->hwm == 0) continue;
        uint32_t room = o->msgs >= o->hwm ? 0 : o->hwm - o->msgs;
        if (room < cap) cap = room;
    }
    return cap;
}

uint32_t zw_pubsock_flags(zw_socket_t *s) {
    zw_pubsock_t *p = s->priv;
    return p->xpub && zw_fq_readable(&p->fq) ? ZW_STATUS_READABLE : 0;
}

static int int_value(const uint8_t *val, uint32_t len, int32_t *out) {
    if (len != 4) return ZW_EINVAL;
    int32_t v = (int32_t)((uint32_t)val[0] | (uint32_t)val[1] << 8 | (uint32_t)val[2] << 16 |
                          (uint32_t)val[3] << 24);
    if (v < 0) return ZW_EINVAL;
    *out = v;
    return ZW_OK;
}

/* XPUB's own options (the table routes them here): VERBOSE/VERBOSER interact as in libzmq
 * (VERBOSE clears VERBOSER's half); SUBSCRIBE/UNSUBSCRIBE apply to the last peer heard from, in
 * manual mode only. */
int zw_pubsock_setopt(zw_socket_t *s, int32_t opt, const uint8_t *val, uint32_t len) {
    zw_pubsock_t *p = s->priv;
    int32_t v;
    switch (opt) {
    case ZW_OPT_XPUB_VERBOSE:
    case ZW_OPT_XPUB_VERBOSER:
        if (int_value(val, len, &v) != ZW_OK) return ZW_EINVAL;
        p->verbose_subs = v != 0;
        p->verbose_unsubs = opt == ZW_OPT_XPUB_VERBOSER && v != 0;
        return ZW_OK;
    case ZW_OPT_SUBSCRIBE:
    case ZW_OPT_UNSUBSCRIBE:
        if (!s->opt.xpub_manual) return ZW_EINVAL;
        if (!p->last) return ZW_OK;
        if (opt == ZW_OPT_SUBSCRIBE) return zw_mtrie_add(&p->subs, val, len, p->last) < 0 ? ZW_ENOMEM : ZW_OK;
        (void)zw_mtrie_rm(&p->subs, val, len, p->last);
        return ZW_OK;
    case ZW_OPT_XPUB_WELCOME_MSG: {
        zw_frame_t *f = NULL;
        if (len && !(f = zw_frame_dup(val, len, 0))) return ZW_ENOMEM;
        zw_frame_free(p->welcome);
        p->welcome = f;
        return ZW_OK;
    }
    }
    return ZW_EINVAL;
}
