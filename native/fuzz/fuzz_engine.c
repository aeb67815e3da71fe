/* fuzz_engine.c — one zw_engine per socket type, talking to a peer made of fuzzer bytes.
 *
 * Input: [type] [cfg] then a program of operations, each one byte plus its arguments:
 *   type: our socket type (all twelve of zmqw.h, and two that do not exist)
 *   cfg:  routing id length, max_msg_size, and whether the peer stream starts with a valid
 *         greeting (3.0 or 3.1) + READY of a compatible type (so traffic states are reached)
 *   ops:  append raw bytes or well-formed frames (data, MORE, SUBSCRIBE/CANCEL, PING, PONG, late
 *         READY, ERROR, unknown commands, 3.0 subscriptions) to the peer stream; feed the next k
 *         bytes of it; pull frames (zw_engine_next); write frames (zw_engine_write); take output
 *         with zw_engine_output / zw_engine_consume in views of various sizes.
 *   A STREAM socket's engine is the raw one: every read must come out as one frame, as it came,
 *   and every body written must go out as it is, with nothing around it.
 * Checks: states only move forward; input/write return codes; frames handed up carry only
 * documented flags and fit max_msg_size; the handshake result is a compatible peer; output views
 * are bounded and pending counts add up; and what we sent decodes (with the real decoder) as our
 * greeting, our READY, then exactly the frames written, in order, PONGs aside. No frame leaks.
 */
#include "fuzz.h"

#include "base/frame.h"
#include "engine/engine.h"
#include "wire/decoder.h"
#include "wire/encoder.h"

static const int types[] = {ZW_PAIR, ZW_PUB, ZW_SUB, ZW_REQ, ZW_REP, ZW_DEALER, ZW_ROUTER,
                            ZW_PULL, ZW_PUSH, ZW_XPUB, ZW_XSUB, ZW_STREAM, -1, 77};
static const int64_t maxes[] = {-1, 0, 1, 255, 256, 8192, 65536, INT64_MAX};

#define MAX_EXPECT 512

typedef struct expect {
    uint8_t wire_flags;   /* ZMTP_FLAG_MORE / ZMTP_FLAG_COMMAND as they must appear */
    uint32_t size;
    uint64_t hash;
} expect_t;

#define MAX_READS 1024

typedef struct harness {
    zw_engine_t *e;
    int raw;                    /* a STREAM socket's raw engine: reads are frames, no handshake */
    uint32_t read_len[MAX_READS];   /* raw: the reads not yet pulled, as frames must come */
    uint64_t read_hash[MAX_READS];
    int read_head, read_n, reads_lost;
    zmtp_buf_t raw_out;         /* raw: every body written, as the output must read */
    int type;
    int64_t max;
    uint8_t id[255];
    uint8_t id_len;
    int state;
    zmtp_buf_t peer;            /* peer stream not yet fed */
    zmtp_buf_t sent;            /* every output byte taken, in order */
    int sent_gaps;              /* consumed bytes never shown: the stream cannot be checked */
    expect_t exp[MAX_EXPECT];   /* frames written, as they must appear on the wire */
    int nexp;
    int exp_lost;               /* more than MAX_EXPECT written */
    uint8_t scratch[131072 + 16];
} harness_t;

static harness_t H;

static uint64_t fnv2(const uint8_t *a, size_t na, const uint8_t *b, size_t nb) {
    return fz_hash(a, na, b, nb);
}

