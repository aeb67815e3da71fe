/* zmtp.c — the ZMTP 3.x engine over a byte stream (tcp, ipc): greeting -> mechanism handshake ->
 * traffic; and the same engine as ZWS 2.0 over WebSocket messages (ws, wss; RFC 45). One
 * implementation of the engine interface (engine.h) for both, as they differ only in:
 *  - the header of a frame (wire/framing.h: ZWS's is the host's envelope length + flags byte);
 *  - ZWS has no greeting: the handshake starts at once. With the subprotocol `ZWS2.0/NULL` (or a
 *    mechanism's) it is the mechanism's, whose commands are built as ZMTP frames and re-laid as
 *    ZWS messages here (mech_flush); with plain `ZWS2.0` ("bare", what a browser can offer) there
 *    is no mechanism: each side's first message is its routing id, and no socket type is known;
 *  - over ZWS subscriptions always travel in the 0x01/0x00 message form, and a ZMTP PING is
 *    ignored (as libzmq does: heartbeats there are WebSocket pings, the host's).
 *
 * Input is appended to one buffer. Until READY it is processed eagerly in zw_engine_input (the
 * handshake must progress without anyone pulling); from READY on it is decoded only when the
 * session pulls with zw_engine_next, so a full pipe stops decoding and the buffer is the
 * backpressure. Output (greeting, handshake commands, encoded frames, PONGs) goes to one output
 * stream that the host drains with zw_engine_output / zw_engine_consume; large frame bodies stay
 * in their frames and are shown to the host from there (zmtp_out_t, encoder.h), not copied.
 */
#include "engine/engine.h"
#include "engine/impl.h"

#include <stdlib.h>
#include <string.h>

#include "mech/mech.h"
#include "wire/buf.h"
#include "wire/command.h"
#include "wire/decoder.h"
#include "wire/encoder.h"
#include "wire/greeting.h"
#include "wire/zmtp.h"
#include "zmqw.h"

/* --- host bodies on input ---------------------------------------------------------------------
 *
 * From READY on, a scanner follows the frame headers in the input as it arrives (before anything
 * is decoded: decoding is lazy). When zw_engine_input_refs meets the header of a large data
 * frame, it stops right after it and asks the host for the body: those bytes never enter this
 * engine. The traffic stream the engine sees is thus the input minus such bodies; positions below
 * count in it. Each such frame is queued with the position where its header ends; the decoder is
 * fed exactly up to there and completes the frame at its header (ZMTP_DEC_EXTERNAL), which becomes
 * a ref frame once the host has handed the body over. Scanner and decoder read the same header
 * bytes, so they agree; if they ever did not, the connection fails as malformed. */
typedef struct zmtp_ext {
    uint64_t start, end;   /* where the frame's header starts and ends in the traffic stream */
    uint32_t size;         /* body bytes (host body) */
    uint32_t id;           /* host body id; 0 until zw_engine_body */
} zmtp_ext_t;

typedef struct zmtp_scan {
    uint8_t on;            /* READY reached: following headers */
    uint8_t dead;          /* a malformed header: the decoder fails there; nothing more diverted */
    uint8_t hdr[ZW_HEADER_MAX], hdr_have;
    uint64_t frame_left;   /* body bytes of the frame being scanned still to come */
    uint64_t seen;         /* traffic bytes scanned */
    uint64_t decoded;      /* traffic bytes the decoder has consumed */
    uint32_t wanted;       /* a body asked of the host and not handed over yet (its size) */
    zmtp_ext_t *q;         /* ring of external frames, oldest first */
    uint32_t cap, head, count;
} zmtp_scan_t;

