/* pub.c — PUB (RFC 29): every message goes to each peer subscribed to a prefix of its first
 * frame; a peer at HWM loses it (a publisher never blocks). Peers subscribe with SUBSCRIBE/CANCEL
 * commands (ZMTP 3.1) or 0x01/0x00 messages (3.0); anything else they send is dropped.
 */
#include "socket/socket.h"
#include "route/dist.h"
#include "route/mtrie.h"

enum { IN_START = 0, IN_DROP = 1 };   /* pipe in_state */

typedef struct pub {
    zw_dist_t dist;     /* every out pipe */
    zw_trie_t subs;     /* prefix -> out pipes subscribed to it */
} pub_t;

static void pub_init(zw_socket_t *s) {
    pub_t *p = s->priv;
    zw_dist_init(&p->dist);
    zw_trie_init(&p->subs);
}

static void pub_fini(zw_socket_t *s) {
    pub_t *p = s->priv;
    zw_trie_fini(&p->subs);
    zw_dist_fini(&p->dist);
}

static int pub_attach(zw_socket_t *s, zw_pipe_t *in, zw_pipe_t *out) {
    return zw_dist_attach(&((pub_t *)s->priv)->dist, out);
}

/* A new or lost peer on this pipe: the subscriptions were that peer's, not the pipe's. */
static void pub_forget(zw_socket_t *s, zw_pipe_t *in, zw_pipe_t *out) {
    zw_mtrie_rm_pipe(&((pub_t *)s->priv)->subs, out);
}

/* A new peer starts with no subscriptions (a reconnecting one sends them all again). */
static int pub_connected(zw_socket_t *s, zw_pipe_t *in, zw_pipe_t *out, const zw_peer_t *peer,
                         const char **why) {
    pub_forget(s, in, out);
    return ZW_OK;
}

static void pub_detach_out(zw_socket_t *s, zw_pipe_t *out) {
    pub_t *p = s->priv;
    zw_mtrie_rm_pipe(&p->subs, out);
    zw_dist_detach(&p->dist, out);
}

static void pub_subscribe(pub_t *p, zw_pipe_t *out, int on, const uint8_t *prefix, size_t n) {
    /* Out of memory: the subscription is lost; the peer just gets fewer messages. */
    if (on) (void)zw_mtrie_add(&p->subs, prefix, n, out);
    else (void)zw_mtrie_rm(&p->subs, prefix, n, out);
}

static void pub_inbound(zw_socket_t *s, zw_pipe_t *in, zw_frame_t *f) {
    pub_t *p = s->priv;
    int more = (f->flags & ZW_FRAME_MORE) != 0;
    if (in->in_state == IN_START) {
        if (f->flags & (ZW_FRAME_SUBSCRIBE | ZW_FRAME_CANCEL)) {
            pub_subscribe(p, in->peer, (f->flags & ZW_FRAME_SUBSCRIBE) != 0, f->data, f->size);
        } else if (!(f->flags & ZW_FRAME_COMMAND) && f->size > 0 && f->data[0] <= 1) {
            pub_subscribe(p, in->peer, f->data[0] == 1, f->data + 1, f->size - 1);
        }
        if (more) in->in_state = IN_DROP;
    } else if (!more) {
        in->in_state = IN_START;
    }
    zw_frame_free(f);
}

static void match_cb(void *pipe, void *arg) { zw_dist_match(arg, pipe); }

static int pub_send(zw_socket_t *s, zw_frame_t *msg) {
    pub_t *p = s->priv;
    zw_mtrie_match(&p->subs, msg->data, msg->size, match_cb, &p->dist);
    (void)zw_dist_send_matching(&p->dist, msg);   /* a failed copy = a dropped message */
    return ZW_OK;
}

static uint32_t pub_capacity(zw_socket_t *s) { return ZW_CAPACITY_UNBOUNDED; }
static uint32_t pub_flags(zw_socket_t *s) { return 0; }

const zw_sockops_t zw_pub_ops = {
    .type = ZW_PUB,
    .priv_size = sizeof(pub_t),
    .init = pub_init,
    .fini = pub_fini,
    .attach = pub_attach,
    .connected = pub_connected,
    .disconnected = pub_forget,
    .detach_in = zw_socket_nop_pipe,
    .detach_out = pub_detach_out,
    .in_ready = zw_socket_nop_pipe,
    .out_ready = zw_socket_nop_pipe,
    .inbound = pub_inbound,
    .send = pub_send,
    .recv = zw_socket_recv_notsup,
    .capacity = pub_capacity,
    .flags = pub_flags,
};
