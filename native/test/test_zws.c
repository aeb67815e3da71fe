/* test_zws.c — ZWS 2.0 (RFC 45): the engine over WebSocket messages, as the host hands them to the
 * core (zmqw.h: each message an envelope `u32le length, payload`; wire/framing.h).
 *
 * Engine level: the exact bytes of READY, data frames and subscriptions; two engines back to back
 * fed whole and one byte at a time; the bare subprotocol (routing ids, no READY); hostile
 * messages. Core level (net.h with a MESSAGE framing): whole conversations, large bodies by ref.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "test.h"
#include "net.h"
#include "base/frame.h"
#include "engine/engine.h"
#include "wire/buf.h"
#include "wire/command.h"
#include "wire/framing.h"
#include "wire/zmtp.h"
#include "zmqw.h"

static zw_engine_t *zws(int type, const char *id, int64_t max, int bare) {
    zw_engine_cfg_t cfg = {.socket_type = type, .routing_id = (const uint8_t *)id,
                           .routing_id_len = (uint8_t)(id ? strlen(id) : 0), .max_msg_size = max,
                           .kind = ZW_ENGINE_ZWS, .bare = (uint8_t)bare};
    zw_engine_t *e = zw_engine_new(&cfg);
    CHECK(e != NULL);
    return e;
}

/* All of e's output, copied into b (appended) and consumed. */
static void take_all(zw_engine_t *e, zmtp_buf_t *b) {
    uint32_t n;
    while (zw_engine_pending(e)) {
        const uint8_t *p = zw_engine_output(e, UINT32_MAX, &n, NULL);
        zmtp_buf_append(b, p, n);
        zw_engine_consume(e, n);
    }
}

/* Moves everything `from` has into `to`, `chunk` bytes per call. */
static void transfer(zw_engine_t *from, zw_engine_t *to, uint32_t chunk) {
    zmtp_buf_t b = {0};
    take_all(from, &b);
    for (size_t off = 0; off < zmtp_buf_len(&b); off += chunk) {
        size_t n = zmtp_buf_len(&b) - off < chunk ? zmtp_buf_len(&b) - off : chunk;
        CHECK_EQ(zw_engine_input(to, zmtp_buf_head(&b) + off, (uint32_t)n), ZW_OK);
    }
    zmtp_buf_free(&b);
}

static void pump(zw_engine_t *a, zw_engine_t *b, uint32_t chunk) {
    while (zw_engine_pending(a) || zw_engine_pending(b)) {
        transfer(a, b, chunk);
        transfer(b, a, chunk);
    }
}

/* One WebSocket message as the host hands it over: u32le length, flags, body. */
static void message(zmtp_buf_t *b, uint8_t flags, const void *body, uint32_t n) {
    uint8_t h[5] = {(uint8_t)(n + 1), (uint8_t)((n + 1) >> 8), (uint8_t)((n + 1) >> 16),
                    (uint8_t)((n + 1) >> 24), flags};
    zmtp_buf_append(b, h, sizeof h);
    zmtp_buf_append(b, body, n);
}

static int feed(zw_engine_t *e, const zmtp_buf_t *b) {
    return zw_engine_input(e, zmtp_buf_head(b), (uint32_t)zmtp_buf_len(b));
}

/* A peer's READY (a ZMTP command body laid as one ZWS command message). */
static void peer_ready(zmtp_buf_t *b, const char *type) {
    zmtp_buf_t z = {0};
    zmtp_prop_t props[1] = {{"Socket-Type", (const uint8_t *)type, (uint32_t)strlen(type)}};
    zmtp_cmd_write_props(&z, ZMTP_CMD_READY, props, 1);
    message(b, ZWS_FLAG_COMMAND, zmtp_buf_head(&z) + 2, (uint32_t)zmtp_buf_len(&z) - 2);   /* short header */
    zmtp_buf_free(&z);
}

static void expect_frame(zw_engine_t *e, const char *s, uint32_t flags) {
    zw_frame_t *f = zw_engine_next(e);
    CHECK(f != NULL);
    if (!f) return;
    CHECK(f->size == strlen(s) && memcmp(f->data, s, f->size) == 0);
    CHECK_EQ(f->flags, flags);
    zw_frame_free(f);
}

