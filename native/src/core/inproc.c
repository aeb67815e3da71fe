/* inproc.c — inproc:// inside one core: names bound by sockets, connects to them, and the links
 * that join a session of the connecting socket to a session of the binding socket.
 *
 * A link moves whole messages (frame pointers, no copy, no encoding) from one side's out pipe
 * into the other side's in pipe, through the receiving socket's `inbound`, so its filters (SUB
 * prefixes, REQ's delimiter) and subscriptions/commands (PUB's SUBSCRIBE/CANCEL frames) act as
 * they do on a connection. Messages move when written (the out pipe's on_msg) while the in pipe
 * has room, and again when the receiver reads (messages.c after_read -> inproc_pull): in flight
 * a link holds sndhwm of the writer plus rcvhwm of the reader, as libzmq's inproc pipe does.
 *
 * Lifetimes, as libzmq 4.3 (checked against zeromq 6.8.0):
 *  - a connect owns its session from zw_inproc_connect on (messages queue before the bind);
 *    a bind of the name joins every pending connect to it;
 *  - unbind frees the name only: links already made stay up;
 *  - closing the binder ends its links: what it had sent is handed to the connecters first (it
 *    stays readable there), what they had sent is dropped, and their connects end (DIAL_STOP):
 *    a later bind of the name does not rejoin them;
 *  - closing or disconnecting a connecter hands what it had sent to the binder, which reads it
 *    after the link is gone (libzmq's pipe keeps it; linger does not apply). A closing socket's
 *    connects still pending follow the linger rules: their out pipes are pending output.
 * Not libzmq: incompatible socket types (zw_socket_types_compatible), a socket connecting to
 * itself (its ops would be re-entered, see socket.h) and a peer's `connected` refusal are not
 * joined; the connect stays pending for a later bind of the name.
 *
 * Re-entrancy: moving calls the receiving socket's inbound/in_ready and the sending socket's
 * out_ready (as conn_flush does), never another socket's send/recv; nothing here frees a session
 * from a pipe hook.
 */
#include "core/internal.h"

#include <stdlib.h>
#include <string.h>

struct zw_inproc_name {
    zw_socket_t *sock;                 /* the binder */
    zw_inproc_name_t *prev, *next;     /* the core's names */
    uint32_t len;
    uint8_t name[];
};

struct zw_inproc {
    zw_id id;
    zw_core_t *core;
    zw_socket_t *sock;                 /* the connecter */
    zw_session_t *session;             /* the connecter's pipes, until the connect ends */
    zw_session_t *peer;                /* the binder's session while linked; NULL = pending */
    uint8_t linking;                   /* both sides are being told of each other: no moves */
    zw_inproc_t *prev, *next;          /* the core's connects */
    uint32_t len;
    uint8_t name[];
};

static int is_linked(const zw_inproc_t *l) { return l->peer && !l->linking; }

static zw_session_t *other_end(const zw_inproc_t *l, const zw_session_t *s) {
    return s == l->session ? l->peer : l->session;
}

/* Moves whole messages from `from`'s out pipe into `to`'s in pipe while it has room (force:
 * all of them, past the HWM; a peer leaving hands over what it sent). */
static void move(zw_session_t *from, zw_session_t *to, int force) {
    zw_pipe_t *out = &from->out, *in = &to->in;
    zw_socket_t *src = from->sock, *dst = to->sock;
    int was_full = zw_pipe_full(out);
    uint32_t hwm = in->hwm;
    if (force) in->hwm = 0;
    while (out->msgs && zw_pipe_writable(in)) {
        zw_frame_t *f = zw_pipe_read(out);
        int had = in->msgs > 0;
        while (f) {
            zw_frame_t *next = f->next;
            f->next = NULL;
            dst->ops->inbound(dst, in, f);
            f = next;
        }
        if (!had && in->msgs) {
            dst->ops->in_ready(dst, in);
            mark_status(dst);
        }
    }
    in->hwm = hwm;
    if (was_full && !zw_pipe_full(out)) {
        src->ops->out_ready(src, out);
        mark_status(src);
    }
}

static void out_on_msg(zw_pipe_t *p) {
    zw_session_t *s = p->session;
    zw_inproc_t *l = s->inproc;
    if (l && is_linked(l)) move(s, other_end(l, s), 0);
}

