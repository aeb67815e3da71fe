/* test_decoder.c — ZMTP frame decoder against annotated golden vectors, fed one byte at a time
 * and all at once; hostile headers refused before allocation; large bodies held in memory only
 * as their bytes arrive. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "base/frame.h"
#include "test.h"
#include "wire/decoder.h"
#include "wire/encoder.h"
#include "wire/zmtp.h"
#include "zmqw.h"

#define MAX_FRAMES 16

/* Decodes `len` bytes in chunks of `chunk` (0 = all at once). Returns frames decoded (up to
 * MAX_FRAMES), or -1 on decoder failure; *rest = bytes not consumed when decoding stopped. */
static int decode_all(const uint8_t *data, size_t len, size_t chunk, int64_t max,
                      zw_frame_t **frames, zmtp_decoder_t *d) {
    zmtp_decoder_init(d, max, ZW_WIRE_ZMTP);
    int n = 0;
    size_t pos = 0;
    while (pos < len) {
        size_t avail = chunk && len - pos > chunk ? chunk : len - pos;
        size_t used;
        zw_frame_t *f;
        if (zmtp_decoder_decode(d, data + pos, avail, &used, &f) != ZMTP_DEC_OK)
            return -1;
        CHECK(used <= avail);
        pos += used;
        if (f) {
            if (n < MAX_FRAMES)
                frames[n++] = f;
            else
                zw_frame_free(f);
        } else {
            CHECK_EQ(used, avail);  /* no frame: everything offered was taken */
        }
    }
    return n;
}

static void free_frames(zw_frame_t **frames, int n) {
    for (int i = 0; i < n; i++)
        zw_frame_free(frames[i]);
}

/* A stream of five frames covering every header shape. */
static uint8_t golden[600];
static size_t golden_len;

static void build_golden(void) {
    size_t p = 0;
    /* 1. short data frame "hello": flags 00 (last), size 05, body */
    const uint8_t f1[] = {0x00, 0x05, 'h', 'e', 'l', 'l', 'o'};
    memcpy(golden + p, f1, sizeof f1), p += sizeof f1;
    /* 2. MORE frame "ab": flags 01 (MORE), size 02, body */
    const uint8_t f2[] = {0x01, 0x02, 'a', 'b'};
    memcpy(golden + p, f2, sizeof f2), p += sizeof f2;
    /* 3. empty last frame: flags 00, size 00, no body */
    const uint8_t f3[] = {0x00, 0x00};
    memcpy(golden + p, f3, sizeof f3), p += sizeof f3;
    /* 4. command PING: flags 04 (COMMAND), size 07, body 04 "PING" 00 0A (TTL 1 s) */
    const uint8_t f4[] = {0x04, 0x07, 0x04, 'P', 'I', 'N', 'G', 0x00, 0x0A};
    memcpy(golden + p, f4, sizeof f4), p += sizeof f4;
    /* 5. LONG frame of 300 bytes: flags 02 (LONG), size 00 00 00 00 00 00 01 2C, body i&0xff */
    const uint8_t f5[] = {0x02, 0, 0, 0, 0, 0, 0, 0x01, 0x2C};
    memcpy(golden + p, f5, sizeof f5), p += sizeof f5;
    for (int i = 0; i < 300; i++)
        golden[p++] = (uint8_t)i;
    /* 6. LONG used for a small size (legal, must be accepted): flags 03 (MORE|LONG), size 1, "x" */
    const uint8_t f6[] = {0x03, 0, 0, 0, 0, 0, 0, 0, 0x01, 'x'};
    memcpy(golden + p, f6, sizeof f6), p += sizeof f6;
    golden_len = p;
}

