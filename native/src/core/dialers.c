/* dialers.c — dialers: a zw_connect target the host dials, re-dialled with libzmq's backoff
 * while the socket lives. */
#include "core/internal.h"

#include <stdint.h>
#include <stdlib.h>

static void reconnect_fire(zw_core_t *c, zw_timer_t *t) {
    zw_dialer_t *d = CONTAINER(t, zw_dialer_t, timer);
    d->state = D_DIALING;
    fx(c, ZW_FX_DIAL, 0, d->id, d->sock->id, NULL);
}

void schedule_reconnect(zw_dialer_t *d) {
    zw_socket_t *sock = d->sock;
    zw_core_t *c = sock->core;
    int32_t base = sock->opt.reconnect_ivl, max = sock->opt.reconnect_ivl_max;
    if (base < 0) {
        d->state = D_IDLE;
        return;
    }
    if (d->ivl <= 0) d->ivl = base;
    d->state = D_WAITING;
    /* libzmq adds a jitter of up to one base interval, so that peers cut off together do not
     * all come back at the same moment; the Observer reports the interval (connect:retry). */
    int64_t ivl = d->ivl + (base > 0 ? (int64_t)(zw_core_random(c) % (uint32_t)base) : 0);
    if (ivl > INT32_MAX) ivl = INT32_MAX;
    timer_arm(c, &d->timer, c->now + ivl);
    fx(c, ZW_FX_RETRY, 0, d->id, (uint32_t)ivl, NULL);
    /* libzmq's backoff: double up to the maximum, only when the maximum is above the base. */
    if (max > base && d->ivl < max) d->ivl = d->ivl > max / 2 ? max : d->ivl * 2;
}

void dialer_free(zw_core_t *c, zw_dialer_t *d) {
    timer_cancel(c, &d->timer);
    if (d->session) d->session->dialer = NULL;
    fx(c, ZW_FX_DIAL_STOP, 0, d->id, d->sock->id, NULL);
    map_del(c, d->id);
    LIST_DEL(d->sock->dialers, d);
    free(d->rid);
    free(d);
}

zw_err zw_core_connect(zw_core_t *c, zw_id id, zw_id *out_dialer) {
    zw_socket_t *s = sock_get(c, id);
    if (!s || s->closing) return ZW_ENOTSOCK;
    if (!out_dialer) return ZW_EINVAL;
    zw_dialer_t *d = calloc(1, sizeof *d);
    if (!d) return ZW_ENOMEM;
    d->sock = s;
    timer_init(&d->timer, reconnect_fire);
    if (!(d->id = id_new(c, K_DIALER, d))) {
        free(d);
        return ZW_ENOMEM;
    }
    int ok;
    d->rid = connect_rid_take(s, &ok);
    int persistent = !s->opt.immediate && !s->ops->peer_per_connection;
    /* A peer named by a connect routing id is routable from now on, as in libzmq (which gives
     * the connect its pipe at once): messages to it queue until it is up. Without persistence
     * that session ends with its first connection. */
    int early = persistent || (d->rid && !s->opt.immediate);
    int rc = ok ? ZW_OK : ZW_ENOMEM;
    if (rc == ZW_OK && early) rc = session_new(s, d, persistent, d->rid, &d->session);
    if (rc != ZW_OK) {
        map_del(c, d->id);
        free(d->rid);
        free(d);
        return (zw_err)rc;
    }
    if (d->session) {
        free(d->rid);   /* the connect's first peer has it; later ones are new peers */
        d->rid = NULL;
    }
    LIST_ADD(s->dialers, d);
    d->state = D_DIALING;
    fx(c, ZW_FX_DIAL, 0, d->id, s->id, NULL);
    *out_dialer = d->id;
    return ZW_OK;
}

zw_err zw_core_disconnect(zw_core_t *c, zw_id id) {
    zw_dialer_t *d = map_get(c, id, K_DIALER);
    if (!d) return inproc_disconnect(c, id);   /* an inproc connect, or ZW_ENOENT */
    zw_socket_t *sock = d->sock;
    if (d->conn) {
        zw_conn_t *conn = d->conn;
        d->conn = NULL;
        conn->dialer = NULL;
        conn_fail(conn, ZW_CLOSE_NONE, "disconnected");
    }
    if (d->session) {
        zw_session_t *s = d->session;
        d->session = NULL;
        s->dialer = NULL;
        session_close(s);
    }
    dialer_free(c, d);
    mark_status(sock);
    settle_closing(c);
    return ZW_OK;
}

zw_err zw_core_dial_result(zw_core_t *c, zw_id id, int32_t ok, int32_t framing,
                           zw_id *out_conn) {
    zw_dialer_t *d = map_get(c, id, K_DIALER);
    if (!d) return ZW_ENOENT;
    if (d->state != D_DIALING) return ZW_EINVAL;
    if (!ok) {
        schedule_reconnect(d);
        return ZW_OK;
    }
    if (!out_conn) return ZW_EINVAL;
    zw_engine_kind_t kind;
    int bare;
    zw_err rc = conn_engine_kind(framing, d->sock->ops->type, &kind, &bare);
    if (rc != ZW_OK) {
        schedule_reconnect(d);   /* the host dialed what the core cannot speak: try again later */
        return rc;
    }
    zw_conn_t *conn = conn_new(d->sock, d, kind, bare);
    if (!conn) {
        schedule_reconnect(d);
        return ZW_ENOMEM;
    }
    d->conn = conn;
    d->state = D_CONNECTED;
    *out_conn = conn->id;
    conn_process(conn);   /* an engine with no handshake (raw) is ready at once */
    settle_closing(c);
    return ZW_OK;
}
