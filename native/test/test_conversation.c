/* test_conversation.c — whole conversations between cores wired back to back in memory (net.h):
 * REQ/REP, PUB/SUB, PUSH/PULL, reconnect, hostile peers, linger. */
#include "test.h"
#include "net.h"
#include "base/frame.h"

/*  REQ (A) --connect--> REP (B)
 *  "hello" ->            ["" | hello] -> body "hello"
 *          <- "world"    [""| world]  */
static void test_req_rep(void) {
    net_setup(2);
    zw_id rep = open_sock(&B, ZW_REP), req = open_sock(&A, ZW_REQ);
    char buf[256];
    CHECK_EQ(send_msg(&B, rep, 1, "early"), -ZW_EFSM);      /* nothing to answer */
    CHECK(status_flags(&B, rep) & ZW_STATUS_SEND_FSM);
    CHECK(status_flags(&A, req) & ZW_STATUS_RECV_FSM);
    CHECK_EQ(recv_msg(&A, req, buf, sizeof buf), -ZW_EFSM);
    connect_to(&A, req, &B, rep);
    CHECK_EQ(status_cap(&A, req), 1u);                      /* queues before the peer is up */
    CHECK_EQ(send_msg(&A, req, 1, "hello"), 1);
    CHECK_EQ(send_msg(&A, req, 1, "again"), -ZW_EFSM);
    CHECK(status_flags(&A, req) & ZW_STATUS_SEND_FSM);
    CHECK_EQ(status_cap(&A, req), 0u);
    net_run();
    CHECK_EQ(fx_count(&A, ZW_FX_HANDSHAKE, 0), 1);
    CHECK_EQ(fx_count(&B, ZW_FX_HANDSHAKE, 0), 1);
    CHECK(fx_count(&B, ZW_FX_STATUS, rep) >= 1);
    CHECK(status_flags(&B, rep) & ZW_STATUS_READABLE);
    CHECK_EQ(recv_msg(&B, rep, buf, sizeof buf), 1);         /* delimiter stripped */
    CHECK(strcmp(buf, "hello") == 0);
    CHECK(status_flags(&B, rep) & ZW_STATUS_RECV_FSM);
    CHECK_EQ(recv_msg(&B, rep, buf, sizeof buf), -ZW_EFSM);
    CHECK_EQ(status_cap(&B, rep), 1u);
    CHECK_EQ(send_msg(&B, rep, 2, "wor", "ld"), 1);
    CHECK_EQ(send_msg(&B, rep, 1, "twice"), -ZW_EFSM);
    net_run();
    CHECK(status_flags(&A, req) & ZW_STATUS_READABLE);
    CHECK_EQ(recv_msg(&A, req, buf, sizeof buf), 2);
    CHECK(strcmp(buf, "wor|ld") == 0);
    CHECK(status_flags(&A, req) & ZW_STATUS_RECV_FSM);
    for (int i = 0; i < 20; i++) {   /* a few more rounds */
        CHECK_EQ(send_msg(&A, req, 1, "q"), 1);
        net_run();
        CHECK_EQ(recv_msg(&B, rep, buf, sizeof buf), 1);
        CHECK_EQ(send_msg(&B, rep, 1, "r"), 1);
        net_run();
        CHECK_EQ(recv_msg(&A, req, buf, sizeof buf), 1);
        CHECK(strcmp(buf, "r") == 0);
    }
    net_teardown();
}

/* REQ load-balances over two REPs; each answers only its own request. */
static void test_req_two_reps(void) {
    net_setup(3);
    zw_id req = open_sock(&A, ZW_REQ), r1 = open_sock(&B, ZW_REP), r2 = open_sock(&C, ZW_REP);
    connect_to(&A, req, &B, r1);
    connect_to(&A, req, &C, r2);
    net_run();
    int got_b = 0, got_c = 0;
    char buf[64];
    for (int i = 0; i < 4; i++) {
        CHECK_EQ(send_msg(&A, req, 1, "q"), 1);
        net_run();
        node_t *n = recv_msg(&B, r1, buf, sizeof buf) == 1 ? &B : NULL;
        if (n) got_b++;
        else if (recv_msg(&C, r2, buf, sizeof buf) == 1) n = &C, got_c++;
        CHECK(n != NULL);
        if (!n) break;
        CHECK_EQ(send_msg(n, n == &B ? r1 : r2, 1, n == &B ? "B" : "C"), 1);
        net_run();
        CHECK_EQ(recv_msg(&A, req, buf, sizeof buf), 1);
        CHECK(buf[0] == (n == &B ? 'B' : 'C'));
    }
    CHECK(got_b == 2 && got_c == 2);
    net_teardown();
}

/* REP drops requests without an empty delimiter (raw frames injected after the handshake);
 * REQ drops replies without one, and replies when no request is pending. */
