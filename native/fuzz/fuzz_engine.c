/* fuzz_engine.c — one zw_engine per socket type and wire, talking to a peer made of fuzzer bytes.
 *
 * Input: [type] [cfg] then a program of operations, each one byte plus its arguments:
 *   type: type % 14 is our socket type (all twelve of zmqw.h, and two that do not exist);
 *         type / 14 % 3 the wire (the engine kind and what the peer stream is made of):
 *           0  ZMTP 3.x over a byte stream (ZW_ENGINE_ZMTP: greeting, NULL READY, frames)
 *           1  ZWS 2.0 with the NULL mechanism (ZW_ENGINE_ZWS, subprotocol "ZWS2.0/NULL",
 *              zw_accept's ZW_FRAMING_MESSAGE): no greeting, READY as a ZWS command message
 *           2  ZWS 2.0 bare (.bare = 1, plain "ZWS2.0", ZW_FRAMING_MESSAGE_BARE): no mechanism,
 *              each side's first message is its routing id
 *         so 0..13 (every seed written before ZWS) stay ZMTP. STREAM is always the raw engine
 *         (the core has no MESSAGE framing for it).
 *   cfg:  routing id length, max_msg_size, and whether the peer stream starts with a valid
 *         prefix so that traffic states are reached: ZMTP, a greeting (3.0 or 3.1: bit 6) + READY
 *         of a compatible type; ZWS NULL, that READY alone; bare, a routing id message. Bit 7: the
 *         peer's READY has an Identity / its routing id is not empty (over ZWS bit 6 makes it 255
 *         bytes, the most allowed).
 *   ops:  append raw bytes or well-formed frames (data, MORE, SUBSCRIBE/CANCEL, PING, PONG, late
 *         READY, ERROR, unknown commands, 0x01/0x00 subscription messages) to the peer stream, in
 *         the wire's layout (ZWS: each one an envelope, u32le length + flags byte + body); feed
 *         the next k bytes of it; pull frames (zw_engine_next); write frames (zw_engine_write);
 *         take output with zw_engine_output / zw_engine_consume in views of various sizes.
 *   A STREAM socket's engine is the raw one: every read must come out as one frame, as it came,
 *   and every body written must go out as it is, with nothing around it.
 * Checks: states only move forward (ZWS starts in HANDSHAKE: no greeting); input/write return
 * codes; frames handed up carry only documented flags and fit max_msg_size; the handshake result
 * is a compatible peer (bare ZWS: type unknown, -1; over ZWS the peer's identity is the prefix's,
 * and "minor" 0, so subscriptions go in message form); output views are bounded and pending
 * counts add up; and what we sent decodes (with the real decoder, in the wire's layout) as our
 * greeting (ZMTP only), our READY (or, bare, our routing id message), then exactly the frames
 * written, in order: subscriptions as commands to a 3.1 peer, as 0x01/0x00 data messages to a 3.0
 * one and always over ZWS; PONGs aside over ZMTP, none at all over ZWS (a PING there is ignored).
 * No frame leaks.
 */
#include "fuzz.h"

#include "base/frame.h"
#include "engine/engine.h"
#include "wire/decoder.h"
#include "wire/encoder.h"
#include "wire/framing.h"

static const int types[] = {ZW_PAIR, ZW_PUB, ZW_SUB, ZW_REQ, ZW_REP, ZW_DEALER, ZW_ROUTER,
                            ZW_PULL, ZW_PUSH, ZW_XPUB, ZW_XSUB, ZW_STREAM, -1, 77};
static const int64_t maxes[] = {-1, 0, 1, 255, 256, 8192, 65536, INT64_MAX};

#define MAX_EXPECT 512

