/* test_inproc.c — inproc:// inside one core: links in either order, every pattern, HWM across
 * both pipes, the end of either side, unbind, errors, and no frame left behind.
 *
 *   connecter                              binder
 *   [socket] -> out pipe ==(pointers)==> in pipe -> [socket]
 *   [socket] <- in pipe  <==(pointers)== out pipe <- [socket]
 */
#include <stdlib.h>
#include "base/frame.h"
#include "core.h"
#include "test.h"

static zw_core_t *C;
static uint32_t seed;

static void entropy(void *ctx, uint8_t *buf, uint32_t len) {
    for (uint32_t i = 0; i < len; i++) {
        seed ^= seed << 13;
        seed ^= seed >> 17;
        seed ^= seed << 5;
        buf[i] = (uint8_t)seed;
    }
}

static void setup(void) {
    seed = 0x1234567;
    C = zw_core_new(entropy, NULL);
}

static void teardown(void) {
    zw_core_free(C);
    C = NULL;
    CHECK_EQ(zw_frame_live(), 0);
}

static zw_id sock(int type) {
    zw_id s = 0;
    CHECK_EQ(zw_core_socket_open(C, type, &s), ZW_OK);
    return s;
}

static void setint(zw_id s, int opt, int32_t v) {
    uint8_t b[4] = {(uint8_t)v, (uint8_t)(v >> 8), (uint8_t)(v >> 16), (uint8_t)(v >> 24)};
    CHECK_EQ(zw_core_setopt(C, s, opt, b, 4), ZW_OK);
}

static void setstr(zw_id s, int opt, const char *v) {
    CHECK_EQ(zw_core_setopt(C, s, opt, (const uint8_t *)v, (uint32_t)strlen(v)), ZW_OK);
}

static zw_err bind(zw_id s, const char *name) {
    return zw_core_inproc_bind(C, s, (const uint8_t *)name, (uint32_t)strlen(name));
}

static zw_err unbind(zw_id s, const char *name) {
    return zw_core_inproc_unbind(C, s, (const uint8_t *)name, (uint32_t)strlen(name));
}

static zw_id connect(zw_id s, const char *name) {
    zw_id l = 0;
    CHECK_EQ(zw_core_inproc_connect(C, s, (const uint8_t *)name, (uint32_t)strlen(name), &l),
             ZW_OK);
    return l;
}

/* Sends one single-frame message; 1 if the socket took it. */
static uint32_t send_str(zw_id s, const char *text) {
    uint8_t b[260];
    uint32_t n = (uint32_t)strlen(text), took = 0;
    b[0] = (uint8_t)n, b[1] = b[2] = b[3] = 0;
    memcpy(b + 4, text, n);
    zw_err rc = zw_core_send(C, s, b, 4 + n, &took);
    return rc == ZW_OK ? took : 0;
}

/* Receives one message; its first frame as a string in out (empty when none); 1 if one came. */
static int recv_str(zw_id s, char *out) {
    const uint8_t *p;
    uint32_t len, msgs = 0;
    out[0] = 0;
    if (zw_core_recv(C, s, 1, 65536, &p, &len, &msgs) != ZW_OK || msgs == 0) return 0;
    uint32_t n = (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)(p[2] & 0x7f) << 16;
    memcpy(out, p + 4, n < 255 ? n : 255);
    out[n < 255 ? n : 255] = 0;
    return 1;
}

static int recv_is(zw_id s, const char *want) {
    char got[256];
    return recv_str(s, got) && strcmp(got, want) == 0;
}

static uint32_t capacity(zw_id s) {
    uint32_t cap = 0, fl = 0;
    CHECK_EQ(zw_core_status(C, s, &cap, &fl), ZW_OK);
    return cap;
}

