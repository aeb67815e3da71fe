/* pubsub.h — the publishing side shared by PUB and XPUB (libzmq implements PUB as an XPUB that
 * never hands subscriptions to the application; so do we).
 *
 * Subscriptions from a peer (SUBSCRIBE/CANCEL commands, or 0x01/0x00 messages) go into a
 * prefix -> out pipes trie; a message is sent to the pipes whose prefix matches (or, with
 * INVERT_MATCHING, to the others). XPUB also writes each subscription it is told of into the
 * peer's in pipe as a `0x01<prefix>` / `0x00<prefix>` message, so the application receives them
 * fair-queued, flow-controlled by RCVHWM, and `from` always names a live pipe.
 */
#ifndef ZW_SOCKET_PUBSUB_H
#define ZW_SOCKET_PUBSUB_H

#include "socket/socket.h"
#include "route/dist.h"
#include "route/fq.h"
#include "route/mtrie.h"

typedef struct zw_pubsock {
    zw_dist_t dist;        /* every out pipe */
    zw_fq_t fq;            /* every in pipe (XPUB reads subscriptions and upstream data here) */
    zw_trie_t subs;        /* prefix -> out pipes subscribed to it */
    zw_pipe_t *last;       /* XPUB_MANUAL: out pipe of the peer whose message was last received */
    zw_frame_t *welcome;   /* XPUB_WELCOME_MSG, copied to each new peer; NULL = none */
    uint8_t xpub;          /* 1 = XPUB: subscriptions and upstream data reach the application */
    uint8_t verbose_subs;  /* XPUB_VERBOSE/VERBOSER: pass every subscribe */
    uint8_t verbose_unsubs;/* XPUB_VERBOSER: pass every cancel */
} zw_pubsock_t;

void zw_pubsock_init(zw_socket_t *s);
void zw_pubsock_fini(zw_socket_t *s);
int zw_pubsock_attach(zw_socket_t *s, zw_pipe_t *in, zw_pipe_t *out);
int zw_pubsock_connected(zw_socket_t *s, zw_pipe_t *in, zw_pipe_t *out, const zw_peer_t *peer,
                         const char **why);
void zw_pubsock_disconnected(zw_socket_t *s, zw_pipe_t *in, zw_pipe_t *out);
void zw_pubsock_detach_in(zw_socket_t *s, zw_pipe_t *in);
void zw_pubsock_detach_out(zw_socket_t *s, zw_pipe_t *out);
void zw_pubsock_in_ready(zw_socket_t *s, zw_pipe_t *in);
void zw_pubsock_inbound(zw_socket_t *s, zw_pipe_t *in, zw_frame_t *f);
int zw_pubsock_send(zw_socket_t *s, zw_frame_t *msg);
int zw_pubsock_recv(zw_socket_t *s, zw_frame_t **msg, zw_pipe_t **from);
uint32_t zw_pubsock_capacity(zw_socket_t *s);
uint32_t zw_pubsock_flags(zw_socket_t *s);
int zw_pubsock_setopt(zw_socket_t *s, int32_t opt, const uint8_t *val, uint32_t len);

#endif