static void test_envelopes(void) {
    net_setup(2);
    zw_id rep = open_sock(&B, ZW_REP), req = open_sock(&A, ZW_REQ);
    connect_to(&A, req, &B, rep);
    net_run();
    zw_id cb = links[0].c[1], ca = links[0].c[0];
    static const uint8_t no_delim[] = {0x00, 3, 'a', 'b', 'c'};          /* [abc] */
    static const uint8_t only_delim[] = {0x01, 1, 'x', 0x00, 0};         /* [x][""] no body */
    static const uint8_t good[] = {0x01, 2, 'i', 'd', 0x01, 0, 0x00, 2, 'h', 'i'};  /* [id][""][hi] */
    CHECK_EQ(zw_core_conn_input(B.core, cb, no_delim, sizeof no_delim, NULL, NULL), ZW_OK);
    CHECK_EQ(zw_core_conn_input(B.core, cb, only_delim, sizeof only_delim, NULL, NULL), ZW_OK);
    CHECK(!(status_flags(&B, rep) & ZW_STATUS_READABLE));
    CHECK_EQ(zw_core_conn_input(B.core, cb, good, sizeof good, NULL, NULL), ZW_OK);
    CHECK(status_flags(&B, rep) & ZW_STATUS_READABLE);
    char buf[64];
    CHECK_EQ(recv_msg(&B, rep, buf, sizeof buf), 1);
    CHECK(strcmp(buf, "hi") == 0);
    CHECK_EQ(send_msg(&B, rep, 1, "ho"), 1);        /* [id][""][ho] to a REQ not waiting */
    net_run();
    CHECK(!(status_flags(&A, req) & ZW_STATUS_READABLE));
    CHECK_EQ(send_msg(&A, req, 1, "q"), 1);
    net_run();
    CHECK_EQ(recv_msg(&B, rep, buf, sizeof buf), 1);
    /* a bogus reply without delimiter reaches REQ first: dropped; then the real one */
    CHECK_EQ(zw_core_conn_input(A.core, ca, no_delim, sizeof no_delim, NULL, NULL), ZW_OK);
    CHECK(!(status_flags(&A, req) & ZW_STATUS_READABLE));
    CHECK_EQ(send_msg(&B, rep, 3, "a", "", "b"), 1);
    net_run();
    CHECK_EQ(recv_msg(&A, req, buf, sizeof buf), 3);
    CHECK(strcmp(buf, "a||b") == 0);
    net_teardown();
}

/* Garbage in the middle of a multipart message: the connection closes, the half message is
 * rolled back, nothing leaks, the socket goes on with other peers. */
static void test_garbage_mid_message(void) {
    net_setup(2);
    zw_id pull = open_sock(&B, ZW_PULL), push = open_sock(&A, ZW_PUSH);
    connect_to(&A, push, &B, pull);
    net_run();
    zw_id cb = links[0].c[1];
    static const uint8_t bad[] = {0x01, 3, 'a', 'b', 'c', 0xf8, 1, 'z'};   /* reserved flag bits */
    CHECK_EQ(zw_core_conn_input(B.core, cb, bad, sizeof bad, NULL, NULL), ZW_EPROTO);
    net_run();
    const fxrec_t *cl = fx_last(&B, ZW_FX_CLOSE);
    CHECK(cl && cl->id == cb && cl->reason == ZW_CLOSE_PROTOCOL);
    char buf[64];
    CHECK_EQ(recv_msg(&B, pull, buf, sizeof buf), 0);
    /* the dialer on A reconnects after its interval (100 ms and a jitter below 100) and traffic
     * flows again */
    net_advance(&A, 200);
    net_run();
    CHECK_EQ(send_msg(&A, push, 1, "ok"), 1);
    net_run();
    CHECK_EQ(recv_msg(&B, pull, buf, sizeof buf), 1);
    net_teardown();
}

/* PUB never blocks: a subscriber that does not read loses messages beyond its HWMs. */
static void test_pub_drops(void) {
    net_setup(2);
    zw_id pub = open_sock(&A, ZW_PUB), sub = open_sock(&B, ZW_SUB);
    set_int(&A, pub, ZW_OPT_SNDHWM, 5);
    set_int(&B, sub, ZW_OPT_RCVHWM, 5);
    set_str(&B, sub, ZW_OPT_SUBSCRIBE, "");
    connect_to(&B, sub, &A, pub);
    net_run();
    for (int i = 0; i < nlinks; i++) links[i].frozen = 1;
    static char big[2001];
    memset(big, 'p', 2000);
    for (int i = 0; i < 200; i++) CHECK_EQ(send_msg(&A, pub, 1, big), 1);   /* 400 KB */
    CHECK_EQ(status_cap(&A, pub), ZW_CAPACITY_UNBOUNDED);
    for (int i = 0; i < nlinks; i++) links[i].frozen = 0;
    net_run();
    int got = 0;
    char buf[2100];
    for (int r = 0; r < 1000; r++) {
        if (recv_msg(&B, sub, buf, sizeof buf) == 1) got++;
        net_run();
    }
    CHECK(got > 5 && got < 200);
    net_teardown();
}

