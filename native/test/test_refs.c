/* test_refs.c — host bodies (zmqw.h's body refs) between cores in memory (net.h): a ref frame's
 * bytes reach the peer exactly as an inline frame's would, the host hears ZW_FX_RELEASE once per
 * body and only when every copy is gone, a message the socket does not take leaves its bodies
 * with the host, and the sockets that look at bytes (PUB's topic, ROUTER's routing id, XSUB's
 * subscription message) read them through the host; received, a large body is collected by the
 * host (net.h plays it) and reaches zw_recv as a ref, in whatever pieces the input comes. */
#include "test.h"
#include "net.h"
#include "base/frame.h"
#include "engine/engine.h"

/* PUSH -> PULL over a connection: mixed inline and ref frames, one of 100 KB; every body is
 * released once it was written, none before. */
static void test_push_pull(void) {
    net_setup(2);
    zw_id push = open_sock(&A, ZW_PUSH), pull = open_sock(&B, ZW_PULL);
    connect_to(&A, push, &B, pull);
    net_run();
    static char big[100001];
    big[0] = '@';
    memset(big + 1, 'q', sizeof big - 2);
    CHECK_EQ(send_msg(&A, push, 2, "head", "@body one"), 1);
    CHECK_EQ(send_msg(&A, push, 1, big), 1);
    CHECK_EQ(send_msg(&A, push, 3, "@", "mid", "@tail"), 1);   /* an empty body too */
    CHECK_EQ(bodies_held(&A), 4);
    net_run();
    static char buf[100100];
    CHECK_EQ(recv_msg(&B, pull, buf, sizeof buf), 2);
    CHECK(strcmp(buf, "head|body one") == 0);
    CHECK_EQ(recv_msg(&B, pull, buf, sizeof buf), 1);
    CHECK(strcmp(buf, big) == 0);   /* received by ref too: B's host collected it */
    CHECK_EQ(recv_msg(&B, pull, buf, sizeof buf), 3);
    CHECK(strcmp(buf, "|mid|tail") == 0);
    CHECK_EQ(bodies_held(&A), 0);
    net_run();
    CHECK_EQ(bodies_held(&B), 0);   /* the received body was released once read */
    net_teardown();
}

/* PUB fans one body out to two peers: it matches the topic through the host's bytes, holds the
 * (large) body until both copies are written, releases it once; an unmatched one goes at once.
 * (A body under 8 KiB is copied into the output when written, and released then.) */
static void test_pub_fanout(void) {
    static char big[9001];
    memset(big, 'b', sizeof big - 1);
    memcpy(big, "@topic and body", 15);
    net_setup(3);
    zw_id pub = open_sock(&A, ZW_PUB), s1 = open_sock(&B, ZW_SUB), s2 = open_sock(&C, ZW_SUB);
    set_str(&B, s1, ZW_OPT_SUBSCRIBE, "to");
    set_str(&C, s2, ZW_OPT_SUBSCRIBE, "topic");
    connect_to(&B, s1, &A, pub);
    connect_to(&C, s2, &A, pub);
    net_run();
    CHECK_EQ(send_msg(&A, pub, 1, big), 1);
    CHECK_EQ(send_msg(&A, pub, 1, "@zzz"), 1);
    drain_effects(&A);
    CHECK_EQ(bodies_held(&A), 1);   /* the unmatched one was dropped and released */
    net_run();
    static char buf[9100];
    CHECK_EQ(recv_msg(&B, s1, buf, sizeof buf), 1);
    CHECK(strcmp(buf, big) == 0);   /* by ref on the receiving side too */
    CHECK_EQ(recv_msg(&C, s2, buf, sizeof buf), 1);
    CHECK(strcmp(buf, big) == 0);
    CHECK_EQ(recv_msg(&B, s1, buf, sizeof buf), 0);
    CHECK_EQ(bodies_held(&A), 0);
    CHECK_EQ(fx_count(&A, ZW_FX_RELEASE, 0), 2);
    net_teardown();
}

/* A message the socket cannot take (PUSH at SNDHWM 1, no peer) is not the core's: its bodies are
 * never released by the core; what it took is released when the socket goes. */