static void check_golden(zw_frame_t **fr, int n) {
    CHECK_EQ(n, 6);
    if (n != 6)
        return;
    CHECK(fr[0]->size == 5 && fr[0]->flags == 0 && memcmp(fr[0]->data, "hello", 5) == 0);
    CHECK(fr[1]->size == 2 && fr[1]->flags == ZW_FRAME_MORE && memcmp(fr[1]->data, "ab", 2) == 0);
    CHECK(fr[2]->size == 0 && fr[2]->flags == 0);
    CHECK(fr[3]->size == 7 && fr[3]->flags == ZW_FRAME_COMMAND);
    CHECK_MEM(fr[3]->data, "\x04PING\x00\x0a", 7);
    CHECK(fr[4]->size == 300 && fr[4]->flags == 0);
    int ok = 1;
    for (int i = 0; i < 300; i++)
        ok &= fr[4]->data[i] == (uint8_t)i;
    CHECK(ok);
    CHECK(fr[5]->size == 1 && fr[5]->flags == ZW_FRAME_MORE && fr[5]->data[0] == 'x');
}

static void test_golden_all_at_once(void) {
    build_golden();
    zw_frame_t *fr[MAX_FRAMES];
    zmtp_decoder_t d;
    int n = decode_all(golden, golden_len, 0, -1, fr, &d);
    check_golden(fr, n);
    free_frames(fr, n > 0 ? n : 0);
    zmtp_decoder_fini(&d);
    CHECK_EQ(zw_frame_live(), 0);
}

static void test_golden_byte_by_byte(void) {
    build_golden();
    /* Every chunk size from 1 to 13 gives the same frames as all at once. */
    for (size_t chunk = 1; chunk <= 13; chunk++) {
        zw_frame_t *fr[MAX_FRAMES];
        zmtp_decoder_t d;
        int n = decode_all(golden, golden_len, chunk, -1, fr, &d);
        check_golden(fr, n);
        free_frames(fr, n > 0 ? n : 0);
        zmtp_decoder_fini(&d);
    }
    CHECK_EQ(zw_frame_live(), 0);
}

static void test_encoder_roundtrip(void) {
    /* Encoder output decodes back to the same frames; short header up to 255, LONG above. */
    zmtp_buf_t b = {0};
    static uint8_t body[1000];
    for (int i = 0; i < 1000; i++)
        body[i] = (uint8_t)(i * 7);
    CHECK_EQ(zmtp_encode_frame(&b, ZMTP_FLAG_MORE, body, 255), 0);
    CHECK_EQ(zmtp_buf_len(&b), 2u + 255);
    CHECK_EQ(zmtp_buf_head(&b)[0], 0x01);
    CHECK_EQ(zmtp_buf_head(&b)[1], 0xFF);
    CHECK_EQ(zmtp_encode_frame(&b, 0, body, 256), 0);
    const uint8_t long_hdr[] = {0x02, 0, 0, 0, 0, 0, 0, 0x01, 0x00};  /* LONG, size 256 */
    CHECK_MEM(zmtp_buf_head(&b) + 257, long_hdr, 9);
    CHECK_EQ(zmtp_encode_frame(&b, ZMTP_FLAG_COMMAND, "\x04PONG", 5), 0);
    zw_frame_t *fr[MAX_FRAMES];
    zmtp_decoder_t d;
    int n = decode_all(zmtp_buf_head(&b), zmtp_buf_len(&b), 3, -1, fr, &d);
    CHECK_EQ(n, 3);
    if (n == 3) {
        CHECK(fr[0]->size == 255 && fr[0]->flags == ZW_FRAME_MORE);
        CHECK_MEM(fr[0]->data, body, 255);
        CHECK(fr[1]->size == 256 && fr[1]->flags == 0);
        CHECK_MEM(fr[1]->data, body, 256);
        CHECK(fr[2]->size == 5 && fr[2]->flags == ZW_FRAME_COMMAND);
    }
    free_frames(fr, n > 0 ? n : 0);
    zmtp_decoder_fini(&d);
    zmtp_buf_free(&b);
    CHECK_EQ(zw_frame_live(), 0);
}