/* Drains the effects; how many of kind for id were among them. */
static int effects(uint8_t kind, zw_id id) {
    const uint8_t *p;
    uint32_t len;
    int n = 0;
    CHECK_EQ(zw_core_effects(C, &p, &len), ZW_OK);
    for (uint32_t off = 0; off + 12 <= len;) {
        uint32_t text = p[off + 2] | (uint32_t)p[off + 3] << 8;
        uint32_t fid = p[off + 4] | (uint32_t)p[off + 5] << 8 | (uint32_t)p[off + 6] << 16 |
                       (uint32_t)p[off + 7] << 24;
        if (p[off] == kind && fid == id) n++;
        off += 12 + text;
    }
    return n;
}

static void test_push_pull_bind_first(void) {
    setup();
    zw_id pull = sock(ZW_PULL), push = sock(ZW_PUSH);
    CHECK_EQ(bind(pull, "a"), ZW_OK);
    connect(push, "a");
    CHECK_EQ(send_str(push, "one"), 1);
    CHECK_EQ(send_str(push, "two"), 1);
    CHECK_EQ(send_str(push, "three"), 1);
    CHECK(recv_is(pull, "one"));
    CHECK(recv_is(pull, "two"));
    CHECK(recv_is(pull, "three"));
    char got[256];
    CHECK(!recv_str(pull, got));
    teardown();
}

/* The connecter has its pipe at once: messages queue (up to SNDHWM) and arrive on the bind. */
static void test_push_pull_connect_first(void) {
    setup();
    zw_id pull = sock(ZW_PULL), push = sock(ZW_PUSH);
    setint(push, ZW_OPT_SNDHWM, 2);
    connect(push, "b");
    CHECK_EQ(capacity(push), 2);
    CHECK_EQ(send_str(push, "m0"), 1);
    CHECK_EQ(send_str(push, "m1"), 1);
    CHECK_EQ(send_str(push, "m2"), 0);   /* pending pipe at HWM */
    CHECK_EQ(bind(pull, "b"), ZW_OK);
    CHECK(recv_is(pull, "m0"));
    CHECK(recv_is(pull, "m1"));
    CHECK_EQ(send_str(push, "m2"), 1);
    CHECK(recv_is(pull, "m2"));
    teardown();
}

static void req_rep(int rep_binds) {
    setup();
    zw_id rep = sock(ZW_REP), req = sock(ZW_REQ);
    if (rep_binds) {
        CHECK_EQ(bind(rep, "rr"), ZW_OK);
        connect(req, "rr");
    } else {
        CHECK_EQ(bind(req, "rr"), ZW_OK);
        connect(rep, "rr");
    }
    for (int i = 0; i < 3; i++) {
        CHECK_EQ(send_str(req, "hello"), 1);
        CHECK(recv_is(rep, "hello"));
        CHECK_EQ(send_str(rep, "world"), 1);
        CHECK(recv_is(req, "world"));
    }
    teardown();
}
static void test_req_rep_rep_binds(void) { req_rep(1); }
static void test_req_rep_req_binds(void) { req_rep(0); }

/* Subscriptions set before the link go when it is made; later ones go at once; a CANCEL too. */
static void test_pub_sub(void) {
    setup();
    zw_id pub = sock(ZW_PUB), early = sock(ZW_SUB), late = sock(ZW_SUB);
    setstr(early, ZW_OPT_SUBSCRIBE, "t");
    connect(early, "ps");                 /* before the bind */
    CHECK_EQ(bind(pub, "ps"), ZW_OK);
    connect(late, "ps");
    setstr(late, ZW_OPT_SUBSCRIBE, "t");  /* after the link */
    CHECK_EQ(send_str(pub, "t1"), 1);
    CHECK_EQ(send_str(pub, "x1"), 1);
    CHECK(recv_is(early, "t1"));
    CHECK(recv_is(late, "t1"));
    char got[256];
    CHECK(!recv_str(early, got));
    CHECK(!recv_str(late, got));
    setstr(late, ZW_OPT_UNSUBSCRIBE, "t");
    CHECK_EQ(send_str(pub, "t2"), 1);
    CHECK(recv_is(early, "t2"));
    CHECK(!recv_str(late, got));
    teardown();
}