typedef struct zmtp_engine {
    zw_engine_t base;                     /* state, error (engine/impl.h) */
    zw_wire_t wire;                       /* ZMTP (byte stream) or ZWS (messages) */
    uint8_t bare;                         /* ZWS without mechanism: routing ids, no READY */
    zmtp_buf_t mech_out;                  /* ZWS: the mechanism's commands, as ZMTP frames */
    int peer_minor;                       /* peer's greeting minor, clamped to 0/1; after GREETING */
    zmtp_buf_t in;                        /* peer bytes not yet decoded */
    zmtp_out_t out;                       /* encoded bytes not yet taken by the host */
    zmtp_decoder_t dec;                   /* frame decoder; used from HANDSHAKE on */
    zmtp_mech_t mech;                     /* handshake state and its results (peer type, id) */
    uint8_t routing_id[ZMTP_IDENTITY_MAX]; /* ours (cfg copy), sent as Identity */
    zmtp_scan_t scan;                     /* traffic headers seen as input comes (host bodies) */
    const zw_body_host_t *bodies;         /* cfg->bodies */
    int32_t peer_ttl;                     /* largest TTL of the peer's PINGs since taken; -1 none */
} zmtp_engine_t;

static void engine_fail(zmtp_engine_t *e, int reason, const char *text) {
    if (e->base.state == ZW_ENGINE_ERROR)
        return;
    e->base.state = ZW_ENGINE_ERROR;
    e->base.err_reason = reason;
    e->base.err_text = text;
    /* Nothing more will be decoded: release input now. Output stays for the host to flush. */
    zmtp_buf_free(&e->in);
    zmtp_decoder_fini(&e->dec);
}

static const zw_engine_ops_t zmtp_ops;
static void zmtp_free(zmtp_engine_t *e);

/* Where the mechanism writes its commands: straight into the output over ZMTP; over ZWS into
 * mech_out, for mech_flush. */
static zmtp_buf_t *mech_buf(zmtp_engine_t *e) {
    return e->wire == ZW_WIRE_ZWS ? &e->mech_out : &e->out.buf;
}

/* ZWS: the mechanism's commands (whole ZMTP frames of our own making) go out as ZWS messages.
 * 0, or -1 when out of memory. */
static int mech_flush(zmtp_engine_t *e) {
    zmtp_buf_t *b = &e->mech_out;
    while (zmtp_buf_len(b)) {
        const uint8_t *h = zmtp_buf_head(b);
        unsigned need = 0;
        uint8_t fl = 0;
        uint64_t size = 0;
        const char *bad;
        if (zw_header_parse(ZW_WIRE_ZMTP, h, (unsigned)(zmtp_buf_len(b) < ZW_HEADER_MAX ? zmtp_buf_len(b) : ZW_HEADER_MAX),
                            &need, &fl, &size, &bad) != ZW_HEADER_DONE ||
            zw_encode_frame2(ZW_WIRE_ZWS, &e->out.buf, fl, NULL, 0, h + need, (size_t)size) != 0)
            return -1;
        zmtp_buf_consume(b, need + (size_t)size);
    }
    return 0;
}

