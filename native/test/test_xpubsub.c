/* test_xpubsub.c — XPUB and XSUB (RFC 29, libzmq 4.3 semantics) between cores in memory (net.h):
 * subscriptions as 0x01/0x00 messages, verbose modes, manual mode, welcome message, NODROP,
 * XSUB subscribing upstream, and an XSUB/XPUB proxy end to end. */
#include "test.h"
#include "net.h"
#include "base/frame.h"

/* Sends one single-frame message of exactly len bytes (may hold 0x00). */
static int send_raw(node_t *n, zw_id sock, const char *bytes, uint32_t len) {
    uint8_t batch[512];
    batch[0] = (uint8_t)len;
    batch[1] = batch[2] = batch[3] = 0;
    memcpy(batch + 4, bytes, len);
    uint32_t took = 0;
    int rc = zw_core_send(n->core, sock, batch, 4 + len, &took);
    return rc ? -rc : (int)took;
}

/* The next message is exactly one frame of these len bytes. */
static int got(node_t *n, zw_id sock, const char *bytes, size_t len) {
    char buf[256];
    int frames = recv_msg(n, sock, buf, sizeof buf);
    return frames == 1 && memcmp(buf, bytes, len) == 0 && buf[len] == 0;
}
#define GOT(n, s, lit) got(n, s, lit, sizeof lit - 1)

/*  SUB (B), SUB (C) --connect--> XPUB (A)
 *  B: SUBSCRIBE "a"   -> A reads 01 'a'
 *  C: SUBSCRIBE "a"   -> hidden (prefix already held)
 *  B: CANCEL "a"      -> hidden (C still holds it);  C: CANCEL "a" -> A reads 00 'a'
 *  A sends "a1" (data, and "\x01x" is data too) to whoever matches. */
static void test_xpub_sees_subscriptions(void) {
    net_setup(3);
    zw_id xpub = open_sock(&A, ZW_XPUB), s1 = open_sock(&B, ZW_SUB), s2 = open_sock(&C, ZW_SUB);
    char buf[64];
    CHECK_EQ(recv_msg(&A, xpub, buf, sizeof buf), 0);
    CHECK_EQ(set_str(&A, xpub, ZW_OPT_SUBSCRIBE, "a"), ZW_EINVAL);   /* manual mode only */
    connect_to(&B, s1, &A, xpub);
    connect_to(&C, s2, &A, xpub);
    net_run();
    set_str(&B, s1, ZW_OPT_SUBSCRIBE, "a");
    net_run();
    CHECK(status_flags(&A, xpub) & ZW_STATUS_READABLE);
    CHECK(GOT(&A, xpub, "\x01" "a"));
    set_str(&C, s2, ZW_OPT_SUBSCRIBE, "a");
    set_str(&C, s2, ZW_OPT_SUBSCRIBE, "\x01");   /* a topic starting with 0x01 */
    net_run();
    CHECK(GOT(&A, xpub, "\x01\x01"));
    CHECK_EQ(recv_msg(&A, xpub, buf, sizeof buf), 0);
    CHECK_EQ(send_msg(&A, xpub, 1, "a1"), 1);
    CHECK_EQ(send_msg(&A, xpub, 1, "\x01x"), 1);   /* data, not a subscription */
    net_run();
    CHECK_EQ(recv_msg(&B, s1, buf, sizeof buf), 1);
    CHECK(strcmp(buf, "a1") == 0);
    CHECK_EQ(recv_msg(&C, s2, buf, sizeof buf), 1);
    CHECK(strcmp(buf, "a1") == 0);
    CHECK(GOT(&C, s2, "\x01x"));
    set_str(&B, s1, ZW_OPT_UNSUBSCRIBE, "a");
    net_run();
    CHECK_EQ(recv_msg(&A, xpub, buf, sizeof buf), 0);
    set_str(&C, s2, ZW_OPT_UNSUBSCRIBE, "a");
    net_run();
    CHECK(GOT(&A, xpub, "\x00" "a"));
    net_teardown();
}

/* VERBOSE shows duplicate subscribes, VERBOSER duplicate cancels too; a departing peer's
 * prefixes come back as cancels. */
