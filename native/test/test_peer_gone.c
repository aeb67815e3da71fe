/* test_peer_gone.c — what a socket keeps when its peer's connection goes away: every message the
 * peer got onto the wire is delivered, and nothing the socket still holds points at freed pipes.
 * Cores wired back to back in memory (net.h). */
#include "test.h"
#include "net.h"
#include "base/frame.h"

/* PUSH (A) sends 50 messages to a PULL (B) with RCVHWM 5 that reads nothing, then its
 * connection goes (the sending process closed and exited). B's engine holds 45 decoded-later
 * frames past its HWM; all 50 must still be received, in order, after the hang-up. */
static void test_tail_after_hangup(int accepted_side_pull) {
    net_setup(2);
    zw_id push = open_sock(&A, ZW_PUSH), pull = open_sock(&B, ZW_PULL);
    CHECK_EQ(set_int(&B, pull, ZW_OPT_RCVHWM, 5), ZW_OK);
    if (accepted_side_pull) {
        connect_to(&A, push, &B, pull);
    } else {
        /* PULL dials: its session is persistent (a dialer's), the tail must survive too. */
        connect_to(&B, pull, &A, push);
    }
    net_run();
    CHECK_EQ(nlinks, 1);
    link_t *l = &links[0];
    l->frozen = 1;
    char body[16];
    for (int i = 0; i < 50; i++) {
        snprintf(body, sizeof body, "m%02d", i);
        CHECK_EQ(send_msg(&A, push, 1, body), 1);
    }
    shuttle_ex(l, 1);   /* past PAUSE: the peer's last bytes are all here */
    drain_effects(&B);
    CHECK(fx_count(&B, ZW_FX_PAUSE, 0) >= 1);   /* the pipe filled: the rest waits in the engine */
    link_close(l);
    net_run();
    char buf[64];
    for (int i = 0; i < 50; i++) {
        snprintf(body, sizeof body, "m%02d", i);
        CHECK_EQ(recv_msg(&B, pull, buf, sizeof buf), 1);
        CHECK(strcmp(buf, body) == 0);
    }
    CHECK_EQ(recv_msg(&B, pull, buf, sizeof buf), 0);
    net_teardown();
}

static void test_tail_after_hangup_accepted(void) { test_tail_after_hangup(1); }
static void test_tail_after_hangup_dialer(void) { test_tail_after_hangup(0); }

/* REQ (A) sends a request and its connection goes before REP (B) reads it. B still receives the
 * request (it was delivered) and replies: the reply is dropped, and nothing writes into the
 * requester's freed pipes (ASan reports a heap-use-after-free here otherwise). */
static void test_rep_reply_after_requester_gone(void) {
    net_setup(2);
    zw_id req = open_sock(&A, ZW_REQ), rep = open_sock(&B, ZW_REP);
    connect_to(&A, req, &B, rep);
    net_run();
    CHECK_EQ(send_msg(&A, req, 1, "question"), 1);
    net_run();
    link_close(&links[0]);
    net_run();
    char buf[64];
    CHECK_EQ(recv_msg(&B, rep, buf, sizeof buf), 1);
    CHECK(strcmp(buf, "question") == 0);
    CHECK_EQ(send_msg(&B, rep, 1, "answer"), 1);
    CHECK((status_flags(&B, rep) & ZW_STATUS_SEND_FSM) != 0);   /* back to receiving */
    /* Closing with linger -1 must not wait for the dropped reply. */
    CHECK_EQ(zw_core_socket_close(B.core, rep), ZW_OK);
    net_run();
    CHECK_EQ(fx_count(&B, ZW_FX_SOCKET_GONE, rep), 1);
    net_teardown();
}

/* The same with two requests queued from the gone peer: the first reply must not be queued into
 * the dead session's out pipe (it would be held forever and keep a closing socket lingering). */
static void test_rep_two_requests_from_gone_peer(void) {
    net_setup(2);
    zw_id rep = open_sock(&B, ZW_REP);
    zw_id dealer_like[2];
    zw_id req1 = open_sock(&A, ZW_REQ);
    CHECK_EQ(set_int(&A, req1, ZW_OPT_LINGER, 0), ZW_OK);
    connect_to(&A, req1, &B, rep);
    net_run();
    CHECK_EQ(send_msg(&A, req1, 1, "one"), 1);
    net_run();
    /* A second REQ on the same node keeps the REP busy on another peer as well. */
    dealer_like[0] = open_sock(&A, ZW_REQ);
    connect_to(&A, dealer_like[0], &B, rep);
    net_run();
    CHECK_EQ(send_msg(&A, dealer_like[0], 1, "two"), 1);
    net_run();
    link_close(&links[0]);
    net_run();
    char buf[64];
    for (int i = 0; i < 2; i++) {
        CHECK_EQ(recv_msg(&B, rep, buf, sizeof buf), 1);
        CHECK_EQ(send_msg(&B, rep, 1, "answer"), 1);
    }
    net_run();
    CHECK_EQ(recv_msg(&A, dealer_like[0], buf, sizeof buf), 1);
    CHECK(strcmp(buf, "answer") == 0);
    CHECK_EQ(zw_core_socket_close(B.core, rep), ZW_OK);
    net_run();
    CHECK_EQ(fx_count(&B, ZW_FX_SOCKET_GONE, rep), 1);
    net_teardown();
}

TEST_MAIN("peer_gone", TEST_CASE(test_tail_after_hangup_accepted),
          TEST_CASE(test_tail_after_hangup_dialer), TEST_CASE(test_rep_reply_after_requester_gone),
          TEST_CASE(test_rep_two_requests_from_gone_peer))
