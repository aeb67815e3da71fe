/* test_engine.c — ZMTP engines wired back to back in memory, and hand-built hostile peers.
 *
 *   engine A  --output-->  pump  --input-->  engine B
 *             <--input--         <--output--
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "base/frame.h"
#include "engine/engine.h"
#include "test.h"
#include "wire/buf.h"
#include "wire/command.h"
#include "wire/encoder.h"
#include "wire/greeting.h"
#include "wire/zmtp.h"
#include "zmqw.h"

static zw_engine_t *engine(int type, const char *id, int64_t max) {
    zw_engine_cfg_t cfg = {.socket_type = type, .routing_id = (const uint8_t *)id,
                           .routing_id_len = (uint8_t)(id ? strlen(id) : 0), .max_msg_size = max};
    zw_engine_t *e = zw_engine_new(&cfg);
    CHECK(e != NULL);
    return e;
}

/* Moves everything `from` has to send into `to`, in chunks of `chunk` bytes. */
static void transfer(zw_engine_t *from, zw_engine_t *to, uint32_t chunk) {
    uint32_t n;
    while (zw_engine_pending(from)) {
        const uint8_t *p = zw_engine_output(from, chunk, &n, NULL);
        zw_engine_input(to, p, n);
        zw_engine_consume(from, n);
    }
}

static void pump(zw_engine_t *a, zw_engine_t *b) {
    while (zw_engine_pending(a) || zw_engine_pending(b)) {
        transfer(a, b, 65536);
        transfer(b, a, 65536);
    }
}

/* Feeds raw bytes from a hand-built peer. */
static int feed(zw_engine_t *e, const void *p, size_t n) {
    return zw_engine_input(e, (const uint8_t *)p, (uint32_t)n);
}

/* A fake peer's greeting: version 3.minor, mechanism name. */
static void peer_greeting(zw_engine_t *e, uint8_t minor, const char *mech) {
    uint8_t g[ZMTP_GREETING_SIZE];
    zmtp_greeting_build(g, mech, 0);
    g[ZMTP_MINOR_OFF] = minor;
    feed(e, g, sizeof g);
}

/* A fake peer's READY with the given Socket-Type (NULL = none). */
static void peer_ready(zw_engine_t *e, const char *type) {
    zmtp_buf_t b = {0};
    zmtp_prop_t props[2] = {
        {"X-Custom", (const uint8_t *)"ignored", 7},
        {"socket-type", (const uint8_t *)type, type ? (uint32_t)strlen(type) : 0},
    };
    zmtp_cmd_write_props(&b, ZMTP_CMD_READY, props, type ? 2 : 1);
    feed(e, zmtp_buf_head(&b), zmtp_buf_len(&b));
    zmtp_buf_free(&b);
}

/* Copies all pending output (up to cap) and consumes it. */
static size_t drain(zw_engine_t *e, uint8_t *out, size_t cap) {
    uint32_t n;
    const uint8_t *p = zw_engine_output(e, UINT32_MAX, &n, NULL);
    size_t m = n < cap ? n : cap;
    memcpy(out, p, m);
    zw_engine_consume(e, n);
    return m;
}

static void expect_error(zw_engine_t *e, int reason) {
    CHECK_EQ(zw_engine_state(e), ZW_ENGINE_ERROR);
    const char *text = NULL;
    int got = zw_engine_error(e, &text);
    if (got != reason) fprintf(stderr, "reason %d (%s), expected %d\n", got, text ? text : "", reason);
    CHECK_EQ(got, reason);
    CHECK(text != NULL && text[0] != '\0');
    CHECK(zw_engine_next(e) == NULL);
    CHECK_EQ(feed(e, "x", 1), ZW_EPROTO);
}

static void send_frame(zw_engine_t *e, const char *s, uint32_t flags) {
    CHECK_EQ(zw_engine_write(e, zw_frame_dup(s, strlen(s), flags)), ZW_OK);
}

static void expect_frame(zw_engine_t *e, const char *s, uint32_t flags) {
    zw_frame_t *f = zw_engine_next(e);
    CHECK(f != NULL);
    if (!f)
        return;
    CHECK_EQ(f->size, strlen(s));
    CHECK(f->size == strlen(s) && memcmp(f->data, s, f->size) == 0);
    CHECK_EQ(f->flags, flags);
    zw_frame_free(f);
}

/* --- tests ------------------------------------------------------------------------------ */