/* Feeds a hostile header; expects failure with `reason` and no frame allocated. */
static void expect_fail(const uint8_t *data, size_t len, int64_t max, int reason) {
    for (size_t chunk = 0; chunk <= 1; chunk++) {
        zw_frame_t *fr[MAX_FRAMES];
        zmtp_decoder_t d;
        int n = decode_all(data, len, chunk, max, fr, &d);
        CHECK_EQ(n, -1);
        CHECK_EQ(d.state, ZMTP_DEC_ERROR);
        CHECK_EQ(d.reason, reason);
        CHECK(d.text != NULL);
        CHECK_EQ(zw_frame_live(), 0);  /* refused before allocating */
        zmtp_decoder_fini(&d);
    }
}

static void test_oversized(void) {
    /* LONG size 2^63: flags 02, size 80 00 00 00 00 00 00 00 — would be absurd to allocate. */
    const uint8_t huge[] = {0x02, 0x80, 0, 0, 0, 0, 0, 0, 0};
    expect_fail(huge, sizeof huge, -1, ZW_CLOSE_MSG_SIZE);
    /* LONG size 2^31 (just above INT32_MAX) with no limit configured. */
    const uint8_t big[] = {0x02, 0, 0, 0, 0, 0x80, 0, 0, 0};
    expect_fail(big, sizeof big, -1, ZW_CLOSE_MSG_SIZE);
    /* LONG size 2^30, just above ZMTP_DEC_MAX_DATA (what a zw_recv batch frame carries). */
    const uint8_t gib[] = {0x02, 0, 0, 0, 0, 0x40, 0, 0, 0};
    expect_fail(gib, sizeof gib, -1, ZW_CLOSE_MSG_SIZE);
    /* Short size 11 > max_msg_size 10: flags 00, size 0B (body never sent). */
    const uint8_t over[] = {0x00, 0x0B};
    expect_fail(over, sizeof over, 10, ZW_CLOSE_MSG_SIZE);
    /* Exactly max_msg_size is fine: flags 00, size 0A, 10 bytes. */
    const uint8_t at[] = {0x00, 0x0A, '0', '1', '2', '3', '4', '5', '6', '7', '8', '9'};
    zw_frame_t *fr[MAX_FRAMES];
    zmtp_decoder_t d;
    CHECK_EQ(decode_all(at, sizeof at, 0, 10, fr, &d), 1);
    zw_frame_free(fr[0]);
    zmtp_decoder_fini(&d);
    /* A command may exceed a tiny max_msg_size (the handshake must survive it):
     * flags 04, size 0B, 05 "READY" + 5 bytes. */
    const uint8_t cmd[] = {0x04, 0x0B, 0x05, 'R', 'E', 'A', 'D', 'Y', 1, 2, 3, 4, 5};
    CHECK_EQ(decode_all(cmd, sizeof cmd, 0, 10, fr, &d), 1);
    zw_frame_free(fr[0]);
    zmtp_decoder_fini(&d);
    CHECK_EQ(zw_frame_live(), 0);
}

static void test_bad_flags(void) {
    /* Reserved bits 3..7, each on its own: flags 08, 10, ... 80, size 00. */
    for (int bit = 3; bit < 8; bit++) {
        const uint8_t bad[] = {(uint8_t)(1u << bit), 0x00};
        expect_fail(bad, sizeof bad, -1, ZW_CLOSE_PROTOCOL);
    }
    /* MORE on a command: flags 05 (COMMAND|MORE), size 05, 04 "PING" */
    const uint8_t more_cmd[] = {0x05, 0x05, 0x04, 'P', 'I', 'N', 'G'};
    expect_fail(more_cmd, sizeof more_cmd, -1, ZW_CLOSE_PROTOCOL);
    /* Empty command: flags 04, size 00 (no name length byte). */
    const uint8_t empty_cmd[] = {0x04, 0x00};
    expect_fail(empty_cmd, sizeof empty_cmd, -1, ZW_CLOSE_PROTOCOL);
}

