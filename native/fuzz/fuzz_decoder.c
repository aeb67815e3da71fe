/* fuzz_decoder.c — zmtp_decoder fed one stream four ways, which must all agree; on either of the
 * two header layouts it decodes (wire/framing.h).
 *
 * Input: [limit byte] [n] [n split bytes] [stream...]
 *   limit byte: bit 7 picks the wire: 0 ZMTP 3.x (flags byte, 1- or 8-byte big-endian size),
 *               1 ZWS 2.0 as the host hands it over (u32le length of the message, >= 1, then
 *               its flags byte: 0x00 last, 0x01 MORE, 0x02 COMMAND; body = length - 1 bytes).
 *               The low 7 bits pick max_msg_size (tiny, around ZMTP's 1/8-byte header boundary,
 *               64 KiB, or unlimited in its several spellings: -1, -2, INT32_MAX + 1,
 *               INT64_MAX). Every seed written before ZWS has bit 7 clear: they stay ZMTP.
 *   split bytes: chunk lengths, used in turn (0 = an empty call), for the "pieces" run.
 * Runs: everything at once (looping, one frame per call), one byte at a time, in the pieces
 * given, and a reference parse written here without any state machine, from RFC 23 (ZMTP) or
 * RFC 45 (ZWS). Each run records its frames (flags, size, body hash) and how it ended (error
 * reason and the stream offset of the deciding byte, or the state it stopped in); all four must
 * be equal. Every frame body must be the stream's bytes just before the frame ended, and every
 * frame is freed: the live frame count must be back where it started.
 */
#include "fuzz.h"

#include "base/frame.h"
#include "wire/decoder.h"

#define MAX_FRAMES 4096

typedef struct ev {
    uint32_t flags, size;
    uint64_t hash;
} ev_t;

typedef struct run {
    ev_t ev[MAX_FRAMES];
    int nev;
    int failed, reason;
    size_t fail_at;          /* bytes consumed in total when it failed */
    int state;               /* decoder state at the end (when not failed) */
    uint32_t missing;        /* body bytes missing at the end */
} run_t;

static run_t runs[4];

static uint64_t fnv(const uint8_t *p, size_t n) { return fz_hash(p, n, NULL, 0); }

static const int64_t limits[] = {0, 1, 2, 254, 255, 256, 257, 1000, 65535, 65536, 65537,
                                 1 << 20, INT32_MAX, (int64_t)INT32_MAX + 1, -1, -2, INT64_MAX};

static int64_t eff_data_limit(int64_t max) { return max < 0 || max > ZMTP_DEC_MAX_DATA ? ZMTP_DEC_MAX_DATA : max; }
static int64_t eff_cmd_limit(int64_t max) {
    int64_t d = eff_data_limit(max);
    return d < ZMTP_COMMAND_SIZE_FLOOR ? ZMTP_COMMAND_SIZE_FLOOR : d;
}

/* The references: each parses the whole stream at once. Also finds where a frame header asks for
 * more than FUZZ_SIZE_CAP that the limit allows (*huge_at = offset of the header's last byte,
 * the one after which the decoder allocates). */

/* ZMTP (RFC 23): flags, a 1-byte size or (LONG) an 8-byte big-endian one, the body. */
static void reference_zmtp(run_t *r, const uint8_t *s, size_t n, int64_t max, size_t *huge_at) {
    size_t pos = 0;
    *huge_at = SIZE_MAX;
    memset(r, 0, sizeof *r);
    while (pos < n) {
        uint8_t fl = s[pos++];
        if ((fl & ZMTP_FLAG_RESERVED) || ((fl & ZMTP_FLAG_COMMAND) && (fl & ZMTP_FLAG_MORE))) {
            r->failed = 1, r->reason = ZW_CLOSE_PROTOCOL, r->fail_at = pos;
            return;
        }
        size_t sl = (fl & ZMTP_FLAG_LONG) ? 8 : 1;
        if (n - pos < sl) {
            r->state = ZMTP_DEC_SIZE;
            return;
        }
        uint64_t size = 0;
        for (size_t i = 0; i < sl; i++) size = size << 8 | s[pos++];
        int64_t lim = (fl & ZMTP_FLAG_COMMAND) ? eff_cmd_limit(max) : eff_data_limit(max);
        if (size > (uint64_t)lim) {
            r->failed = 1, r->reason = ZW_CLOSE_MSG_SIZE, r->fail_at = pos;
            return;
        }
        if ((fl & ZMTP_FLAG_COMMAND) && size == 0) {
            r->failed = 1, r->reason = ZW_CLOSE_PROTOCOL, r->fail_at = pos;
            return;
        }
        if (size > FUZZ_SIZE_CAP && *huge_at == SIZE_MAX) *huge_at = pos - 1;
        if (n - pos < size) {
            r->state = ZMTP_DEC_BODY;
            r->missing = (uint32_t)(size - (n - pos));
            return;
        }
        if (r->nev < MAX_FRAMES)
            r->ev[r->nev++] = (ev_t){((fl & ZMTP_FLAG_MORE) ? ZW_FRAME_MORE : 0u) |
                                         ((fl & ZMTP_FLAG_COMMAND) ? ZW_FRAME_COMMAND : 0u),
                                     (uint32_t)size, fnv(s + pos, (size_t)size)};
        pos += (size_t)size;
    }
    r->state = ZMTP_DEC_FLAGS;
}

