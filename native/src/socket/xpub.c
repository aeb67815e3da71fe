/* xpub.c — XPUB (RFC 29, libzmq 4.3 xpub.cpp): a PUB whose application also receives its peers'
 * subscriptions as `0x01<prefix>` / `0x00<prefix>` messages (by default only those that change
 * the set of prefixes; XPUB_VERBOSE/VERBOSER pass duplicates), and data its XSUB peers send
 * upstream. XPUB_MANUAL leaves applying them to the application (SUBSCRIBE/UNSUBSCRIBE on this
 * socket, for the peer last received from). What the application sends is always data, even
 * when it starts with 0x00/0x01. All of it is pubsub.c.
 */
#include "socket/pubsub.h"

const zw_sockops_t zw_xpub_ops = {
    .type = ZW_XPUB,
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
    .recv = zw_pubsock_recv,
    .capacity = zw_pubsock_capacity,
    .flags = zw_pubsock_flags,
    .setopt = zw_pubsock_setopt,
};