static void test_req_rep(void) {
    zw_engine_t *req = engine(ZW_REQ, "client-1", -1);
    zw_engine_t *rep = engine(ZW_REP, NULL, -1);
    CHECK_EQ(zw_engine_state(req), ZW_ENGINE_GREETING);
    CHECK(zw_engine_next(req) == NULL);
    CHECK_EQ(zw_engine_write(req, zw_frame_dup("x", 1, 0)), ZW_EFSM);  /* not READY: refused */
    pump(req, rep);
    CHECK_EQ(zw_engine_state(req), ZW_ENGINE_READY);
    CHECK_EQ(zw_engine_state(rep), ZW_ENGINE_READY);
    CHECK_EQ(zw_engine_peer_type(req), ZW_REP);
    CHECK_EQ(zw_engine_peer_type(rep), ZW_REQ);
    CHECK_EQ(zw_engine_peer_minor(req), 1);
    uint8_t len = 99;
    const uint8_t *id = zw_engine_peer_identity(rep, &len);
    CHECK(len == 8 && memcmp(id, "client-1", 8) == 0);
    zw_engine_peer_identity(req, &len);
    CHECK_EQ(len, 0);  /* REP sends no Identity */

    /* REQ -> REP: ["" MORE]["hello"] */
    send_frame(req, "", ZW_FRAME_MORE);
    send_frame(req, "hello", 0);
    CHECK(zw_engine_next(rep) == NULL);  /* nothing before the bytes move */
    pump(req, rep);
    expect_frame(rep, "", ZW_FRAME_MORE);
    expect_frame(rep, "hello", 0);
    CHECK(zw_engine_next(rep) == NULL);

    /* REP -> REQ, with a large frame (LONG header, body arriving in small chunks) */
    size_t big_n = 300000;
    zw_frame_t *big = zw_frame_new(big_n);
    for (size_t i = 0; i < big_n; i++)
        big->data[i] = (uint8_t)(i * 31);
    send_frame(rep, "", ZW_FRAME_MORE);
    CHECK_EQ(zw_engine_write(rep, big), ZW_OK);
    /* Pull as bytes trickle in: exercises the direct-to-body path. */
    zw_frame_t *got[2] = {NULL, NULL};
    int n = 0;
    uint32_t avail;
    while (zw_engine_pending(rep)) {
        const uint8_t *p = zw_engine_output(rep, 1000, &avail, NULL);
        CHECK_EQ(feed(req, p, avail), ZW_OK);
        zw_engine_consume(rep, avail);
        zw_frame_t *f;
        while ((f = zw_engine_next(req)) != NULL) {
            if (n < 2)
                got[n++] = f;
            else
                zw_frame_free(f);
        }
    }
    CHECK_EQ(n, 2);
    if (n == 2) {
        CHECK(got[0]->size == 0 && got[0]->flags == ZW_FRAME_MORE);
        CHECK(got[1]->size == big_n && got[1]->flags == 0);
        int ok = 1;
        for (size_t i = 0; i < big_n && ok; i++)
            ok = got[1]->data[i] == (uint8_t)(i * 31);
        CHECK(ok);
    }
    zw_frame_free(got[0]);
    zw_frame_free(got[1]);
    zw_engine_free(req);
    zw_engine_free(rep);
    CHECK_EQ(zw_frame_live(), 0);
}

static void test_byte_at_a_time(void) {
    /* Handshake and traffic one byte per input call both ways. */
    zw_engine_t *a = engine(ZW_DEALER, "d", -1);
    zw_engine_t *b = engine(ZW_ROUTER, NULL, -1);
    CHECK_EQ(zw_engine_write(b, zw_frame_dup("x", 1, 0)), ZW_EFSM);  /* refused before READY */
    while (zw_engine_pending(a) || zw_engine_pending(b)) {
        transfer(a, b, 1);
        transfer(b, a, 1);
    }
    CHECK_EQ(zw_engine_state(a), ZW_ENGINE_READY);
    CHECK_EQ(zw_engine_state(b), ZW_ENGINE_READY);
    CHECK_EQ(zw_engine_peer_type(b), ZW_DEALER);
    for (int i = 0; i < 50; i++)
        send_frame(a, "frame", i % 2 ? 0 : ZW_FRAME_MORE);
    transfer(a, b, 1);
    for (int i = 0; i < 50; i++)
        expect_frame(b, "frame", i % 2 ? 0 : ZW_FRAME_MORE);
    CHECK(zw_engine_next(b) == NULL);
    zw_engine_free(a);
    zw_engine_free(b);
    CHECK_EQ(zw_frame_live(), 0);
}

static void test_send_before_ready_refused(void) {
    zw_engine_t *e = engine(ZW_DEALER, NULL, -1);
    CHECK_EQ(zw_engine_write(e, zw_frame_dup("x", 1, 0)), ZW_EFSM);
    zw_engine_free(e);
    CHECK_EQ(zw_frame_live(), 0);
}