/* ZWS (RFC 45), one WebSocket message per frame, each as the host's envelope: u32le length (the
 * message's bytes: flags byte + body, so at least 1), flags byte, body. The decoder judges each
 * byte as it comes, so the deciding offsets are: an empty message at its 4th length byte, bad
 * flags (reserved bits 0xFC, or MORE and COMMAND both: 0x03) at the flags byte, and the size
 * limits and an empty command at the flags byte too (the header is complete only there). */
static void reference_zws(run_t *r, const uint8_t *s, size_t n, int64_t max, size_t *huge_at) {
    size_t pos = 0;
    *huge_at = SIZE_MAX;
    memset(r, 0, sizeof *r);
    while (pos < n) {
        if (n - pos < 4) {   /* part of the length: the decoder is in its header */
            r->state = ZMTP_DEC_SIZE;
            return;
        }
        uint32_t len = (uint32_t)s[pos] | (uint32_t)s[pos + 1] << 8 | (uint32_t)s[pos + 2] << 16 |
                       (uint32_t)s[pos + 3] << 24;
        pos += 4;
        if (len == 0) {
            r->failed = 1, r->reason = ZW_CLOSE_PROTOCOL, r->fail_at = pos;
            return;
        }
        if (pos == n) {   /* the length, not the flags byte yet */
            r->state = ZMTP_DEC_SIZE;
            return;
        }
        uint8_t fl = s[pos++];
        if ((fl & 0xFC) || fl == 0x03) {
            r->failed = 1, r->reason = ZW_CLOSE_PROTOCOL, r->fail_at = pos;
            return;
        }
        int command = (fl & 0x02) != 0;
        uint64_t size = len - 1;
        int64_t lim = command ? eff_cmd_limit(max) : eff_data_limit(max);
        if (size > (uint64_t)lim) {
            r->failed = 1, r->reason = ZW_CLOSE_MSG_SIZE, r->fail_at = pos;
            return;
        }
        if (command && size == 0) {
            r->failed = 1, r->reason = ZW_CLOSE_PROTOCOL, r->fail_at = pos;
            return;
        }
        if (size > FUZZ_SIZE_CAP && *huge_at == SIZE_MAX) *huge_at = pos - 1;
        if (n - pos < size) {
            r->state = ZMTP_DEC_BODY;
            r->missing = (uint32_t)(size - (n - pos));
            return;
        }
        if (r->nev < MAX_FRAMES)
            r->ev[r->nev++] = (ev_t){((fl & 0x01) ? ZW_FRAME_MORE : 0u) |
                                         (command ? ZW_FRAME_COMMAND : 0u),
                                     (uint32_t)size, fnv(s + pos, (size_t)size)};
        pos += (size_t)size;
    }
    r->state = ZMTP_DEC_FLAGS;
}

static void reference(zw_wire_t w, run_t *r, const uint8_t *s, size_t n, int64_t max,
                      size_t *huge_at) {
    if (w == ZW_WIRE_ZWS) reference_zws(r, s, n, max, huge_at);
    else reference_zmtp(r, s, n, max, huge_at);
}