/*  PUB (A) <--connect-- SUB (B), SUB (C)   prefix filtering, counted unsubscribe */
static void test_pub_sub(void) {
    net_setup(3);
    zw_id pub = open_sock(&A, ZW_PUB), s1 = open_sock(&B, ZW_SUB), s2 = open_sock(&C, ZW_SUB);
    char buf[64];
    CHECK_EQ(status_cap(&A, pub), ZW_CAPACITY_UNBOUNDED);
    CHECK_EQ(recv_msg(&A, pub, buf, sizeof buf), -ZW_ENOTSUP);
    CHECK_EQ(send_msg(&B, s1, 1, "x"), -ZW_ENOTSUP);
    CHECK_EQ(set_str(&B, s1, ZW_OPT_SUBSCRIBE, "ab"), ZW_OK);   /* before connecting */
    CHECK_EQ(set_str(&A, pub, ZW_OPT_SUBSCRIBE, "ab"), ZW_EINVAL);
    connect_to(&B, s1, &A, pub);
    net_run();
    CHECK_EQ(send_msg(&A, pub, 1, "abc"), 1);
    CHECK_EQ(send_msg(&A, pub, 1, "xyz"), 1);
    CHECK_EQ(send_msg(&A, pub, 2, "ab", "part2"), 1);
    net_run();
    CHECK_EQ(recv_msg(&B, s1, buf, sizeof buf), 1);
    CHECK(strcmp(buf, "abc") == 0);
    CHECK_EQ(recv_msg(&B, s1, buf, sizeof buf), 2);
    CHECK(strcmp(buf, "ab|part2") == 0);
    CHECK_EQ(recv_msg(&B, s1, buf, sizeof buf), 0);
    /* late subscriber subscribes after connecting */
    connect_to(&C, s2, &A, pub);
    net_run();
    CHECK_EQ(set_str(&C, s2, ZW_OPT_SUBSCRIBE, ""), ZW_OK);   /* everything */
    net_run();
    CHECK_EQ(send_msg(&A, pub, 1, "xyz"), 1);
    net_run();
    CHECK_EQ(recv_msg(&C, s2, buf, sizeof buf), 1);
    CHECK_EQ(recv_msg(&B, s1, buf, sizeof buf), 0);
    /* counted: subscribe twice, unsubscribe once -> still subscribed */
    CHECK_EQ(set_str(&B, s1, ZW_OPT_SUBSCRIBE, "ab"), ZW_OK);
    CHECK_EQ(set_str(&B, s1, ZW_OPT_UNSUBSCRIBE, "ab"), ZW_OK);
    net_run();
    send_msg(&A, pub, 1, "ab1");
    net_run();
    CHECK_EQ(recv_msg(&B, s1, buf, sizeof buf), 1);
    CHECK_EQ(set_str(&B, s1, ZW_OPT_UNSUBSCRIBE, "ab"), ZW_OK);
    CHECK_EQ(set_str(&B, s1, ZW_OPT_UNSUBSCRIBE, "never"), ZW_OK);
    net_run();
    send_msg(&A, pub, 1, "ab2");
    net_run();
    CHECK_EQ(recv_msg(&B, s1, buf, sizeof buf), 0);
    CHECK_EQ(recv_msg(&C, s2, buf, sizeof buf), 1);
    net_teardown();
}

/* Subscriptions survive a reconnect: the dialer's pipe re-sends them on the new connection. */
static void test_sub_reconnect(void) {
    net_setup(2);
    zw_id pub = open_sock(&A, ZW_PUB), sub = open_sock(&B, ZW_SUB);
    set_str(&B, sub, ZW_OPT_SUBSCRIBE, "t");
    connect_to(&B, sub, &A, pub);
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
    CHECK_EQ(recv_msg(&B, sub, buf, sizeof buf), 1);
    CHECK(strcmp(buf, "topic") == 0);
    CHECK_EQ(recv_msg(&B, sub, buf, sizeof buf), 0);
    net_teardown();
}

/*  PUSH (A) --connect--> PULL (B), PULL (C): load balanced */
static void test_push_pull_lb(void) {
    net_setup(3);
    zw_id push = open_sock(&A, ZW_PUSH), p1 = open_sock(&B, ZW_PULL), p2 = open_sock(&C, ZW_PULL);
    CHECK_EQ(send_msg(&A, push, 1, "x"), 0);   /* no peer: blocks */
    CHECK_EQ(status_cap(&A, push), 0u);
    connect_to(&A, push, &B, p1);
    connect_to(&A, push, &C, p2);
    net_run();
    for (int i = 0; i < 10; i++) CHECK_EQ(send_msg(&A, push, 1, "m"), 1);
    net_run();
    char buf[64];
    int nb = 0, nc = 0;
    while (recv_msg(&B, p1, buf, sizeof buf) == 1) nb++;
    while (recv_msg(&C, p2, buf, sizeof buf) == 1) nc++;
    CHECK_EQ(nb, 5);
    CHECK_EQ(nc, 5);
    CHECK_EQ(send_msg(&B, p1, 1, "x"), -ZW_ENOTSUP);
    net_teardown();
}

/* HWM: with traffic held, PUSH's capacity reaches 0; the receiver pauses at its HWM and resumes
 * as it reads; every message arrives once, in order. */