static void test_golden_greeting_and_ready(void) {
    zw_engine_t *e = engine(ZW_REQ, NULL, -1);
    static const uint8_t want[] = {
        /* greeting 0..9: signature FF, padding 00x7 01, 7F */
        0xFF, 0, 0, 0, 0, 0, 0, 0, 0x01, 0x7F,
        /* 10..11: version 3.1 */
        0x03, 0x01,
        /* 12..31: mechanism "NULL" zero padded to 20 */
        'N', 'U', 'L', 'L', 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
        /* 32: as-server 0; 33..63: filler */
        0x00, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
        0, 0, 0, 0,
        /* READY: flags 04 (COMMAND), size 0x26 = 38 = 6 (name) + 19 (Socket-Type) + 13 (Identity) */
        0x04, 0x26,
        /* name: 05 "READY" */
        0x05, 'R', 'E', 'A', 'D', 'Y',
        /* property: 0B "Socket-Type", value length 00000003, "REQ" */
        0x0B, 'S', 'o', 'c', 'k', 'e', 't', '-', 'T', 'y', 'p', 'e', 0, 0, 0, 3, 'R', 'E', 'Q',
        /* property: 08 "Identity", value length 00000000 (empty, but sent: REQ) */
        0x08, 'I', 'd', 'e', 'n', 't', 'i', 't', 'y', 0, 0, 0, 0,
    };
    CHECK_EQ(sizeof want, 64u + 2 + 38);
    CHECK_EQ(zw_engine_pending(e), sizeof want);
    uint32_t n;
    const uint8_t *p = zw_engine_output(e, UINT32_MAX, &n, NULL);
    CHECK_EQ(n, sizeof want);
    CHECK(n == sizeof want && memcmp(p, want, n) == 0);
    /* A max smaller than pending gives a partial view. */
    p = zw_engine_output(e, 10, &n, NULL);
    CHECK_EQ(n, 10u);
    zw_engine_consume(e, 64);
    CHECK_EQ(zw_engine_pending(e), sizeof want - 64);
    zw_engine_free(e);

    /* PUB sends only Socket-Type: 04 19 | 05 READY | 0B Socket-Type 00000003 PUB (25 bytes) */
    e = engine(ZW_PUB, "ignored", -1);
    p = zw_engine_output(e, UINT32_MAX, &n, NULL);
    static const uint8_t pub_ready[] = {0x04, 0x19, 0x05, 'R', 'E', 'A', 'D', 'Y', 0x0B, 'S', 'o',
                                        'c', 'k', 'e', 't', '-', 'T', 'y', 'p', 'e', 0, 0, 0, 3,
                                        'P', 'U', 'B'};
    CHECK_EQ(n, 64u + sizeof pub_ready);
    CHECK(n == 64u + sizeof pub_ready && memcmp(p + 64, pub_ready, sizeof pub_ready) == 0);
    zw_engine_free(e);
    CHECK_EQ(zw_frame_live(), 0);
}

static void test_subscriptions_by_version(void) {
    uint8_t out[128];
    for (uint8_t minor = 0; minor <= 2; minor++) {
        zw_engine_t *sub = engine(ZW_SUB, NULL, -1);
        zw_engine_consume(sub, zw_engine_pending(sub));
        peer_greeting(sub, minor, "NULL");
        peer_ready(sub, "PUB");
        CHECK_EQ(zw_engine_state(sub), ZW_ENGINE_READY);
        CHECK_EQ(zw_engine_peer_minor(sub), minor ? 1 : 0);
        CHECK_EQ(zw_engine_write(sub, zw_frame_dup("topic", 5, ZW_FRAME_SUBSCRIBE)), ZW_OK);
        CHECK_EQ(zw_engine_write(sub, zw_frame_dup("t", 1, ZW_FRAME_CANCEL)), ZW_OK);
        size_t n = drain(sub, out, sizeof out);
        if (minor == 0) {
            /* 3.0: data frames 00 06 01 "topic" and 00 02 00 "t" */
            static const uint8_t want[] = {0x00, 0x06, 0x01, 't', 'o', 'p', 'i', 'c',
                                           0x00, 0x02, 0x00, 't'};
            CHECK(n == sizeof want && memcmp(out, want, n) == 0);
        } else {
            /* 3.1: commands 04 0F 09 "SUBSCRIBE" "topic" and 04 08 06 "CANCEL" "t" */
            static const uint8_t want[] = {0x04, 0x0F, 0x09, 'S', 'U', 'B', 'S', 'C', 'R', 'I',
                                           'B', 'E', 't', 'o', 'p', 'i', 'c', 0x04, 0x08, 0x06,
                                           'C', 'A', 'N', 'C', 'E', 'L', 't'};
            CHECK(n == sizeof want && memcmp(out, want, n) == 0);
        }
        zw_engine_free(sub);
    }
    CHECK_EQ(zw_frame_live(), 0);
}

