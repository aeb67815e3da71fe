/* test_patterns.c — DEALER and PAIR conversations between cores wired back to back (net.h). */
#include "test.h"
#include "net.h"
#include "base/frame.h"

/* DEALER (A) --connect--> DEALER (B): multipart both ways, no envelope. */
static void test_dealer_dealer(void) {
    net_setup(3);
    zw_id b = open_sock(&B, ZW_DEALER), a = open_sock(&A, ZW_DEALER);
    char buf[64];
    CHECK_EQ(send_msg(&B, b, 1, "x"), 0);         /* no peer: blocks */
    connect_to(&A, a, &B, b);
    CHECK_EQ(send_msg(&A, a, 2, "he", "llo"), 1);           /* queues before the peer is up */
    net_run();
    CHECK(status_flags(&B, b) & ZW_STATUS_READABLE);
    CHECK_EQ(recv_msg(&B, b, buf, sizeof buf), 2);
    CHECK(strcmp(buf, "he|llo") == 0);
    CHECK_EQ(send_msg(&B, b, 1, "back"), 1);
    net_run();
    CHECK_EQ(recv_msg(&A, a, buf, sizeof buf), 1);
    CHECK(strcmp(buf, "back") == 0);
    net_teardown();
}

/* PAIR (A) --connect--> PAIR (B) <--connect-- PAIR (C): C is refused. */
static void test_pair(void) {
    net_setup(3);
    zw_id b = open_sock(&B, ZW_PAIR), a = open_sock(&A, ZW_PAIR), c = open_sock(&C, ZW_PAIR);
    char buf[64];
    CHECK_EQ(send_msg(&B, b, 1, "x"), 0);
    connect_to(&A, a, &B, b);
    CHECK_EQ(send_msg(&A, a, 1, "ping"), 1);
    net_run();
    CHECK_EQ(recv_msg(&B, b, buf, sizeof buf), 1);
    CHECK(strcmp(buf, "ping") == 0);
    connect_to(&C, c, &B, b);
    CHECK_EQ(send_msg(&C, c, 1, "intruder"), 1);
    net_run();
    const fxrec_t *cl = fx_last(&B, ZW_FX_CLOSE);
    CHECK(cl != NULL);
    if (cl) CHECK_EQ(cl->reason, ZW_CLOSE_REFUSED);
    CHECK_EQ(recv_msg(&B, b, buf, sizeof buf), 0);
    CHECK_EQ(send_msg(&B, b, 1, "pong"), 1);
    net_run();
    CHECK_EQ(recv_msg(&A, a, buf, sizeof buf), 1);
    CHECK(strcmp(buf, "pong") == 0);
    net_teardown();
}

TEST_MAIN("patterns", TEST_CASE(test_dealer_dealer), TEST_CASE(test_pair))