static void test_push_pull_hwm(void) {
    net_setup(2);
    zw_id push = open_sock(&A, ZW_PUSH), pull = open_sock(&B, ZW_PULL);
    set_int(&A, push, ZW_OPT_SNDHWM, 10);
    set_int(&B, pull, ZW_OPT_RCVHWM, 5);
    connect_to(&A, push, &B, pull);
    net_run();
    for (int i = 0; i < nlinks; i++) links[i].frozen = 1;
    static char body[1001];
    memset(body, 'b', 1000);
    int sent = 0;
    for (;;) {
        snprintf(body, sizeof body, "%06d", sent);
        body[6] = 'b';
        int r = send_msg(&A, push, 1, body);
        if (r != 1) break;
        sent++;
        if (sent > 10000) break;
    }
    CHECK(sent > 10 && sent < 200);   /* 64 KiB in the engine + SNDHWM in the pipe */
    CHECK_EQ(status_cap(&A, push), 0u);
    for (int i = 0; i < nlinks; i++) links[i].frozen = 0;
    net_run();
    CHECK(fx_count(&B, ZW_FX_PAUSE, 0) >= 1);
    int got = 0;
    char buf[1100];
    for (int rounds = 0; rounds < 10000 && got < sent; rounds++) {
        int r = recv_msg(&B, pull, buf, sizeof buf);
        if (r == 1) {
            char want[16];
            snprintf(want, sizeof want, "%06d", got);
            CHECK(memcmp(buf, want, 6) == 0);
            got++;
        }
        net_run();
        if (status_cap(&A, push) > 0 && sent < 400) {
            snprintf(body, sizeof body, "%06d", sent);
            body[6] = 'b';
            if (send_msg(&A, push, 1, body) == 1) sent++;
        }
    }
    CHECK_EQ(got, sent);
    CHECK(fx_count(&B, ZW_FX_RESUME, 0) >= 1);
    CHECK(status_cap(&A, push) > 0);
    net_teardown();
}

/* Batches: several messages per zw_send and per zw_recv; max_bytes; malformed batch. */
static void test_batches(void) {
    net_setup(2);
    zw_id push = open_sock(&A, ZW_PUSH), pull = open_sock(&B, ZW_PULL);
    connect_to(&A, push, &B, pull);
    net_run();
    uint8_t batch[64];
    uint32_t len = 0, took = 0;
    for (int i = 0; i < 3; i++) {   /* 3 messages: [a|b], [c], [d] ... */
        const char *fr[] = {"ab", "c", "d"};
        uint32_t h = 1 | (i == 0 ? ZW_BATCH_MORE : 0);
        memcpy(batch + len, &h, 4);   /* test runs little-endian */
        batch[len + 4] = (uint8_t)fr[i][0];
        len += 5;
    }
    CHECK_EQ(zw_core_send(A.core, push, batch, len, &took), ZW_OK);
    CHECK_EQ(took, 2u);
    CHECK_EQ(zw_core_send(A.core, push, batch, len - 1, &took), ZW_EMSGSIZE);   /* truncated */
    uint32_t h = ZW_BATCH_MORE | 0;
    CHECK_EQ(zw_core_send(A.core, push, (uint8_t *)&h, 4, &took), ZW_EMSGSIZE); /* open message */
    CHECK_EQ(zw_core_send(A.core, push, batch, 0, &took), ZW_OK);
    CHECK_EQ(took, 0u);
    for (int i = 0; i < 5; i++) send_msg(&A, push, 1, "xxxxxxxx");
    net_run();
    const uint8_t *p;
    uint32_t n, msgs;
    CHECK_EQ(zw_core_recv(B.core, pull, 100, 1, &p, &n, &msgs), ZW_OK);
    CHECK_EQ(msgs, 1u);                         /* at least one even above max_bytes */
    CHECK_EQ(n, 10u);                           /* [a MORE][b] */
    CHECK_EQ(zw_core_recv(B.core, pull, 2, 1000, &p, &n, &msgs), ZW_OK);
    CHECK_EQ(msgs, 2u);
    CHECK_EQ(zw_core_recv(B.core, pull, 0, 24, &p, &n, &msgs), ZW_OK);
    CHECK_EQ(msgs, 2u);                         /* 12 bytes each: the third did not fit */
    CHECK(status_flags(&B, pull) & ZW_STATUS_READABLE);   /* kept for next time */
    CHECK_EQ(zw_core_recv(B.core, pull, 0, 1000, &p, &n, &msgs), ZW_OK);
    CHECK_EQ(msgs, 2u);
    CHECK_EQ(zw_core_recv(B.core, pull, 0, 1000, &p, &n, &msgs), ZW_OK);
    CHECK_EQ(msgs, 0u);
    CHECK(!(status_flags(&B, pull) & ZW_STATUS_READABLE));
    net_teardown();
}