static void test_truncated_waits(void) {
    /* A frame cut anywhere just waits: LONG frame of 3 bytes, flags 02, size ...03, "abc". */
    const uint8_t fr_bytes[] = {0x02, 0, 0, 0, 0, 0, 0, 0, 0x03, 'a', 'b', 'c'};
    for (size_t cut = 0; cut < sizeof fr_bytes; cut++) {
        zmtp_decoder_t d;
        zmtp_decoder_init(&d, -1, ZW_WIRE_ZMTP);
        size_t used;
        zw_frame_t *f;
        CHECK_EQ(zmtp_decoder_decode(&d, fr_bytes, cut, &used, &f), ZMTP_DEC_OK);
        CHECK(f == NULL);
        CHECK_EQ(used, cut);
        /* The rest completes it. */
        CHECK_EQ(zmtp_decoder_decode(&d, fr_bytes + cut, sizeof fr_bytes - cut, &used, &f),
                 ZMTP_DEC_OK);
        CHECK(f != NULL && f->size == 3 && memcmp(f->data, "abc", 3) == 0);
        zw_frame_free(f);
        zmtp_decoder_fini(&d);
    }
    /* fini frees a half-filled body. */
    zmtp_decoder_t d;
    zmtp_decoder_init(&d, -1, ZW_WIRE_ZMTP);
    size_t used;
    zw_frame_t *f;
    zmtp_decoder_decode(&d, fr_bytes, 10, &used, &f);
    CHECK_EQ(zw_frame_live(), 1);
    zmtp_decoder_fini(&d);
    CHECK_EQ(zw_frame_live(), 0);
}

static void test_decoder_stops_after_one_frame(void) {
    /* Two frames in one buffer: the first call consumes only the first. */
    const uint8_t two[] = {0x01, 0x01, 'a', 0x00, 0x01, 'b'};
    zmtp_decoder_t d;
    zmtp_decoder_init(&d, -1, ZW_WIRE_ZMTP);
    size_t used;
    zw_frame_t *f;
    CHECK_EQ(zmtp_decoder_decode(&d, two, sizeof two, &used, &f), ZMTP_DEC_OK);
    CHECK_EQ(used, 3u);
    CHECK(f && f->data[0] == 'a' && f->flags == ZW_FRAME_MORE);
    zw_frame_free(f);
    CHECK_EQ(zmtp_decoder_decode(&d, two + 3, 3, &used, &f), ZMTP_DEC_OK);
    CHECK(f && f->data[0] == 'b' && f->flags == 0);
    zw_frame_free(f);
    zmtp_decoder_fini(&d);
    CHECK_EQ(zw_frame_live(), 0);
}

/* --- large bodies: storage follows the bytes received ------------------------------------- */

#define HDR ((int64_t)sizeof(zw_frame_t))

/* Body bytes held for the frame in progress may be at most twice what arrived, or the first
 * chunk (64 KiB, or the declared size if smaller) — never the declared size up front. `held` =
 * bytes of frames already handed out and still alive. */
static int within_bound(const zmtp_decoder_t *d, int64_t held) {
    if (d->state != ZMTP_DEC_BODY)
        return zw_frame_live_bytes() == held;
    int64_t first = d->size < ZMTP_DEC_FIRST_CHUNK ? (int64_t)d->size : ZMTP_DEC_FIRST_CHUNK;
    int64_t twice = 2 * (int64_t)d->body_have;
    int64_t body = zw_frame_live_bytes() - held - HDR;
    return body <= (first > twice ? first : twice) && body >= (int64_t)d->body_have;
}