void inproc_pull(zw_session_t *s) {
    zw_inproc_t *l = s->inproc;
    if (l && is_linked(l)) move(other_end(l, s), s, 0);
}

static zw_inproc_name_t *name_find(zw_core_t *c, const uint8_t *name, uint32_t len) {
    for (zw_inproc_name_t *n = c->inproc_names; n; n = n->next)
        if (n->len == len && memcmp(n->name, name, len) == 0) return n;
    return NULL;
}

static void name_free(zw_core_t *c, zw_inproc_name_t *n) {
    LIST_DEL(c->inproc_names, n);
    free(n);
}

/* What a socket learns of its inproc peer: what a handshake would have told it. */
static zw_peer_t peer_of(const zw_socket_t *s) {
    return (zw_peer_t){
        .socket_type = s->ops->type,
        .zmtp_minor = 1,   /* subscriptions travel as frames, as 3.1 commands would */
        .routing_id = s->opt.routing_id,
        .routing_id_len = s->opt.routing_id_len,
    };
}

/* Ends the connect: the link (if any) goes, the connecter's session closes (messages it received
 * stay readable), the id is freed and the host hears DIAL_STOP. */
static void connect_end(zw_inproc_t *l) {
    zw_core_t *c = l->core;
    zw_session_t *s = l->session, *bs = l->peer;
    l->peer = NULL;
    l->session = NULL;
    s->inproc = NULL;
    s->persistent = 0;
    if (bs) {
        bs->inproc = NULL;
        session_lost(bs);   /* binder: disconnected, then closed (draining what it received) */
        session_lost(s);
    } else {
        session_close(s);
    }
    fx(c, ZW_FX_DIAL_STOP, 0, l->id, l->sock->id, NULL);
    map_del(c, l->id);
    LIST_DEL(c->inprocs, l);
    free(l);
}

/* Joins a pending connect to the binder of its name, if their types agree. */
static void link_try(zw_inproc_t *l, zw_socket_t *b) {
    zw_socket_t *cs = l->sock;
    if (l->peer || b == cs || !zw_socket_types_compatible(cs->ops->type, b->ops->type)) return;
    zw_session_t *s = l->session, *bs;
    if (session_new(b, NULL, 0, NULL, &bs) != ZW_OK) return;   /* no memory: stays pending */
    bs->inproc = l;
    bs->out.on_msg = out_on_msg;
    l->peer = bs;
    l->linking = 1;   /* connected() may queue subscriptions: they move once both sides know */
    s->in.connected = s->out.connected = bs->in.connected = bs->out.connected = 1;
    zw_peer_t to_conn = peer_of(b), to_bind = peer_of(cs);
    const char *why = NULL;
    int refused = cs->ops->connected(cs, &s->in, &s->out, &to_conn, &why);
    int refused_b = refused ? 0 : b->ops->connected(b, &bs->in, &bs->out, &to_bind, &why);
    mark_status(cs);
    mark_status(b);
    if (refused || refused_b) {
        /* As a refused connection: each side that was told hears `disconnected`. */
        l->peer = NULL;
        l->linking = 0;
        bs->inproc = NULL;
        if (refused_b) {
            session_lost(bs);
        } else {
            bs->in.connected = bs->out.connected = 0;
            session_free(bs);
        }
        session_lost(s);   /* persistent: the pipe stays, pending */
        return;
    }
    l->linking = 0;
    if (cs->closing) {
        /* Lingering: hand everything over now, as a close of a linked connect does. */
        move(s, bs, 1);
        connect_end(l);
        return;
    }
    move(s, bs, 0);
    move(bs, s, 0);
}

static int name_ok(const uint8_t *name, uint32_t len) { return len > 0 && name; }

