/* conns.c — connections: one engine per host transport, the pump (engine -> in pipe) and the
 * flush (out pipe -> engine), handshake completion, and the connection entry points. */
#include "core/internal.h"

#include <stdlib.h>

/* Drops the bytes the host was shown by the last zw_conn_output (it copied them). */
static void conn_settle(zw_conn_t *conn) {
    if (conn->handed) {
        zw_engine_consume(conn->engine, conn->handed);
        conn->handed = 0;
    }
}

/* An effect naming conn, unless the host has already closed its transport (zw_conn_closed hands
 * the engine's last frames to the socket, which may fail the engine or queue a PONG: the host
 * must hear nothing of an id it is freeing; regressions/fuzz_peer/fx_after_conn_closed). */
static void conn_fx(zw_conn_t *conn, uint8_t kind, uint8_t reason, const char *text) {
    if (!conn->transport_gone)
        fx(conn->core, kind, reason, conn->id, conn->sock ? conn->sock->id : 0, text);
}

static void conn_signal_output(zw_conn_t *conn) {
    if (conn->out_signalled || conn->closing || !conn->sock) return;
    if (zw_engine_pending(conn->engine) > conn->handed) {
        conn->out_signalled = 1;
        conn_fx(conn, ZW_FX_OUTPUT, 0, NULL);
    }
}

static void handshake_fire(zw_core_t *c, zw_timer_t *t) {
    conn_fail(CONTAINER(t, zw_conn_t, hs_timer), ZW_CLOSE_HANDSHAKE_TIMEOUT, "handshake timed out");
}

zw_conn_t *conn_new(zw_socket_t *sock, zw_dialer_t *d, zw_engine_kind_t kind, int bare) {
    zw_core_t *c = sock->core;
    zw_conn_t *conn = calloc(1, sizeof *conn);
    if (!conn) return NULL;
    zw_engine_cfg_t cfg = {
        .kind = kind,
        .mechanism = ZW_MECH_NULL,   /* PLAIN and CURVE come with the security options */
        .socket_type = sock->ops->type,
        .routing_id = sock->opt.routing_id,
        .routing_id_len = sock->opt.routing_id_len,
        .max_msg_size = sock->opt.maxmsgsize,
        .bodies = &c->bodies,
        .bare = (uint8_t)bare,
    };
    conn->engine = zw_engine_new(&cfg);
    if (!conn->engine || !(conn->id = id_new(c, K_CONN, conn))) {
        zw_engine_free(conn->engine);
        free(conn);
        return NULL;
    }
    conn->core = c;
    conn->sock = sock;
    conn->dialer = d;
    timer_init(&conn->hs_timer, handshake_fire);
    heartbeat_init(conn);
    if (sock->opt.handshake_ivl > 0)
        timer_arm(c, &conn->hs_timer, c->now + sock->opt.handshake_ivl);
    LIST_ADD(sock->conns, conn);
    conn_signal_output(conn);   /* our greeting */
    return conn;
}

/* Moves whole messages from the out pipe into the engine while it holds < OUT_CHUNK. */
void conn_flush(zw_conn_t *conn) {
    zw_session_t *s = conn->session;
    if (!conn->ready || conn->closing || !s) return;
    conn_settle(conn);
    zw_pipe_t *out = &s->out;
    int was_full = zw_pipe_full(out);
    while (out->msgs && zw_engine_pending(conn->engine) < OUT_CHUNK) {
        zw_frame_t *f = zw_pipe_read(out);
        while (f) {
            zw_frame_t *next = f->next;
            f->next = NULL;
            (void)zw_engine_write(conn->engine, f);   /* failure shows as engine ERROR */
            f = next;
        }
    }
    if (was_full && !zw_pipe_full(out)) {
        s->sock->ops->out_ready(s->sock, out);
        mark_status(s->sock);
    }
    conn_signal_output(conn);
}

/* Stops using conn: detaches it from its session and dialer (which schedules a re-dial). */
static void conn_detach(zw_conn_t *conn) {
    zw_core_t *c = conn->core;
    timer_cancel(c, &conn->hs_timer);
    heartbeat_stop(conn);
    zw_session_t *s = conn->session;
    if (s) {
        conn->session = NULL;
        s->conn = NULL;
        session_lost(s);
    }
    zw_dialer_t *d = conn->dialer;
    if (d) {
        conn->dialer = NULL;
        if (d->conn == conn) {
            d->conn = NULL;
            schedule_reconnect(d);
        }
    }
}

/* The connection must go: tells the host (ZW_FX_CLOSE) and stops using it. */
void conn_fail(zw_conn_t *conn, int reason, const char *text) {
    if (conn->closing) return;
    conn->closing = 1;
    conn_fx(conn, ZW_FX_CLOSE, (uint8_t)reason, text);
    if (conn->sock) conn_detach(conn);
}