/* Connection lost: DIAL again after RECONNECT_IVL; messages queued meanwhile are delivered. */
static void test_reconnect(void) {
    net_setup(2);
    zw_id push = open_sock(&A, ZW_PUSH), pull = open_sock(&B, ZW_PULL);
    set_int(&A, push, ZW_OPT_RECONNECT_IVL_MAX, 400);
    zw_id d = connect_to(&A, push, &B, pull);
    net_run();
    CHECK_EQ(fx_count(&A, ZW_FX_DIAL, d), 1);
    send_msg(&A, push, 1, "one");
    net_run();
    char buf[64];
    CHECK_EQ(recv_msg(&B, pull, buf, sizeof buf), 1);
    /* the peer hangs up */
    for (int i = 0; i < nlinks; i++)
        if (links[i].alive) link_close(&links[i]);
    net_run();
    CHECK_EQ(send_msg(&A, push, 1, "two"), 1);    /* queued in the dialer's pipe */
    CHECK_EQ(send_msg(&A, push, 1, "three"), 1);
    /* The re-dial comes after the interval plus libzmq's jitter (below one base interval), as
     * ZW_FX_RETRY says. */
    double next;
    const fxrec_t *retry = fx_last(&A, ZW_FX_RETRY);
    CHECK(retry && retry->id == d && retry->arg >= 100 && retry->arg < 200);
    uint32_t wait = retry->arg;
    zw_core_advance(A.core, A.now, &next);
    CHECK_EQ(next, A.now + wait);
    route_of(&A, d)->refuse = 1;                  /* first re-dial fails */
    net_advance(&A, wait - 1);
    net_run();
    CHECK_EQ(fx_count(&A, ZW_FX_DIAL, d), 1);
    net_advance(&A, 1);
    net_run();
    CHECK_EQ(fx_count(&A, ZW_FX_DIAL, d), 2);
    retry = fx_last(&A, ZW_FX_RETRY);
    CHECK(retry && retry->arg >= 200 && retry->arg < 300);   /* backoff doubled, jitter added */
    wait = retry->arg;
    zw_core_advance(A.core, A.now, &next);
    CHECK_EQ(next, A.now + wait);
    route_of(&A, d)->refuse = 0;
    net_advance(&A, wait);
    net_run();
    CHECK_EQ(fx_count(&A, ZW_FX_DIAL, d), 3);
    CHECK_EQ(recv_msg(&B, pull, buf, sizeof buf), 1);
    CHECK(strcmp(buf, "two") == 0);
    CHECK_EQ(recv_msg(&B, pull, buf, sizeof buf), 1);
    CHECK(strcmp(buf, "three") == 0);
    /* disconnect: DIAL_STOP, no more dials */
    CHECK_EQ(zw_core_disconnect(A.core, d), ZW_OK);
    net_run();
    CHECK_EQ(fx_count(&A, ZW_FX_DIAL_STOP, d), 1);
    CHECK_EQ(zw_core_disconnect(A.core, d), ZW_ENOENT);
    net_advance(&A, 10000);
    net_run();
    CHECK_EQ(fx_count(&A, ZW_FX_DIAL, d), 3);
    CHECK_EQ(send_msg(&A, push, 1, "x"), 0);      /* no peer left */
    net_teardown();
}

/* Garbage from one peer closes only that connection; a good peer keeps working. Also a peer
 * that never speaks hits the handshake timeout. */
static void test_hostile_peer(void) {
    net_setup(2);
    zw_id push = open_sock(&A, ZW_PUSH), pull = open_sock(&B, ZW_PULL);
    connect_to(&A, push, &B, pull);
    net_run();
    zw_id bad = 0, mute = 0;
    CHECK_EQ(zw_core_accept(B.core, pull, ZW_FRAMING_STREAM, &bad), ZW_OK);
    CHECK_EQ(zw_core_accept(B.core, pull, ZW_FRAMING_STREAM, &mute), ZW_OK);
    static const uint8_t junk[] = "GET / HTTP/1.1\r\nHost: x\r\n\r\n\xff\xff\xff\xff";
    int rc = zw_core_conn_input(B.core, bad, junk, sizeof junk, NULL, NULL);
    CHECK(rc == ZW_EPROTO || rc == ZW_OK);
    net_run();
    const fxrec_t *cl = fx_last(&B, ZW_FX_CLOSE);
    CHECK(cl && cl->id == bad && cl->reason == ZW_CLOSE_PROTOCOL);
    CHECK_EQ(zw_core_conn_input(B.core, bad, junk, 4, NULL, NULL), ZW_OK);   /* moot after CLOSE */
    CHECK_EQ(zw_core_conn_closed(B.core, bad), ZW_OK);
    CHECK_EQ(zw_core_conn_closed(B.core, bad), ZW_ENOENT);
    send_msg(&A, push, 1, "still fine");
    net_run();
    char buf[64];
    CHECK_EQ(recv_msg(&B, pull, buf, sizeof buf), 1);
    CHECK(strcmp(buf, "still fine") == 0);
    /* a valid greeting followed by a frame larger than MAXMSGSIZE */
    net_advance(&B, 30000);
    net_run();
    cl = fx_last(&B, ZW_FX_CLOSE);
    CHECK(cl && cl->id == mute && cl->reason == ZW_CLOSE_HANDSHAKE_TIMEOUT);
    zw_core_conn_closed(B.core, mute);
    send_msg(&A, push, 1, "after");
    net_run();
    CHECK_EQ(recv_msg(&B, pull, buf, sizeof buf), 1);
    net_teardown();
}

/* Bytes fed one at a time still make a working connection. */
static void test_byte_at_a_time(void) {
    net_setup(2);
    zw_id push = open_sock(&A, ZW_PUSH), pull = open_sock(&B, ZW_PULL);
    zw_id d = 0, ca = 0, cb = 0;
    zw_core_connect(A.core, push, &d);
    zw_core_dial_result(A.core, d, 1, ZW_FRAMING_STREAM, &ca);
    zw_core_accept(B.core, pull, ZW_FRAMING_STREAM, &cb);
    send_msg(&A, push, 2, "hello", "world");
    for (int round = 0; round < 10; round++) {
        const uint8_t *p;
        uint32_t n;
        zw_id from[2] = {ca, cb}, to[2] = {cb, ca};
        zw_core_t *cf[2] = {A.core, B.core}, *ct[2] = {B.core, A.core};
        for (int s = 0; s < 2; s++) {
            while (zw_core_conn_output(cf[s], from[s], &p, &n, NULL) == ZW_OK && n) {
                uint8_t *copy = malloc(n);
                memcpy(copy, p, n);
                for (uint32_t i = 0; i < n; i++) zw_core_conn_input(ct[s], to[s], copy + i, 1, NULL, NULL);
                free(copy);
            }
        }
    }
    char buf[64];
    CHECK_EQ(recv_msg(&B, pull, buf, sizeof buf), 2);
    CHECK(strcmp(buf, "hello|world") == 0);
    net_teardown();
}