zw_engine_t *zw_engine_zmtp_new(const zw_engine_cfg_t *cfg) {
    const zmtp_mech_ops_t *mech = zmtp_mech_find(cfg->mechanism);
    if (!mech)
        return NULL;
    zmtp_engine_t *e = calloc(1, sizeof *e);
    if (!e)
        return NULL;
    e->base.ops = &zmtp_ops;
    e->wire = cfg->kind == ZW_ENGINE_ZWS ? ZW_WIRE_ZWS : ZW_WIRE_ZMTP;
    e->bare = e->wire == ZW_WIRE_ZWS && cfg->bare;
    e->out.wire = e->wire;
    /* Over ZWS there is no greeting; subscriptions go in message form, as to a ZMTP 3.0 peer. */
    e->base.state = e->wire == ZW_WIRE_ZWS ? ZW_ENGINE_HANDSHAKE : ZW_ENGINE_GREETING;
    if (cfg->routing_id && cfg->routing_id_len)
        memcpy(e->routing_id, cfg->routing_id, cfg->routing_id_len);
    zmtp_decoder_init(&e->dec, cfg->max_msg_size, e->wire);
    e->bodies = cfg->bodies;
    e->peer_ttl = -1;

    zmtp_mech_t *m = &e->mech;
    m->ops = mech;
    m->socket_type = cfg->socket_type;
    m->routing_id = e->routing_id;
    m->routing_id_len = cfg->routing_id_len;
    m->as_server = 0;
    m->peer_type = -1;

    if (e->bare) {
        /* Our routing id (empty when none) is our first message (libzmq's ws_engine). */
        if (zw_encode_frame2(ZW_WIRE_ZWS, &e->out.buf, 0, NULL, 0, e->routing_id, cfg->routing_id_len) != 0)
            goto fail;
        return &e->base;
    }
    /* Both sides send greeting and first handshake command without waiting for the peer. */
    if (e->wire == ZW_WIRE_ZMTP) {
        if (zmtp_buf_reserve(&e->out.buf, ZMTP_GREETING_SIZE) != 0)
            goto fail;
        zmtp_greeting_build(zmtp_buf_tail(&e->out.buf), m->ops->name, m->as_server);
        e->out.buf.end += ZMTP_GREETING_SIZE;
    }
    if (m->ops->start(m, mech_buf(e)) == ZMTP_MECH_FAIL || mech_flush(e) != 0)
        goto fail;
    return &e->base;
fail:
    zmtp_free(e);
    return NULL;
}

static void zmtp_free(zmtp_engine_t *e) {
    if (!e)
        return;
    if (e->mech.ops && e->mech.ops->fini)
        e->mech.ops->fini(&e->mech);
    free(e->mech.peer_props);
    zmtp_decoder_fini(&e->dec);
    zmtp_buf_free(&e->in);
    zmtp_buf_free(&e->mech_out);
    zmtp_out_free(&e->out);
    /* Bodies handed over and not yet made frames are still the engine's: give them back. */
    for (uint32_t i = 0; i < e->scan.count; i++) {
        zmtp_ext_t *x = &e->scan.q[(e->scan.head + i) % e->scan.cap];
        if (x->id && e->bodies) e->bodies->release(e->bodies->ctx, x->id);
    }
    free(e->scan.q);
    free(e);
}

/* Room for one more external frame; -1 when out of memory (the frame then comes inline). */
static int ext_reserve(zmtp_scan_t *s) {
    if (s->count < s->cap) return 0;
    uint32_t cap = s->cap ? s->cap * 2 : 4;
    zmtp_ext_t *q = malloc((size_t)cap * sizeof *q);
    if (!q) return -1;
    for (uint32_t i = 0; i < s->count; i++) q[i] = s->q[(s->head + i) % s->cap];
    free(s->q);
    s->q = q;
    s->cap = cap;
    s->head = 0;
    return 0;
}

/* Follows headers over len traffic bytes at p. With divert, stops right after the header of a
 * data frame of ZW_BODY_MIN bytes or more within the limit, queues it and sets *body to its size.
 * Returns the bytes taken into the traffic stream. */
static size_t scan(zmtp_engine_t *e, const uint8_t *p, size_t len, int divert, uint32_t *body) {
    zmtp_scan_t *s = &e->scan;
    size_t i = 0;
    *body = 0;
    while (i < len && !s->dead) {
        if (s->frame_left) {
            size_t k = s->frame_left < len - i ? (size_t)s->frame_left : len - i;
            i += k;
            s->frame_left -= k;
            continue;
        }
        s->hdr[s->hdr_have++] = p[i++];
        unsigned need;
        uint8_t fl;
        uint64_t size;
        const char *bad;
        zw_header_status_t st = zw_header_parse(e->wire, s->hdr, s->hdr_have, &need, &fl, &size, &bad);
        if (st == ZW_HEADER_BAD) {
            s->dead = 1;
            break;
        }
        if (st == ZW_HEADER_MORE) continue;
        s->hdr_have = 0;
        if (divert && !(fl & ZMTP_FLAG_COMMAND) && size >= ZW_BODY_MIN &&
            size <= (uint64_t)e->dec.max_data && ext_reserve(s) == 0) {
            zmtp_ext_t *x = &s->q[(s->head + s->count++) % s->cap];
            x->end = s->seen + i;
            x->start = x->end - need;
            x->size = (uint32_t)size;
            x->id = 0;
            *body = (uint32_t)size;
            break;
        }
        s->frame_left = size;
    }
    if (s->dead) i = len;   /* the decoder will fail at that header; the rest is moot */
    s->seen += i;
    return i;
}