static void test_huge_header_small_memory(void) {
    /* LONG frame declaring 2^30 - 1 bytes (the largest accepted, ZMTP_DEC_MAX_DATA): flags 02,
     * size 00 00 00 00 3F FF FF FF, then 5 body bytes. The peer has sent 14 bytes; we must not
     * hold 1 GiB. */
    static const uint8_t head[] = {0x02, 0, 0, 0, 0, 0x3F, 0xFF, 0xFF, 0xFF,
                                   'a', 'b', 'c', 'd', 'e'};
    zmtp_decoder_t d;
    zmtp_decoder_init(&d, -1, ZW_WIRE_ZMTP);
    size_t used;
    zw_frame_t *f;
    CHECK_EQ(zmtp_decoder_decode(&d, head, sizeof head, &used, &f), ZMTP_DEC_OK);
    CHECK(f == NULL);
    CHECK_EQ(used, sizeof head);
    CHECK_EQ(d.state, ZMTP_DEC_BODY);
    CHECK_EQ(d.size, (uint64_t)ZMTP_DEC_MAX_DATA);          /* the declared size is kept */
    CHECK_EQ(zmtp_decoder_body_missing(&d), (uint32_t)ZMTP_DEC_MAX_DATA - 5);
    CHECK_EQ(zw_frame_live(), 1);
    CHECK(zw_frame_live_bytes() < (1 << 20));
    CHECK(within_bound(&d, 0));
    /* 1 MiB more, in 4 KiB pieces: the body grows with it, never far ahead. */
    static uint8_t piece[4096];
    int ok = 1, bound_ok = 1;
    for (int i = 0; i < 256 && ok; i++) {
        memset(piece, i, sizeof piece);
        ok = zmtp_decoder_decode(&d, piece, sizeof piece, &used, &f) == ZMTP_DEC_OK && !f &&
             used == sizeof piece;
        bound_ok &= within_bound(&d, 0);
    }
    CHECK(ok);
    CHECK(bound_ok);
    CHECK_EQ(zmtp_decoder_body_missing(&d), (uint32_t)ZMTP_DEC_MAX_DATA - 5 - (1u << 20));
    CHECK(zw_frame_live_bytes() <= HDR + (2 << 20) + 10);
    /* What arrived is in place. */
    CHECK(d.frame != NULL);
    if (d.frame) {
        const uint8_t *b = d.frame->data;
        CHECK(memcmp(b, "abcde", 5) == 0);
        CHECK(b[5] == 0 && b[5 + 4096] == 1 && b[4 + (1 << 20)] == 255);
    }
    zmtp_decoder_fini(&d);
    CHECK_EQ(zw_frame_live(), 0);
    CHECK_EQ(zw_frame_live_bytes(), 0);
}

static uint8_t big_byte(uint32_t i) { return (uint8_t)(i * 13u + (i >> 11)); }

static void test_large_frame_any_chunking(void) {
    /* A 3 MiB + 7 byte MORE frame, then "z": flags 03 (MORE|LONG), size 00 .. 00 30 00 07, body;
     * flags 00, size 01, 'z'. Every chunking gives the same bytes, within the memory bound. */
    const uint32_t size = (3u << 20) + 7;
    size_t len = 9 + size + 3;
    uint8_t *wire = malloc(len);
    const uint8_t head[9] = {0x03, 0, 0, 0, 0, 0x00, 0x30, 0x00, 0x07};
    memcpy(wire, head, 9);
    for (uint32_t i = 0; i < size; i++)
        wire[9 + i] = big_byte(i);
    memcpy(wire + 9 + size, "\x00\x01z", 3);
    const size_t chunks[] = {1, 1000, 65536, 65537, 0};
    for (size_t c = 0; c < sizeof chunks / sizeof chunks[0]; c++) {
        zmtp_decoder_t d;
        zmtp_decoder_init(&d, -1, ZW_WIRE_ZMTP);
        zw_frame_t *fr[2] = {NULL, NULL};
        int n = 0, bound_ok = 1;
        int64_t held = 0;
        size_t pos = 0;
        while (pos < len) {
            size_t avail = chunks[c] && len - pos > chunks[c] ? chunks[c] : len - pos;
            size_t used;
            zw_frame_t *f;
            if (zmtp_decoder_decode(&d, wire + pos, avail, &used, &f) != ZMTP_DEC_OK)
                break;
            pos += used;
            if (f && n < 2) {
                fr[n++] = f;
                held += HDR + f->alloc;
            } else if (f) {
                zw_frame_free(f);
            }
            bound_ok &= within_bound(&d, held);
        }
        CHECK(bound_ok);
        CHECK_EQ(n, 2);
        if (n == 2) {
            CHECK(fr[0]->size == size && fr[0]->alloc == size && fr[0]->flags == ZW_FRAME_MORE);
            CHECK(memcmp(fr[0]->data, wire + 9, size) == 0);
            CHECK(fr[1]->size == 1 && fr[1]->flags == 0 && fr[1]->data[0] == 'z');
            /* A finished frame holds exactly its body. */
            CHECK_EQ(zw_frame_live_bytes(), 2 * HDR + size + 1);
        }
        zw_frame_free(fr[0]);
        zw_frame_free(fr[1]);
        zmtp_decoder_fini(&d);
        CHECK_EQ(zw_frame_live_bytes(), 0);
    }
    free(wire);
    CHECK_EQ(zw_frame_live(), 0);
}

