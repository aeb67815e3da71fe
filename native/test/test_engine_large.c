/* test_engine_large.c — large frames through two engines back to back.
 *
 * Bodies of ZMTP_OUT_REF_MIN bytes and more are sent by reference (header buffered, body shown
 * from the frame) and, on the receiving side, filled straight from zw_engine_input once their
 * frame is started. Neither may change a wire byte or a decoded frame, whatever the chunking:
 * every case here compares the wire bytes with the copy-everything encoding (zmtp_encode_frame)
 * and the decoded frames with what was sent.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "base/frame.h"
#include "engine/engine.h"
#include "test.h"
#include "wire/buf.h"
#include "wire/encoder.h"
#include "wire/zmtp.h"
#include "zmqw.h"

static uint32_t rng_state = 777;
static uint32_t rng(void) {
    rng_state = rng_state * 1103515245u + 12345u;
    return rng_state >> 8;
}

static zw_engine_t *engine(int type) {
    zw_engine_cfg_t cfg = {.socket_type = type, .max_msg_size = -1};
    zw_engine_t *e = zw_engine_new(&cfg);
    CHECK(e != NULL);
    return e;
}

/* Handshake two engines over whole views; leaves both READY with nothing pending. */
static void marry(zw_engine_t *a, zw_engine_t *b) {
    for (int round = 0; round < 4; round++) {
        zw_engine_t *from = round % 2 ? b : a, *to = round % 2 ? a : b;
        uint32_t n;
        while (zw_engine_pending(from)) {
            const uint8_t *p = zw_engine_output(from, UINT32_MAX, &n, NULL);
            zw_engine_input(to, p, n);
            zw_engine_consume(from, n);
        }
    }
    CHECK_EQ(zw_engine_state(a), ZW_ENGINE_READY);
    CHECK_EQ(zw_engine_state(b), ZW_ENGINE_READY);
}

static uint8_t body_byte(uint32_t frame, uint32_t i) { return (uint8_t)(frame * 131u + i * 7u + (i >> 9)); }

static zw_frame_t *make_frame(uint32_t index, uint32_t size, uint32_t flags) {
    zw_frame_t *f = zw_frame_new(size);
    CHECK(f != NULL);
    for (uint32_t i = 0; i < size; i++)
        f->data[i] = body_byte(index, i);
    f->flags = flags;
    return f;
}

static int same_body(const zw_frame_t *f, uint32_t index, uint32_t size) {
    if (f->size != size)
        return 0;
    for (uint32_t i = 0; i < size; i++)
        if (f->data[i] != body_byte(index, i))
            return 0;
    return 1;
}

enum { OUT_SMALL, OUT_WHOLE };                /* how the sender's output is taken */
enum { IN_BYTE, IN_RANDOM, IN_ALL };          /* how the wire bytes are fed to the receiver */

