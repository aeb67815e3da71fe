/* heartbeat.c — libzmq's connection heartbeats (ZMQ_HEARTBEAT_IVL, _TTL, _TIMEOUT).
 *
 * Once a connection's handshake is done and HEARTBEAT_IVL is set, it sends a PING every
 * interval (a ZMTP PING command carrying our TTL; over ZWS the host's WebSocket ping,
 * ZW_FX_PING, as libzmq's ws engine pings at the WebSocket level) and, from the first PING on,
 * expects traffic within HEARTBEAT_TIMEOUT (the interval when -1). A PING from the peer with a
 * TTL asks us to expect traffic within that TTL. Any input (or a pong: zw_conn_alive) meets
 * both; a timer that fires first closes the connection with ZW_CLOSE_HEARTBEAT. */
#include "core/internal.h"

static int32_t timeout_ms(const zw_socket_t *sock) {
    return sock->opt.heartbeat_timeout < 0 ? sock->opt.heartbeat_ivl : sock->opt.heartbeat_timeout;
}

static void ivl_fire(zw_core_t *c, zw_timer_t *t) {
    zw_conn_t *conn = CONTAINER(t, zw_conn_t, hb_ivl);
    zw_socket_t *sock = conn->sock;
    if (!sock || conn->closing) return;
    uint16_t ttl_ds = (uint16_t)(sock->opt.heartbeat_ttl / 100);
    int rc = zw_engine_ping(conn->engine, ttl_ds);
    if (rc == ZW_OK) conn_flush(conn);                          /* the PING goes out */
    else if (rc == ZW_ENOTSUP) fx(c, ZW_FX_PING, 0, conn->id, sock->id, NULL);
    else return conn_fail(conn, ZW_CLOSE_NO_MEMORY, "out of memory");
    timer_arm(c, &conn->hb_ivl, c->now + sock->opt.heartbeat_ivl);
    /* From the first unanswered PING (timer_arm would move an armed deadline). */
    if (timeout_ms(sock) > 0 && !conn->hb_timeout.armed) timer_arm(c, &conn->hb_timeout, c->now + timeout_ms(sock));
}

static void timeout_fire(zw_core_t *c, zw_timer_t *t) {
    (void)c;
    conn_fail(CONTAINER(t, zw_conn_t, hb_timeout), ZW_CLOSE_HEARTBEAT, "no traffic within the heartbeat timeout");
}

static void ttl_fire(zw_core_t *c, zw_timer_t *t) {
    (void)c;
    conn_fail(CONTAINER(t, zw_conn_t, hb_ttl), ZW_CLOSE_HEARTBEAT, "no traffic within the peer's heartbeat TTL");
}

void heartbeat_init(zw_conn_t *conn) {
    timer_init(&conn->hb_ivl, ivl_fire);
    timer_init(&conn->hb_timeout, timeout_fire);
    timer_init(&conn->hb_ttl, ttl_fire);
}

void heartbeat_start(zw_conn_t *conn) {
    if (conn->sock->opt.heartbeat_ivl > 0)
        timer_arm(conn->core, &conn->hb_ivl, conn->core->now + conn->sock->opt.heartbeat_ivl);
}

void heartbeat_input(zw_conn_t *conn) {
    zw_core_t *c = conn->core;
    timer_cancel(c, &conn->hb_timeout);
    timer_cancel(c, &conn->hb_ttl);
    /* The peer's PINGs in this input: their TTL, from now (libzmq arms it at the PING). */
    int ttl_ds = zw_engine_take_peer_ttl(conn->engine);
    if (ttl_ds > 0 && !conn->closing) timer_arm(c, &conn->hb_ttl, c->now + ttl_ds * 100.0);
}

void heartbeat_stop(zw_conn_t *conn) {
    timer_cancel(conn->core, &conn->hb_ivl);
    timer_cancel(conn->core, &conn->hb_timeout);
    timer_cancel(conn->core, &conn->hb_ttl);
}

zw_err zw_core_conn_alive(zw_core_t *c, zw_id id) {
    zw_conn_t *conn = map_get(c, id, K_CONN);
    if (!conn) return ZW_ENOENT;
    if (conn->sock && !conn->closing) heartbeat_input(conn);
    return ZW_OK;
}