static void test_xpub_verbose(void) {
    for (int mode = 0; mode < 2; mode++) {
        net_setup(3);
        zw_id xpub = open_sock(&A, ZW_XPUB), s1 = open_sock(&B, ZW_SUB),
              s2 = open_sock(&C, ZW_SUB);
        CHECK_EQ(set_int(&A, xpub, mode ? ZW_OPT_XPUB_VERBOSER : ZW_OPT_XPUB_VERBOSE, 1), ZW_OK);
        char buf[64];
        connect_to(&B, s1, &A, xpub);
        connect_to(&C, s2, &A, xpub);
        net_run();
        set_str(&B, s1, ZW_OPT_SUBSCRIBE, "t");
        net_run();
        set_str(&C, s2, ZW_OPT_SUBSCRIBE, "t");
        net_run();
        CHECK(GOT(&A, xpub, "\x01t"));
        CHECK(GOT(&A, xpub, "\x01t"));   /* the duplicate */
        set_str(&B, s1, ZW_OPT_UNSUBSCRIBE, "t");
        net_run();
        if (mode) CHECK(GOT(&A, xpub, "\x00t"));
        CHECK_EQ(recv_msg(&A, xpub, buf, sizeof buf), 0);
        /* C goes away: its "t" was the last one */
        for (int i = 0; i < nlinks; i++)
            if (links[i].alive && (links[i].n[0] == &C || links[i].n[1] == &C)) link_close(&links[i]);
        net_run();
        CHECK(GOT(&A, xpub, "\x00t"));
        CHECK_EQ(recv_msg(&A, xpub, buf, sizeof buf), 0);
        net_teardown();
    }
}

/* Manual: every request reaches the application and none is applied until it says so, for the
 * peer it last heard from. */
static void test_xpub_manual(void) {
    net_setup(2);
    zw_id xpub = open_sock(&A, ZW_XPUB), sub = open_sock(&B, ZW_SUB);
    CHECK_EQ(set_int(&A, xpub, ZW_OPT_XPUB_MANUAL, 1), ZW_OK);
    CHECK_EQ(set_str(&A, xpub, ZW_OPT_SUBSCRIBE, "x"), ZW_OK);   /* nobody heard from yet */
    connect_to(&B, sub, &A, xpub);
    net_run();
    set_str(&B, sub, ZW_OPT_SUBSCRIBE, "a");
    net_run();
    send_msg(&A, xpub, 1, "a-not-applied");
    CHECK(GOT(&A, xpub, "\x01" "a"));
    CHECK_EQ(set_str(&A, xpub, ZW_OPT_SUBSCRIBE, "b"), ZW_OK);   /* the app's choice */
    send_msg(&A, xpub, 1, "a-again");
    send_msg(&A, xpub, 1, "b-yes");
    net_run();
    char buf[64];
    CHECK_EQ(recv_msg(&B, sub, buf, sizeof buf), 0);   /* SUB filters "b" itself: not subscribed */
    set_str(&B, sub, ZW_OPT_SUBSCRIBE, "b");
    net_run();
    CHECK(GOT(&A, xpub, "\x01" "b"));
    send_msg(&A, xpub, 1, "b-2");
    net_run();
    CHECK_EQ(recv_msg(&B, sub, buf, sizeof buf), 1);
    CHECK(strcmp(buf, "b-2") == 0);
    CHECK_EQ(set_str(&A, xpub, ZW_OPT_UNSUBSCRIBE, "b"), ZW_OK);
    send_msg(&A, xpub, 1, "b-3");
    net_run();
    CHECK_EQ(recv_msg(&B, sub, buf, sizeof buf), 0);
    net_teardown();
}

/* The welcome message goes to each new peer (a SUB sees it if subscribed to it). */
static void test_xpub_welcome(void) {
    net_setup(2);
    zw_id xpub = open_sock(&A, ZW_XPUB), sub = open_sock(&B, ZW_SUB);
    CHECK_EQ(set_str(&A, xpub, ZW_OPT_XPUB_WELCOME_MSG, "hello"), ZW_OK);
    set_str(&B, sub, ZW_OPT_SUBSCRIBE, "hel");
    connect_to(&B, sub, &A, xpub);
    net_run();
    char buf[64];
    CHECK_EQ(recv_msg(&B, sub, buf, sizeof buf), 1);
    CHECK(strcmp(buf, "hello") == 0);
    CHECK(GOT(&A, xpub, "\x01hel"));
    CHECK_EQ(set_str(&A, xpub, ZW_OPT_XPUB_WELCOME_MSG, ""), ZW_OK);   /* none again */
    net_teardown();
}