/* READY: the scanner starts on what is buffered already (it all stays inline). */
static void scan_start(zmtp_engine_t *e) {
    if (e->scan.on || e->base.state != ZW_ENGINE_READY) return;
    e->scan.on = 1;
    uint32_t none;
    (void)scan(e, zmtp_buf_head(&e->in), zmtp_buf_len(&e->in), 0, &none);
}

/* Bare ZWS: the peer's first message is its routing id (one data frame of at most 255 bytes,
 * possibly empty); then traffic. No socket type is exchanged: the peer's stays unknown (-1). */
static void bare_routing_id(zmtp_engine_t *e, zw_frame_t *f) {
    if ((f->flags & (ZW_FRAME_COMMAND | ZW_FRAME_MORE)) || f->size > ZMTP_IDENTITY_MAX) {
        engine_fail(e, ZW_CLOSE_PROTOCOL, "malformed routing id message");
    } else {
        if (f->size) memcpy(e->mech.peer_id, f->data, f->size);
        e->mech.peer_id_len = (uint8_t)f->size;
        e->base.state = ZW_ENGINE_READY;
    }
    zw_frame_free(f);
}

/* Runs the greeting and handshake over buffered input until READY, ERROR or lack of bytes. */
static void handshake(zmtp_engine_t *e) {
    if (e->base.state == ZW_ENGINE_GREETING) {
        zmtp_greeting_info_t info;
        int reason;
        const char *text;
        switch (zmtp_greeting_check(zmtp_buf_head(&e->in), zmtp_buf_len(&e->in),
                                    e->mech.ops->name, &info, &reason, &text)) {
        case ZMTP_GREETING_NEED_MORE: return;
        case ZMTP_GREETING_FAIL: engine_fail(e, reason, text); return;
        case ZMTP_GREETING_DONE: break;
        }
        zmtp_buf_consume(&e->in, ZMTP_GREETING_SIZE);
        e->peer_minor = info.minor >= 1 ? 1 : 0;
        e->mech.peer_as_server = info.as_server;
        e->base.state = ZW_ENGINE_HANDSHAKE;
    }
    while (e->base.state == ZW_ENGINE_HANDSHAKE) {
        size_t used;
        zw_frame_t *f;
        zmtp_dec_result_t rc =
            zmtp_decoder_decode(&e->dec, zmtp_buf_head(&e->in), zmtp_buf_len(&e->in), &used, &f);
        zmtp_buf_consume(&e->in, used);
        if (rc != ZMTP_DEC_OK) {
            engine_fail(e, e->dec.reason, e->dec.text);
            return;
        }
        if (!f)
            return;
        if (e->bare) {
            bare_routing_id(e, f);
            continue;
        }
        if (!(f->flags & ZW_FRAME_COMMAND)) {
            zw_frame_free(f);
            engine_fail(e, ZW_CLOSE_PROTOCOL, "data frame before handshake completed");
            return;
        }
        zmtp_mech_status_t st = e->mech.ops->process(&e->mech, f->data, f->size, mech_buf(e));
        zw_frame_free(f);
        if (mech_flush(e) != 0)
            engine_fail(e, ZW_CLOSE_NO_MEMORY, "out of memory");
        else if (st == ZMTP_MECH_FAIL)
            engine_fail(e, e->mech.reason, e->mech.text);
        else if (st == ZMTP_MECH_DONE)
            e->base.state = ZW_ENGINE_READY;
    }
}