static void check_state(harness_t *h) {
    int st = zw_engine_state(h->e);
    FZ_CHECK(st >= ZW_ENGINE_GREETING && st <= ZW_ENGINE_ERROR);
    FZ_CHECK(st >= h->state);   /* GREETING -> HANDSHAKE -> READY -> ERROR, never back */
    if (h->raw) {
        /* READY from its creation; a raw peer says nothing of itself. */
        FZ_CHECK(st == ZW_ENGINE_READY || st == ZW_ENGINE_ERROR);
        zw_engine_peer_t pe;
        zw_engine_peer(h->e, &pe);
        FZ_CHECK(pe.socket_type == -1 && pe.routing_id_len == 0 && pe.props_len == 0);
    } else if (st == ZW_ENGINE_READY && h->state != ZW_ENGINE_READY) {
        int peer = zw_engine_peer_type(h->e);
        FZ_CHECK(zw_socket_types_compatible(h->type, peer));
        FZ_CHECK(zw_engine_peer_minor(h->e) == 0 || zw_engine_peer_minor(h->e) == 1);
        uint8_t n = 0;
        const uint8_t *id = zw_engine_peer_identity(h->e, &n);
        if (n) fz_touch(id, n);
        zw_engine_peer_t pe;
        zw_engine_peer(h->e, &pe);
        FZ_CHECK(pe.socket_type == peer && pe.zmtp_minor == zw_engine_peer_minor(h->e));
        FZ_CHECK(pe.routing_id_len == n && (n == 0 || memcmp(pe.routing_id, id, n) == 0));
        if (pe.props_len) fz_touch(pe.props, pe.props_len);
    }
    const char *text = NULL;
    int reason = zw_engine_error(h->e, &text);
    FZ_CHECK(text != NULL);
    if (st == ZW_ENGINE_ERROR) {
        FZ_CHECK(reason >= ZW_CLOSE_PROTOCOL && reason <= FZ_CLOSE_MAX);
        FZ_CHECK(text[0] != '\0');
    } else {
        FZ_CHECK(reason == ZW_CLOSE_NONE);
    }
    h->state = st;
}

/* Feeds the next n bytes of the peer stream (in one call). */
static void feed(harness_t *h, size_t n) {
    size_t have = zmtp_buf_len(&h->peer);
    if (n > have) n = have;
    const uint8_t *p = n ? zmtp_buf_head(&h->peer) : (FUZZ_AVOID_NULL_INPUT ? h->scratch : NULL);
    int before = zw_engine_state(h->e);
    int rc = zw_engine_input(h->e, p, (uint32_t)n);
    FZ_CHECK(rc == ZW_OK || rc == ZW_EPROTO);
    if (h->raw && n && before == ZW_ENGINE_READY && rc == ZW_OK) {
        /* Each read is one frame, as it came (an empty read is none). */
        if (h->read_n == MAX_READS) {
            h->reads_lost = 1;
        } else {
            int i = (h->read_head + h->read_n++) % MAX_READS;
            h->read_len[i] = (uint32_t)n;
            h->read_hash[i] = fz_hash(p, n, NULL, 0);
        }
    }
    if (n) zmtp_buf_consume(&h->peer, n);
    check_state(h);
    FZ_CHECK((rc == ZW_EPROTO) == (h->state == ZW_ENGINE_ERROR));
}

static void pull(harness_t *h, int k) {
    for (int i = 0; k == 0 || i < k; i++) {
        zw_frame_t *f = zw_engine_next(h->e);
        check_state(h);
        if (!f) break;
        FZ_CHECK(h->state == ZW_ENGINE_READY);
        FZ_CHECK(f->next == NULL);
        if (h->raw) {
            FZ_CHECK(f->flags == 0 && f->size > 0);
            if (!h->reads_lost) {
                FZ_CHECK(h->read_n > 0);
                FZ_CHECK(f->size == h->read_len[h->read_head]);
                FZ_CHECK(fz_hash(f->data, f->size, NULL, 0) == h->read_hash[h->read_head]);
                h->read_head = (h->read_head + 1) % MAX_READS;
                h->read_n--;
            }
        } else if (f->flags & (ZW_FRAME_SUBSCRIBE | ZW_FRAME_CANCEL)) {
            FZ_CHECK(f->flags == ZW_FRAME_SUBSCRIBE || f->flags == ZW_FRAME_CANCEL);
        } else {
            FZ_CHECK((f->flags & ~(uint32_t)ZW_FRAME_MORE) == 0);   /* commands stay inside */
            int64_t lim = h->max < 0 || h->max > INT32_MAX ? INT32_MAX : h->max;
            FZ_CHECK(f->size <= lim);
        }
        fz_touch(f->data, f->size);
        zw_frame_free(f);
    }
}