/* A link holds the writer's SNDHWM plus the reader's RCVHWM; reading makes room again. */
static void test_hwm_backpressure(void) {
    setup();
    zw_id pull = sock(ZW_PULL), push = sock(ZW_PUSH);
    setint(push, ZW_OPT_SNDHWM, 2);
    setint(pull, ZW_OPT_RCVHWM, 3);
    CHECK_EQ(bind(pull, "h"), ZW_OK);
    connect(push, "h");
    char name[16];
    int sent = 0;
    for (; sent < 10; sent++) {
        snprintf(name, sizeof name, "m%d", sent);
        if (!send_str(push, name)) break;
    }
    CHECK_EQ(sent, 5);
    CHECK_EQ(capacity(push), 0);
    CHECK(recv_is(pull, "m0"));
    CHECK_EQ(capacity(push), 1);           /* one moved from the push's pipe into the pull's */
    CHECK_EQ(send_str(push, "m5"), 1);
    CHECK_EQ(capacity(push), 0);
    for (int i = 1; i <= 5; i++) {
        snprintf(name, sizeof name, "m%d", i);
        CHECK(recv_is(pull, name));
    }
    CHECK_EQ(capacity(push), 2);
    teardown();
}

/* The binder closes with messages on their way: the connecter still reads them, its connect
 * ends (DIAL_STOP) and a new bind of the name does not rejoin it (libzmq 4.3). */
static void test_close_binder_with_queued(void) {
    setup();
    zw_id push = sock(ZW_PUSH), pull = sock(ZW_PULL);
    setint(push, ZW_OPT_LINGER, 0);
    setint(pull, ZW_OPT_RCVHWM, 1);
    CHECK_EQ(bind(push, "cb"), ZW_OK);
    zw_id link = connect(pull, "cb");
    for (int i = 0; i < 3; i++) CHECK_EQ(send_str(push, "q"), 1);   /* 1 in pull's, 2 in push's */
    (void)effects(0, 0);
    CHECK_EQ(zw_core_socket_close(C, push), ZW_OK);
    CHECK_EQ(effects(ZW_FX_DIAL_STOP, link), 1);
    for (int i = 0; i < 3; i++) CHECK(recv_is(pull, "q"));
    char got[256];
    CHECK(!recv_str(pull, got));
    zw_id push2 = sock(ZW_PUSH);
    CHECK_EQ(bind(push2, "cb"), ZW_OK);    /* the name is free again */
    CHECK_EQ(capacity(push2), 0);          /* and nobody is joined to it */
    CHECK_EQ(zw_core_disconnect(C, link), ZW_ENOENT);
    teardown();
}

/* The connecter closes (linger 0) with messages in both pipes: the binder reads them all. */
static void test_close_connecter_with_queued(void) {
    setup();
    zw_id pull = sock(ZW_PULL), push = sock(ZW_PUSH);
    setint(pull, ZW_OPT_RCVHWM, 2);
    setint(push, ZW_OPT_LINGER, 0);
    CHECK_EQ(bind(pull, "cc"), ZW_OK);
    connect(push, "cc");
    char name[16];
    for (int i = 0; i < 6; i++) {
        snprintf(name, sizeof name, "m%d", i);
        CHECK_EQ(send_str(push, name), 1);
    }
    (void)effects(0, 0);
    CHECK_EQ(zw_core_socket_close(C, push), ZW_OK);
    CHECK_EQ(effects(ZW_FX_SOCKET_GONE, push), 1);
    for (int i = 0; i < 6; i++) {
        snprintf(name, sizeof name, "m%d", i);
        CHECK(recv_is(pull, name));
    }
    /* The binder's messages to a closed connecter are dropped with it; nothing leaks. */
    zw_id push2 = sock(ZW_PUSH);
    connect(push2, "cc");
    CHECK_EQ(send_str(push2, "again"), 1);
    CHECK(recv_is(pull, "again"));
    teardown();
}

