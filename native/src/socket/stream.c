/* stream.c — STREAM (libzmq's ZMQ_STREAM): raw TCP peers, no ZMTP. Its connections use the raw
 * engine (engine/raw.c): whatever a peer sends arrives as [routing id][bytes], and [id][bytes]
 * sent goes to that peer as bytes.
 *
 * As libzmq 4.3 (stream.cpp): each peer gets a generated 5-byte routing id (0x00 + a uint32
 * big-endian counter from a random start), or the one connect() named it by
 * (ZMQ_CONNECT_ROUTING_ID); with STREAM_NOTIFY (the default) a peer's arrival and its departure
 * are each announced as [id][""]; sending [id][""] closes that peer's connection (after what was
 * already sent to it). A message to an unknown id fails with EHOSTUNREACH and one to a peer at
 * its HWM with EAGAIN, as libzmq's do (the host answers that one send()). libzmq reads a message
 * that is not [id][data] out of step (its next frame is taken as data); here it is refused with
 * EINVAL instead.
 */
#include "socket/socket.h"

#include <string.h>

#include "core.h"
#include "route/fq.h"
#include "route/idmap.h"

typedef struct stream_peer {
    zw_rid_t rid;           /* first: read by zw_rid_key */
    uint8_t closed_by_us;   /* the application closed it: no departure notice (libzmq neither) */
} stream_peer_t;

typedef struct stream {
    zw_fq_t fq;             /* every in pipe */
    zw_idmap_t outs;        /* every out pipe, by id */
    uint32_t next_id;       /* counter of the next generated id */
} stream_t;

static void stream_init(zw_socket_t *s) {
    stream_t *st = s->priv;
    zw_fq_init(&st->fq);
    zw_idmap_init(&st->outs, zw_rid_key);
    st->next_id = zw_core_random(s->core);
}

static void stream_fini(zw_socket_t *s) {
    stream_t *st = s->priv;
    zw_fq_fini(&st->fq);
    zw_idmap_fini(&st->outs);
}

/* Every connection is a new session (peer_per_connection), so the peer's id is known here. */
static int stream_attach(zw_socket_t *s, zw_pipe_t *in, zw_pipe_t *out) {
    stream_t *st = s->priv;
    stream_peer_t *p = out->priv;
    const uint8_t *rid = s->attach_rid;
    if (rid) {
        if (zw_idmap_find(&st->outs, rid + 1, rid[0])) return ZW_EINVAL;
        zw_rid_set(&p->rid, rid);
    } else {
        zw_rid_generate(&p->rid, st->next_id++);
    }
    int rc = zw_fq_attach(&st->fq, in);
    if (rc != ZW_OK) return rc;
    if ((rc = zw_idmap_add(&st->outs, out)) != ZW_OK) zw_fq_detach(&st->fq, in);
    return rc;
}

/* An empty message in the peer's own in pipe: recv turns it into [id][""], in order with the
 * peer's data. Forced past the HWM: a notice must not be lost to flow control. */
static void notify(zw_socket_t *s, zw_pipe_t *in) {
    if (!s->opt.stream_notify) return;
    zw_frame_t *f = zw_frame_new(0);
    if (!f) return;   /* out of memory: the notice is lost, the data is not */
    f->flags = 0;
    int had = in->msgs > 0;
    if (zw_pipe_write(in, f, 1) != ZW_OK) {
        zw_frame_free(f);
        return;
    }
    if (!had) zw_fq_activated(&((stream_t *)s->priv)->fq, in);
}

/* The peer's connection is up: announced to the application. */
static int stream_connected(zw_socket_t *s, zw_pipe_t *in, zw_pipe_t *out, const zw_peer_t *peer,
                            const char **why) {
    notify(s, in);
    return ZW_OK;
}

static void stream_disconnected(zw_socket_t *s, zw_pipe_t *in, zw_pipe_t *out) {
    stream_peer_t *p = in->priv;
    if (!p->closed_by_us) notify(s, in);
}

static void stream_detach_in(zw_socket_t *s, zw_pipe_t *in) {
    zw_fq_detach(&((stream_t *)s->priv)->fq, in);
}

static void stream_detach_out(zw_socket_t *s, zw_pipe_t *out) {
    zw_idmap_remove(&((stream_t *)s->priv)->outs, out);
}

static void stream_in_ready(zw_socket_t *s, zw_pipe_t *in) {
    zw_fq_activated(&((stream_t *)s->priv)->fq, in);
}

static void stream_inbound(zw_socket_t *s, zw_pipe_t *in, zw_frame_t *f) {
    f->flags = 0;   /* a read is one whole message */
    if (zw_pipe_write(in, f, 0) != ZW_OK) zw_frame_free(f);
}

static int stream_recv(zw_socket_t *s, zw_frame_t **msg, zw_pipe_t **from) {
    stream_t *st = s->priv;
    zw_pipe_t *in = NULL;
    zw_frame_t *m = zw_fq_recv(&st->fq, &in);
    if (!m) return ZW_EAGAIN;
    const stream_peer_t *p = in->priv;
    zw_frame_t *id = zw_frame_dup(p->rid.id, p->rid.len, ZW_FRAME_MORE);
    if (!id) {
        zw_msg_free(m);   /* out of memory: as a peer's lost read */
        *msg = NULL;
        *from = in;
        return ZW_OK;
    }
    id->next = m;
    *msg = id;
    *from = in;
    return ZW_OK;
}

static int stream_send(zw_socket_t *s, zw_frame_t *msg) {
    stream_t *st = s->priv;
    zw_frame_t *data = msg->next;
    if (!data || data->next) return ZW_EINVAL;   /* exactly [id][data] */
    uint8_t tmp[ZW_RID_MAX];
    const uint8_t *id = zw_socket_id_bytes(msg, tmp);
    zw_pipe_t *out = id ? zw_idmap_find(&st->outs, id, (uint32_t)msg->size) : NULL;
    if (!out) return ZW_EHOSTUNREACH;   /* a peer that left is out of the map already */
    if (!zw_pipe_writable(out)) return ZW_EAGAIN;
    msg->next = NULL;
    zw_frame_free(msg);
    if (data->size == 0) {
        zw_frame_free(data);
        ((stream_peer_t *)out->priv)->closed_by_us = 1;
        zw_socket_close_peer(s, out);
        return ZW_OK;
    }
    data->flags = 0;
    if (zw_pipe_write(out, data, 0) != ZW_OK) zw_frame_free(data);   /* checked: cannot fail */
    return ZW_OK;
}

static uint32_t stream_capacity(zw_socket_t *s) { return ZW_CAPACITY_UNBOUNDED; }

static uint32_t stream_flags(zw_socket_t *s) {
    return zw_fq_readable(&((stream_t *)s->priv)->fq) ? ZW_STATUS_READABLE : 0;
}

const zw_sockops_t zw_stream_ops = {
    .type = ZW_STREAM,
    .priv_size = sizeof(stream_t),
    .pipe_priv_size = sizeof(stream_peer_t),
    .peer_per_connection = 1,   /* ids follow connections (fuzz_core: stream_redial_relabels_old_messages) */
    .init = stream_init,
    .fini = stream_fini,
    .attach = stream_attach,
    .connected = stream_connected,
    .disconnected = stream_disconnected,
    .detach_in = stream_detach_in,
    .detach_out = stream_detach_out,
    .in_ready = stream_in_ready,
    .out_ready = zw_socket_nop_pipe,
    .inbound = stream_inbound,
    .send = stream_send,
    .recv = stream_recv,
    .capacity = stream_capacity,
    .flags = stream_flags,
};