/* Takes one view of up to max bytes and consumes n of them (n > view: the rest unseen). */
static void take(harness_t *h, uint32_t max, uint32_t n, int all) {
    uint32_t before = zw_engine_pending(h->e), len = 0xdeadbeef;
    const uint8_t *p = zw_engine_output(h->e, max, &len, NULL);
    FZ_CHECK(p != NULL);
    FZ_CHECK(len <= max && len <= before);
    if (before && max) FZ_CHECK(len > 0);   /* something pending: a view shows some of it */
    if (all) n = len;
    if (len) fz_touch(p, len);
    uint32_t shown = n < len ? n : len;
    if (!h->sent_gaps && zmtp_buf_append(&h->sent, p, shown) != 0) h->sent_gaps = 1;
    if (n > len) h->sent_gaps = 1;
    if (h->raw && FUZZ_AVOID_RAW_OVERCONSUME && n > before) n = before;
    zw_engine_consume(h->e, n);
    uint32_t after = zw_engine_pending(h->e);
    FZ_CHECK(after == (n >= before ? 0 : before - n));
    check_state(h);
}

static void expect(harness_t *h, uint8_t wire_flags, const uint8_t *a, size_t na,
                   const uint8_t *b, size_t nb) {
    if (h->nexp == MAX_EXPECT) {
        h->exp_lost = 1;
        return;
    }
    h->exp[h->nexp++] = (expect_t){wire_flags, (uint32_t)(na + nb), fnv2(a, na, b, nb)};
}

static void write_frame(harness_t *h, fz_t *in) {
    uint8_t kind = fz_u8(in);
    uint32_t size = fz_size(in);
    zw_frame_t *f = zw_frame_new(size);
    FZ_CHECK(f != NULL);
    uint8_t seed = fz_u8(in);
    fz_fill(f->data, size, seed, 7);
    switch (kind % 4) {
    case 0: f->flags = 0; break;
    case 1: f->flags = ZW_FRAME_MORE; break;
    case 2: f->flags = ZW_FRAME_SUBSCRIBE; break;
    default: f->flags = ZW_FRAME_CANCEL; break;
    }
    int ready = h->state == ZW_ENGINE_READY;
    int minor = ready ? zw_engine_peer_minor(h->e) : 0;
    if (h->raw) {
        /* Raw: every body goes out as it is; a STREAM never writes subscriptions. */
        f->flags &= ZW_FRAME_MORE;
        if (ready) zmtp_buf_append(&h->raw_out, f->data, size);
        int rc = zw_engine_write(h->e, f);
        if (ready) FZ_CHECK(rc == ZW_OK);
        else FZ_CHECK(rc == ZW_EPROTO);
        check_state(h);
        return;
    }
    if (ready) {
        if (f->flags == ZW_FRAME_SUBSCRIBE || f->flags == ZW_FRAME_CANCEL) {
            int sub = f->flags == ZW_FRAME_SUBSCRIBE;
            if (minor >= 1) {
                const char *name = sub ? "\x09SUBSCRIBE" : "\x06" "CANCEL";
                expect(h, ZMTP_FLAG_COMMAND, (const uint8_t *)name, strlen(name), f->data, size);
            } else {
                uint8_t head = sub ? ZMTP_SUB_MSG_SUBSCRIBE : ZMTP_SUB_MSG_CANCEL;
                expect(h, 0, &head, 1, f->data, size);
            }
        } else {
            expect(h, f->flags ? ZMTP_FLAG_MORE : 0, f->data, size, NULL, 0);
        }
    }
    int rc = zw_engine_write(h->e, f);   /* takes f in every case */
    if (ready) FZ_CHECK(rc == ZW_OK);
    else FZ_CHECK(rc == (h->state == ZW_ENGINE_ERROR ? ZW_EPROTO : ZW_EFSM));
    check_state(h);
}