/* A lingering connecter still pending hands its messages over when the name is bound. */
static void test_close_pending_connecter_lingers(void) {
    setup();
    zw_id push = sock(ZW_PUSH), pull = sock(ZW_PULL);
    setint(push, ZW_OPT_LINGER, -1);
    connect(push, "lp");
    CHECK_EQ(send_str(push, "a"), 1);
    CHECK_EQ(send_str(push, "b"), 1);
    (void)effects(0, 0);
    CHECK_EQ(zw_core_socket_close(C, push), ZW_OK);
    CHECK_EQ(effects(ZW_FX_SOCKET_GONE, push), 0);   /* output pending: lingers */
    CHECK_EQ(bind(pull, "lp"), ZW_OK);
    CHECK_EQ(effects(ZW_FX_SOCKET_GONE, push), 1);
    CHECK(recv_is(pull, "a"));
    CHECK(recv_is(pull, "b"));
    teardown();
}

/* Same, with linger 0: the pending messages are dropped at close. */
static void test_close_pending_connecter_no_linger(void) {
    setup();
    zw_id push = sock(ZW_PUSH), pull = sock(ZW_PULL);
    setint(push, ZW_OPT_LINGER, 0);
    connect(push, "ln");
    CHECK_EQ(send_str(push, "a"), 1);
    CHECK_EQ(zw_core_socket_close(C, push), ZW_OK);
    CHECK_EQ(bind(pull, "ln"), ZW_OK);
    char got[256];
    CHECK(!recv_str(pull, got));
    teardown();
}

/* As libzmq: unbind frees the name, links already made stay up. */
static void test_unbind(void) {
    setup();
    zw_id pull = sock(ZW_PULL), pull2 = sock(ZW_PULL), push = sock(ZW_PUSH);
    CHECK_EQ(bind(pull, "u"), ZW_OK);
    connect(push, "u");
    CHECK_EQ(unbind(pull2, "u"), ZW_ENOENT);   /* not its name */
    CHECK_EQ(unbind(pull, "u"), ZW_OK);
    CHECK_EQ(unbind(pull, "u"), ZW_ENOENT);
    CHECK_EQ(send_str(push, "still"), 1);
    CHECK(recv_is(pull, "still"));
    CHECK_EQ(bind(pull2, "u"), ZW_OK);
    zw_id push2 = sock(ZW_PUSH);
    connect(push2, "u");
    CHECK_EQ(send_str(push2, "new"), 1);
    CHECK(recv_is(pull2, "new"));
    char got[256];
    CHECK(!recv_str(pull, got));
    teardown();
}

static void test_errors(void) {
    setup();
    zw_id a = sock(ZW_PULL), b = sock(ZW_PULL);
    zw_id l = 0;
    CHECK_EQ(bind(a, "e"), ZW_OK);
    CHECK_EQ(bind(a, "e"), ZW_EADDRINUSE);
    CHECK_EQ(bind(b, "e"), ZW_EADDRINUSE);
    CHECK_EQ(bind(b, ""), ZW_EINVAL);
    CHECK_EQ(zw_core_inproc_connect(C, b, (const uint8_t *)"x", 0, &l), ZW_EINVAL);
    CHECK_EQ(zw_core_inproc_connect(C, 999, (const uint8_t *)"x", 1, &l), ZW_ENOTSOCK);
    CHECK_EQ(bind(999, "x"), ZW_ENOTSOCK);
    CHECK_EQ(zw_core_disconnect(C, 12345), ZW_ENOENT);
    teardown();
}

/* Incompatible types are not joined: the connecter's pipe stays, pending, and joins a
 * compatible socket that binds the name later. */
static void test_incompatible_types(void) {
    setup();
    zw_id pull = sock(ZW_PULL), req = sock(ZW_REQ), rep = sock(ZW_REP);
    CHECK_EQ(bind(pull, "i"), ZW_OK);
    connect(req, "i");
    CHECK_EQ(send_str(req, "hi"), 1);   /* queued in its own pipe */
    char got[256];
    CHECK(!recv_str(pull, got));
    CHECK_EQ(unbind(pull, "i"), ZW_OK);
    CHECK_EQ(bind(rep, "i"), ZW_OK);
    CHECK(recv_is(rep, "hi"));
    CHECK_EQ(send_str(rep, "ho"), 1);
    CHECK(recv_is(req, "ho"));
    teardown();
}

