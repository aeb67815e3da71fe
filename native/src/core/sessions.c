/* sessions.c — a socket's pipe pair for one peer: created at handshake (accepted) or at
 * zw_connect (dialer), kept across reconnects when persistent, drained after the peer is gone. */
#include "core/internal.h"

#include <stdlib.h>
#include <string.h>

static void out_on_msg(zw_pipe_t *p) {
    zw_session_t *s = p->session;
    if (s->conn) conn_flush(s->conn);
}

int session_new(zw_socket_t *sock, zw_dialer_t *d, int persistent, const uint8_t *rid,
                zw_session_t **out) {
    size_t head = (sizeof(zw_session_t) + 15) & ~(size_t)15;
    size_t priv = sock->ops->pipe_priv_size;
    zw_session_t *s = calloc(1, head + priv);
    if (!s) return ZW_ENOMEM;
    zw_pipe_init(&s->in, (uint32_t)sock->opt.rcvhwm);
    zw_pipe_init(&s->out, (uint32_t)sock->opt.sndhwm);
    s->in.conflate = s->out.conflate = (uint8_t)sock->opt.conflate;
    s->in.peer = &s->out;
    s->out.peer = &s->in;
    s->in.session = s->out.session = s;
    s->in.priv = s->out.priv = priv ? (uint8_t *)s + head : NULL;
    s->out.on_msg = out_on_msg;
    s->sock = sock;
    s->dialer = d;
    s->persistent = (uint8_t)persistent;
    sock->attach_rid = rid && rid[0] ? rid : NULL;
    int rc = sock->ops->attach(sock, &s->in, &s->out);
    sock->attach_rid = NULL;
    if (rc != ZW_OK) {
        free(s);
        return rc;
    }
    s->out_attached = 1;
    LIST_ADD(sock->sessions, s);
    mark_status(sock);
    *out = s;
    return ZW_OK;
}

uint8_t *connect_rid_take(zw_socket_t *sock, int *ok) {
    uint8_t len = sock->opt.connect_rid[0];
    *ok = 1;
    if (!len) return NULL;
    uint8_t *rid = malloc(1u + len);
    if (!rid) {
        *ok = 0;
        return NULL;
    }
    memcpy(rid, sock->opt.connect_rid, 1u + len);
    sock->opt.connect_rid[0] = 0;
    return rid;
}

void session_free(zw_session_t *s) {
    zw_socket_t *sock = s->sock;
    if (s->out_attached) sock->ops->detach_out(sock, &s->out);
    sock->ops->detach_in(sock, &s->in);
    zw_pipe_fini(&s->out);
    zw_pipe_fini(&s->in);
    if (s->dialer && s->dialer->session == s) s->dialer->session = NULL;
    if (s->conn) s->conn->session = NULL;
    LIST_DEL(sock->sessions, s);
    mark_status(sock);
    free(s);
}

/* The peer is gone for good: outbound messages are dropped now; messages already received stay
 * readable (as libzmq's delayed pipe termination) and the session goes once they are read. */
void session_close(zw_session_t *s) {
    zw_socket_t *sock = s->sock;
    if (s->out_attached) {
        sock->ops->detach_out(sock, &s->out);
        s->out_attached = 0;
    }
    zw_pipe_fini(&s->out);
    s->out.closed = 1;   /* a socket holding it (REP's reply pipe) must not queue into it */
    zw_pipe_rollback(&s->in);
    if (s->dialer && s->dialer->session == s) s->dialer->session = NULL;
    s->dialer = NULL;
    if (s->in.msgs == 0 || sock->closing) {
        session_free(s);
    } else {
        s->draining = 1;
        mark_status(sock);
    }
}

/* The session's connection stopped carrying traffic. */
void session_lost(zw_session_t *s) {
    zw_socket_t *sock = s->sock;
    s->in.connected = s->out.connected = 0;
    sock->ops->disconnected(sock, &s->in, &s->out);
    if (s->persistent) {
        zw_pipe_rollback(&s->in);
        s->in.in_state = s->in.in_flag = 0;
        /* Subscriptions still queued were for the old peer; the next one gets them all. */
        zw_pipe_purge_commands(&s->out);
        mark_status(sock);
    } else {
        session_close(s);
    }
}

void zw_socket_close_peer(zw_socket_t *sock, zw_pipe_t *out) {
    zw_session_t *s = out->session;
    s->close_requested = 1;
    sock->close_requests = 1;
    sock->core->close_requests = 1;
}

/* Carries out every zw_socket_close_peer of this call (STREAM's zero-length send, ROUTER's
 * handover from connected): at the end of an API entry point only (conn_fail may free sessions). */
void sessions_close_requested(zw_core_t *c) {
    if (!c->close_requests) return;
    c->close_requests = 0;
    for (zw_socket_t *sock = c->sockets; sock; sock = sock->next) {
        if (!sock->close_requests) continue;
        sock->close_requests = 0;
        zw_session_t *next;
        for (zw_session_t *s = sock->sessions; s; s = next) {
            next = s->next;   /* conn_fail frees at most s itself */
            if (!s->close_requested) continue;
            s->close_requested = 0;
            zw_conn_t *conn = s->conn;
            if (!conn) continue;
            conn_flush(conn);   /* what was sent before the close goes first */
            conn_fail(conn, ZW_CLOSE_NONE, "closed by the application");
        }
    }
}