/* Appends well-formed frames to the peer stream. */
static void peer_frames(harness_t *h, fz_t *in) {
    int n = 1 + fz_u8(in) % 4;
    for (int i = 0; i < n; i++) {
        uint8_t kind = fz_u8(in);
        uint32_t size = fz_size(in);
        size_t got = 0;
        const uint8_t *body = fz_bytes(in, size < 64 ? size : 64, &got);
        uint8_t *b = h->scratch;
        /* Body: what the input gave, then a pattern to the size asked for. */
        memcpy(b, body, got);
        if (size > got) fz_fill(b + got, size - got, (uint8_t)got, 1);
        const char *cmd = NULL;
        uint8_t fl = 0;
        switch (kind % 10) {
        case 0: fl = 0; break;
        case 1: fl = ZMTP_FLAG_MORE; break;
        case 2: cmd = ZMTP_CMD_SUBSCRIBE; break;
        case 3: cmd = ZMTP_CMD_CANCEL; break;
        case 4: cmd = ZMTP_CMD_PING; break;
        case 5: cmd = ZMTP_CMD_PONG; break;
        case 6: cmd = ZMTP_CMD_READY; break;
        case 7: cmd = ZMTP_CMD_ERROR; break;
        case 8: cmd = "X-UNKNOWN"; break;
        default: {   /* a 3.0 subscription message */
            uint8_t head = (kind >> 4) & 1;
            zmtp_encode_frame2(&h->peer, 0, &head, 1, b, size);
            continue;
        }
        }
        if (cmd) zmtp_cmd_write(&h->peer, cmd, b, size);
        else zmtp_encode_frame(&h->peer, fl, b, size);
    }
}