/* NODROP: at a matching peer's HWM, send answers EAGAIN and capacity says 0; without it the
 * message is dropped. */
static void test_xpub_nodrop(void) {
    net_setup(2);
    zw_id xpub = open_sock(&A, ZW_XPUB), sub = open_sock(&B, ZW_SUB);
    set_int(&A, xpub, ZW_OPT_SNDHWM, 2);
    set_int(&B, sub, ZW_OPT_RCVHWM, 2);
    CHECK_EQ(set_int(&A, xpub, ZW_OPT_XPUB_NODROP, 1), ZW_OK);
    set_str(&B, sub, ZW_OPT_SUBSCRIBE, "");
    connect_to(&B, sub, &A, xpub);
    net_run();
    CHECK(GOT(&A, xpub, "\x01"));
    for (int i = 0; i < nlinks; i++) links[i].frozen = 1;
    int sent = 0, rc;
    while ((rc = send_msg(&A, xpub, 1, "m")) == 1 && sent < 100000) {
        sent++;
        if (sent % 64 == 0) net_run();
    }
    CHECK_EQ(rc, 0);   /* not taken: EAGAIN-like */
    CHECK_EQ(status_cap(&A, xpub), 0u);
    for (int i = 0; i < nlinks; i++) links[i].frozen = 0;
    net_run();
    char buf[64];
    int n = 0;
    for (int r = 0; r < 100000 && n < sent; r++) {
        if (recv_msg(&B, sub, buf, sizeof buf) == 1) n++;
        else net_run();
    }
    CHECK_EQ(n, sent);   /* nothing was dropped */
    CHECK(status_cap(&A, xpub) > 0);
    net_teardown();
}

/*  XSUB (B) --connect--> PUB (A): 01 "t" subscribes, 00 "t" cancels; no filter of its own. */
static void test_xsub_subscribes(void) {
    net_setup(2);
    zw_id pub = open_sock(&A, ZW_PUB), xsub = open_sock(&B, ZW_XSUB);
    connect_to(&B, xsub, &A, pub);
    net_run();
    CHECK_EQ(send_raw(&B, xsub, "\x01t", 2), 1);
    CHECK_EQ(send_raw(&B, xsub, "\x01t", 2), 1);   /* counted */
    net_run();
    send_msg(&A, pub, 1, "topic");
    send_msg(&A, pub, 1, "other");
    net_run();
    char buf[64];
    CHECK_EQ(recv_msg(&B, xsub, buf, sizeof buf), 1);
    CHECK(strcmp(buf, "topic") == 0);
    CHECK_EQ(recv_msg(&B, xsub, buf, sizeof buf), 0);
    CHECK_EQ(send_raw(&B, xsub, "\x00t", 2), 1);
    net_run();
    send_msg(&A, pub, 1, "topic2");
    net_run();
    CHECK_EQ(recv_msg(&B, xsub, buf, sizeof buf), 1);   /* one reference left */
    CHECK_EQ(send_raw(&B, xsub, "\x00t", 2), 1);
    net_run();
    send_msg(&A, pub, 1, "topic3");
    net_run();
    CHECK_EQ(recv_msg(&B, xsub, buf, sizeof buf), 0);
    net_teardown();
}

/* XSUB's subscriptions are sent again on a reconnect. */
static void test_xsub_reconnect(void) {
    net_setup(2);
    zw_id pub = open_sock(&A, ZW_PUB), xsub = open_sock(&B, ZW_XSUB);
    CHECK_EQ(send_raw(&B, xsub, "\x01t", 2), 1);   /* before any peer */
    connect_to(&B, xsub, &A, pub);
    net_run();
    for (int i = 0; i < nlinks; i++) if (links[i].alive) link_close(&links[i]);
    net_run();
    net_advance(&B, 200);   /* the interval, 100 ms, and its jitter, below 100 */
    net_run();
    CHECK_EQ(fx_count(&B, ZW_FX_HANDSHAKE, 0), 2);
    send_msg(&A, pub, 1, "topic");
    send_msg(&A, pub, 1, "other");
    net_run();
    char buf[64];
    CHECK_EQ(recv_msg(&B, xsub, buf, sizeof buf), 1);
    CHECK(strcmp(buf, "topic") == 0);
    CHECK_EQ(recv_msg(&B, xsub, buf, sizeof buf), 0);
    net_teardown();
}