/* One decode call on s[*at, *at + len); checks the call's contract and records the frame. */
static int step(zmtp_decoder_t *d, run_t *r, const uint8_t *s, size_t *at, size_t len,
                int64_t max) {
    size_t used = 12345;
    zw_frame_t *f = (zw_frame_t *)1;
    const uint8_t *p = len ? s + *at : NULL;   /* an empty call may pass no area at all */
    zmtp_dec_result_t rc = zmtp_decoder_decode(d, p, len, &used, &f);
    FZ_CHECK(rc == ZMTP_DEC_OK || rc == ZMTP_DEC_FAIL);
    FZ_CHECK(used <= len);
    *at += used;
    if (rc == ZMTP_DEC_FAIL) {
        FZ_CHECK(f == NULL);
        FZ_CHECK(d->state == ZMTP_DEC_ERROR && d->frame == NULL);
        FZ_CHECK(d->text != NULL && d->text[0] != '\0');
        FZ_CHECK(d->reason == ZW_CLOSE_PROTOCOL || d->reason == ZW_CLOSE_MSG_SIZE ||
                 d->reason == ZW_CLOSE_NO_MEMORY);
        r->failed = 1;
        r->reason = d->reason;
        r->fail_at = *at;
        /* ERROR is terminal: nothing more is taken. */
        uint8_t x = 0;
        FZ_CHECK(zmtp_decoder_decode(d, &x, 1, &used, &f) == ZMTP_DEC_FAIL && used == 0 &&
                 f == NULL);
        return -1;
    }
    if (!f) {
        FZ_CHECK(used == len);   /* all of them unless a frame completed */
        if (d->state == ZMTP_DEC_BODY) {
            /* Memory follows the bytes received, not the header's claim (decoder.h). */
            FZ_CHECK(d->frame != NULL && d->body_have < d->size);
            FZ_CHECK(d->body_have <= d->frame->size && d->frame->size <= d->frame->alloc);
            uint64_t bound = 2 * (uint64_t)d->body_have;
            if (bound < ZMTP_DEC_FIRST_CHUNK) bound = ZMTP_DEC_FIRST_CHUNK;
            FZ_CHECK(d->frame->alloc <= bound);
        }
        return 0;
    }
    FZ_CHECK(f->next == NULL && f->size <= f->alloc);
    FZ_CHECK((f->flags & ~(uint32_t)(ZW_FRAME_MORE | ZW_FRAME_COMMAND)) == 0);
    FZ_CHECK(!((f->flags & ZW_FRAME_MORE) && (f->flags & ZW_FRAME_COMMAND)));
    if (f->flags & ZW_FRAME_COMMAND) FZ_CHECK(f->size > 0 && f->size <= eff_cmd_limit(max));
    else FZ_CHECK(f->size <= eff_data_limit(max));
    FZ_CHECK(d->state == ZMTP_DEC_FLAGS && d->frame == NULL);
    /* The body is the stream's bytes just before the frame ended. */
    FZ_CHECK(*at >= f->size && memcmp(f->data, s + *at - f->size, f->size) == 0);
    if (r->nev < MAX_FRAMES) r->ev[r->nev++] = (ev_t){f->flags, f->size, fnv(f->data, f->size)};
    zw_frame_free(f);
    return 1;
}

static void finish(zmtp_decoder_t *d, run_t *r) {
    if (!r->failed) {
        r->state = d->state;
        r->missing = zmtp_decoder_body_missing(d);
        FZ_CHECK(d->state != ZMTP_DEC_ERROR);
        FZ_CHECK((d->state == ZMTP_DEC_BODY) == (d->frame != NULL));
    }
    zmtp_decoder_fini(d);
    FZ_CHECK(d->frame == NULL);
}