/* `back` (input_refs, before READY): set to how many bytes at the end of data were not taken
 * because they follow READY; they must come again, through the scanner, so that a large frame
 * right after the handshake still leaves its body to the host. NULL: everything is taken. */
static int zmtp_input(zmtp_engine_t *e, const uint8_t *data, uint32_t len, uint32_t *back) {
    if (e->base.state == ZW_ENGINE_ERROR)
        return ZW_EPROTO;
    /* A large body in progress and nothing queued before it: copy straight into the frame
     * instead of through the buffer. Stop one byte short, so the frame is completed (and handed
     * out) by zw_engine_next, which keeps this call free of frames to hold. len == 0 skips this:
     * data may then be NULL, and NULL + 0 is undefined. */
    if (len && e->base.state == ZW_ENGINE_READY && zmtp_buf_len(&e->in) == 0) {
        uint32_t missing = zmtp_decoder_body_missing(&e->dec);
        if (missing > 1) {
            uint32_t n = len < missing - 1 ? len : missing - 1;
            size_t used;
            zw_frame_t *f;
            /* Body bytes only, so the one possible failure is growing the frame's storage. */
            if (zmtp_decoder_decode(&e->dec, data, n, &used, &f) != ZMTP_DEC_OK) {
                engine_fail(e, e->dec.reason, e->dec.text);
                return ZW_EPROTO;
            }
            e->scan.decoded += used;
            data += used;
            len -= (uint32_t)used;
        }
    }
    if (zmtp_buf_append(&e->in, data, len) != 0) {
        engine_fail(e, ZW_CLOSE_NO_MEMORY, "out of memory");
        return ZW_EPROTO;
    }
    if (e->base.state != ZW_ENGINE_READY) {
        handshake(e);
        if (back && e->base.state == ZW_ENGINE_READY) {
            /* READY ended in this data, so every byte buffered after it came with this call */
            size_t rest = zmtp_buf_len(&e->in);
            if (rest > len) rest = len;
            e->in.end -= rest;
            *back = (uint32_t)rest;
        }
        scan_start(e);
    }
    return e->base.state == ZW_ENGINE_ERROR ? ZW_EPROTO : ZW_OK;
}

/* Traffic bytes (READY) go through the scanner first; with divert it may stop at a body. */
static int zmtp_input_scanned(zmtp_engine_t *e, const uint8_t *data, uint32_t len, int divert,
                              uint32_t *used, uint32_t *body) {
    *used = len;
    *body = 0;
    if (e->base.state == ZW_ENGINE_ERROR) return ZW_EPROTO;
    if (e->scan.wanted) return ZW_EINVAL;   /* the body asked for comes first */
    if (!e->scan.on) {
        uint32_t back = 0;
        int rc = zmtp_input(e, data, len, divert ? &back : NULL);
        *used = len - back;
        return rc;
    }
    uint32_t n = len ? (uint32_t)scan(e, data, len, divert, body) : 0;
    int rc = zmtp_input(e, data, n, NULL);
    if (rc != ZW_OK) {
        *body = 0;
        return rc;
    }
    *used = n;
    e->scan.wanted = *body;
    return ZW_OK;
}

static int zmtp_body(zmtp_engine_t *e, uint32_t id) {
    zmtp_scan_t *s = &e->scan;
    if (!s->wanted || !id) return ZW_EINVAL;
    s->q[(s->head + s->count - 1) % s->cap].id = id;
    s->wanted = 0;
    return ZW_OK;
}