/* Decodes everything we sent and compares it with what was written. */
static void verify_sent(harness_t *h) {
    if (h->sent_gaps) return;
    if (h->raw) {
        FZ_CHECK(zmtp_buf_len(&h->sent) == zmtp_buf_len(&h->raw_out));
        FZ_CHECK(zmtp_buf_len(&h->sent) == 0 ||
                 memcmp(zmtp_buf_head(&h->sent), zmtp_buf_head(&h->raw_out),
                        zmtp_buf_len(&h->sent)) == 0);
        return;
    }
    const uint8_t *s = zmtp_buf_head(&h->sent);
    size_t n = zmtp_buf_len(&h->sent), pos = ZMTP_GREETING_SIZE;
    if (n < ZMTP_GREETING_SIZE) return;
    zmtp_greeting_info_t info;
    int reason;
    const char *text;
    FZ_CHECK(zmtp_greeting_check(s, n, ZMTP_MECH_NULL, &info, &reason, &text) ==
             ZMTP_GREETING_DONE);
    FZ_CHECK(info.major == 3 && info.minor == 1);
    zmtp_decoder_t d;
    zmtp_decoder_init(&d, -1);
    int nframe = 0, next = 0;
    while (pos < n) {
        size_t used;
        zw_frame_t *f;
        FZ_CHECK(zmtp_decoder_decode(&d, s + pos, n - pos, &used, &f) == ZMTP_DEC_OK);
        pos += used;
        if (!f) break;
        if (nframe++ == 0) {
            /* Our READY: Socket-Type is ours. */
            zmtp_cmd_t c;
            FZ_CHECK(f->flags == ZW_FRAME_COMMAND);
            FZ_CHECK(zmtp_cmd_parse(f->data, f->size, &c) == 0);
            FZ_CHECK(zmtp_cmd_is(&c, ZMTP_CMD_READY, ZMTP_CMD_READY_LEN));
            if (h->type >= 0 && h->type < 12) {
                const char *name = fz_type_names[h->type];
                size_t nl = strlen(name);
                FZ_CHECK(c.data_len >= 1 + 11 + 4 + nl);
                FZ_CHECK(memcmp(c.data + 1 + 11 + 4, name, nl) == 0);
            }
        } else {
            zmtp_cmd_t c;
            if (f->flags == ZW_FRAME_COMMAND && zmtp_cmd_parse(f->data, f->size, &c) == 0 &&
                zmtp_cmd_is(&c, ZMTP_CMD_PONG, ZMTP_CMD_PONG_LEN)) {
                FZ_CHECK(c.data_len <= ZMTP_PING_MAX_CONTEXT);
            } else {
                FZ_CHECK(next < h->nexp || h->exp_lost);
                if (next < h->nexp) {
                    const expect_t *x = &h->exp[next++];
                    uint8_t fl = (f->flags & ZW_FRAME_MORE ? ZMTP_FLAG_MORE : 0) |
                                 (f->flags & ZW_FRAME_COMMAND ? ZMTP_FLAG_COMMAND : 0);
                    FZ_CHECK(fl == x->wire_flags);
                    FZ_CHECK(f->size == x->size);
                    FZ_CHECK(fnv2(f->data, f->size, NULL, 0) == x->hash);
                }
            }
        }
        zw_frame_free(f);
    }
    FZ_CHECK(pos == n && d.state == ZMTP_DEC_FLAGS);   /* we never send half a frame */
    FZ_CHECK(nframe >= 1);
    if (!h->exp_lost) FZ_CHECK(next == h->nexp);
    zmtp_decoder_fini(&d);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    fz_t in = {data, size, 0};
    harness_t *h = &H;
    int64_t live0 = zw_frame_live();
    /* Emptied, not freed: fresh pages for every input cost more than the whole run. */
    h->peer.start = h->peer.end = 0;
    h->sent.start = h->sent.end = 0;
    h->raw_out.start = h->raw_out.end = 0;
    h->read_head = h->read_n = h->reads_lost = 0;
    h->sent_gaps = h->nexp = h->exp_lost = 0;
    h->state = ZW_ENGINE_GREETING;

    uint8_t tb = fz_u8(&in);
    h->type = types[tb % (sizeof types / sizeof types[0])];
    uint8_t cfg = fz_u8(&in);
    static const uint8_t id_lens[] = {0, 0, 5, 255};
    h->id_len = id_lens[cfg & 3];
    for (int i = 0; i < h->id_len; i++) h->id[i] = (uint8_t)(i + 1);
    h->max = maxes[(cfg >> 2) & 7];
    if (FUZZ_AVOID_HUGE_ALLOC && (h->max < 0 || h->max > FUZZ_SIZE_CAP)) h->max = FUZZ_SIZE_CAP;
    zw_engine_cfg_t ec = {.socket_type = h->type,
                          .routing_id = h->id_len ? h->id : NULL,
                          .routing_id_len = h->id_len,
                          .max_msg_size = h->max,
                          .kind = h->type == ZW_STREAM ? ZW_ENGINE_RAW : ZW_ENGINE_ZMTP,
                          .mechanism = ZW_MECH_NULL};
    if (tb >= 224) {
        /* Kinds and mechanisms this build may not have: NULL, or an engine that frees cleanly. */
        static const int kinds[] = {ZW_ENGINE_ZWS, ZW_ENGINE_RAW, 7}, mechs[] = {1, 2, 9};
        zw_engine_cfg_t odd = ec;
        odd.kind = (zw_engine_kind_t)kinds[tb % 3];
        zw_engine_free(zw_engine_new(&odd));
        odd.kind = ZW_ENGINE_ZMTP;
        odd.mechanism = (zw_mechanism_t)mechs[tb % 3];
        zw_engine_free(zw_engine_new(&odd));
    }
    h->raw = ec.kind == ZW_ENGINE_RAW;
    h->state = h->raw ? ZW_ENGINE_READY : ZW_ENGINE_GREETING;
    h->e = zw_engine_new(&ec);
    FZ_CHECK(h->e != NULL);
    check_state(h);
    if (cfg & 0x20) {
        uint8_t pick = fz_u8(&in);
        int peer = fz_compatible_type(h->type, pick);
        static const uint8_t pid[] = {'p', 'e', 'e', 'r'};
        fz_peer_hello(&h->peer, (cfg & 0x40) ? 1 : 0, pick >> 7, peer, pid,
                      (cfg & 0x80) ? sizeof pid : 0);
    }

    while (fz_left(&in)) {
        uint8_t op = fz_u8(&in);
        switch (op % 8) {
        case 0: {   /* raw peer bytes */
            size_t got;
            const uint8_t *p = fz_bytes(&in, fz_u8(&in), &got);
            zmtp_buf_append(&h->peer, p, got);
            break;
        }
        case 1: peer_frames(h, &in); break;
        case 2:
        case 3: {   /* feed the next k bytes: 0 = all of it */
            uint8_t k = fz_u8(&in);
            feed(h, k ? k : zmtp_buf_len(&h->peer));
            break;
        }
        case 4: pull(h, fz_u8(&in) % 4); break;
        case 5: write_frame(h, &in); break;
        case 6: {   /* one view */
            static const uint32_t views[] = {1, 2, 7, 64, 4096, 8192, 65536, UINT32_MAX};
            uint8_t a = fz_u8(&in);
            uint32_t max = views[a & 7];
            int all = (a & 0x18) != 0x18;
            uint32_t n = fz_u8(&in);
            if ((a & 0xe0) == 0xe0) n = UINT32_MAX;   /* more than pending: clamped */
            take(h, max, n, all);
            break;
        }
        default:    /* drain everything */
            while (zw_engine_pending(h->e)) take(h, 65536, 0, 1);
            break;
        }
    }
    feed(h, zmtp_buf_len(&h->peer));
    pull(h, 0);
    while (zw_engine_pending(h->e)) take(h, UINT32_MAX, 0, 1);
    verify_sent(h);
    zw_engine_free(h->e);
    h->e = NULL;
    FZ_CHECK(zw_frame_live() == live0);
    return 0;
}