/* Messages received before the peer left are still delivered. */
static void test_received_survive_peer_close(void) {
    net_setup(2);
    zw_id push = open_sock(&A, ZW_PUSH), pull = open_sock(&B, ZW_PULL);
    connect_to(&A, push, &B, pull);
    net_run();
    send_msg(&A, push, 1, "1");
    send_msg(&A, push, 1, "2");
    net_run();
    CHECK_EQ(zw_core_socket_close(A.core, push), ZW_OK);
    net_run();
    CHECK_EQ(fx_count(&A, ZW_FX_SOCKET_GONE, push), 1);
    char buf[64];
    CHECK_EQ(recv_msg(&B, pull, buf, sizeof buf), 1);
    CHECK_EQ(recv_msg(&B, pull, buf, sizeof buf), 1);
    CHECK(strcmp(buf, "2") == 0);
    CHECK_EQ(recv_msg(&B, pull, buf, sizeof buf), 0);
    net_teardown();
}

/* Linger: -1 waits until everything is written; 0 drops at once; N ms gives up after N. */
static void test_linger(void) {
    net_setup(2);
    zw_id push = open_sock(&A, ZW_PUSH), pull = open_sock(&B, ZW_PULL);
    connect_to(&A, push, &B, pull);
    net_run();
    for (int i = 0; i < nlinks; i++) links[i].frozen = 1;
    for (int i = 0; i < 50; i++) send_msg(&A, push, 1, "lingering message");
    CHECK_EQ(zw_core_socket_close(A.core, push), ZW_OK);   /* LINGER default -1 */
    CHECK_EQ(zw_core_socket_close(A.core, push), ZW_ENOTSOCK);
    CHECK_EQ(send_msg(&A, push, 1, "x"), -ZW_ENOTSOCK);
    CHECK(status_flags(&A, push) & ZW_STATUS_CLOSED);
    drain_effects(&A);
    CHECK_EQ(fx_count(&A, ZW_FX_SOCKET_GONE, push), 0);
    for (int i = 0; i < nlinks; i++) links[i].frozen = 0;
    net_run();
    CHECK_EQ(fx_count(&A, ZW_FX_SOCKET_GONE, push), 1);
    CHECK_EQ(fx_count(&A, ZW_FX_DIAL_STOP, 0), 1);
    int got = 0;
    char buf[64];
    while (recv_msg(&B, pull, buf, sizeof buf) == 1) got++;
    CHECK_EQ(got, 50);
    CHECK_EQ(status_flags(&A, push), 0xdead);   /* id gone */

    /* LINGER 0 with a peer that never reads: gone at once */
    zw_id p2 = open_sock(&A, ZW_PUSH);
    set_int(&A, p2, ZW_OPT_LINGER, 0);
    connect_to(&A, p2, &B, pull);
    send_msg(&A, p2, 1, "never");
    CHECK_EQ(zw_core_socket_close(A.core, p2), ZW_OK);
    drain_effects(&A);
    CHECK_EQ(fx_count(&A, ZW_FX_SOCKET_GONE, p2), 1);
    net_run();

    /* LINGER 50 with no peer: gone after 50 ms */
    zw_id p3 = open_sock(&A, ZW_PUSH);
    set_int(&A, p3, ZW_OPT_LINGER, 50);
    zw_id d3 = 0;
    zw_core_connect(A.core, p3, &d3);   /* nobody answers the DIAL */
    send_msg(&A, p3, 1, "stuck");
    zw_core_socket_close(A.core, p3);
    net_advance(&A, 49);
    drain_effects(&A);
    CHECK_EQ(fx_count(&A, ZW_FX_SOCKET_GONE, p3), 0);
    net_advance(&A, 1);
    drain_effects(&A);
    CHECK_EQ(fx_count(&A, ZW_FX_SOCKET_GONE, p3), 1);
    CHECK_EQ(zw_core_dial_result(A.core, d3, 1, ZW_FRAMING_STREAM, NULL), ZW_ENOENT);
    net_teardown();
}

/* A connection still open when its socket goes accepts the host's calls gracefully. */
static void test_zombie_conn(void) {
    net_setup(2);
    zw_id pull = open_sock(&B, ZW_PULL);
    set_int(&B, pull, ZW_OPT_LINGER, 0);
    zw_id c = 0;
    zw_core_accept(B.core, pull, ZW_FRAMING_STREAM, &c);
    zw_core_socket_close(B.core, pull);
    drain_effects(&B);
    CHECK_EQ(fx_count(&B, ZW_FX_CLOSE, c), 1);
    const uint8_t *p;
    uint32_t n;
    CHECK_EQ(zw_core_conn_output(B.core, c, &p, &n, NULL), ZW_OK);   /* greeting still there */
    CHECK_EQ(zw_core_conn_input(B.core, c, (const uint8_t *)"x", 1, NULL, NULL), ZW_OK);
    CHECK_EQ(zw_core_conn_closed(B.core, c), ZW_OK);
    CHECK_EQ(zw_core_conn_output(B.core, c, &p, &n, NULL), ZW_ENOENT);
    net_teardown();
}