static void conn_fail_engine(zw_conn_t *conn) {
    const char *text = NULL;
    int reason = zw_engine_error(conn->engine, &text);
    conn_fail(conn, reason, text ? text : "protocol error");
}

/* Moves decoded frames from the engine into the socket while the in pipe has room. */
void conn_pump(zw_conn_t *conn) {
    if (!conn->ready || conn->closing) return;
    zw_socket_t *sock = conn->sock;
    zw_session_t *s = conn->session;
    zw_frame_t *f;
    conn->blocked = 0;
    if (!s || sock->closing) {
        while ((f = zw_engine_next(conn->engine))) zw_frame_free(f);
    } else {
        zw_pipe_t *in = &s->in;
        for (;;) {
            if (!zw_pipe_writable(in)) {
                conn->blocked = 1;
                break;
            }
            if (!(f = zw_engine_next(conn->engine))) break;
            int had = in->msgs > 0;
            sock->ops->inbound(sock, in, f);
            if (!had && in->msgs) {
                sock->ops->in_ready(sock, in);
                mark_status(sock);
            }
        }
    }
    if (conn->blocked && !conn->paused) {
        conn->paused = 1;
        conn_fx(conn, ZW_FX_PAUSE, 0, NULL);
    } else if (!conn->blocked && conn->paused) {
        conn->paused = 0;
        conn_fx(conn, ZW_FX_RESUME, 0, NULL);
    }
    if (zw_engine_state(conn->engine) == ZW_ENGINE_ERROR) conn_fail_engine(conn);
    else conn_signal_output(conn);
}

static void conn_ready(zw_conn_t *conn) {
    zw_core_t *c = conn->core;
    zw_socket_t *sock = conn->sock;
    conn->ready = 1;
    timer_cancel(c, &conn->hs_timer);
    heartbeat_start(conn);
    fx(c, ZW_FX_HANDSHAKE, 0, conn->id, sock->id, NULL);
    zw_dialer_t *d = conn->dialer;
    zw_session_t *s = d ? d->session : NULL;
    if (d) d->ivl = 0;   /* success resets the backoff */
    if (!s && !sock->closing) {
        int rc = session_new(sock, d, 0, d ? d->rid : NULL, &s);
        if (rc != ZW_OK) {
            if (rc == ZW_ENOMEM) conn_fail(conn, ZW_CLOSE_NO_MEMORY, "out of memory");
            else conn_fail(conn, ZW_CLOSE_REFUSED, "the connect routing id is in use");
            return;
        }
        if (d) {
            /* The connect routing id names the connect's first peer only: a later connection
             * of the same dialer is a new peer (libzmq extracts the id once). */
            free(d->rid);
            d->rid = NULL;
        }
        if (d) d->session = s;
    }
    if (s) {
        zw_engine_peer_t ep;
        zw_engine_peer(conn->engine, &ep);
        zw_peer_t peer = {ep.socket_type, ep.zmtp_minor, ep.routing_id, ep.routing_id_len,
                          ep.props, ep.props_len};
        s->conn = conn;
        conn->session = s;
        s->in.connected = s->out.connected = 1;
        const char *why = "peer refused";
        int refused = sock->ops->connected(sock, &s->in, &s->out, &peer, &why);
        mark_status(sock);
        if (refused) {
            conn_fail(conn, refused, why);
            return;
        }
        conn_flush(conn);
    }
    conn_pump(conn);
}

/* After the engine saw input or output, or was just made: errors, handshake completion, decoded
 * frames. */
void conn_process(zw_conn_t *conn) {
    zw_engine_state_t st = zw_engine_state(conn->engine);
    if (st == ZW_ENGINE_ERROR) conn_fail_engine(conn);
    else if (!conn->ready && st == ZW_ENGINE_READY) conn_ready(conn);
    else if (conn->ready) conn_pump(conn);
    else conn_signal_output(conn);
}

void conn_free(zw_conn_t *conn) {
    zw_engine_free(conn->engine);
    free(conn);
}

/* The engine for a connection carried as `framing` by a socket of type `type` (*bare: ZWS with
 * no mechanism); ZW_ENOTSUP for a STREAM socket over messages, ZW_EINVAL for no framing. */
zw_err conn_engine_kind(int32_t framing, int type, zw_engine_kind_t *out, int *bare) {
    *bare = framing == ZW_FRAMING_MESSAGE_BARE;
    switch (framing) {
    case ZW_FRAMING_STREAM:
        *out = type == ZW_STREAM ? ZW_ENGINE_RAW : ZW_ENGINE_ZMTP;
        return ZW_OK;
    case ZW_FRAMING_MESSAGE:
    case ZW_FRAMING_MESSAGE_BARE:
        *out = ZW_ENGINE_ZWS;
        return type == ZW_STREAM ? ZW_ENOTSUP : ZW_OK;
    default: return ZW_EINVAL;
    }
}