static void test_small_frame_exact(void) {
    /* Up to the first chunk a frame is allocated once at its declared size: flags 02, size
     * 00 .. 01 00 00 (65536), nothing sent yet. */
    const uint8_t head[9] = {0x02, 0, 0, 0, 0, 0, 0x01, 0x00, 0x00};
    zmtp_decoder_t d;
    zmtp_decoder_init(&d, -1, ZW_WIRE_ZMTP);
    size_t used;
    zw_frame_t *f;
    CHECK_EQ(zmtp_decoder_decode(&d, head, 9, &used, &f), ZMTP_DEC_OK);
    CHECK_EQ(ZMTP_DEC_FIRST_CHUNK, 65536);
    CHECK_EQ(zw_frame_live_bytes(), HDR + 65536);
    CHECK(d.frame != NULL && d.frame->alloc == 65536);
    zmtp_decoder_fini(&d);
    CHECK_EQ(zw_frame_live_bytes(), 0);
}

#if defined(__has_feature)
#if __has_feature(address_sanitizer)
#define HAVE_ASAN 1
#endif
#endif
#if defined(__SANITIZE_ADDRESS__)
#define HAVE_ASAN 1
#endif

#ifdef HAVE_ASAN
/* Under ASan, an allocation above 32 MiB returns NULL instead of succeeding, so a body that
 * grows past it exercises the decoder's out-of-memory path. Nothing else here allocates that
 * much. (ASAN_OPTIONS from the environment still applies on top.) ASan prints one expected
 * "WARNING: AddressSanitizer failed to allocate 0x2000018 bytes" when it refuses. */
const char *__asan_default_options(void);
const char *__asan_default_options(void) {
    return "allocator_may_return_null=1:max_allocation_size_mb=32";
}
#endif