zw_err zw_core_inproc_bind(zw_core_t *c, zw_id id, const uint8_t *name, uint32_t len) {
    zw_socket_t *s = sock_get(c, id);
    if (!s || s->closing) return ZW_ENOTSOCK;
    if (!name_ok(name, len)) return ZW_EINVAL;
    if (name_find(c, name, len)) return ZW_EADDRINUSE;
    zw_inproc_name_t *n = malloc(sizeof *n + len);
    if (!n) return ZW_ENOMEM;
    n->sock = s;
    n->len = len;
    memcpy(n->name, name, len);
    LIST_ADD(c->inproc_names, n);
    zw_inproc_t *next;
    for (zw_inproc_t *l = c->inprocs; l; l = next) {
        next = l->next;   /* link_try may end l (a lingering connecter), never another */
        if (!l->peer && l->len == len && memcmp(l->name, name, len) == 0) link_try(l, s);
    }
    settle_closing(c);
    return ZW_OK;
}

zw_err zw_core_inproc_unbind(zw_core_t *c, zw_id id, const uint8_t *name, uint32_t len) {
    zw_socket_t *s = sock_get(c, id);
    if (!s || s->closing) return ZW_ENOTSOCK;
    if (!name_ok(name, len)) return ZW_EINVAL;
    zw_inproc_name_t *n = name_find(c, name, len);
    if (!n || n->sock != s) return ZW_ENOENT;
    name_free(c, n);   /* links made stay up (libzmq) */
    return ZW_OK;
}

zw_err zw_core_inproc_connect(zw_core_t *c, zw_id id, const uint8_t *name, uint32_t len,
                              zw_id *out_link) {
    zw_socket_t *s = sock_get(c, id);
    if (!s || s->closing) return ZW_ENOTSOCK;
    if (!name_ok(name, len) || !out_link) return ZW_EINVAL;
    zw_inproc_t *l = calloc(1, sizeof *l + len);
    if (!l) return ZW_ENOMEM;
    l->core = c;
    l->sock = s;
    l->len = len;
    memcpy(l->name, name, len);
    if (!(l->id = id_new(c, K_INPROC, l))) {
        free(l);
        return ZW_ENOMEM;
    }
    /* As libzmq, inproc ignores IMMEDIATE: the connecter has its pipe at once. */
    int ok;
    uint8_t *rid = connect_rid_take(s, &ok);
    int rc = ok ? session_new(s, NULL, 1, rid, &l->session) : ZW_ENOMEM;
    free(rid);   /* an inproc connect has one session, which took what it needs */
    if (rc != ZW_OK) {
        map_del(c, l->id);
        free(l);
        return (zw_err)rc;
    }
    l->session->inproc = l;
    l->session->out.on_msg = out_on_msg;
    LIST_ADD(c->inprocs, l);
    zw_inproc_name_t *n = name_find(c, name, len);
    if (n) link_try(l, n->sock);
    *out_link = l->id;
    return ZW_OK;
}

zw_err inproc_disconnect(zw_core_t *c, zw_id id) {
    zw_inproc_t *l = map_get(c, id, K_INPROC);
    if (!l) return ZW_ENOENT;
    zw_socket_t *sock = l->sock;
    if (is_linked(l)) move(l->session, l->peer, 1);   /* libzmq delivers what was sent */
    connect_end(l);
    mark_status(sock);
    settle_closing(c);
    return ZW_OK;
}

/* Frees every name sock has bound. */
static void names_free_of(zw_core_t *c, zw_socket_t *sock) {
    zw_inproc_name_t *nn;
    for (zw_inproc_name_t *n = c->inproc_names; n; n = nn) {
        nn = n->next;
        if (n->sock == sock) name_free(c, n);
    }
}

void inproc_socket_close(zw_socket_t *sock) {
    zw_core_t *c = sock->core;
    names_free_of(c, sock);
    zw_inproc_t *next;
    for (zw_inproc_t *l = c->inprocs; l; l = next) {
        next = l->next;   /* connect_end frees only l */
        if (!is_linked(l)) continue;   /* a pending connect of sock lingers */
        if (l->sock == sock) {
            move(l->session, l->peer, 1);
            connect_end(l);
        } else if (l->peer->sock == sock) {
            move(l->peer, l->session, 1);
            connect_end(l);
        }
    }
}

void inproc_socket_finish(zw_socket_t *sock) {
    zw_core_t *c = sock->core;
    names_free_of(c, sock);
    zw_inproc_t *next;
    for (zw_inproc_t *l = c->inprocs; l; l = next) {
        next = l->next;
        if (l->sock == sock || (l->peer && l->peer->sock == sock)) connect_end(l);
    }
}