static void expect_error(zw_engine_t *e, int reason) {
    CHECK_EQ(zw_engine_state(e), ZW_ENGINE_ERROR);
    const char *text = NULL;
    CHECK_EQ(zw_engine_error(e, &text), reason);
    CHECK(text != NULL && text[0] != '\0');
    CHECK(zw_engine_next(e) == NULL);
}

/* --- engine ---------------------------------------------------------------------------------- */

/* No greeting: READY is the first message, a command (0x02) laid out as in ZMTP; data frames are
 * one message each, 0x01 while more follow, 0x00 for the last, no size field. */
static void test_bytes(void) {
    zw_engine_t *push = zws(ZW_PUSH, NULL, -1, 0);
    CHECK_EQ(zw_engine_state(push), ZW_ENGINE_HANDSHAKE);
    zmtp_buf_t out = {0};
    take_all(push, &out);
    static const uint8_t ready[] = "\x02\x05READY\x0bSocket-Type\x00\x00\x00\x04PUSH";
    uint32_t n = sizeof ready - 1;
    CHECK_EQ(zmtp_buf_len(&out), 4 + n);
    const uint8_t *p = zmtp_buf_head(&out);
    CHECK(p[0] == n && p[1] == 0 && p[2] == 0 && p[3] == 0);
    CHECK_MEM(p + 4, ready, n);
    zmtp_buf_free(&out);

    zmtp_buf_t in = {0};
    peer_ready(&in, "PULL");
    CHECK_EQ(feed(push, &in), ZW_OK);
    CHECK_EQ(zw_engine_state(push), ZW_ENGINE_READY);
    CHECK_EQ(zw_engine_peer_type(push), ZW_PULL);
    CHECK_EQ(zw_engine_peer_minor(push), 0);   /* subscriptions in message form */
    CHECK_EQ(zw_engine_write(push, zw_frame_dup("ab", 2, ZW_FRAME_MORE)), ZW_OK);
    CHECK_EQ(zw_engine_write(push, zw_frame_dup("", 0, 0)), ZW_OK);
    take_all(push, &out);
    CHECK_EQ(zmtp_buf_len(&out), 12u);
    CHECK_MEM(zmtp_buf_head(&out), "\x03\x00\x00\x00\x01" "ab" "\x01\x00\x00\x00\x00", 12);
    zmtp_buf_free(&out);
    zmtp_buf_free(&in);
    zw_engine_free(push);
    CHECK_EQ(zw_frame_live(), 0);
}

/* A SUB's subscriptions go out as 0x01/0x00 data messages, never as SUBSCRIBE commands; PUB
 * receives them as such (its socket reads the message form from anyone). */
static void test_subscriptions(void) {
    zw_engine_t *sub = zws(ZW_SUB, NULL, -1, 0), *pub = zws(ZW_PUB, NULL, -1, 0);
    pump(sub, pub, 65536);
    CHECK_EQ(zw_engine_state(sub), ZW_ENGINE_READY);
    CHECK_EQ(zw_engine_state(pub), ZW_ENGINE_READY);
    CHECK_EQ(zw_engine_write(sub, zw_frame_dup("ab", 2, ZW_FRAME_SUBSCRIBE)), ZW_OK);
    CHECK_EQ(zw_engine_write(sub, zw_frame_dup("ab", 2, ZW_FRAME_CANCEL)), ZW_OK);
    zmtp_buf_t out = {0};
    take_all(sub, &out);
    CHECK_EQ(zmtp_buf_len(&out), 16u);
    CHECK_MEM(zmtp_buf_head(&out), "\x04\x00\x00\x00\x00\x01" "ab" "\x04\x00\x00\x00\x00\x00" "ab", 16);
    CHECK_EQ(zw_engine_input(pub, zmtp_buf_head(&out), (uint32_t)zmtp_buf_len(&out)), ZW_OK);
    expect_frame(pub, "\x01" "ab", 0);
    zw_frame_t *cancel = zw_engine_next(pub);
    CHECK(cancel && cancel->size == 3 && memcmp(cancel->data, "\0ab", 3) == 0 && cancel->flags == 0);
    zw_frame_free(cancel);
    zmtp_buf_free(&out);
    zw_engine_free(sub);
    zw_engine_free(pub);
    CHECK_EQ(zw_frame_live(), 0);
}