static int queue_pong(zmtp_engine_t *e, const zmtp_cmd_t *c) {
    if (c->data_len < ZMTP_PING_TTL_LEN) {
        engine_fail(e, ZW_CLOSE_PROTOCOL, "malformed PING");
        return -1;
    }
    int32_t ttl = (int32_t)((uint32_t)c->data[0] << 8 | c->data[1]);
    if (ttl > e->peer_ttl) e->peer_ttl = ttl;
    uint32_t ctx_len = c->data_len - ZMTP_PING_TTL_LEN;
    if (ctx_len > ZMTP_PING_MAX_CONTEXT)
        ctx_len = ZMTP_PING_MAX_CONTEXT;  /* as libzmq: echo at most 16 bytes */
    if (zmtp_cmd_write(&e->out.buf, ZMTP_CMD_PONG, c->data + ZMTP_PING_TTL_LEN, ctx_len) != 0) {
        engine_fail(e, ZW_CLOSE_NO_MEMORY, "out of memory");
        return -1;
    }
    return 0;
}

/* A command after the handshake: returns the frame to hand up (rewritten in place), or NULL
 * when it was consumed here (f freed either way unless returned). */
static zw_frame_t *traffic_command(zmtp_engine_t *e, zw_frame_t *f) {
    zmtp_cmd_t c;
    if (zmtp_cmd_parse(f->data, f->size, &c) != 0) {
        zw_frame_free(f);
        engine_fail(e, ZW_CLOSE_PROTOCOL, "malformed command");
        return NULL;
    }
    uint32_t sub = 0;
    if (zmtp_cmd_is(&c, ZMTP_CMD_SUBSCRIBE, ZMTP_CMD_SUBSCRIBE_LEN))
        sub = ZW_FRAME_SUBSCRIBE;
    else if (zmtp_cmd_is(&c, ZMTP_CMD_CANCEL, ZMTP_CMD_CANCEL_LEN))
        sub = ZW_FRAME_CANCEL;
    if (sub) {
        /* Strip the name in place: the body becomes the prefix, no allocation. */
        uint32_t n = c.data_len;
        memmove(f->data, c.data, n);
        f->size = n;
        f->flags = sub;
        return f;
    }
    if (e->wire == ZW_WIRE_ZMTP && zmtp_cmd_is(&c, ZMTP_CMD_PING, ZMTP_CMD_PING_LEN))
        queue_pong(e, &c);
    /* PONG only proves liveness; other commands (unknown, late READY) are dropped. */
    zw_frame_free(f);
    return NULL;
}

/* The external frame the decoder just completed at its header, as a ref frame; NULL while its
 * body is still with the host (or on failure: see the state). */
static zw_frame_t *take_external(zmtp_engine_t *e) {
    zmtp_scan_t *s = &e->scan;
    zmtp_ext_t *x = s->count ? &s->q[s->head] : NULL;
    if (!x || s->decoded != x->end || e->dec.size != x->size) {
        engine_fail(e, ZW_CLOSE_PROTOCOL, "malformed frame");
        return NULL;
    }
    if (!x->id)
        return NULL;
    uint32_t more = (e->dec.wire_flags & ZMTP_FLAG_MORE) ? ZW_FRAME_MORE : 0;
    zw_frame_t *f = e->bodies ? zw_frame_ref(e->bodies, x->id, x->size, more) : NULL;
    if (!f) {
        engine_fail(e, ZW_CLOSE_NO_MEMORY, "out of memory");   /* x->id is released at free */
        return NULL;
    }
    s->head = (s->head + 1) % s->cap;
    s->count--;
    zmtp_decoder_external_done(&e->dec);
    return f;
}