/* A socket connecting to its own name stays pending (its ops would be re-entered). */
static void test_self_connect_pending(void) {
    setup();
    zw_id pull = sock(ZW_PULL);
    CHECK_EQ(bind(pull, "self"), ZW_OK);
    connect(pull, "self");
    char got[256];
    CHECK(!recv_str(pull, got));
    teardown();
}

/* Disconnect hands over what was sent (libzmq's pipe keeps it), then the id is gone. */
static void test_disconnect(void) {
    setup();
    zw_id pull = sock(ZW_PULL), push = sock(ZW_PUSH);
    setint(pull, ZW_OPT_RCVHWM, 1);
    CHECK_EQ(bind(pull, "d"), ZW_OK);
    zw_id link = connect(push, "d");
    for (int i = 0; i < 3; i++) CHECK_EQ(send_str(push, "x"), 1);
    (void)effects(0, 0);
    CHECK_EQ(zw_core_disconnect(C, link), ZW_OK);
    CHECK_EQ(effects(ZW_FX_DIAL_STOP, link), 1);
    CHECK_EQ(zw_core_disconnect(C, link), ZW_ENOENT);
    CHECK_EQ(capacity(push), 0);
    for (int i = 0; i < 3; i++) CHECK(recv_is(pull, "x"));
    char got[256];
    CHECK(!recv_str(pull, got));
    /* Pending disconnect: its queued messages go with it. */
    zw_id l2 = connect(push, "nowhere");
    CHECK_EQ(send_str(push, "lost"), 1);
    CHECK_EQ(zw_core_disconnect(C, l2), ZW_OK);
    teardown();
}

/* Routing ids and types reach `connected` as a handshake would give them; REQ fair over two
 * binders; a closed REP drops the REQ's pending request without a leak. */
static void test_two_binders_and_leaks(void) {
    setup();
    zw_id push = sock(ZW_PUSH), p1 = sock(ZW_PULL), p2 = sock(ZW_PULL);
    CHECK_EQ(bind(p1, "n1"), ZW_OK);
    CHECK_EQ(bind(p2, "n2"), ZW_OK);
    connect(push, "n1");
    connect(push, "n2");
    for (int i = 0; i < 4; i++) CHECK_EQ(send_str(push, "lb"), 1);
    for (int i = 0; i < 2; i++) {
        CHECK(recv_is(p1, "lb"));
        CHECK(recv_is(p2, "lb"));
    }
    zw_id req = sock(ZW_REQ), rep = sock(ZW_REP);
    setint(rep, ZW_OPT_LINGER, 0);
    CHECK_EQ(bind(rep, "r"), ZW_OK);
    connect(req, "r");
    CHECK_EQ(send_str(req, "pending"), 1);
    CHECK_EQ(zw_core_socket_close(C, rep), ZW_OK);
    teardown();   /* frees the rest with messages still queued everywhere */
}

TEST_MAIN("inproc", TEST_CASE(test_push_pull_bind_first), TEST_CASE(test_push_pull_connect_first),
          TEST_CASE(test_req_rep_rep_binds), TEST_CASE(test_req_rep_req_binds),
          TEST_CASE(test_pub_sub), TEST_CASE(test_hwm_backpressure),
          TEST_CASE(test_close_binder_with_queued), TEST_CASE(test_close_connecter_with_queued),
          TEST_CASE(test_close_pending_connecter_lingers),
          TEST_CASE(test_close_pending_connecter_no_linger), TEST_CASE(test_unbind),
          TEST_CASE(test_errors), TEST_CASE(test_incompatible_types),
          TEST_CASE(test_self_connect_pending), TEST_CASE(test_disconnect),
          TEST_CASE(test_two_binders_and_leaks))
