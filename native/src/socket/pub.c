/* pub.c — PUB (RFC 29): every message goes to each peer subscribed to a prefix of its first
 * frame; a peer at HWM loses it (a publisher never blocks, unless XPUB_NODROP). Peers subscribe
 * with SUBSCRIBE/CANCEL commands (ZMTP 3.1) or 0x01/0x00 messages (3.0); anything else they send
 * is dropped. The logic is XPUB's (pubsub.c), minus handing subscriptions to the application.
 */
#include "socket/pubsub.h"

const zw_sockops_t zw_pub_ops = {
    .type = ZW_PUB,
    .priv_size = sizeof(zw_pubsock_t),
    .init = zw_pubsock_init,
    .fini = zw_pubsock_fini,
    .attach = zw_pubsock_attach,
    .connected = zw_pubsock_connected,
    .disconnected = zw_pubsock_disconnected,
    .detach_in = zw_pubsock_detach_in,
    .detach_out = zw_pubsock_detach_out,
    .in_ready = zw_pubsock_in_ready,
    .out_ready = zw_socket_nop_pipe,
    .inbound = zw_pubsock_inbound,
    .send = zw_pubsock_send,
    .recv = zw_socket_recv_notsup,
    .capacity = zw_pubsock_capacity,
    .flags = zw_pubsock_flags,
};