static void test_incoming_subscriptions(void) {
    /* SUB -> XPUB over engines: commands come up as SUBSCRIBE/CANCEL frames; message form as
     * plain data. */
    zw_engine_t *sub = engine(ZW_SUB, NULL, -1);
    zw_engine_t *pub = engine(ZW_XPUB, NULL, -1);
    pump(sub, pub);
    CHECK_EQ(zw_engine_write(sub, zw_frame_dup("weather", 7, ZW_FRAME_SUBSCRIBE)), ZW_OK);
    CHECK_EQ(zw_engine_write(sub, zw_frame_dup("", 0, ZW_FRAME_CANCEL)), ZW_OK);
    CHECK_EQ(zw_engine_write(sub, zw_frame_dup("\x01news", 5, 0)), ZW_OK);
    pump(sub, pub);
    expect_frame(pub, "weather", ZW_FRAME_SUBSCRIBE);
    expect_frame(pub, "", ZW_FRAME_CANCEL);
    expect_frame(pub, "\x01news", 0);
    CHECK(zw_engine_next(pub) == NULL);
    zw_engine_free(sub);
    zw_engine_free(pub);
    CHECK_EQ(zw_frame_live(), 0);
}

static void test_garbage_greeting(void) {
    zw_engine_t *e = engine(ZW_REQ, NULL, -1);
    CHECK_EQ(feed(e, "GET / HTTP/1.1\r\n", 16), ZW_EPROTO);
    expect_error(e, ZW_CLOSE_PROTOCOL);
    CHECK(zw_engine_pending(e) > 0);  /* our greeting is still there to flush (or drop) */
    zw_engine_free(e);

    /* Byte 9 without the versioned bit: FF + padding + 00 = ZMTP 1.0. */
    e = engine(ZW_REQ, NULL, -1);
    const uint8_t v1[] = {0xFF, 0, 0, 0, 0, 0, 0, 0, 1, 0x00};
    CHECK_EQ(feed(e, v1, 9), ZW_OK);  /* undecided yet */
    CHECK_EQ(feed(e, v1 + 9, 1), ZW_EPROTO);
    expect_error(e, ZW_CLOSE_PROTOCOL);
    zw_engine_free(e);

    /* ZMTP 2.0 peer: signature then major 1: refused as soon as byte 10 arrives. */
    e = engine(ZW_REQ, NULL, -1);
    const uint8_t v2[] = {0xFF, 0, 0, 0, 0, 0, 0, 0, 1, 0x7F, 0x01};
    CHECK_EQ(feed(e, v2, sizeof v2), ZW_EPROTO);
    expect_error(e, ZW_CLOSE_PROTOCOL);
    const char *text;
    zw_engine_error(e, &text);
    CHECK(strstr(text, "2.0") != NULL);
    zw_engine_free(e);

    /* Padding is never checked: garbage there is fine. */
    e = engine(ZW_REQ, NULL, -1);
    uint8_t g[ZMTP_GREETING_SIZE];
    zmtp_greeting_build(g, "NULL", 0);
    memset(g + 1, 0xAB, 8);
    feed(e, g, sizeof g);
    CHECK_EQ(zw_engine_state(e), ZW_ENGINE_HANDSHAKE);
    zw_engine_free(e);
    CHECK_EQ(zw_frame_live(), 0);
}

static void test_mechanism_mismatch(void) {
    zw_engine_t *e = engine(ZW_DEALER, NULL, -1);
    peer_greeting(e, 1, "PLAIN");
    expect_error(e, ZW_CLOSE_MECHANISM);
    zw_engine_free(e);
    CHECK_EQ(zw_frame_live(), 0);
}

static void test_incompatible_socket_type(void) {
    zw_engine_t *a = engine(ZW_PUSH, NULL, -1);
    zw_engine_t *b = engine(ZW_PUSH, NULL, -1);
    pump(a, b);
    expect_error(a, ZW_CLOSE_SOCKET_TYPE);
    expect_error(b, ZW_CLOSE_SOCKET_TYPE);
    const char *text;
    zw_engine_error(a, &text);
    CHECK(strcmp(text, "incompatible socket type") == 0);
    zw_engine_free(a);
    zw_engine_free(b);

    /* Unknown type name. */
    a = engine(ZW_PULL, NULL, -1);
    peer_greeting(a, 1, "NULL");
    peer_ready(a, "PUSHY");
    expect_error(a, ZW_CLOSE_SOCKET_TYPE);
    zw_engine_free(a);
    CHECK_EQ(zw_frame_live(), 0);
}