/* Two engines back to back, fed whole, one byte at a time and in odd chunks: the same frames. */
static void test_fed_in_pieces(void) {
    static const uint32_t chunks[] = {65536, 1, 7, 4096};
    for (size_t c = 0; c < sizeof chunks / sizeof chunks[0]; c++) {
        zw_engine_t *a = zws(ZW_DEALER, "dealer-a", -1, 0), *b = zws(ZW_ROUTER, NULL, -1, 0);
        pump(a, b, chunks[c]);
        CHECK_EQ(zw_engine_state(b), ZW_ENGINE_READY);
        uint8_t len = 0;
        const uint8_t *id = zw_engine_peer_identity(b, &len);
        CHECK(len == 8 && memcmp(id, "dealer-a", 8) == 0);
        static uint8_t body[70000];
        for (uint32_t i = 0; i < sizeof body; i++) body[i] = (uint8_t)(i * 13 + c);
        static const uint32_t sizes[] = {0, 1, 254, 255, 256, 700, 8191, 8192, 70000};
        size_t ns = sizeof sizes / sizeof sizes[0];
        for (size_t i = 0; i < ns; i++)
            CHECK_EQ(zw_engine_write(a, zw_frame_dup(body, sizes[i], i + 1 < ns ? ZW_FRAME_MORE : 0)), ZW_OK);
        pump(a, b, chunks[c]);
        for (size_t i = 0; i < ns; i++) {
            zw_frame_t *f = zw_engine_next(b);
            CHECK(f != NULL);
            if (!f) break;
            CHECK(f->size == sizes[i] && memcmp(f->data, body, sizes[i]) == 0);
            CHECK_EQ(f->flags, i + 1 < ns ? ZW_FRAME_MORE : 0u);
            zw_frame_free(f);
        }
        CHECK(zw_engine_next(b) == NULL);
        zw_engine_free(a);
        zw_engine_free(b);
    }
    CHECK_EQ(zw_frame_live(), 0);
}

/* Plain "ZWS2.0": each side's first message is its routing id (empty when none), then traffic;
 * no READY, no socket type (any pairing connects, as with libzmq). */
static void test_bare(void) {
    zw_engine_t *dealer = zws(ZW_DEALER, "me", -1, 1), *router = zws(ZW_ROUTER, NULL, -1, 1);
    zmtp_buf_t out = {0};
    take_all(dealer, &out);
    CHECK_EQ(zmtp_buf_len(&out), 7u);
    CHECK_MEM(zmtp_buf_head(&out), "\x03\x00\x00\x00\x00" "me", 7);
    CHECK_EQ(zw_engine_input(router, zmtp_buf_head(&out), (uint32_t)zmtp_buf_len(&out)), ZW_OK);
    zmtp_buf_free(&out);
    CHECK_EQ(zw_engine_state(router), ZW_ENGINE_READY);
    uint8_t len = 0;
    const uint8_t *id = zw_engine_peer_identity(router, &len);
    CHECK(len == 2 && memcmp(id, "me", 2) == 0);
    CHECK_EQ(zw_engine_peer_type(router), -1);
    take_all(router, &out);
    CHECK_EQ(zmtp_buf_len(&out), 5u);   /* the router's empty routing id */
    CHECK_MEM(zmtp_buf_head(&out), "\x01\x00\x00\x00\x00", 5);
    CHECK_EQ(zw_engine_input(dealer, zmtp_buf_head(&out), (uint32_t)zmtp_buf_len(&out)), ZW_OK);
    zmtp_buf_free(&out);
    CHECK_EQ(zw_engine_state(dealer), ZW_ENGINE_READY);
    CHECK_EQ(zw_engine_write(dealer, zw_frame_dup("hi", 2, 0)), ZW_OK);
    pump(dealer, router, 3);
    expect_frame(router, "hi", 0);
    zw_engine_free(dealer);
    zw_engine_free(router);
    CHECK_EQ(zw_frame_live(), 0);
}