/* The wire, from the type byte (type / 14 % 3). */
enum { W_ZMTP = 0, W_ZWS = 1, W_BARE = 2 };
static const char *const wire_names[] = {"ZMTP", "ZWS2.0/NULL", "ZWS2.0 (bare)"};

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
    int wire;                   /* W_ZMTP, W_ZWS, W_BARE (raw: W_ZMTP) */
    zw_wire_t zw;               /* the header layout of both streams: ZW_WIRE_ZMTP or _ZWS */
    int peer_id_len;            /* ZWS with a prefix: the peer's identity as it sent it; -1 unknown */
    uint8_t peer_id[255];
    zmtp_buf_t tmp;             /* scratch for building the ZWS READY */
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
    int pulled;                 /* frames handed up (FUZZ_TRACE) */
    int trace;                  /* FUZZ_TRACE set: say what each input reached */
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
    if (h->wire != W_ZMTP) FZ_CHECK(st != ZW_ENGINE_GREETING);   /* ZWS has no greeting */
    if (h->raw) {
        /* READY from its creation; a raw peer says nothing of itself. */
        FZ_CHECK(st == ZW_ENGINE_READY || st == ZW_ENGINE_ERROR);
        zw_engine_peer_t pe;
        zw_engine_peer(h->e, &pe);
        FZ_CHECK(pe.socket_type == -1 && pe.routing_id_len == 0 && pe.props_len == 0);
    } else if (st == ZW_ENGINE_READY && h->state != ZW_ENGINE_READY) {
        int peer = zw_engine_peer_type(h->e);
        if (h->wire == W_BARE) FZ_CHECK(peer == -1);   /* no mechanism: no socket type said */
        else FZ_CHECK(zw_socket_types_compatible(h->type, peer));
        FZ_CHECK(zw_engine_peer_minor(h->e) == 0 || zw_engine_peer_minor(h->e) == 1);
        /* No greeting over ZWS: "minor" stays 0, which is what sends subscriptions as messages. */
        if (h->wire != W_ZMTP) FZ_CHECK(zw_engine_peer_minor(h->e) == 0);
        uint8_t n = 0;
        const uint8_t *id = zw_engine_peer_identity(h->e, &n);
        if (n) fz_touch(id, n);
        /* ZWS with a prefix: the first message decided the handshake, so the peer's identity is
         * the prefix's (its READY's Identity, or bare, its routing id message). */
        if (h->peer_id_len >= 0)
            FZ_CHECK(n == h->peer_id_len && (n == 0 || memcmp(id, h->peer_id, n) == 0));
        zw_engine_peer_t pe;
        zw_engine_peer(h->e, &pe);
        FZ_CHECK(pe.socket_type == peer && pe.zmtp_minor == zw_engine_peer_minor(h->e));
        FZ_CHECK(pe.routing_id_len == n && (n == 0 || memcmp(pe.routing_id, id, n) == 0));
        if (h->wire == W_BARE) FZ_CHECK(pe.props_len == 0);   /* no READY, no properties */
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
        h->pulled++;
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
            /* Commands only to a ZMTP 3.1 peer; ZWS always has the message form (RFC 45 has
             * no SUBSCRIBE command; libzmq's ws engine sends 0x01/0x00 messages). */
            if (h->wire == W_ZMTP && minor >= 1) {
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

/* Appends one frame to the peer stream in the wire's layout (over ZMTP byte for byte what
 * zmtp_encode_frame2 / zmtp_cmd_write give: they are zw_encode_frame2 on ZW_WIRE_ZMTP). */
static void put_frame(harness_t *h, uint8_t fl, const void *prefix, size_t plen, const void *body,
                      size_t size) {
    FZ_CHECK(zw_encode_frame2(h->zw, &h->peer, fl, prefix, plen, body, size) == 0);
}

/* A command frame: name length, name, then data (wire/command.h's layout, on either wire). */
static void put_cmd(harness_t *h, const char *name, const void *data, size_t size) {
    uint8_t head[256];
    size_t nl = strlen(name);
    head[0] = (uint8_t)nl;
    memcpy(head + 1, name, nl);
    put_frame(h, ZMTP_FLAG_COMMAND, head, 1 + nl, data, size);
}

/* The valid prefix that gets the engine to READY (cfg bit 0x20). ZMTP: greeting + READY;
 * ZWS/NULL: the same READY as one ZWS command message, no greeting; bare: the routing id message. */
static void peer_prefix(harness_t *h, fz_t *in, uint8_t cfg) {
    uint8_t pick = fz_u8(in);
    int peer = fz_compatible_type(h->type, pick);
    static const uint8_t pid[] = {'p', 'e', 'e', 'r'};
    if (h->wire == W_ZMTP) {
        fz_peer_hello(&h->peer, (cfg & 0x40) ? 1 : 0, pick >> 7, peer, pid,
                      (cfg & 0x80) ? sizeof pid : 0);
        return;
    }
    /* ZWS has no version to pick, so bit 6 picks a 255-byte identity instead (the limit). */
    int n = (cfg & 0x80) ? ((cfg & 0x40) ? 255 : (int)sizeof pid) : 0;
    if (n == (int)sizeof pid) memcpy(h->peer_id, pid, sizeof pid);
    else fz_fill(h->peer_id, (size_t)n, 'i', 1);
    h->peer_id_len = n;
    if (h->wire == W_BARE) {
        put_frame(h, 0, NULL, 0, h->peer_id, (size_t)n);
        return;
    }
    /* fz_peer_hello's READY with its greeting cut off, re-laid as a ZWS message. */
    h->tmp.start = h->tmp.end = 0;
    FZ_CHECK(fz_peer_hello(&h->tmp, 1, 0, peer, h->peer_id, (uint8_t)n) == 0);
    FZ_CHECK(fz_zws_relay(&h->peer, zmtp_buf_head(&h->tmp) + ZMTP_GREETING_SIZE,
                          zmtp_buf_len(&h->tmp) - ZMTP_GREETING_SIZE) == 0);
}

/* Appends well-formed frames to the peer stream (ZWS: as ZWS messages). */
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
        default: {   /* a subscription message (ZMTP 3.0's form, and ZWS's only one) */
            uint8_t head = (kind >> 4) & 1;
            put_frame(h, 0, &head, 1, b, size);
            continue;
        }
        }
        if (cmd) put_cmd(h, cmd, b, size);
        else put_frame(h, fl, NULL, 0, b, size);
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
    size_t n = zmtp_buf_len(&h->sent), pos = 0;
    if (h->wire == W_ZMTP) {
        if (n < ZMTP_GREETING_SIZE) return;
        zmtp_greeting_info_t info;
        int reason;
        const char *text;
        FZ_CHECK(zmtp_greeting_check(s, n, ZMTP_MECH_NULL, &info, &reason, &text) ==
                 ZMTP_GREETING_DONE);
        FZ_CHECK(info.major == 3 && info.minor == 1);
        pos = ZMTP_GREETING_SIZE;
    }
    /* ZWS: no greeting; the first message (READY or routing id) was queued at creation and
     * everything was drained, so it must be there: nframe >= 1 below. */
    zmtp_decoder_t d;
    zmtp_decoder_init(&d, -1, h->zw);
    int nframe = 0, next = 0;
    while (pos < n) {
        size_t used;
        zw_frame_t *f;
        FZ_CHECK(zmtp_decoder_decode(&d, s + pos, n - pos, &used, &f) == ZMTP_DEC_OK);
        pos += used;
        if (!f) break;
        if (nframe++ == 0 && h->wire == W_BARE) {
            /* Bare ZWS: our routing id (empty when we have none), one data message, no MORE. */
            FZ_CHECK(f->flags == 0 && f->size == h->id_len);
            FZ_CHECK(f->size == 0 || memcmp(f->data, h->id, f->size) == 0);
        } else if (nframe == 1) {
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
            if (h->wire == W_ZMTP && f->flags == ZW_FRAME_COMMAND &&
                zmtp_cmd_parse(f->data, f->size, &c) == 0 &&
                zmtp_cmd_is(&c, ZMTP_CMD_PONG, ZMTP_CMD_PONG_LEN)) {
                FZ_CHECK(c.data_len <= ZMTP_PING_MAX_CONTEXT);
            } else {
                /* Over ZWS nothing but what was written: no PONG, no command at all (the
                 * harness writes none; subscriptions are data messages there). */
                if (h->wire != W_ZMTP) FZ_CHECK(!(f->flags & ZW_FRAME_COMMAND));
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
    h->peer_id_len = -1;
    h->pulled = 0;
    static int trace = -1;
    if (trace < 0) trace = getenv("FUZZ_TRACE") != NULL;
    h->trace = trace;

    uint8_t tb = fz_u8(&in);
    const size_t ntypes = sizeof types / sizeof types[0];
    h->type = types[tb % ntypes];
    h->wire = h->type == ZW_STREAM ? W_ZMTP : (int)(tb / ntypes % 3);
    h->zw = h->wire == W_ZMTP ? ZW_WIRE_ZMTP : ZW_WIRE_ZWS;
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
                          .kind = h->type == ZW_STREAM ? ZW_ENGINE_RAW
                                  : h->wire == W_ZMTP  ? ZW_ENGINE_ZMTP
                                                       : ZW_ENGINE_ZWS,
                          .mechanism = ZW_MECH_NULL,
                          .bare = h->wire == W_BARE};
    if (tb >= 224) {
        /* Kinds and mechanisms this build may not have: NULL, or an engine that frees cleanly
         * (ZWS is built now and fuzzed as the main engine; 7 is no kind at all). */
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
    if (!h->raw && h->wire != W_ZMTP) FZ_CHECK(h->state == ZW_ENGINE_HANDSHAKE);
    if (cfg & 0x20) peer_prefix(h, &in, cfg);

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
    if (h->trace) {
        const char *text = "";
        zw_engine_error(h->e, &text);
        fprintf(stderr, "fuzz_engine: type %d, wire %s, prefix %d: state %d (%s), %d frames in, "
                "%d out\n", h->type, h->raw ? "raw" : wire_names[h->wire], (cfg & 0x20) != 0,
                h->state, text, h->pulled, h->nexp);
    }
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

    /* ZWS: the type byte is type index + 14 (ZWS2.0/NULL) or + 28 (bare). Each seed reaches
     * traffic (READY, or routing ids, exchanged) and moves frames both ways. */
    /* REQ (3 + 14) over ZWS/NULL, the REQ of req_31: a REP peer's READY with Identity "peer",
     * a reply (delimiter, "ok"), a PING (ignored: no PONG over ZWS); our frame and a SUBSCRIBE,
     * which goes out as a 0x01 data message. */
    static const uint8_t req_zws[] = {
        17, 0x20 | 0x80 | 0x02, 0,                /* type, cfg (prefix, peer id, our id 5), pick */
        1, 2, 1, 0, 0, 2, 'o', 'k',               /* peer_frames: 3 frames: MORE "", data "ok" */
        4, 6, 0, 10, 'c', 't', 'x', '!',          /*   PING, ttl 10, context */
        2, 0,                                     /* feed all */
        4, 0,                                     /* pull all */
        5, 0, 10, 7,                              /* write a 10-byte data frame */
        5, 2, 3, 1,                               /* write a SUBSCRIBE "..." */
        7,                                        /* drain */
    };
    fz_write_seed(dir, "req_zws", req_zws, sizeof req_zws);
    /* PUB (1 + 14) over ZWS/NULL, a SUB peer (no Identity): subscriptions both ways the peer
     * may send them (0x01/0x00 messages, SUBSCRIBE/CANCEL commands), an unknown command, fed a
     * byte at a time through the 5-byte headers; then a two-frame message and a large one. */
    static const uint8_t pub_zws[] = {
        15, 0x20, 0,
        1, 3, 19, 2, 'a', 'b', 9, 2, 'a', 'b',    /* 4 frames: subscribe "ab", cancel "ab", */
        2, 1, 'x', 8, 0,                          /*   SUBSCRIBE "x", X-UNKNOWN */
        2, 1, 2, 1, 2, 1, 2, 1, 2, 1, 2, 1, 2, 1, 2, 0,
        4, 0,
        5, 1, 3, 1, 5, 0, 238, 9,                 /* MORE "...", then a 70000-byte frame */
        6, 0x02, 100, 6, 0x05, 200, 7,            /* views of 7 and 8192 bytes, drain */
    };
    fz_write_seed(dir, "pub_zws", pub_zws, sizeof pub_zws);
    /* PULL (7 + 14) over ZWS/NULL without a prefix: the PUSH peer's READY arrives as raw bytes
     * (an envelope by hand: u32le length, 0x02, the command body), then a data message. */
    uint8_t pull[256];
    n = 0;
    pull[n++] = 21;
    pull[n++] = 0;
    zmtp_buf_t b = {0}, z = {0};
    FZ_CHECK(fz_peer_hello(&z, 1, 0, ZW_PUSH, NULL, 0) == 0);
    FZ_CHECK(fz_zws_relay(&b, zmtp_buf_head(&z) + ZMTP_GREETING_SIZE,
                          zmtp_buf_len(&z) - ZMTP_GREETING_SIZE) == 0);
    FZ_CHECK(zw_encode_frame2(ZW_WIRE_ZWS, &b, 0, NULL, 0, "data", 4) == 0);
    FZ_CHECK(zmtp_buf_len(&b) <= 200);
    pull[n++] = 0;   /* op: raw bytes */
    pull[n++] = (uint8_t)zmtp_buf_len(&b);
    memcpy(pull + n, zmtp_buf_head(&b), zmtp_buf_len(&b));
    n += zmtp_buf_len(&b);
    static const uint8_t pull_tail[] = {2, 3, 2, 0, 4, 0, 7};   /* feed 3, the rest; pull; drain */
    memcpy(pull + n, pull_tail, sizeof pull_tail);
    n += sizeof pull_tail;
    fz_write_seed(dir, "pull_zws_raw_ready", pull, n);
    zmtp_buf_free(&b);
    zmtp_buf_free(&z);
    /* DEALER (5 + 28), bare: the peer's routing id "peer", then traffic: a two-frame message, a
     * PING and a late READY (both dropped); we send our routing id (5 bytes) first, then ours. */
    static const uint8_t dealer_bare[] = {
        33, 0x20 | 0x80 | 0x02, 0,
        1, 3, 1, 0, 0, 2, 'h', 'i', 4, 2, 0, 10, 6, 0,
        2, 0, 4, 0,
        5, 1, 0, 1, 5, 0, 10, 7,                  /* MORE "", then 10 bytes */
        5, 3, 2, 1,                               /* a CANCEL: a 0x00 data message */
        7,
    };
    fz_write_seed(dir, "dealer_bare", dealer_bare, sizeof dealer_bare);
    /* ROUTER (6 + 28), bare, 255-byte routing ids both ways, max 255 (cfg 3 | 3 << 2 = 0x0f):
     * a 255-byte frame is taken (pulled, answered with one of ours), one of 256 then closes
     * the connection. Size bytes 242 and 243 are fz_size's 255 and 256; a body takes up to 64
     * input bytes, the rest is a pattern. */
    uint8_t router[200];
    n = 0;
    static const uint8_t router_head[] = {34, 0x20 | 0x80 | 0x40 | 0x0f, 0, 1, 1};
    memcpy(router, router_head, sizeof router_head);
    n += sizeof router_head;
    router[n++] = 0;
    router[n++] = 242;
    memset(router + n, 'r', 64);
    n += 64;
    router[n++] = 0;
    router[n++] = 243;
    memset(router + n, 's', 64);
    n += 64;
    static const uint8_t router_tail[] = {2, 0, 4, 1, 5, 0, 242, 3, 7, 4, 0, 7};
    memcpy(router + n, router_tail, sizeof router_tail);
    n += sizeof router_tail;
    fz_write_seed(dir, "router_bare_long_ids", router, n);
    /* SUB (2 + 28), bare, no prefix: the routing id message as raw bytes (empty), then a PUB's
     * data message; our SUBSCRIBE goes out as a 0x01 message after our empty routing id. */
    static const uint8_t sub_bare[] = {
        30, 0,
        0, 13, 1, 0, 0, 0, 0, 4, 0, 0, 0, 0, 'a', 'b', 'c',   /* raw: id "", data "abc" */
        2, 0, 4, 0, 5, 2, 2, 1, 7,
    };
    fz_write_seed(dir, "sub_bare_raw_id", sub_bare, sizeof sub_bare);
}

FZ_SEED_WRITER(write_seeds)