/* Sends sizes[0..n) as one multipart message (MORE on all but the last) from a to b. */
static void round_trip(const uint32_t *sizes, int n, int out_mode, int in_mode) {
    zw_engine_t *a = engine(ZW_PAIR), *b = engine(ZW_PAIR);
    marry(a, b);

    /* The copy-everything encoding, for comparison. */
    zmtp_buf_t golden = {0};
    uint64_t total = 0;
    for (int i = 0; i < n; i++) {
        uint32_t flags = i + 1 < n ? ZW_FRAME_MORE : 0;
        zw_frame_t *f = make_frame((uint32_t)i, sizes[i], flags);
        CHECK_EQ(zmtp_encode_frame(&golden, flags ? ZMTP_FLAG_MORE : 0, f->data, f->size), 0);
        CHECK_EQ(zw_engine_write(a, f), ZW_OK);
        total += zw_header_size(ZW_WIRE_ZMTP, sizes[i]) + sizes[i];
    }
    CHECK_EQ(zmtp_buf_len(&golden), total);
    CHECK_EQ(zw_engine_pending(a), total);

    /* Take the output; pending counts every byte not yet consumed. */
    uint8_t *wire = malloc(total ? total : 1);
    uint64_t got = 0;
    while (zw_engine_pending(a)) {
        uint32_t max = out_mode == OUT_SMALL ? 1 + rng() % 300 : UINT32_MAX, len;
        const uint8_t *p = zw_engine_output(a, max, &len, NULL);
        CHECK(len > 0 && len <= max && got + len <= total);
        if (len == 0 || got + len > total)
            break;
        memcpy(wire + got, p, len);
        /* Consume part, then the rest: the view stays readable until the next call. */
        uint32_t part = len > 1 ? rng() % len : 0;
        zw_engine_consume(a, part);
        zw_engine_consume(a, len - part);
        CHECK(memcmp(p, wire + got, len) == 0);
        got += len;
        CHECK_EQ(zw_engine_pending(a), total - got);
    }
    CHECK_EQ(got, total);
    CHECK(got == total && memcmp(wire, zmtp_buf_head(&golden), total) == 0);

    /* Feed it to b, pulling frames as they complete (or only at the end, for IN_ALL). */
    int next = 0;
    uint64_t pos = 0;
    while (pos < total) {
        uint64_t k = in_mode == IN_BYTE ? 1 : in_mode == IN_ALL ? total - pos : 1 + rng() % 20000;
        if (k > total - pos)
            k = total - pos;
        CHECK_EQ(zw_engine_input(b, wire + pos, (uint32_t)k), ZW_OK);
        pos += k;
        if (in_mode == IN_RANDOM && rng() % 3 == 0)
            continue;  /* leave input buffered now and then */
        zw_frame_t *f;
        while ((f = zw_engine_next(b)) != NULL) {
            CHECK(next < n);
            if (next < n) {
                CHECK(same_body(f, (uint32_t)next, sizes[next]));
                CHECK_EQ(f->flags, next + 1 < n ? (uint32_t)ZW_FRAME_MORE : 0u);
            }
            next++;
            zw_frame_free(f);
        }
    }
    zw_frame_t *f;
    while ((f = zw_engine_next(b)) != NULL) {
        CHECK(next < n && same_body(f, (uint32_t)next, sizes[next]));
        next++;
        zw_frame_free(f);
    }
    CHECK_EQ(next, n);
    CHECK_EQ(zw_engine_state(b), ZW_ENGINE_READY);

    free(wire);
    zmtp_buf_free(&golden);
    zw_engine_free(a);
    zw_engine_free(b);
    CHECK_EQ(zw_frame_live(), 0);
    CHECK_EQ(zw_frame_live_bytes(), 0);  /* grown bodies are counted as they are freed */
}

static void all_modes(const uint32_t *sizes, int n) {
    for (int out = OUT_SMALL; out <= OUT_WHOLE; out++)
        for (int in = IN_BYTE; in <= IN_ALL; in++)
            round_trip(sizes, n, out, in);
}

/* --- tests ------------------------------------------------------------------------------ */

static void test_around_threshold(void) {
    const uint32_t sizes[] = {ZMTP_OUT_REF_MIN - 1, ZMTP_OUT_REF_MIN, ZMTP_OUT_REF_MIN + 1};
    for (int i = 0; i < 3; i++)
        all_modes(&sizes[i], 1);
}

static void test_one_mib(void) {
    const uint32_t size = 1u << 20;
    all_modes(&size, 1);
}

static void test_multipart_mixes(void) {
    const uint32_t mix1[] = {5, ZMTP_OUT_REF_MIN, 300, 1u << 20, ZMTP_OUT_REF_MIN - 1, 0, 9000};
    const uint32_t mix2[] = {ZMTP_OUT_REF_MIN, ZMTP_OUT_REF_MIN + 1, 40000, 1, 65536};
    const uint32_t mix3[] = {0, 1, 255, 256, 65536, 2, 3};
    all_modes(mix1, (int)(sizeof mix1 / sizeof mix1[0]));
    all_modes(mix2, (int)(sizeof mix2 / sizeof mix2[0]));
    all_modes(mix3, (int)(sizeof mix3 / sizeof mix3[0]));
    /* Many messages in flight at once: the sender's queue of bodies grows past its first size. */
    uint32_t many[40];
    for (int i = 0; i < 40; i++)
        many[i] = i % 2 ? ZMTP_OUT_REF_MIN + (uint32_t)i : (uint32_t)i * 3;
    round_trip(many, 40, OUT_SMALL, IN_RANDOM);
    round_trip(many, 40, OUT_WHOLE, IN_ALL);
}