/* Hostile messages close the connection with a reason, from the header alone where it can. */
static void test_malformed(void) {
    struct {
        const char *what;
        int bare, ready_first;
        const uint8_t *bytes;
        uint32_t n;
        int reason;
    } cases[] = {
        {"empty message", 0, 0, (const uint8_t *)"\x00\x00\x00\x00", 4, ZW_CLOSE_PROTOCOL},
        {"reserved flag bit", 0, 1, (const uint8_t *)"\x02\x00\x00\x00\x04x", 6, ZW_CLOSE_PROTOCOL},
        {"high flag bit", 0, 1, (const uint8_t *)"\x02\x00\x00\x00\x80x", 6, ZW_CLOSE_PROTOCOL},
        {"MORE on a command", 0, 1, (const uint8_t *)"\x02\x00\x00\x00\x03x", 6, ZW_CLOSE_PROTOCOL},
        {"data before READY", 0, 0, (const uint8_t *)"\x02\x00\x00\x00\x00x", 6, ZW_CLOSE_PROTOCOL},
        {"empty command", 0, 1, (const uint8_t *)"\x01\x00\x00\x00\x02", 5, ZW_CLOSE_PROTOCOL},
        {"over maxMessageSize", 0, 1, (const uint8_t *)"\x12\x00\x00\x00\x00", 5, ZW_CLOSE_MSG_SIZE},
        {"2 GiB declared", 0, 1, (const uint8_t *)"\x01\x00\x00\x80\x00", 5, ZW_CLOSE_MSG_SIZE},
        {"command as routing id", 1, 0, (const uint8_t *)"\x02\x00\x00\x00\x02x", 6, ZW_CLOSE_PROTOCOL},
        {"MORE on routing id", 1, 0, (const uint8_t *)"\x02\x00\x00\x00\x01x", 6, ZW_CLOSE_PROTOCOL},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        zw_engine_t *e = zws(ZW_PULL, NULL, 16, cases[i].bare);
        zmtp_buf_t in = {0};
        if (cases[i].ready_first) peer_ready(&in, "PUSH");
        zmtp_buf_append(&in, cases[i].bytes, cases[i].n);
        /* Traffic is decoded as it is pulled: the error shows at the next zw_engine_next. */
        if (feed(e, &in) == ZW_OK) CHECK(cases[i].ready_first && zw_engine_next(e) == NULL);
        expect_error(e, cases[i].reason);
        if (zw_engine_state(e) != ZW_ENGINE_ERROR) fprintf(stderr, "  case: %s\n", cases[i].what);
        zmtp_buf_free(&in);
        zw_engine_free(e);
    }
    /* A routing id above 255 bytes, a wrong socket type in READY. */
    zw_engine_t *e = zws(ZW_PULL, NULL, -1, 1);
    static uint8_t long_id[300];
    zmtp_buf_t in = {0};
    message(&in, 0, long_id, sizeof long_id);
    CHECK_EQ(feed(e, &in), ZW_EPROTO);
    expect_error(e, ZW_CLOSE_PROTOCOL);
    zw_engine_free(e);
    zmtp_buf_free(&in);
    e = zws(ZW_PULL, NULL, -1, 0);
    peer_ready(&in, "SUB");
    CHECK_EQ(feed(e, &in), ZW_EPROTO);
    expect_error(e, ZW_CLOSE_SOCKET_TYPE);
    zw_engine_free(e);
    zmtp_buf_free(&in);
    CHECK_EQ(zw_frame_live(), 0);
}

/* A ZMTP PING inside ZWS is dropped, not answered (libzmq ignores it too: heartbeats over
 * WebSocket are its ping/pong frames, the host's). Traffic goes on after it. */
static void test_ping_ignored(void) {
    zw_engine_t *e = zws(ZW_PULL, NULL, -1, 0);
    zmtp_buf_t in = {0}, out = {0};
    take_all(e, &out);   /* our READY */
    peer_ready(&in, "PUSH");
    message(&in, ZWS_FLAG_COMMAND, "\x04PING\x00\x0a" "ctx", 10);
    message(&in, 0, "after", 5);
    CHECK_EQ(feed(e, &in), ZW_OK);
    expect_frame(e, "after", 0);
    CHECK_EQ(zw_engine_pending(e), 0u);
    zmtp_buf_free(&in);
    zmtp_buf_free(&out);
    zw_engine_free(e);
    CHECK_EQ(zw_frame_live(), 0);
}

/* --- core ------------------------------------------------------------------------------------ */

