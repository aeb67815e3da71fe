/* sockets.c — socket lifecycle: open, close with linger, finish; and options. */
#include "core/internal.h"

#include <stdlib.h>

zw_socket_t *sock_get(zw_core_t *c, zw_id id) { return map_get(c, id, K_SOCK); }

static void linger_fire(zw_core_t *c, zw_timer_t *t) {
    socket_finish(CONTAINER(t, zw_socket_t, linger_timer));
}

/* Frees the socket now: connections become zombies (until zw_conn_closed), dialers stop. */
void socket_finish(zw_socket_t *sock) {
    zw_core_t *c = sock->core;
    if (sock->closing) c->closing--;
    timer_cancel(c, &sock->linger_timer);
    while (sock->conns) {
        zw_conn_t *conn = sock->conns;
        LIST_DEL(sock->conns, conn);
        timer_cancel(c, &conn->hs_timer);
        heartbeat_stop(conn);
        if (!conn->closing) {
            conn->closing = 1;
            fx(c, ZW_FX_CLOSE, ZW_CLOSE_NONE, conn->id, sock->id, "socket closed");
        }
        if (conn->session) conn->session->conn = NULL;
        conn->session = NULL;
        conn->dialer = NULL;
        conn->sock = NULL;
        LIST_ADD(c->zombies, conn);
    }
    while (sock->dialers) dialer_free(c, sock->dialers);
    inproc_socket_finish(sock);
    while (sock->sessions) session_free(sock->sessions);
    sock->ops->fini(sock);
    zw_msg_free(sock->prefetch);
    map_del(c, sock->id);
    unmark_status(sock);
    fx(c, ZW_FX_SOCKET_GONE, 0, sock->id, 0, NULL);
    LIST_DEL(c->sockets, sock);
    free(sock);
}

/* Whether a lingering socket has nothing left to write. */
static int linger_done(zw_socket_t *sock) {
    for (zw_session_t *s = sock->sessions; s; s = s->next)
        if (s->out.msgs) return 0;
    for (zw_conn_t *conn = sock->conns; conn; conn = conn->next)
        if (conn->ready && !conn->closing && zw_engine_pending(conn->engine) > conn->handed)
            return 0;
    return 1;
}

void settle_closing(zw_core_t *c) {
    sessions_close_requested(c);
    if (!c->closing) return;
    zw_socket_t *next;
    for (zw_socket_t *s = c->sockets; s; s = next) {
        next = s->next;
        if (s->closing && linger_done(s)) socket_finish(s);
    }
}

zw_err zw_core_socket_open(zw_core_t *c, int32_t type, zw_id *out_sock) {
    const zw_sockops_t *ops = zw_sockops_find(type);
    if (!ops) return ZW_EINVAL;
    if (!out_sock) return ZW_EINVAL;
    size_t head = (sizeof(zw_socket_t) + 15) & ~(size_t)15;
    zw_socket_t *s = calloc(1, head + ops->priv_size);
    if (!s) return ZW_ENOMEM;
    s->core = c;
    s->ops = ops;
    s->priv = (uint8_t *)s + head;
    zw_sockopt_defaults(&s->opt);
    timer_init(&s->linger_timer, linger_fire);
    if (!(s->id = id_new(c, K_SOCK, s))) {
        free(s);
        return ZW_ENOMEM;
    }
    ops->init(s);
    LIST_ADD(c->sockets, s);
    *out_sock = s->id;
    return ZW_OK;
}

zw_err zw_core_socket_close(zw_core_t *c, zw_id id) {
    zw_socket_t *s = sock_get(c, id);
    if (!s || s->closing) return ZW_ENOTSOCK;
    s->closing = 1;
    c->closing++;
    mark_status(s);
    zw_msg_free(s->prefetch);
    s->prefetch = NULL;
    inproc_socket_close(s);   /* frees its names; its links hand what it sent to their peers */
    /* Received messages are dropped at once (as libzmq); outbound ones linger. */
    zw_session_t *next;
    for (zw_session_t *ss = s->sessions; ss; ss = next) {
        next = ss->next;
        if (ss->draining) {
            session_free(ss);
        } else {
            zw_pipe_fini(&ss->in);
            ss->in.in_state = ss->in.in_flag = 0;
        }
    }
    for (zw_conn_t *conn = s->conns; conn; conn = conn->next)
        if (conn->blocked) conn_pump(conn);
    if (s->opt.linger == 0) socket_finish(s);
    else if (s->opt.linger > 0) timer_arm(c, &s->linger_timer, c->now + s->opt.linger);
    settle_closing(c);
    return ZW_OK;
}

zw_err zw_core_setopt(zw_core_t *c, zw_id id, int32_t opt, const uint8_t *val, uint32_t len) {
    zw_socket_t *s = sock_get(c, id);
    if (!s || s->closing) return ZW_ENOTSOCK;
    return zw_sockopt_set(s, opt, val, len);
}

zw_err zw_core_getopt(zw_core_t *c, zw_id id, int32_t opt, uint8_t *val, uint32_t *inout_len) {
    zw_socket_t *s = sock_get(c, id);
    if (!s) return ZW_ENOTSOCK;
    return zw_sockopt_get(s, opt, val, inout_len);
}