static void test_golden_long_header(void) {
    /* An 8 KiB frame with MORE, then a 1-byte frame: the views are the LONG header alone, the
     * body straight from the frame, then the short frame. */
    zw_engine_t *a = engine(ZW_PAIR), *b = engine(ZW_PAIR);
    marry(a, b);
    zw_frame_t *f = make_frame(0, ZMTP_OUT_REF_MIN, ZW_FRAME_MORE);
    CHECK_EQ(zw_engine_write(a, f), ZW_OK);
    CHECK_EQ(zw_engine_write(a, zw_frame_dup("z", 1, 0)), ZW_OK);
    CHECK_EQ(zw_engine_pending(a), 9 + ZMTP_OUT_REF_MIN + 2 + 1);
    uint32_t n;
    const uint8_t *p = zw_engine_output(a, UINT32_MAX, &n, NULL);
    /* flags MORE|LONG, then 8192 as a 64-bit big-endian size */
    static const uint8_t head[9] = {0x03, 0, 0, 0, 0, 0, 0, 0x20, 0x00};
    CHECK_EQ(n, 9u);
    CHECK(n == 9 && memcmp(p, head, 9) == 0);
    zw_engine_consume(a, n);
    p = zw_engine_output(a, UINT32_MAX, &n, NULL);
    CHECK_EQ(n, ZMTP_OUT_REF_MIN);
    CHECK(p == f->data);  /* zero copy: the view is the frame's own body */
    zw_engine_consume(a, n);
    CHECK(p[0] == body_byte(0, 0) && p[n - 1] == body_byte(0, n - 1));  /* not freed yet */
    CHECK_EQ(zw_frame_live(), 1);
    p = zw_engine_output(a, UINT32_MAX, &n, NULL);
    CHECK_EQ(zw_frame_live(), 0);  /* freed at the next call */
    static const uint8_t tail[3] = {0x00, 0x01, 'z'};
    CHECK(n == 3 && memcmp(p, tail, 3) == 0);
    zw_engine_consume(a, n);
    CHECK_EQ(zw_engine_pending(a), 0u);
    /* Consuming past the end is clamped. */
    zw_engine_consume(a, 100);
    CHECK_EQ(zw_engine_pending(a), 0u);
    zw_engine_free(a);
    zw_engine_free(b);
    CHECK_EQ(zw_frame_live(), 0);
}

static void test_free_with_queued_bodies(void) {
    /* Bodies queued, one partly consumed, one retired but not yet freed: no leak. */
    zw_engine_t *a = engine(ZW_PAIR), *b = engine(ZW_PAIR);
    marry(a, b);
    for (uint32_t i = 0; i < 3; i++)
        CHECK_EQ(zw_engine_write(a, make_frame(i, 20000, 0)), ZW_OK);
    CHECK_EQ(zw_engine_pending(a), 3u * (9 + 20000));
    zw_engine_consume(a, 9 + 20000 + 9 + 500);  /* spans views */
    CHECK_EQ(zw_engine_pending(a), 2u * (9 + 20000) - 9 - 500);
    uint32_t n;
    const uint8_t *p = zw_engine_output(a, 100, &n, NULL);
    CHECK_EQ(n, 100u);
    CHECK(p[0] == body_byte(1, 500));
    CHECK_EQ(zw_frame_live(), 2);
    zw_engine_free(a);
    zw_engine_free(b);
    CHECK_EQ(zw_frame_live(), 0);
}

static void test_direct_decode_stays_lazy(void) {
    /* A started large frame is filled from input; a frame not started yet stays buffered until
     * zw_engine_next, so a full pipe still stops decoding. */
    zw_engine_t *a = engine(ZW_PAIR), *b = engine(ZW_PAIR);
    marry(a, b);
    zmtp_buf_t w = {0};
    zw_frame_t *one = make_frame(0, 50000, 0), *two = make_frame(1, 30000, 0);
    zmtp_encode_frame(&w, 0, one->data, one->size);
    zmtp_encode_frame(&w, 0, two->data, two->size);
    const uint8_t *p = zmtp_buf_head(&w);
    zw_engine_input(b, p, 1000);
    CHECK(zw_engine_next(b) == NULL);  /* frame one started */
    CHECK_EQ(zw_frame_live(), 3);
    zw_engine_input(b, p + 1000, (uint32_t)zmtp_buf_len(&w) - 1000);
    CHECK_EQ(zw_frame_live(), 3);  /* frame two not started by input */
    zw_frame_t *f = zw_engine_next(b);
    CHECK(f && same_body(f, 0, 50000));
    zw_frame_free(f);
    f = zw_engine_next(b);
    CHECK(f && same_body(f, 1, 30000));
    zw_frame_free(f);
    CHECK(zw_engine_next(b) == NULL);
    zw_frame_free(one);
    zw_frame_free(two);
    zmtp_buf_free(&w);
    zw_engine_free(a);
    zw_engine_free(b);
    CHECK_EQ(zw_frame_live(), 0);
}