static void test_compatibility_table(void) {
    CHECK(zw_socket_types_compatible(ZW_REQ, ZW_REP));
    CHECK(zw_socket_types_compatible(ZW_REQ, ZW_ROUTER));
    CHECK(zw_socket_types_compatible(ZW_REP, ZW_DEALER));
    CHECK(zw_socket_types_compatible(ZW_DEALER, ZW_DEALER));
    CHECK(zw_socket_types_compatible(ZW_ROUTER, ZW_ROUTER));
    CHECK(zw_socket_types_compatible(ZW_XPUB, ZW_XSUB));
    CHECK(zw_socket_types_compatible(ZW_SUB, ZW_PUB));
    CHECK(zw_socket_types_compatible(ZW_PULL, ZW_PUSH));
    CHECK(zw_socket_types_compatible(ZW_PAIR, ZW_PAIR));
    CHECK(!zw_socket_types_compatible(ZW_REQ, ZW_REQ));
    CHECK(!zw_socket_types_compatible(ZW_PUB, ZW_PUB));
    CHECK(!zw_socket_types_compatible(ZW_STREAM, ZW_STREAM));
    CHECK(!zw_socket_types_compatible(ZW_PAIR, ZW_DEALER));
    /* Symmetric over all pairs. */
    for (int a = 0; a < 12; a++)
        for (int b = 0; b < 12; b++)
            CHECK_EQ(zw_socket_types_compatible(a, b), zw_socket_types_compatible(b, a));
}

static void test_ready_without_socket_type(void) {
    zw_engine_t *e = engine(ZW_PULL, NULL, -1);
    peer_greeting(e, 1, "NULL");
    peer_ready(e, NULL);
    expect_error(e, ZW_CLOSE_SOCKET_TYPE);
    zw_engine_free(e);
    CHECK_EQ(zw_frame_live(), 0);
}

static void test_ready_property_overrun(void) {
    /* READY whose Socket-Type value length (0x10) runs past the body:
     * 04 17 | 05 READY | 0B Socket-Type | 00 00 00 10 | "PUSH" (only 4 bytes) */
    static const uint8_t bad[] = {0x04, 0x17, 0x05, 'R', 'E', 'A', 'D', 'Y', 0x0B, 'S', 'o', 'c',
                                  'k', 'e', 't', '-', 'T', 'y', 'p', 'e', 0, 0, 0, 0x10, 'P',
                                  'U', 'S', 'H'};
    CHECK_EQ(sizeof bad, 2u + 0x17 + 3);
    zw_engine_t *e = engine(ZW_PULL, NULL, -1);
    peer_greeting(e, 1, "NULL");
    feed(e, bad, 2 + 0x17);
    expect_error(e, ZW_CLOSE_INVALID_METADATA);
    zw_engine_free(e);

    /* Name length past the body: 04 08 | 05 READY | 0B "So" */
    static const uint8_t bad2[] = {0x04, 0x09, 0x05, 'R', 'E', 'A', 'D', 'Y', 0x0B, 'S', 'o'};
    e = engine(ZW_PULL, NULL, -1);
    peer_greeting(e, 1, "NULL");
    feed(e, bad2, sizeof bad2);
    expect_error(e, ZW_CLOSE_INVALID_METADATA);
    zw_engine_free(e);

    /* Command name length past the body: 04 02 | 09 'R' */
    e = engine(ZW_PULL, NULL, -1);
    peer_greeting(e, 1, "NULL");
    feed(e, "\x04\x02\x09R", 4);
    expect_error(e, ZW_CLOSE_UNEXPECTED_COMMAND);
    zw_engine_free(e);

    /* Identity longer than 255 bytes. */
    e = engine(ZW_ROUTER, NULL, -1);
    peer_greeting(e, 1, "NULL");
    zmtp_buf_t b = {0};
    static uint8_t long_id[300];
    zmtp_prop_t props[2] = {{"Socket-Type", (const uint8_t *)"DEALER", 6},
                            {"Identity", long_id, sizeof long_id}};
    zmtp_cmd_write_props(&b, ZMTP_CMD_READY, props, 2);
    feed(e, zmtp_buf_head(&b), zmtp_buf_len(&b));
    zmtp_buf_free(&b);
    expect_error(e, ZW_CLOSE_INVALID_METADATA);
    zw_engine_free(e);
    CHECK_EQ(zw_frame_live(), 0);
}

static void test_data_before_ready(void) {
    zw_engine_t *e = engine(ZW_PULL, NULL, -1);
    peer_greeting(e, 1, "NULL");
    feed(e, "\x00\x01x", 3);
    expect_error(e, ZW_CLOSE_PROTOCOL);
    zw_engine_free(e);
    CHECK_EQ(zw_frame_live(), 0);
}