/* Options: defaults, ranges, read-only TYPE, routing id rules. */
static void test_options(void) {
    net_setup(2);
    zw_id s = open_sock(&A, ZW_REQ);
    uint8_t v[8];
    uint32_t len = 4;
    CHECK_EQ(zw_core_getopt(A.core, s, ZW_OPT_TYPE, v, &len), ZW_OK);
    CHECK(len == 4 && v[0] == ZW_REQ);
    len = 4;
    CHECK_EQ(zw_core_getopt(A.core, s, ZW_OPT_LINGER, v, &len), ZW_OK);
    CHECK(v[0] == 0xff && v[3] == 0xff);   /* -1 */
    len = 8;
    CHECK_EQ(zw_core_getopt(A.core, s, ZW_OPT_MAXMSGSIZE, v, &len), ZW_OK);
    CHECK(len == 8 && v[7] == 0xff);
    CHECK_EQ(set_int(&A, s, ZW_OPT_TYPE, 1), ZW_EINVAL);
    CHECK_EQ(set_int(&A, s, ZW_OPT_SNDHWM, -1), ZW_EINVAL);
    CHECK_EQ(set_int(&A, s, ZW_OPT_IMMEDIATE, 2), ZW_EINVAL);
    CHECK_EQ(set_int(&A, s, ZW_OPT_RCVHWM, 7), ZW_OK);
    len = 4;
    zw_core_getopt(A.core, s, ZW_OPT_RCVHWM, v, &len);
    CHECK_EQ(v[0], 7);
    CHECK_EQ(zw_core_setopt(A.core, s, ZW_OPT_MAXMSGSIZE, v, 4), ZW_EINVAL);   /* needs 8 */
    CHECK_EQ(set_str(&A, s, ZW_OPT_ROUTING_ID, "peer-1"), ZW_OK);
    CHECK_EQ(zw_core_setopt(A.core, s, ZW_OPT_ROUTING_ID, (const uint8_t *)"\0x", 2), ZW_EINVAL);
    char rid[256];
    len = sizeof rid;
    CHECK_EQ(zw_core_getopt(A.core, s, ZW_OPT_ROUTING_ID, (uint8_t *)rid, &len), ZW_OK);
    CHECK(len == 6 && memcmp(rid, "peer-1", 6) == 0);
    len = 2;
    CHECK_EQ(zw_core_getopt(A.core, s, ZW_OPT_ROUTING_ID, (uint8_t *)rid, &len), ZW_EINVAL);
    CHECK_EQ(set_int(&A, s, 9999, 1), ZW_EINVAL);
    CHECK_EQ(set_int(&A, 4242, ZW_OPT_LINGER, 1), ZW_ENOTSOCK);
    zw_id bad;
    CHECK_EQ(zw_core_socket_open(A.core, 99, &bad), ZW_EINVAL);
    net_teardown();
}

/* IMMEDIATE: no pipe until connected, so PUSH blocks rather than queueing. */
static void test_immediate(void) {
    net_setup(2);
    zw_id push = open_sock(&A, ZW_PUSH), pull = open_sock(&B, ZW_PULL);
    set_int(&A, push, ZW_OPT_IMMEDIATE, 1);
    zw_id d = 0;
    zw_core_connect(A.core, push, &d);
    CHECK_EQ(send_msg(&A, push, 1, "x"), 0);
    net_route(&A, d, &B, pull);
    net_dial(&A, d);
    net_run();
    CHECK_EQ(send_msg(&A, push, 1, "y"), 1);
    net_run();
    char buf[16];
    CHECK_EQ(recv_msg(&B, pull, buf, sizeof buf), 1);
    net_teardown();
}

/* Empty inputs given as NULL pointers (legal: a wasm host passes 0 for an empty view) are no
 * undefined behaviour anywhere: conn input on a fresh connection and after the handshake,
 * empty routing id and subscriptions, empty send batch. */