static void test_max_msg_size_large(void) {
    /* The limit is checked from the header, before the body is allocated or fed. */
    zw_engine_cfg_t cfg = {.socket_type = ZW_PAIR, .max_msg_size = 10000};
    zw_engine_t *a = engine(ZW_PAIR), *b = zw_engine_new(&cfg);
    marry(a, b);
    CHECK_EQ(zw_engine_write(a, make_frame(0, 10000, 0)), ZW_OK);
    CHECK_EQ(zw_engine_write(a, make_frame(1, 10001, 0)), ZW_OK);
    uint32_t n;
    while (zw_engine_pending(a) && zw_engine_state(b) == ZW_ENGINE_READY) {
        const uint8_t *p = zw_engine_output(a, 777, &n, NULL);
        zw_engine_input(b, p, n);
        zw_engine_consume(a, n);
        zw_frame_t *f;
        while ((f = zw_engine_next(b)) != NULL) {
            CHECK(same_body(f, 0, 10000));
            zw_frame_free(f);
        }
    }
    CHECK_EQ(zw_engine_state(b), ZW_ENGINE_ERROR);
    CHECK_EQ(zw_engine_error(b, NULL), ZW_CLOSE_MSG_SIZE);
    CHECK_EQ(zw_frame_live(), 1);  /* only a's queued 10001-byte frame */
    zw_engine_free(a);
    zw_engine_free(b);
    CHECK_EQ(zw_frame_live(), 0);
}

static void test_huge_header_small_memory(void) {
    /* A peer declares a 2^30 - 1 byte frame (the largest taken) and trickles its body: memory follows the bytes
     * that arrived (direct copy into the frame included), not the header's claim.
     * flags 02 (LONG), size 00 00 00 00 3F FF FF FF, then 3 body bytes. */
    zw_engine_t *a = engine(ZW_PAIR), *b = engine(ZW_PAIR);
    marry(a, b);
    const int64_t before = zw_frame_live_bytes();
    static const uint8_t head[] = {0x02, 0, 0, 0, 0, 0x3F, 0xFF, 0xFF, 0xFF, 1, 2, 3};
    CHECK_EQ(zw_engine_input(b, head, sizeof head), ZW_OK);
    CHECK(zw_engine_next(b) == NULL);   /* decodes the header: the frame is started */
    CHECK_EQ(zw_frame_live(), 1);
    CHECK(zw_frame_live_bytes() - before < (1 << 20));
    /* 4 MiB more in 1000-byte pieces, straight into the frame: at most twice that held. */
    static uint8_t piece[1000];
    uint64_t sent = 3;
    int ok = 1;
    for (int i = 0; i < 4200 && ok; i++) {
        ok = zw_engine_input(b, piece, sizeof piece) == ZW_OK;
        sent += sizeof piece;
        ok &= zw_frame_live_bytes() - before <=
              (int64_t)sizeof(zw_frame_t) + (int64_t)(2 * sent > 65536 ? 2 * sent : 65536);
    }
    CHECK(ok);
    CHECK(zw_engine_next(b) == NULL);
    CHECK_EQ(zw_engine_state(b), ZW_ENGINE_READY);
    zw_engine_free(a);
    zw_engine_free(b);
    CHECK_EQ(zw_frame_live(), 0);
    CHECK_EQ(zw_frame_live_bytes(), 0);
}

TEST_MAIN("engine_large", TEST_CASE(test_golden_long_header), TEST_CASE(test_around_threshold),
          TEST_CASE(test_one_mib), TEST_CASE(test_multipart_mixes),
          TEST_CASE(test_free_with_queued_bodies), TEST_CASE(test_direct_decode_stays_lazy),
          TEST_CASE(test_max_msg_size_large), TEST_CASE(test_huge_header_small_memory))