/*  SUB (C) --> XPUB (B) | XSUB (B) --> PUB (A): a proxy on B forwards subscriptions up and
 *  data down; data XSUB sends upstream reaches XPUB's application. */
static void test_proxy(void) {
    net_setup(3);
    zw_id pub = open_sock(&A, ZW_PUB), xsub = open_sock(&B, ZW_XSUB),
          xpub = open_sock(&B, ZW_XPUB), sub = open_sock(&C, ZW_SUB);
    zw_id up = open_sock(&A, ZW_XPUB);
    connect_to(&B, xsub, &A, pub);
    connect_to(&B, xsub, &A, up);
    connect_to(&C, sub, &B, xpub);
    net_run();
    set_str(&C, sub, ZW_OPT_SUBSCRIBE, "news");
    net_run();
    char buf[64];
    for (int round = 0; round < 2; round++) {   /* forward whatever each side has */
        while (recv_msg(&B, xpub, buf, sizeof buf) > 0) send_raw(&B, xsub, buf, (uint32_t)strlen(buf));
        net_run();
        while (recv_msg(&B, xsub, buf, sizeof buf) > 0) send_msg(&B, xpub, 1, buf);
        net_run();
        send_msg(&A, pub, 1, "news: up");
        send_msg(&A, pub, 1, "sports");
        net_run();
    }
    CHECK_EQ(recv_msg(&C, sub, buf, sizeof buf), 1);
    CHECK(strcmp(buf, "news: up") == 0);
    CHECK(GOT(&A, up, "\x01news"));
    CHECK_EQ(send_msg(&B, xsub, 1, "upstream"), 1);   /* data to every XSUB peer */
    net_run();
    CHECK(GOT(&A, up, "upstream"));
    net_teardown();
}

/*  XPUB (A) --connect--> SUB (B): the same from the connecting side. */
static void test_xpub_connects(void) {
    net_setup(2);
    zw_id xpub = open_sock(&A, ZW_XPUB), sub = open_sock(&B, ZW_SUB);
    connect_to(&A, xpub, &B, sub);
    net_run();
    set_str(&B, sub, ZW_OPT_SUBSCRIBE, "a");
    net_run();
    CHECK(GOT(&A, xpub, "\x01" "a"));
    CHECK_EQ(send_msg(&A, xpub, 1, "a1"), 1);
    net_run();
    char buf[64];
    CHECK_EQ(recv_msg(&B, sub, buf, sizeof buf), 1);
    CHECK(strcmp(buf, "a1") == 0);
    net_teardown();
}

/* INVERT_MATCHING: PUB sends to peers whose subscriptions do not match. */
static void test_invert(void) {
    net_setup(2);
    zw_id pub = open_sock(&A, ZW_PUB), sub = open_sock(&B, ZW_SUB);
    CHECK_EQ(set_int(&A, pub, ZW_OPT_INVERT_MATCHING, 1), ZW_OK);
    CHECK_EQ(set_int(&B, sub, ZW_OPT_INVERT_MATCHING, 1), ZW_OK);
    set_str(&B, sub, ZW_OPT_SUBSCRIBE, "no");
    connect_to(&B, sub, &A, pub);
    net_run();
    send_msg(&A, pub, 1, "nope");
    send_msg(&A, pub, 1, "yes");
    net_run();
    char buf[64];
    CHECK_EQ(recv_msg(&B, sub, buf, sizeof buf), 1);
    CHECK(strcmp(buf, "yes") == 0);
    CHECK_EQ(recv_msg(&B, sub, buf, sizeof buf), 0);
    net_teardown();
}

TEST_MAIN("xpubsub", TEST_CASE(test_xpub_sees_subscriptions), TEST_CASE(test_xpub_verbose),
          TEST_CASE(test_xpub_manual), TEST_CASE(test_xpub_welcome), TEST_CASE(test_xpub_nodrop),
          TEST_CASE(test_xsub_subscribes), TEST_CASE(test_xsub_reconnect), TEST_CASE(test_proxy),
          TEST_CASE(test_invert), TEST_CASE(test_xpub_connects))