static void test_null_empty_inputs(void) {
    net_setup(2);
    zw_id sub = open_sock(&A, ZW_SUB), pub = open_sock(&B, ZW_PUB);
    zw_id c = 0;
    CHECK_EQ(zw_core_accept(B.core, pub, ZW_FRAMING_STREAM, &c), ZW_OK);
    CHECK_EQ(zw_core_conn_input(B.core, c, NULL, 0, NULL, NULL), ZW_OK);         /* fresh connection */
    CHECK_EQ(zw_core_conn_input(B.core, c, NULL, 1, NULL, NULL), ZW_EINVAL);     /* bytes promised, none */
    CHECK_EQ(zw_core_conn_closed(B.core, c), ZW_OK);
    CHECK_EQ(zw_core_setopt(A.core, sub, ZW_OPT_SUBSCRIBE, NULL, 0), ZW_OK);   /* everything */
    connect_to(&A, sub, &B, pub);
    net_run();
    CHECK_EQ(fx_count(&A, ZW_FX_HANDSHAKE, 0), 1);
    CHECK(nlinks > 0);
    for (int s = 0; s < 2; s++)                                       /* after the handshake */
        CHECK_EQ(zw_core_conn_input(links[nlinks - 1].n[s]->core, links[nlinks - 1].c[s], NULL, 0, NULL, NULL),
                 ZW_OK);
    CHECK_EQ(send_msg(&B, pub, 1, "news"), 1);
    net_run();
    char buf[32];
    CHECK_EQ(recv_msg(&A, sub, buf, sizeof buf), 1);
    CHECK(strcmp(buf, "news") == 0);
    CHECK_EQ(zw_core_setopt(A.core, sub, ZW_OPT_UNSUBSCRIBE, NULL, 0), ZW_OK);
    net_run();
    uint32_t took = 99;
    CHECK_EQ(zw_core_send(B.core, pub, NULL, 0, &took), ZW_OK);        /* empty batch */
    CHECK_EQ(took, 0u);

    /* Routing id: set empty with NULL, read it back into NULL, clear a set one with NULL. */
    zw_id req = open_sock(&A, ZW_REQ);
    uint32_t len = 0;
    CHECK_EQ(zw_core_setopt(A.core, req, ZW_OPT_ROUTING_ID, NULL, 0), ZW_OK);
    CHECK_EQ(zw_core_getopt(A.core, req, ZW_OPT_ROUTING_ID, NULL, &len), ZW_OK);
    CHECK_EQ(len, 0u);
    CHECK_EQ(set_str(&A, req, ZW_OPT_ROUTING_ID, "id"), ZW_OK);
    len = 0;
    /* 0 bytes of room for a 2-byte id */
    CHECK_EQ(zw_core_getopt(A.core, req, ZW_OPT_ROUTING_ID, NULL, &len), ZW_EINVAL);
    CHECK_EQ(zw_core_setopt(A.core, req, ZW_OPT_ROUTING_ID, NULL, 0), ZW_OK);
    len = 5;
    CHECK_EQ(zw_core_getopt(A.core, req, ZW_OPT_ROUTING_ID, NULL, &len), ZW_OK);
    CHECK_EQ(len, 0u);
    CHECK_EQ(zw_core_setopt(A.core, req, ZW_OPT_ROUTING_ID, NULL, 3), ZW_EINVAL);
    len = 4;
    CHECK_EQ(zw_core_getopt(A.core, req, ZW_OPT_LINGER, NULL, &len), ZW_EINVAL);
    CHECK_EQ(zw_core_setopt(A.core, req, ZW_OPT_LINGER, NULL, 0), ZW_EINVAL);
    net_teardown();
}

/* The host says how a transport carries a connection; the core picks the engine from it: ZWS
 * for messages, except for a STREAM socket (raw bytes have no message framing). */
static void test_framing(void) {
    net_setup(2);
    zw_id pull = open_sock(&B, ZW_PULL), stream = open_sock(&A, ZW_STREAM);
    zw_id conn = 0, d = 0;
    CHECK_EQ(zw_core_accept(B.core, pull, 7, &conn), ZW_EINVAL);
    CHECK_EQ(conn, 0u);
    CHECK_EQ(zw_core_accept(B.core, pull, ZW_FRAMING_MESSAGE, &conn), ZW_OK);
    CHECK(conn != 0u);
    CHECK_EQ(zw_core_conn_closed(B.core, conn), ZW_OK);
    CHECK_EQ(zw_core_accept(B.core, pull, ZW_FRAMING_MESSAGE_BARE, &conn), ZW_OK);
    CHECK_EQ(zw_core_conn_closed(B.core, conn), ZW_OK);
    conn = 0;
    CHECK_EQ(zw_core_connect(A.core, stream, &d), ZW_OK);
    drain_effects(&A);   /* the DIAL */
    CHECK_EQ(zw_core_dial_result(A.core, d, 1, ZW_FRAMING_MESSAGE, &conn), ZW_ENOTSUP);
    CHECK_EQ(conn, 0u);
    /* The dialer was not wedged: it dials again after the reconnect interval. */
    int dials = fx_count(&A, ZW_FX_DIAL, d);
    net_advance(&A, 1000);
    drain_effects(&A);
    CHECK_EQ(fx_count(&A, ZW_FX_DIAL, d), dials + 1);
    net_teardown();
}

TEST_MAIN("conversation", TEST_CASE(test_req_rep), TEST_CASE(test_req_two_reps),
          TEST_CASE(test_envelopes), TEST_CASE(test_garbage_mid_message),
          TEST_CASE(test_pub_drops), TEST_CASE(test_pub_sub),
          TEST_CASE(test_sub_reconnect), TEST_CASE(test_push_pull_lb),
          TEST_CASE(test_push_pull_hwm), TEST_CASE(test_batches), TEST_CASE(test_reconnect),
          TEST_CASE(test_hostile_peer), TEST_CASE(test_byte_at_a_time),
          TEST_CASE(test_received_survive_peer_close), TEST_CASE(test_linger),
          TEST_CASE(test_zombie_conn), TEST_CASE(test_options), TEST_CASE(test_immediate),
          TEST_CASE(test_null_empty_inputs), TEST_CASE(test_framing))