static void test_max_msg_size(void) {
    zw_engine_t *pull = engine(ZW_PULL, NULL, 100);
    zw_engine_t *push = engine(ZW_PUSH, NULL, -1);
    pump(push, pull);
    CHECK_EQ(zw_engine_state(pull), ZW_ENGINE_READY);  /* READY itself is not limited */
    zw_frame_t *ok = zw_frame_new(100);
    memset(ok->data, 'a', 100);
    CHECK_EQ(zw_engine_write(push, ok), ZW_OK);
    zw_frame_t *big = zw_frame_new(101);
    memset(big->data, 'b', 101);
    CHECK_EQ(zw_engine_write(push, big), ZW_OK);
    pump(push, pull);
    zw_frame_t *f = zw_engine_next(pull);
    CHECK(f != NULL && f->size == 100);
    zw_frame_free(f);
    CHECK(zw_engine_next(pull) == NULL);  /* the 101-byte header is refused */
    expect_error(pull, ZW_CLOSE_MSG_SIZE);
    const char *text;
    zw_engine_error(pull, &text);
    CHECK(strcmp(text, "message too large") == 0);
    zw_engine_free(pull);
    zw_engine_free(push);

    /* A LONG size of 2^63 never allocates. */
    pull = engine(ZW_PULL, NULL, -1);
    peer_greeting(pull, 1, "NULL");
    peer_ready(pull, "PUSH");
    static const uint8_t huge[] = {0x02, 0x80, 0, 0, 0, 0, 0, 0, 0};
    feed(pull, huge, sizeof huge);
    CHECK(zw_engine_next(pull) == NULL);
    expect_error(pull, ZW_CLOSE_MSG_SIZE);
    zw_engine_free(pull);
    CHECK_EQ(zw_frame_live(), 0);
}

static void test_ping_pong(void) {
    zw_engine_t *e = engine(ZW_DEALER, NULL, -1);
    zw_engine_consume(e, zw_engine_pending(e));
    peer_greeting(e, 1, "NULL");
    peer_ready(e, "ROUTER");
    CHECK_EQ(zw_engine_state(e), ZW_ENGINE_READY);
    /* PING: 04 0B | 04 "PING" | TTL 00 64 | context "ctx!" ; then a data frame "d" */
    static const uint8_t ping[] = {0x04, 0x0B, 0x04, 'P', 'I', 'N', 'G', 0x00, 0x64,
                                   'c', 't', 'x', '!', 0x00, 0x01, 'd'};
    feed(e, ping, sizeof ping);
    CHECK_EQ(zw_engine_pending(e), 0u);  /* lazily decoded: nothing until pulled */
    expect_frame(e, "d", 0);
    /* PONG: 04 09 | 04 "PONG" | context "ctx!" */
    static const uint8_t pong[] = {0x04, 0x09, 0x04, 'P', 'O', 'N', 'G', 'c', 't', 'x', '!'};
    uint8_t out[64];
    size_t n = drain(e, out, sizeof out);
    CHECK(n == sizeof pong && memcmp(out, pong, n) == 0);
    /* PONG and unknown commands are dropped silently. */
    feed(e, pong, sizeof pong);
    feed(e, "\x04\x04\x03XYZ", 6);
    feed(e, "\x00\x01z", 3);
    expect_frame(e, "z", 0);
    CHECK_EQ(zw_engine_pending(e), 0u);
    /* PING shorter than its TTL: malformed. */
    feed(e, "\x04\x06\x04PING\x01", 8);
    CHECK(zw_engine_next(e) == NULL);
    expect_error(e, ZW_CLOSE_PROTOCOL);
    zw_engine_free(e);
    CHECK_EQ(zw_frame_live(), 0);
}

static void test_error_command(void) {
    zw_engine_t *e = engine(ZW_DEALER, NULL, -1);
    peer_greeting(e, 1, "NULL");
    /* ERROR: 04 0E | 05 "ERROR" | 07 "denied\n" */
    feed(e, "\x04\x0e\x05" "ERROR" "\x07" "denied\n", 16);
    expect_error(e, ZW_CLOSE_PROTOCOL);
    const char *text;
    zw_engine_error(e, &text);
    CHECK(strstr(text, "denied?") != NULL);  /* peer text kept, control bytes masked */
    zw_engine_free(e);

    /* Any other command during the handshake is a protocol error. */
    e = engine(ZW_DEALER, NULL, -1);
    peer_greeting(e, 1, "NULL");
    feed(e, "\x04\x07\x04PING\x00\x00", 9);
    expect_error(e, ZW_CLOSE_UNEXPECTED_COMMAND);
    zw_engine_free(e);
    CHECK_EQ(zw_frame_live(), 0);
}

static void test_everything_in_one_chunk(void) {
    /* Greeting, READY and two data frames in a single input call. */
    zw_engine_t *e = engine(ZW_PULL, NULL, -1);
    zmtp_buf_t b = {0};
    uint8_t g[ZMTP_GREETING_SIZE];
    zmtp_greeting_build(g, "NULL", 0);
    zmtp_buf_append(&b, g, sizeof g);
    zmtp_prop_t props[1] = {{"Socket-Type", (const uint8_t *)"PUSH", 4}};
    zmtp_cmd_write_props(&b, ZMTP_CMD_READY, props, 1);
    zmtp_encode_frame(&b, ZMTP_FLAG_MORE, "one", 3);
    zmtp_encode_frame(&b, 0, "two", 3);
    CHECK_EQ(feed(e, zmtp_buf_head(&b), zmtp_buf_len(&b)), ZW_OK);
    zmtp_buf_free(&b);
    CHECK_EQ(zw_engine_state(e), ZW_ENGINE_READY);
    expect_frame(e, "one", ZW_FRAME_MORE);
    expect_frame(e, "two", 0);
    /* Free with a partial frame buffered and a body in progress. */
    feed(e, "\x02\x00\x00\x00\x00\x00\x00\x10\x00zz", 11);
    CHECK(zw_engine_next(e) == NULL);
    CHECK_EQ(zw_frame_live(), 1);
    feed(e, "more", 4);
    zw_engine_free(e);
    CHECK_EQ(zw_frame_live(), 0);
}