static void test_grow_out_of_memory(void) {
#ifdef HAVE_ASAN
    /* flags 02, size 2^30 - 1, then 17 MiB of body: growing from 16 MiB to 32 MiB (+ header)
     * fails, the decoder fails with ZW_CLOSE_NO_MEMORY and frees what it held. */
    static const uint8_t head[] = {0x02, 0, 0, 0, 0, 0x3F, 0xFF, 0xFF, 0xFF};
    static uint8_t piece[1 << 20];
    zmtp_decoder_t d;
    zmtp_decoder_init(&d, -1, ZW_WIRE_ZMTP);
    size_t used;
    zw_frame_t *f;
    CHECK_EQ(zmtp_decoder_decode(&d, head, sizeof head, &used, &f), ZMTP_DEC_OK);
    zmtp_dec_result_t rc = ZMTP_DEC_OK;
    for (int i = 0; i < 17 && rc == ZMTP_DEC_OK; i++)
        rc = zmtp_decoder_decode(&d, piece, sizeof piece, &used, &f);
    CHECK_EQ(rc, ZMTP_DEC_FAIL);
    CHECK(f == NULL);
    CHECK_EQ(d.state, ZMTP_DEC_ERROR);
    CHECK_EQ(d.reason, ZW_CLOSE_NO_MEMORY);
    CHECK(d.text != NULL && strcmp(d.text, "out of memory") == 0);
    CHECK_EQ(zmtp_decoder_body_missing(&d), 0u);
    CHECK_EQ(zw_frame_live(), 0);
    CHECK_EQ(zw_frame_live_bytes(), 0);
    /* Terminal: nothing more is taken. */
    CHECK_EQ(zmtp_decoder_decode(&d, piece, 10, &used, &f), ZMTP_DEC_FAIL);
    CHECK_EQ(used, 0u);
    zmtp_decoder_fini(&d);
#endif
}

static void test_null_empty(void) {
    /* NULL with length 0 is a legal empty input in every state, and an empty body encodes from
     * NULL: no pointer arithmetic or memcpy on NULL (undefined even for 0 bytes). */
    zmtp_decoder_t d;
    zmtp_decoder_init(&d, -1, ZW_WIRE_ZMTP);
    size_t used = 9;
    zw_frame_t *f;
    const uint8_t part[] = {0x02, 0, 0, 0, 0, 0, 0, 0x01, 0x00, 'a'};  /* LONG, size 256, "a" */
    const size_t cuts[] = {0, 3, sizeof part};                          /* FLAGS, SIZE, BODY */
    size_t at = 0;
    for (size_t i = 0; i < 3; i++) {
        CHECK_EQ(zmtp_decoder_decode(&d, part + at, cuts[i] - at, &used, &f), ZMTP_DEC_OK);
        at = cuts[i];
        CHECK_EQ(zmtp_decoder_decode(&d, NULL, 0, &used, &f), ZMTP_DEC_OK);
        CHECK(used == 0 && f == NULL);
    }
    CHECK_EQ(d.state, ZMTP_DEC_BODY);
    zmtp_decoder_fini(&d);
    zmtp_buf_t b = {0};
    CHECK(zmtp_buf_head(&b) == NULL && zmtp_buf_len(&b) == 0);
    CHECK_EQ(zmtp_encode_frame(&b, 0, NULL, 0), 0);                    /* flags 00, size 00 */
    CHECK(zmtp_buf_len(&b) == 2 && zmtp_buf_head(&b)[0] == 0 && zmtp_buf_head(&b)[1] == 0);
    CHECK_EQ(zmtp_buf_append(&b, NULL, 0), 0);
    zmtp_buf_consume(&b, 2);
    zmtp_buf_free(&b);
    CHECK(zmtp_buf_head(&b) == NULL && zmtp_buf_tail(&b) == NULL);
    f = zw_frame_dup(NULL, 0, ZW_FRAME_MORE);
    CHECK(f && f->size == 0 && f->flags == ZW_FRAME_MORE);
    zw_frame_free(f);
    CHECK_EQ(zw_frame_live(), 0);
    CHECK_EQ(zw_frame_live_bytes(), 0);
}

TEST_MAIN("decoder", TEST_CASE(test_golden_all_at_once), TEST_CASE(test_golden_byte_by_byte),
          TEST_CASE(test_encoder_roundtrip), TEST_CASE(test_oversized), TEST_CASE(test_bad_flags),
          TEST_CASE(test_truncated_waits), TEST_CASE(test_decoder_stops_after_one_frame),
          TEST_CASE(test_huge_header_small_memory), TEST_CASE(test_large_frame_any_chunking),
          TEST_CASE(test_small_frame_exact), TEST_CASE(test_grow_out_of_memory),
          TEST_CASE(test_null_empty))