/* REQ/REP and PUB/SUB over messages, with the same outcomes as over a byte stream. */
static void test_conversations(void) {
    net_setup(3);
    net_framing = ZW_FRAMING_MESSAGE;
    zw_id rep = open_sock(&B, ZW_REP), req = open_sock(&A, ZW_REQ);
    char buf[128];
    connect_to(&A, req, &B, rep);
    CHECK_EQ(send_msg(&A, req, 1, "hello"), 1);
    net_run();
    CHECK_EQ(recv_msg(&B, rep, buf, sizeof buf), 1);
    CHECK(strcmp(buf, "hello") == 0);
    CHECK_EQ(send_msg(&B, rep, 2, "wor", "ld"), 1);
    net_run();
    CHECK_EQ(recv_msg(&A, req, buf, sizeof buf), 2);
    CHECK(strcmp(buf, "wor|ld") == 0);

    zw_id pub = open_sock(&C, ZW_PUB), sub = open_sock(&A, ZW_SUB);
    CHECK_EQ(set_str(&A, sub, ZW_OPT_SUBSCRIBE, "ab"), ZW_OK);
    connect_to(&A, sub, &C, pub);
    net_run();
    CHECK_EQ(send_msg(&C, pub, 1, "abc"), 1);
    CHECK_EQ(send_msg(&C, pub, 1, "xyz"), 1);
    net_run();
    CHECK_EQ(recv_msg(&A, sub, buf, sizeof buf), 1);
    CHECK(strcmp(buf, "abc") == 0);
    CHECK_EQ(recv_msg(&A, sub, buf, sizeof buf), 0);
    CHECK_EQ(set_str(&A, sub, ZW_OPT_UNSUBSCRIBE, "ab"), ZW_OK);
    net_run();
    CHECK_EQ(send_msg(&C, pub, 1, "abd"), 1);
    net_run();
    CHECK_EQ(recv_msg(&A, sub, buf, sizeof buf), 0);
    net_teardown();
}

/* Large bodies by ref both ways: the sender's host writes its own copy after the envelope
 * header, the receiver's host collects it after the flags byte (never in wasm memory). */
static void test_large_bodies(void) {
    net_setup(2);
    net_framing = ZW_FRAMING_MESSAGE;
    zw_id pull = open_sock(&B, ZW_PULL), push = open_sock(&A, ZW_PUSH);
    connect_to(&A, push, &B, pull);
    net_run();
    static char big[100001], out[100010];
    big[0] = '@';
    memset(big + 1, 'q', sizeof big - 2);
    CHECK_EQ(send_msg(&A, push, 2, "head", big), 1);
    CHECK_EQ(send_msg(&A, push, 1, "@small ref"), 1);
    net_run();
    CHECK_EQ(recv_msg(&B, pull, out, sizeof out), 2);
    CHECK(strncmp(out, "head|@qqq", 9) == 0 && strlen(out) == 5 + sizeof big - 1);
    CHECK_EQ(recv_msg(&B, pull, out, sizeof out), 1);
    CHECK(strcmp(out, "small ref") == 0);   /* under ZW_BODY_MIN: copied, received inline */
    net_run();
    CHECK_EQ(bodies_held(&A), 0);
    net_teardown();
}

/* Bare framing between cores: ROUTER learns a DEALER's routing id from its first message. */
static void test_bare_router(void) {
    net_setup(2);
    net_framing = ZW_FRAMING_MESSAGE_BARE;
    zw_id router = open_sock(&B, ZW_ROUTER), dealer = open_sock(&A, ZW_DEALER);
    CHECK_EQ(set_str(&A, dealer, ZW_OPT_ROUTING_ID, "d1"), ZW_OK);
    connect_to(&A, dealer, &B, router);
    net_run();
    CHECK_EQ(send_msg(&A, dealer, 1, "ping"), 1);
    net_run();
    char buf[64];
    CHECK_EQ(recv_msg(&B, router, buf, sizeof buf), 2);
    CHECK(strcmp(buf, "d1|ping") == 0);
    CHECK_EQ(send_msg(&B, router, 2, "d1", "pong"), 1);
    net_run();
    CHECK_EQ(recv_msg(&A, dealer, buf, sizeof buf), 1);
    CHECK(strcmp(buf, "pong") == 0);
    net_teardown();
}

TEST_MAIN("zws", TEST_CASE(test_bytes), TEST_CASE(test_subscriptions), TEST_CASE(test_fed_in_pieces),
          TEST_CASE(test_bare), TEST_CASE(test_malformed), TEST_CASE(test_ping_ignored),
          TEST_CASE(test_conversations), TEST_CASE(test_large_bodies), TEST_CASE(test_bare_router))