static void test_many_small_frames(void) {
    /* Bulk traffic through the buffers (compaction and growth both exercised). */
    zw_engine_t *a = engine(ZW_PAIR, NULL, -1);
    zw_engine_t *b = engine(ZW_PAIR, NULL, -1);
    pump(a, b);
    long sent = 0, got = 0;
    for (int round = 0; round < 50; round++) {
        for (int i = 0; i < 1000; i++, sent++)
            CHECK_EQ(zw_engine_write(a, zw_frame_dup(&sent, sizeof sent, 0)), ZW_OK);
        transfer(a, b, 4093);
        zw_frame_t *f;
        int pulled = 0;
        /* Pull only some each round, so the input buffer carries leftovers. */
        while (pulled < 700 && (f = zw_engine_next(b)) != NULL) {
            long v;
            memcpy(&v, f->data, sizeof v);
            CHECK_EQ(v, got);
            got++, pulled++;
            zw_frame_free(f);
        }
    }
    zw_frame_t *f;
    while ((f = zw_engine_next(b)) != NULL) {
        long v;
        memcpy(&v, f->data, sizeof v);
        CHECK_EQ(v, got);
        got++;
        zw_frame_free(f);
    }
    CHECK_EQ(got, sent);
    zw_engine_free(a);
    zw_engine_free(b);
    CHECK_EQ(zw_frame_live(), 0);
}

static uint32_t rng_state = 12345;
static uint32_t rng(void) {
    rng_state = rng_state * 1103515245u + 12345u;
    return rng_state >> 8;
}

static void test_mutated_streams(void) {
    /* Hostile-input smoke test: a valid peer stream with random bytes flipped, fed in random
     * chunks. Whatever happens, the engine ends in READY or ERROR, never crashes or leaks. */
    zmtp_buf_t b = {0};
    uint8_t g[ZMTP_GREETING_SIZE];
    zmtp_greeting_build(g, "NULL", 0);
    zmtp_buf_append(&b, g, sizeof g);
    zmtp_prop_t props[2] = {{"Socket-Type", (const uint8_t *)"DEALER", 6},
                            {"Identity", (const uint8_t *)"peer", 4}};
    zmtp_cmd_write_props(&b, ZMTP_CMD_READY, props, 2);
    static uint8_t body[700];
    for (int i = 0; i < 20; i++)
        zmtp_encode_frame(&b, i % 3 ? ZMTP_FLAG_MORE : 0, body, (size_t)(i * 37 % 700));
    zmtp_cmd_write(&b, ZMTP_CMD_PING, "\x00\x01ctx", 5);
    zmtp_cmd_write(&b, ZMTP_CMD_SUBSCRIBE, "abc", 3);
    size_t len = zmtp_buf_len(&b);
    uint8_t *stream = malloc(len);
    for (int iter = 0; iter < 2000; iter++) {
        memcpy(stream, zmtp_buf_head(&b), len);
        int flips = 1 + (int)(rng() % 4);
        for (int k = 0; k < flips; k++)
            stream[rng() % len] ^= (uint8_t)(1u << (rng() % 8));
        zw_engine_t *e = engine(ZW_ROUTER, NULL, iter % 2 ? 500 : -1);
        size_t pos = 0;
        while (pos < len) {
            size_t n = 1 + rng() % 97;
            if (n > len - pos)
                n = len - pos;
            feed(e, stream + pos, n);
            pos += n;
            zw_frame_t *f;
            while ((f = zw_engine_next(e)) != NULL)
                zw_frame_free(f);
        }
        zw_engine_state_t st = zw_engine_state(e);
        CHECK(st == ZW_ENGINE_READY || st == ZW_ENGINE_ERROR || st == ZW_ENGINE_HANDSHAKE ||
              st == ZW_ENGINE_GREETING);
        zw_engine_free(e);
    }
    free(stream);
    zmtp_buf_free(&b);
    CHECK_EQ(zw_frame_live(), 0);
}