static void same(const run_t *a, const run_t *b) {
    FZ_CHECK(a->nev == b->nev);
    for (int i = 0; i < a->nev; i++) {
        FZ_CHECK(a->ev[i].flags == b->ev[i].flags);
        FZ_CHECK(a->ev[i].size == b->ev[i].size);
        FZ_CHECK(a->ev[i].hash == b->ev[i].hash);
    }
    FZ_CHECK(a->failed == b->failed);
    if (a->failed) {
        FZ_CHECK(a->reason == b->reason);
        FZ_CHECK(a->fail_at == b->fail_at);
    } else {
        FZ_CHECK(a->state == b->state);
        FZ_CHECK(a->missing == b->missing);
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    fz_t in = {data, size, 0};
    uint8_t lb = fz_u8(&in);
    zw_wire_t wire = (lb & 0x80) ? ZW_WIRE_ZWS : ZW_WIRE_ZMTP;
    int64_t max = limits[(lb & 0x7f) % (sizeof limits / sizeof limits[0])];
    size_t nsplit = fz_u8(&in) % 16, got;
    const uint8_t *split = fz_bytes(&in, nsplit, &got);
    nsplit = got;
    const uint8_t *s = in.p + in.pos;
    size_t n = in.n - in.pos;
    int64_t live0 = zw_frame_live();

    size_t huge_at;
    reference(wire, &runs[3], s, n, max, &huge_at);
    if (FUZZ_AVOID_HUGE_ALLOC && huge_at != SIZE_MAX) {
        /* Stop one byte before that header is complete: the decoder would allocate it all. */
        n = huge_at;
        reference(wire, &runs[3], s, n, max, &huge_at);
    }

    for (int mode = 0; mode < 3; mode++) {
        run_t *r = &runs[mode];
        memset(r, 0, sizeof *r);
        zmtp_decoder_t d;
        zmtp_decoder_init(&d, max, wire);
        size_t at = 0, k = 0, prev = 1;
        while (at < n) {
            size_t len;
            if (mode == 0) len = n - at;
            else if (mode == 1) len = 1;
            else len = nsplit ? split[k++ % nsplit] : n - at;
            if (len == 0 && prev == 0) len = 1;   /* one empty call at a time, then progress */
            if (len > n - at) len = n - at;
            prev = len;
            int rc = step(&d, r, s, &at, len, max);
            if (rc < 0) break;
            if (mode == 0 && rc == 0) break;   /* took everything, no frame: stream done */
        }
        finish(&d, r);
        FZ_CHECK(zw_frame_live() == live0);
    }
    same(&runs[3], &runs[0]);
    same(&runs[0], &runs[1]);
    same(&runs[0], &runs[2]);
    FZ_CHECK(zw_frame_live() == live0);
    return 0;
}

/* --- seeds ------------------------------------------------------------------------------- */

#include "wire/encoder.h"

static void seed(const char *dir, const char *name, const uint8_t *head, size_t nhead,
                 const zmtp_buf_t *b) {
    uint8_t out[2048];
    FZ_CHECK(nhead + zmtp_buf_len(b) <= sizeof out);
    memcpy(out, head, nhead);
    memcpy(out + nhead, zmtp_buf_head(b), zmtp_buf_len(b));
    fz_write_seed(dir, name, out, nhead + zmtp_buf_len(b));
}

static void write_seeds(const char *dir) {
    zmtp_buf_t b = {0};
    /* Unlimited (-1 is entry 14), whole: READY, one data frame, a two-frame message. */
    zmtp_prop_t prop = {ZMTP_PROP_SOCKET_TYPE, (const uint8_t *)"REQ", 3};
    zmtp_cmd_write_props(&b, ZMTP_CMD_READY, &prop, 1);
    zmtp_encode_frame(&b, 0, "hello", 5);
    zmtp_encode_frame(&b, ZMTP_FLAG_MORE, "a", 1);
    zmtp_encode_frame(&b, 0, "b", 1);
    seed(dir, "ready_frames", (const uint8_t[]){14, 0}, 2, &b);
    zmtp_buf_free(&b);
    /* Limit 254 (entry 3), in pieces of 1 and 5: a long-header frame of 300 bytes (too big),
     * after an empty frame. */
    static uint8_t big[300];
    memset(big, 'x', sizeof big);
    zmtp_encode_frame(&b, 0, "", 0);
    zmtp_encode_frame(&b, 0, big, sizeof big);
    seed(dir, "long_too_big", (const uint8_t[]){3, 2, 1, 5}, 4, &b);
    seed(dir, "long_ok", (const uint8_t[]){7, 2, 1, 5}, 4, &b);
    zmtp_buf_free(&b);
    /* Limit 0, with empty calls: SUBSCRIBE and PING commands (commands ignore a tiny limit). */
    zmtp_cmd_write(&b, ZMTP_CMD_SUBSCRIBE, "topic", 5);
    zmtp_cmd_write(&b, ZMTP_CMD_PING, "\x00\x64" "ctx", 5);
    seed(dir, "commands", (const uint8_t[]){0, 2, 0, 3}, 4, &b);
    zmtp_buf_free(&b);
    /* Malformed: reserved flag bits, MORE on a command, an empty command. */
    fz_write_seed(dir, "bad_flags", (const uint8_t[]){14, 0, 0x00, 0x01, 'x', 0x08, 0x00}, 7);
    fz_write_seed(dir, "more_command", (const uint8_t[]){14, 0, 0x05, 0x01, 'x'}, 5);
    fz_write_seed(dir, "empty_command", (const uint8_t[]){14, 0, 0x04, 0x00}, 4);

    /* ZWS (limit byte | 0x80): the same streams as messages, and ZWS's own malformed headers. */
    zmtp_buf_t z = {0};
    zmtp_cmd_write_props(&z, ZMTP_CMD_READY, &prop, 1);
    FZ_CHECK(fz_zws_relay(&b, zmtp_buf_head(&z), zmtp_buf_len(&z)) == 0);
    zmtp_buf_free(&z);
    zw_encode_frame2(ZW_WIRE_ZWS, &b, 0, NULL, 0, "hello", 5);
    zw_encode_frame2(ZW_WIRE_ZWS, &b, ZMTP_FLAG_MORE, NULL, 0, "a", 1);
    zw_encode_frame2(ZW_WIRE_ZWS, &b, 0, NULL, 0, "b", 1);
    zw_encode_frame2(ZW_WIRE_ZWS, &b, 0, NULL, 0, "", 0);
    seed(dir, "zws_ready_frames", (const uint8_t[]){0x80 | 14, 0}, 2, &b);
    /* Fed in pieces of 1, 2 and 3: every split of the 5-byte header. */
    seed(dir, "zws_ready_frames_pieces", (const uint8_t[]){0x80 | 14, 3, 1, 2, 3}, 5, &b);
    zmtp_buf_free(&b);
    /* Limit 254 / 1000: an empty frame, then 300 bytes (too big / fine). */
    zw_encode_frame2(ZW_WIRE_ZWS, &b, 0, NULL, 0, "", 0);
    zw_encode_frame2(ZW_WIRE_ZWS, &b, 0, NULL, 0, big, sizeof big);
    seed(dir, "zws_too_big", (const uint8_t[]){0x80 | 3, 2, 1, 5}, 4, &b);
    seed(dir, "zws_ok", (const uint8_t[]){0x80 | 7, 2, 1, 5}, 4, &b);
    zmtp_buf_free(&b);
    /* Limit 0, with empty calls: SUBSCRIBE and PING commands (commands ignore a tiny limit),
     * then subscription messages, which are data frames: the first is over the limit. */
    static const uint8_t sub_head[] = {9, 'S', 'U', 'B', 'S', 'C', 'R', 'I', 'B', 'E'};
    static const uint8_t ping_head[] = {4, 'P', 'I', 'N', 'G'};
    zw_encode_frame2(ZW_WIRE_ZWS, &b, ZMTP_FLAG_COMMAND, sub_head, sizeof sub_head, "topic", 5);
    zw_encode_frame2(ZW_WIRE_ZWS, &b, ZMTP_FLAG_COMMAND, ping_head, sizeof ping_head, "\x00\x64", 2);
    zw_encode_frame2(ZW_WIRE_ZWS, &b, 0, "\x01", 1, "topic", 5);
    zw_encode_frame2(ZW_WIRE_ZWS, &b, 0, "\x00", 1, "topic", 5);
    seed(dir, "zws_commands", (const uint8_t[]){0x80 | 0, 2, 0, 3}, 4, &b);
    zmtp_buf_free(&b);
    /* Malformed: an empty message (length 0), a reserved flag bit after a good message, MORE on
     * a command, an empty command, 2 GiB declared, the largest length (4 GiB - 1). */
    fz_write_seed(dir, "zws_empty_message", (const uint8_t[]){0x80 | 14, 0, 0, 0, 0, 0, 0x00}, 7);
    fz_write_seed(dir, "zws_bad_flags",
                  (const uint8_t[]){0x80 | 14, 0, 2, 0, 0, 0, 0x00, 'x', 2, 0, 0, 0, 0x04, 'x'}, 14);
    fz_write_seed(dir, "zws_more_command", (const uint8_t[]){0x80 | 14, 0, 2, 0, 0, 0, 0x03, 'x'}, 8);
    fz_write_seed(dir, "zws_empty_command", (const uint8_t[]){0x80 | 14, 0, 1, 0, 0, 0, 0x02}, 7);
    fz_write_seed(dir, "zws_2g", (const uint8_t[]){0x80 | 14, 0, 1, 0, 0, 0x80, 0x00}, 7);
    fz_write_seed(dir, "zws_max_len", (const uint8_t[]){0x80 | 16, 0, 0xff, 0xff, 0xff, 0xff, 0x01}, 7);
    /* A 2 MiB frame declared, a few bytes sent: the body grows only as bytes come. */
    fz_write_seed(dir, "zws_huge_small_body",
                  (const uint8_t[]){0x80 | 14, 0, 1, 0, 0x20, 0, 0x00, 'x', 'y', 'z'}, 10);
}

FZ_SEED_WRITER(write_seeds)