zw_err zw_core_accept(zw_core_t *c, zw_id id, int32_t framing, zw_id *out_conn) {
    zw_socket_t *s = sock_get(c, id);
    if (!s || s->closing) return ZW_ENOTSOCK;
    if (!out_conn) return ZW_EINVAL;
    zw_engine_kind_t kind;
    int bare;
    zw_err rc = conn_engine_kind(framing, s->ops->type, &kind, &bare);
    if (rc != ZW_OK) return rc;
    zw_conn_t *conn = conn_new(s, NULL, kind, bare);
    if (!conn) return ZW_ENOMEM;
    *out_conn = conn->id;
    conn_process(conn);   /* an engine with no handshake (raw) is ready at once */
    settle_closing(c);
    return ZW_OK;
}

zw_err zw_core_conn_input(zw_core_t *c, zw_id id, const uint8_t *data, uint32_t len,
                          uint32_t *out_used, uint32_t *out_body) {
    zw_conn_t *conn = map_get(c, id, K_CONN);
    if (!conn) return ZW_ENOENT;
    if (len && !data) return ZW_EINVAL;
    if (!out_used != !out_body) return ZW_EINVAL;
    uint32_t used = len, body = 0;
    if (conn->closing || !conn->sock) {   /* going away: input is moot */
        if (out_used) *out_used = used, *out_body = body;
        return ZW_OK;
    }
    conn_settle(conn);
    int rc = out_used ? zw_engine_input_refs(conn->engine, data, len, &used, &body)
                      : zw_engine_input(conn->engine, data, len);
    if (rc == ZW_EINVAL) return ZW_EINVAL;   /* a body was asked for and not handed over */
    conn_process(conn);
    if (len && conn->ready && !conn->closing) heartbeat_input(conn);
    int failed = conn->closing;
    settle_closing(c);
    if (failed) return ZW_EPROTO;
    if (out_used) *out_used = used, *out_body = body;
    return ZW_OK;
}

zw_err zw_core_conn_body(zw_core_t *c, zw_id id, uint32_t body) {
    zw_conn_t *conn = map_get(c, id, K_CONN);
    if (!conn) return ZW_ENOENT;
    if (conn->closing || !conn->sock) {   /* going away: the body is the host's to drop */
        return ZW_ENOENT;
    }
    conn_settle(conn);
    if (zw_engine_body(conn->engine, body) != ZW_OK) return ZW_EINVAL;
    conn_process(conn);
    settle_closing(c);
    return ZW_OK;
}

zw_err zw_core_conn_output(zw_core_t *c, zw_id id, const uint8_t **out_ptr, uint32_t *out_len,
                           uint32_t *out_body) {
    zw_conn_t *conn = map_get(c, id, K_CONN);
    if (!conn) return ZW_ENOENT;
    if (!out_ptr || !out_len) return ZW_EINVAL;
    conn_settle(conn);
    if (conn->sock) conn_flush(conn);
    uint32_t n = 0, body = 0;
    const uint8_t *p = zw_engine_output(conn->engine, OUT_CHUNK, &n, out_body ? &body : NULL);
    conn->handed = n;   /* consumed at the next use of the engine: p stays valid until then */
    if (n == 0) conn->out_signalled = 0;
    if (conn->sock && zw_engine_state(conn->engine) == ZW_ENGINE_ERROR) conn_fail_engine(conn);
    settle_closing(c);
    *out_ptr = p;
    *out_len = n;
    if (out_body) *out_body = body;
    return ZW_OK;
}

/* The transport is gone, but the engine may still hold complete frames it read while the in
 * pipe was full (the pump stopped, the host paused reading, and the peer's last bytes were
 * already here). They were received: hand them all to the socket now, past the HWM, as libzmq
 * would read them out of the kernel once the application caught up. The overshoot is bounded by
 * what the host read before it paused. */
static void conn_drain_final(zw_conn_t *conn) {
    zw_session_t *s = conn->session;
    if (!conn->ready || conn->closing || !conn->blocked || !s || conn->sock->closing) return;
    uint32_t hwm = s->in.hwm;
    s->in.hwm = 0;
    conn->paused = 0;   /* the host has forgotten the stream: no RESUME for it */
    conn_pump(conn);
    s->in.hwm = hwm;
}

zw_err zw_core_conn_closed(zw_core_t *c, zw_id id) {
    zw_conn_t *conn = map_get(c, id, K_CONN);
    if (!conn) return ZW_ENOENT;
    conn->transport_gone = 1;
    if (conn->sock) {
        conn_drain_final(conn);
        if (!conn->closing) {
            conn->closing = 1;
            conn_detach(conn);
        }
        timer_cancel(c, &conn->hs_timer);
        heartbeat_stop(conn);
        LIST_DEL(conn->sock->conns, conn);
    } else {
        LIST_DEL(c->zombies, conn);
    }
    map_del(c, conn->id);
    conn_free(conn);
    settle_closing(c);
    return ZW_OK;
}