static void test_empty_input_null(void) {
    /* zw_engine_input(e, NULL, 0) is legal in every state (a host may pass an empty view as a
     * null pointer); before the fix it did NULL + 0 (undefined, UBSan) on the empty buffer. */
    zw_engine_t *a = engine(ZW_DEALER, "d", -1), *b = engine(ZW_ROUTER, NULL, -1);
    CHECK_EQ(zw_engine_input(b, NULL, 0), ZW_OK);            /* fresh: GREETING, nothing buffered */
    CHECK_EQ(zw_engine_state(b), ZW_ENGINE_GREETING);
    transfer(a, b, 5);                                       /* part of the greeting... */
    CHECK_EQ(zw_engine_input(b, NULL, 0), ZW_OK);
    CHECK_EQ(zw_engine_input(a, NULL, 0), ZW_OK);
    pump(a, b);                                              /* ...then the rest */
    CHECK_EQ(zw_engine_state(b), ZW_ENGINE_READY);
    CHECK_EQ(zw_engine_input(b, NULL, 0), ZW_OK);            /* READY, input drained */
    CHECK(zw_engine_next(b) == NULL);
    /* A large body in progress with nothing buffered: the direct-to-body path. */
    zw_frame_t *big = zw_frame_new(20000);
    memset(big->data, 'q', 20000);
    CHECK_EQ(zw_engine_write(a, big), ZW_OK);
    uint32_t n;
    const uint8_t *p = zw_engine_output(a, 100, &n, NULL);
    CHECK_EQ(feed(b, p, n), ZW_OK);
    zw_engine_consume(a, n);
    CHECK(zw_engine_next(b) == NULL);                        /* frame started, body missing */
    CHECK_EQ(zw_engine_input(b, NULL, 0), ZW_OK);
    transfer(a, b, 7000);
    zw_frame_t *f = zw_engine_next(b);
    CHECK(f && f->size == 20000 && f->data[0] == 'q' && f->data[19999] == 'q');
    zw_frame_free(f);
    CHECK_EQ(zw_engine_input(b, NULL, 0), ZW_OK);
    CHECK_EQ(zw_engine_state(b), ZW_ENGINE_READY);
    zw_engine_free(a);
    zw_engine_free(b);
    CHECK_EQ(zw_frame_live(), 0);
}

/* The engine is chosen by its configuration: ZMTP, ZWS or raw, with NULL; mechanisms this
 * build does not have yet are refused, never silently replaced by another. */
static void test_engine_kinds(void) {
    zw_engine_cfg_t cfg = {.socket_type = ZW_PUSH, .max_msg_size = -1};
    zw_engine_t *e = zw_engine_new(&cfg);
    CHECK(e != NULL);
    CHECK_EQ(zw_engine_state(e), ZW_ENGINE_GREETING);
    CHECK(zw_engine_pending(e) >= ZMTP_GREETING_SIZE);   /* our greeting is queued at once */
    zw_engine_free(e);
    cfg.kind = ZW_ENGINE_ZWS;   /* no greeting: the handshake (READY) is queued at once */
    e = zw_engine_new(&cfg);
    CHECK(e != NULL);
    CHECK_EQ(zw_engine_state(e), ZW_ENGINE_HANDSHAKE);
    CHECK(zw_engine_pending(e) > 0 && zw_engine_pending(e) < ZMTP_GREETING_SIZE);
    zw_engine_free(e);
    cfg.kind = ZW_ENGINE_RAW;   /* STREAM's: no handshake, ready at once, nothing queued */
    e = zw_engine_new(&cfg);
    CHECK(e != NULL);
    CHECK_EQ(zw_engine_state(e), ZW_ENGINE_READY);
    CHECK_EQ(zw_engine_pending(e), 0u);
    zw_engine_free(e);
    cfg.mechanism = ZW_MECH_PLAIN;   /* a raw stream has nothing to secure with */
    CHECK(zw_engine_new(&cfg) == NULL);
    cfg.kind = ZW_ENGINE_ZMTP;
    CHECK(zw_engine_new(&cfg) == NULL);
    cfg.mechanism = ZW_MECH_CURVE;
    CHECK(zw_engine_new(&cfg) == NULL);
    CHECK_EQ(zw_frame_live(), 0);
}

TEST_MAIN("engine", TEST_CASE(test_mutated_streams), TEST_CASE(test_req_rep), TEST_CASE(test_byte_at_a_time),
          TEST_CASE(test_send_before_ready_refused), TEST_CASE(test_golden_greeting_and_ready),
          TEST_CASE(test_subscriptions_by_version), TEST_CASE(test_incoming_subscriptions),
          TEST_CASE(test_garbage_greeting), TEST_CASE(test_mechanism_mismatch),
          TEST_CASE(test_incompatible_socket_type), TEST_CASE(test_compatibility_table),
          TEST_CASE(test_ready_without_socket_type), TEST_CASE(test_ready_property_overrun),
          TEST_CASE(test_data_before_ready), TEST_CASE(test_max_msg_size),
          TEST_CASE(test_ping_pong), TEST_CASE(test_error_command),
          TEST_CASE(test_everything_in_one_chunk), TEST_CASE(test_engine_kinds), TEST_CASE(test_many_small_frames),
          TEST_CASE(test_empty_input_null))
