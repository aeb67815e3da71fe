/* test_refs.c — host bodies (zmqw.h's body refs) between cores in memory (net.h): a ref frame's
 * bytes reach the peer exactly as an inline frame's would, the host hears ZW_FX_RELEASE once per
 * body and only when every copy is gone, a message the socket does not take leaves its bodies
 * with the host, and the sockets that look at bytes (PUB's topic, ROUTER's routing id, XSUB's
 * subscription message) read them through the host. */
#include "test.h"
#include "net.h"
#include "base/frame.h"

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
    CHECK(strcmp(buf, big + 1) == 0);
    CHECK_EQ(recv_msg(&B, pull, buf, sizeof buf), 3);
    CHECK(strcmp(buf, "|mid|tail") == 0);
    CHECK_EQ(bodies_held(&A), 0);
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
    CHECK(strcmp(buf, big + 1) == 0);
    CHECK_EQ(recv_msg(&C, s2, buf, sizeof buf), 1);
    CHECK(strcmp(buf, big + 1) == 0);
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

TEST_MAIN("refs", TEST_CASE(test_push_pull), TEST_CASE(test_pub_fanout),
          TEST_CASE(test_not_taken), TEST_CASE(test_inproc), TEST_CASE(test_router_id),
          TEST_CASE(test_xsub_subscription), TEST_CASE(test_bad_batches),
          TEST_CASE(test_free_with_bodies))
