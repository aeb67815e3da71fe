/* messages.c — zw_send and zw_recv batches (length-prefixed frames) and socket status. */
#include "core/internal.h"

#include <string.h>

static uint32_t get32(const uint8_t *p) {
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

/* Whether batch is a sequence of whole frames ending with a whole message, each ref frame
 * naming a body (id not 0) of at most INT32_MAX bytes. */
static int batch_valid(const uint8_t *b, uint32_t len) {
    uint32_t pos = 0, more = 0;
    while (pos < len) {
        if (len - pos < 4) return 0;
        uint32_t h = get32(b + pos), n = h & ZW_BATCH_LEN_MASK;
        pos += 4;
        if (n > len - pos) return 0;
        if ((h & ZW_BATCH_REF) &&
            (n != ZW_BATCH_REF_LEN || get32(b + pos) == 0 || get32(b + pos + 4) > INT32_MAX))
            return 0;
        pos += n;
        more = h & ZW_BATCH_MORE;
    }
    return !more;
}

/* Builds the message starting at *pos (valid batch), advancing *pos; NULL if out of memory. Its
 * ref frames take the host's references only once the socket takes the message (until then a
 * failure must leave them the host's: see the release guard in zw_core_send). */
static zw_frame_t *batch_msg(zw_core_t *c, const uint8_t *b, uint32_t *pos) {
    zw_frame_t *head = NULL, **tail = &head;
    for (;;) {
        uint32_t h = get32(b + *pos), n = h & ZW_BATCH_LEN_MASK;
        uint32_t more = (h & ZW_BATCH_MORE) ? ZW_FRAME_MORE : 0;
        zw_frame_t *f = (h & ZW_BATCH_REF)
            ? zw_frame_ref(&c->bodies, get32(b + *pos + 4), get32(b + *pos + 8), more)
            : zw_frame_dup(b + *pos + 4, n, more);
        if (!f) {
            c->bodies_quiet = 1;   /* not taken: the bodies stay the host's */
            zw_msg_free(head);
            c->bodies_quiet = 0;
            return NULL;
        }
        *pos += 4 + n;
        *tail = f;
        tail = &f->next;
        if (!(h & ZW_BATCH_MORE)) return head;
    }
}

zw_err zw_core_send(zw_core_t *c, zw_id id, const uint8_t *batch, uint32_t len,
                    uint32_t *out_msgs) {
    zw_socket_t *s = sock_get(c, id);
    if (!s || s->closing) return ZW_ENOTSOCK;
    if (!out_msgs || (len && !batch)) return ZW_EINVAL;
    if (!batch_valid(batch, len)) return ZW_EMSGSIZE;
    uint32_t before = s->ops->flags(s), pos = 0, n = 0;
    zw_err rc = ZW_OK;
    while (pos < len) {
        uint32_t start = pos;
        zw_frame_t *msg = batch_msg(c, batch, &pos);
        if (!msg) {
            if (n == 0) rc = ZW_ENOMEM;
            break;
        }
        int r = s->ops->send(s, msg);
        if (r != ZW_OK) {
            /* Not taken: its bodies stay the host's, so freeing the frames must not release them. */
            c->bodies_quiet = 1;
            zw_msg_free(msg);
            c->bodies_quiet = 0;
            pos = start;
            if (n == 0 && r != ZW_EAGAIN) rc = (zw_err)r;
            break;
        }
        n++;
    }
    sessions_close_requested(c);
    if (s->ops->flags(s) != before) mark_status(s);
    if (rc == ZW_OK) *out_msgs = n;
    return rc;
}

/* After the socket read from pipe `from`: a drained orphan session goes, a paused connection
 * may resume, an inproc peer's queued messages move in. */
static void after_read(zw_pipe_t *from) {
    zw_session_t *s = from->session;
    if (s->draining) {
        if (!from->msgs) session_free(s);
    } else if (s->conn && s->conn->blocked) {
        conn_pump(s->conn);
    } else if (s->inproc) {
        inproc_pull(s);   /* room again: the peer's out pipe moves on */
    }
}

/* A message's size as a batch (a host body is its ref, 8 bytes) and as bytes (bodies included:
 * what zw_recv's max_bytes bounds, so a host lending messages ahead bounds their memory). */
static uint32_t msg_bytes(const zw_frame_t *m, uint64_t *out_weight) {
    uint64_t n = 0, w = 0;
    for (; m; m = m->next) {
        n += 4 + (uint64_t)((m->flags & ZW_FRAME_REF) ? ZW_BATCH_REF_LEN : m->size);
        w += 4 + (uint64_t)m->size;
    }
    *out_weight = w;
    return n > 0xffffffffu ? 0xffffffffu : (uint32_t)n;
}

zw_err zw_core_recv(zw_core_t *c, zw_id id, uint32_t max_msgs, uint32_t max_bytes,
                    const uint8_t **out_ptr, uint32_t *out_len, uint32_t *out_msgs) {
    zw_socket_t *s = sock_get(c, id);
    if (!s || s->closing) return ZW_ENOTSOCK;
    if (!out_ptr || !out_len || !out_msgs) return ZW_EINVAL;
    uint32_t before = s->ops->flags(s) | (s->prefetch ? ZW_STATUS_READABLE : 0);
    uint32_t n = 0;
    uint64_t weight = 0;
    zw_err rc = ZW_OK;
    c->rbuf.len = 0;
    while (max_msgs == 0 || n < max_msgs) {
        zw_frame_t *m = s->prefetch;
        s->prefetch = NULL;
        if (!m) {
            zw_pipe_t *from = NULL;
            int r = s->ops->recv(s, &m, &from);
            if (r != ZW_OK) {
                if (n == 0 && r != ZW_EAGAIN) rc = (zw_err)r;
                break;
            }
            after_read(from);
            if (!m) continue;   /* dropped by the socket */
        }
        uint64_t w;
        uint32_t size = msg_bytes(m, &w);
        if ((n > 0 && weight + w > max_bytes) ||
            buf_reserve(&c->rbuf, size) != ZW_OK) {
            s->prefetch = m;   /* first in line next time */
            if (n == 0) rc = ZW_ENOMEM;
            break;
        }
        for (zw_frame_t *f = m; f; f = f->next) {
            uint8_t *p = c->rbuf.p + c->rbuf.len;
            uint32_t more = f->next ? ZW_BATCH_MORE : 0;
            zw_body_t *body = zw_frame_body(f);
            if (body) {
                put32(p, ZW_BATCH_REF | more | ZW_BATCH_REF_LEN);
                put32(p + 4, body->id);
                put32(p + 8, f->size);
                c->rbuf.len += 4 + ZW_BATCH_REF_LEN;
            } else {
                put32(p, f->size | more);
                memcpy(p + 4, f->data, f->size);
                c->rbuf.len += 4 + f->size;
            }
        }
        zw_msg_free(m);
        weight += w;
        n++;
    }
    uint32_t after = s->ops->flags(s) | (s->prefetch ? ZW_STATUS_READABLE : 0);
    if (after != before) mark_status(s);
    if (rc != ZW_OK) return rc;
    *out_ptr = c->rbuf.p;
    *out_len = c->rbuf.len;
    *out_msgs = n;
    return ZW_OK;
}

zw_err zw_core_status(zw_core_t *c, zw_id id, uint32_t *out_capacity, uint32_t *out_flags) {
    zw_socket_t *s = sock_get(c, id);
    if (!s) return ZW_ENOTSOCK;
    if (!out_capacity || !out_flags) return ZW_EINVAL;
    if (s->closing) {
        *out_capacity = 0;
        *out_flags = ZW_STATUS_CLOSED;
        return ZW_OK;
    }
    *out_capacity = s->ops->capacity(s);
    *out_flags = s->ops->flags(s) | (s->prefetch ? ZW_STATUS_READABLE : 0);
    return ZW_OK;
}