static void test_not_taken(void) {
    net_setup(2);
    zw_id push = open_sock(&A, ZW_PUSH);
    set_int(&A, push, ZW_OPT_SNDHWM, 1);
    set_int(&A, push, ZW_OPT_LINGER, 0);
    zw_id d = 0;
    CHECK_EQ(zw_core_connect(A.core, push, &d), ZW_OK);   /* a pipe, no peer ever */
    CHECK_EQ(send_msg(&A, push, 2, "@a", "@b"), 1);
    CHECK_EQ(send_msg(&A, push, 2, "x", "@c"), 0);   /* harness marks c dropped by the host */
    net_run();
    CHECK_EQ(fx_count(&A, ZW_FX_RELEASE, 0), 0);
    CHECK_EQ(zw_core_socket_close(A.core, push), ZW_OK);
    net_run();
    CHECK_EQ(fx_count(&A, ZW_FX_RELEASE, 0), 2);   /* a and b; c would fail net.h's CHECK */
    CHECK_EQ(bodies_held(&A), 0);
    net_teardown();
}

/* inproc moves frames as they are: the PULL's batch names the body, the release follows. */
static void test_inproc(void) {
    net_setup(2);
    zw_id push = open_sock(&A, ZW_PUSH), pull = open_sock(&A, ZW_PULL);
    CHECK_EQ(zw_core_inproc_bind(A.core, pull, (const uint8_t *)"x", 1), ZW_OK);
    zw_id l = 0;
    CHECK_EQ(zw_core_inproc_connect(A.core, push, (const uint8_t *)"x", 1, &l), ZW_OK);
    CHECK_EQ(send_msg(&A, push, 2, "@ref", "inline"), 1);
    char buf[64];
    CHECK_EQ(recv_msg(&A, pull, buf, sizeof buf), 2);
    CHECK(strcmp(buf, "@ref|inline") == 0);
    net_run();
    CHECK_EQ(bodies_held(&A), 0);
    net_teardown();
}

/* ROUTER reads a routing id sent by reference; a ref longer than any id routes nowhere. */
static void test_router_id(void) {
    net_setup(2);
    zw_id router = open_sock(&A, ZW_ROUTER), dealer = open_sock(&B, ZW_DEALER);
    set_str(&B, dealer, ZW_OPT_ROUTING_ID, "D1");
    connect_to(&B, dealer, &A, router);
    net_run();
    CHECK_EQ(send_msg(&A, router, 2, "@D1", "@hello"), 1);
    static char longid[300];
    longid[0] = '@';
    memset(longid + 1, 'i', sizeof longid - 2);
    CHECK_EQ(send_msg(&A, router, 2, longid, "lost"), 1);   /* unroutable: dropped */
    net_run();
    char buf[64];
    CHECK_EQ(recv_msg(&B, dealer, buf, sizeof buf), 1);
    CHECK(strcmp(buf, "hello") == 0);
    CHECK_EQ(recv_msg(&B, dealer, buf, sizeof buf), 0);
    CHECK_EQ(bodies_held(&A), 0);
    net_teardown();
}

/* XSUB's subscription message sent by reference is read whole and becomes a subscription. */
static void test_xsub_subscription(void) {
    net_setup(2);
    zw_id pub = open_sock(&A, ZW_PUB), xsub = open_sock(&B, ZW_XSUB);
    connect_to(&B, xsub, &A, pub);
    net_run();
    CHECK_EQ(send_msg(&B, xsub, 1, "@\001wea"), 1);
    net_run();
    send_msg(&A, pub, 1, "weather");
    send_msg(&A, pub, 1, "sports");
    net_run();
    char buf[64];
    CHECK_EQ(recv_msg(&B, xsub, buf, sizeof buf), 1);
    CHECK(strcmp(buf, "weather") == 0);
    CHECK_EQ(recv_msg(&B, xsub, buf, sizeof buf), 0);
    CHECK_EQ(bodies_held(&B), 0);
    net_teardown();
}