/* --- seeds ------------------------------------------------------------------------------- */

static void write_seeds(const char *dir) {
    /* REQ (type index 3) with a valid 3.1 REP peer prefix; peer sends a reply (empty delimiter,
     * then "ok"), a PING and a SUBSCRIBE; we pull, write a frame and a subscription, drain. */
    static const uint8_t req[] = {
        3, 0x20 | 0x40 | 0x02, 0,                 /* type, cfg (prefix, 3.1, id 5), pick */
        1, 2, 1, 0, 0, 2, 'o', 'k',               /* peer_frames: 3 frames: MORE "", data "ok" */
        4, 6, 'p', 'i', 'n', 'g', '!', '!',       /*   PING with 6 bytes */
        2, 0,                                     /* feed all */
        4, 0,                                     /* pull all */
        5, 0, 10, 7,                              /* write a 10-byte data frame */
        5, 2, 3, 1,                               /* write a SUBSCRIBE "..." */
        7,                                        /* drain */
    };
    fz_write_seed(dir, "req_31", req, sizeof req);
    /* SUB (2) with a 3.0 PUB peer: data frames, fed one byte at a time; large write. */
    static const uint8_t sub[] = {
        2, 0x20 | 0x0c, 0,                        /* 3.0 peer, max 255 */
        1, 0, 0, 5, 't', 'o', 'p', 'i', 'c',      /* a data frame */
        2, 1, 2, 1, 2, 1, 2, 1, 2, 1, 2, 0,       /* feed 1 byte at a time, then the rest */
        4, 0, 5, 3, 1, 0, 5, 0, 238, 9,           /* pull; CANCEL; a 70000-byte data frame */
        6, 0x02, 100, 6, 0x05, 200, 7,            /* views of 7 and 8192 bytes, drain */
    };
    fz_write_seed(dir, "sub_30", sub, sizeof sub);
    /* PUSH (8) without a prefix: the greeting arrives as raw bytes. */
    uint8_t raw[200];
    size_t n = 0;
    raw[n++] = 8;
    raw[n++] = 0;
    raw[n++] = 0;   /* op: raw bytes */
    raw[n++] = ZMTP_GREETING_SIZE;
    zmtp_greeting_build(raw + n, ZMTP_MECH_NULL, 0);
    n += ZMTP_GREETING_SIZE;
    raw[n++] = 2;   /* feed all */
    raw[n++] = 0;
    raw[n++] = 7;
    fz_write_seed(dir, "push_raw_greeting", raw, n);
    /* STREAM (11): the raw engine. Two reads (one empty), pull, write two frames, views. */
    static const uint8_t stream[] = {
        11, 0,
        0, 5, 'h', 'e', 'l', 'l', 'o',            /* raw bytes */
        2, 3, 2, 0, 2, 0,                         /* feed 3, the rest, nothing */
        4, 0,                                     /* pull all */
        5, 0, 10, 7, 5, 1, 238, 3,                /* write 10 bytes, then 70000 */
        6, 0x02, 100, 6, 0x05, 200, 7,            /* views of 7 and 8192 bytes, drain */
    };
    fz_write_seed(dir, "stream_raw", stream, sizeof stream);
}

FZ_SEED_WRITER(write_seeds)
