/* fuzz_decoder.c — zmtp_decoder fed one stream four ways, which must all agree.
 *
 * Input: [limit byte] [n] [n split bytes] [stream...]
 *   limit byte: picks max_msg_size (tiny, around the 1/8-byte header boundary, 64 KiB, or
 *               unlimited in its several spellings: -1, -2, INT32_MAX + 1, INT64_MAX).
 *   split bytes: chunk lengths, used in turn (0 = an empty call), for the "pieces" run.
 * Runs: everything at once (looping, one frame per call), one byte at a time, in the pieces
 * given, and a reference parse written here from RFC 23 without any state machine. Each run
 * records its frames (flags, size, body hash) and how it ended (error reason and the stream
 * offset of the deciding byte, or the state it stopped in); all four must be equal. Every frame
 * body must be the stream's bytes just before the frame ended, and every frame is freed: the
 * live frame count must be back where it started.
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

/* The reference: parses the whole stream at once. Also finds where a frame header asks for
 * more than FUZZ_SIZE_CAP that the limit allows (*huge_at = offset of its last size byte). */
static void reference(run_t *r, const uint8_t *s, size_t n, int64_t max, size_t *huge_at) {
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
    int64_t max = limits[fz_u8(&in) % (sizeof limits / sizeof limits[0])];
    size_t nsplit = fz_u8(&in) % 16, got;
    const uint8_t *split = fz_bytes(&in, nsplit, &got);
    nsplit = got;
    const uint8_t *s = in.p + in.pos;
    size_t n = in.n - in.pos;
    int64_t live0 = zw_frame_live();

    size_t huge_at;
    reference(&runs[3], s, n, max, &huge_at);
    if (FUZZ_AVOID_HUGE_ALLOC && huge_at != SIZE_MAX) {
        /* Stop one byte before that size is complete: the decoder would allocate it all. */
        n = huge_at;
        reference(&runs[3], s, n, max, &huge_at);
    }

    for (int mode = 0; mode < 3; mode++) {
        run_t *r = &runs[mode];
        memset(r, 0, sizeof *r);
        zmtp_decoder_t d;
        zmtp_decoder_init(&d, max);
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
}

FZ_SEED_WRITER(write_seeds)