static zw_frame_t *zmtp_next(zmtp_engine_t *e) {
    while (e->base.state == ZW_ENGINE_READY) {
        if (e->dec.state == ZMTP_DEC_EXTERNAL)
            return take_external(e);
        /* Up to the next external frame's header, then exactly its header. */
        size_t feed = zmtp_buf_len(&e->in);
        const zmtp_ext_t *x = e->scan.count ? &e->scan.q[e->scan.head] : NULL;
        if (x) {
            if (e->scan.decoded > x->end) {   /* passed it: scanner and decoder disagree */
                engine_fail(e, ZW_CLOSE_PROTOCOL, "malformed frame");
                return NULL;
            }
            uint64_t to = e->scan.decoded < x->start ? x->start : x->end;
            if (to - e->scan.decoded < feed) feed = (size_t)(to - e->scan.decoded);
            e->dec.external = e->scan.decoded >= x->start;
        }
        size_t used;
        zw_frame_t *f;
        zmtp_dec_result_t rc = zmtp_decoder_decode(&e->dec, zmtp_buf_head(&e->in), feed, &used, &f);
        zmtp_buf_consume(&e->in, used);
        e->scan.decoded += used;
        e->dec.external = 0;
        if (rc != ZMTP_DEC_OK) {
            engine_fail(e, e->dec.reason, e->dec.text);
            return NULL;
        }
        if (e->dec.state == ZMTP_DEC_EXTERNAL) continue;
        if (!f)
            return NULL;
        if (!(f->flags & ZW_FRAME_COMMAND))
            return f;
        f = traffic_command(e, f);
        if (f)
            return f;
    }
    return NULL;
}

static int zmtp_write(zmtp_engine_t *e, zw_frame_t *f) {
    if (e->base.state != ZW_ENGINE_READY) {
        zw_frame_free(f);
        return e->base.state == ZW_ENGINE_ERROR ? ZW_EPROTO : ZW_EFSM;
    }
    int rc;
    if (f->flags & (ZW_FRAME_SUBSCRIBE | ZW_FRAME_CANCEL)) {
        int subscribe = (f->flags & ZW_FRAME_SUBSCRIBE) != 0;
        if (e->wire == ZW_WIRE_ZMTP && e->peer_minor >= 1) {
            /* ZMTP 3.1: a SUBSCRIBE / CANCEL command. */
            static const uint8_t sub_head[] = {ZMTP_CMD_SUBSCRIBE_LEN, 'S', 'U', 'B', 'S', 'C',
                                               'R', 'I', 'B', 'E'};
            static const uint8_t cancel_head[] = {ZMTP_CMD_CANCEL_LEN, 'C', 'A', 'N', 'C', 'E', 'L'};
            rc = subscribe ? zmtp_encode_frame2(&e->out.buf, ZMTP_FLAG_COMMAND, sub_head,
                                                sizeof sub_head, f->data, f->size)
                           : zmtp_encode_frame2(&e->out.buf, ZMTP_FLAG_COMMAND, cancel_head,
                                                sizeof cancel_head, f->data, f->size);
        } else {
            /* ZMTP 3.0, and ZWS: a one-frame message 0x01/0x00 + prefix. */
            uint8_t head = subscribe ? ZMTP_SUB_MSG_SUBSCRIBE : ZMTP_SUB_MSG_CANCEL;
            rc = zw_encode_frame2(e->wire, &e->out.buf, 0, &head, 1, f->data, f->size);
        }
    } else {
        uint8_t fl = (f->flags & ZW_FRAME_COMMAND) ? ZMTP_FLAG_COMMAND
                     : (f->flags & ZW_FRAME_MORE)  ? ZMTP_FLAG_MORE
                                                   : 0;
        rc = zmtp_out_frame(&e->out, fl, f);  /* takes f */
        f = NULL;
    }
    zw_frame_free(f);
    if (rc != 0) {
        engine_fail(e, ZW_CLOSE_NO_MEMORY, "out of memory");
        return ZW_ENOMEM;
    }
    return ZW_OK;
}

static uint32_t zmtp_pending(const zmtp_engine_t *e) {
    uint64_t n = zmtp_out_pending(&e->out);
    return n > UINT32_MAX ? UINT32_MAX : (uint32_t)n;
}