/* Malformed ref frames are refused as a whole batch: id 0, a wrong length, a size over 2^31-1. */
static void test_bad_batches(void) {
    net_setup(2);
    zw_id push = open_sock(&A, ZW_PUSH);
    uint8_t b[16];
    uint32_t took = 99;
    put_u32(b, ZW_BATCH_REF | ZW_BATCH_REF_LEN);
    put_u32(b + 4, 0);
    put_u32(b + 8, 5);
    CHECK_EQ(zw_core_send(A.core, push, b, 12, &took), ZW_EMSGSIZE);
    put_u32(b + 4, 7);
    put_u32(b + 8, 0x80000000u);
    CHECK_EQ(zw_core_send(A.core, push, b, 12, &took), ZW_EMSGSIZE);
    put_u32(b, ZW_BATCH_REF | 4);
    CHECK_EQ(zw_core_send(A.core, push, b, 8, &took), ZW_EMSGSIZE);
    CHECK_EQ(took, 99u);
    net_teardown();
}

/* A core freed with bodies queued frees its side of them and tells nobody (no host left). */
static void test_free_with_bodies(void) {
    net_setup(2);
    zw_id push = open_sock(&A, ZW_PUSH), pull = open_sock(&B, ZW_PULL);
    connect_to(&A, push, &B, pull);
    net_run();
    CHECK_EQ(send_msg(&A, push, 1, "@pending"), 1);
    net_teardown();   /* LeakSanitizer: the zw_body_t went with its frame */
}

/* --- receiving: one engine fed in pieces of every size ----------------------------------------
 * A PUSH engine writes small and large frames (inline ones: its output is plain bytes); a PULL
 * engine takes them through zw_engine_input_refs in pieces of k bytes, the harness collecting
 * each body it is asked for. The frames come out in order, large ones as refs naming exactly
 * those bytes, small ones inline, whatever k; an engine freed with a body handed over and not yet
 * a frame releases it. */
static uint8_t pat(uint32_t frame, uint32_t i) { return (uint8_t)(frame * 131u + i * 7u + (i >> 9)); }

typedef struct got_body {
    uint8_t *p;
    uint32_t len;
    int released;
} got_body_t;
static got_body_t got_bodies[64];
static uint32_t ngot;

static void gb_read(void *ctx, uint32_t id, uint32_t off, uint8_t *dst, uint32_t len) {
    memcpy(dst, got_bodies[id - 1].p + off, len);
}
static void gb_release(void *ctx, uint32_t id) { got_bodies[id - 1].released++; }
static const zw_body_host_t gb_host = {gb_read, gb_release, NULL};

/* Moves everything `from` has to write into `to` (whole views, plain input). */
static void pump(zw_engine_t *from, zw_engine_t *to) {
    uint32_t n;
    while (zw_engine_pending(from)) {
        const uint8_t *p = zw_engine_output(from, UINT32_MAX, &n, NULL);
        zw_engine_input(to, p, n);
        zw_engine_consume(from, n);
    }
}

/* Appends everything `from` has to write to *wire. */
static void take_output(zw_engine_t *from, uint8_t **wire, size_t *wlen) {
    uint32_t n;
    while (zw_engine_pending(from)) {
        const uint8_t *p = zw_engine_output(from, UINT32_MAX, &n, NULL);
        *wire = realloc(*wire, *wlen + n);
        memcpy(*wire + *wlen, p, n);
        *wlen += n;
        zw_engine_consume(from, n);
    }
}

/* Large bodies bypass the engine whatever the pieces input comes in. Mode 0: the handshake is
 * done first, apart. Mode 1: the peer's READY and the frames after it reach the engine through
 * input_refs in the same pieces, so with large pieces one input holds the end of the handshake
 * and the header of a large frame: the engine must hand back what follows READY (*used) rather
 * than take it inline (it did: a body right after READY was decoded into the engine's memory). */