static const uint8_t *zmtp_output(zmtp_engine_t *e, uint32_t max, uint32_t *out_len,
                                  uint32_t *out_body) {
    return zmtp_out_view(&e->out, max, out_len, out_body);
}

static void zmtp_consume(zmtp_engine_t *e, uint32_t n) { zmtp_out_consume(&e->out, n); }

static void zmtp_peer(const zmtp_engine_t *e, zw_engine_peer_t *out) {
    out->socket_type = e->mech.peer_type;
    out->zmtp_minor = e->peer_minor;
    out->routing_id = e->mech.peer_id;
    out->routing_id_len = e->mech.peer_id_len;
    out->props = e->mech.peer_props;
    out->props_len = e->mech.peer_props_len;
}

/* The interface's entry points: each gets the zw_engine_t that zw_engine_zmtp_new made, the
 * first member of a zmtp_engine_t. */
#define SELF(b) ((zmtp_engine_t *)(void *)(b))
static void op_free(zw_engine_t *b) { zmtp_free(SELF(b)); }
static int op_input(zw_engine_t *b, const uint8_t *d, uint32_t n) {
    uint32_t used, body;
    return zmtp_input_scanned(SELF(b), d, n, 0, &used, &body);
}
static int op_input_refs(zw_engine_t *b, const uint8_t *d, uint32_t n, uint32_t *used, uint32_t *body) {
    return zmtp_input_scanned(SELF(b), d, n, 1, used, body);
}
static int op_body(zw_engine_t *b, uint32_t id) { return zmtp_body(SELF(b), id); }
static zw_frame_t *op_next(zw_engine_t *b) { return zmtp_next(SELF(b)); }
static int op_write(zw_engine_t *b, zw_frame_t *f) { return zmtp_write(SELF(b), f); }
static uint32_t op_pending(const zw_engine_t *b) { return zmtp_pending((const zmtp_engine_t *)(const void *)b); }
static const uint8_t *op_output(zw_engine_t *b, uint32_t max, uint32_t *n, uint32_t *body) { return zmtp_output(SELF(b), max, n, body); }
static void op_consume(zw_engine_t *b, uint32_t n) { zmtp_consume(SELF(b), n); }
static void op_peer(const zw_engine_t *b, zw_engine_peer_t *out) { zmtp_peer((const zmtp_engine_t *)(const void *)b, out); }

/* Over ZWS the WebSocket pings (the host's), as libzmq's ws engine does: no PING command. */
static int op_ping(zw_engine_t *b, uint16_t ttl_ds) {
    zmtp_engine_t *e = (zmtp_engine_t *)(void *)b;
    if (e->wire != ZW_WIRE_ZMTP) return ZW_ENOTSUP;
    const uint8_t ttl[ZMTP_PING_TTL_LEN] = {(uint8_t)(ttl_ds >> 8), (uint8_t)ttl_ds};
    if (zmtp_cmd_write(&e->out.buf, ZMTP_CMD_PING, ttl, sizeof ttl) != 0) {
        engine_fail(e, ZW_CLOSE_NO_MEMORY, "out of memory");
        return ZW_ENOMEM;
    }
    return ZW_OK;
}

static int op_take_peer_ttl(zw_engine_t *b) {
    zmtp_engine_t *e = (zmtp_engine_t *)(void *)b;
    int ttl = e->peer_ttl;
    e->peer_ttl = -1;
    return ttl;
}

static const zw_engine_ops_t zmtp_ops = {
    .name = "ZMTP",
    .free = op_free,
    .input = op_input,
    .input_refs = op_input_refs,
    .body = op_body,
    .next = op_next,
    .write = op_write,
    .pending = op_pending,
    .output = op_output,
    .consume = op_consume,
    .peer = op_peer,
    .ping = op_ping,
    .take_peer_ttl = op_take_peer_ttl,
};