static void test_input_pieces(void) {
    static const uint32_t sizes[] = {300000, 5, 9000, 0, 70000, 8192, 8191, 300000};
    enum { NF = sizeof sizes / sizeof sizes[0] };
    static const uint32_t pieces[] = {1, 2, 7, 9, 100, 4096, 65536, 1u << 20};
    for (int mode = 0; mode < 2; mode++)
    for (size_t pi = 0; pi < sizeof pieces / sizeof pieces[0]; pi++) {
        uint32_t k = pieces[pi];
        ngot = 0;
        zw_engine_cfg_t ca = {.socket_type = ZW_PUSH, .max_msg_size = -1};
        zw_engine_cfg_t cb = {.socket_type = ZW_PULL, .max_msg_size = -1, .bodies = &gb_host};
        zw_engine_t *a = zw_engine_new(&ca), *b = zw_engine_new(&cb);
        uint8_t *wire = NULL;
        size_t wlen = 0;
        if (mode == 0) {
            for (int round = 0; round < 4; round++) pump(round % 2 ? b : a, round % 2 ? a : b);
            CHECK_EQ(zw_engine_state(b), ZW_ENGINE_READY);
        } else {
            /* b's greeting to a; a's greeting to b (through input_refs: all of it is taken);
             * b's READY to a, which is then READY; a's READY stays in the wire for b */
            pump(b, a);
            take_output(a, &wire, &wlen);
            uint32_t used = 0, body = 0;
            CHECK(wlen > 64);
            CHECK_EQ(zw_engine_input_refs(b, wire, 64, &used, &body), ZW_OK);
            CHECK_EQ(used, 64u);
            CHECK_EQ(body, 0u);
            memmove(wire, wire + 64, wlen - 64);
            wlen -= 64;
            pump(b, a);
            CHECK_EQ(zw_engine_state(a), ZW_ENGINE_READY);
            CHECK(zw_engine_state(b) != ZW_ENGINE_READY);
        }
        for (uint32_t f = 0; f < NF; f++) {
            zw_frame_t *fr = zw_frame_new(sizes[f]);
            for (uint32_t i = 0; i < sizes[f]; i++) fr->data[i] = pat(f, i);
            fr->flags = (f % 3 == 0) ? ZW_FRAME_MORE : 0;
            CHECK_EQ(zw_engine_write(a, fr), ZW_OK);
        }
        take_output(a, &wire, &wlen);
        size_t off = 0, have = 0;
        uint32_t wanted = 0, next_frame = 0;
        uint8_t *collect = NULL;
        int ok = 1;
        while (off < wlen && ok) {
            size_t end = off + k < wlen ? off + k : wlen;   /* one read */
            while (off < end && ok) {
                if (wanted) {
                    size_t m = end - off < wanted - have ? end - off : wanted - have;
                    memcpy(collect + have, wire + off, m);
                    off += m;
                    have += m;
                    if (have == wanted) {
                        got_bodies[ngot] = (got_body_t){collect, wanted, 0};
                        ok &= zw_engine_body(b, ++ngot) == ZW_OK;
                        wanted = 0;
                    }
                    continue;
                }
                uint32_t used = 0, body = 0;
                ok &= zw_engine_input_refs(b, wire + off, (uint32_t)(end - off), &used, &body) == ZW_OK;
                off += used;
                if (body) {
                    ok &= body >= ZW_BODY_MIN;
                    wanted = body;
                    have = 0;
                    collect = malloc(body);
                }
            }
            /* the session pulls what is complete */
            for (zw_frame_t *f; ok && (f = zw_engine_next(b));) {
                uint32_t fi = next_frame++;
                ok &= fi < NF && f->size == sizes[fi];
                ok &= ((f->flags & ZW_FRAME_MORE) != 0) == (fi % 3 == 0);
                ok &= ((f->flags & ZW_FRAME_REF) != 0) == (sizes[fi] >= ZW_BODY_MIN);
                for (uint32_t i = 0; ok && i < f->size; i += 97) {
                    uint8_t byte;
                    zw_frame_read(f, i, &byte, 1);
                    ok &= byte == pat(fi, i);
                }
                zw_frame_free(f);
            }
        }
        CHECK(ok);
        CHECK_EQ(next_frame, (uint32_t)NF);
        CHECK_EQ(zw_engine_state(b), ZW_ENGINE_READY);
        int released = 1;
        for (uint32_t i = 0; i < ngot; i++) {
            released &= got_bodies[i].released == 1;
            free(got_bodies[i].p);
        }
        CHECK(released);
        CHECK_EQ(ngot, 5u);   /* 300000, 9000, 70000, 8192, 300000 */
        free(wire);
        zw_engine_free(a);
        zw_engine_free(b);
        CHECK_EQ(zw_frame_live(), 0);
    }
}

TEST_MAIN("refs", TEST_CASE(test_push_pull), TEST_CASE(test_pub_fanout),
          TEST_CASE(test_not_taken), TEST_CASE(test_inproc), TEST_CASE(test_router_id),
          TEST_CASE(test_xsub_subscription), TEST_CASE(test_bad_batches),
          TEST_CASE(test_free_with_bodies), TEST_CASE(test_input_pieces))
