/* test_heartbeat.c — connection heartbeats (libzmq's ZMQ_HEARTBEAT_IVL/_TTL/_TIMEOUT) between
 * cores in memory (net.h): PINGs keep a live connection up; a silent peer is dropped after the
 * timeout, or after the TTL its own PING asked for; bounds as libzmq's. */
#include "test.h"
#include "net.h"

static int closes(node_t *n, uint8_t reason) {
    int k = 0;
    for (int i = 0; i < n->nlog; i++) k += n->log[i].kind == ZW_FX_CLOSE && n->log[i].reason == reason;
    return k;
}

/* A PUSH with a heartbeat interval to a PULL: PING, PONG, and the connection stays up. */
static void test_alive(void) {
    net_setup(2);
    zw_id push = open_sock(&A, ZW_PUSH), pull = open_sock(&B, ZW_PULL);
    CHECK_EQ(set_int(&A, push, ZW_OPT_HEARTBEAT_IVL, 100), ZW_OK);
    connect_to(&A, push, &B, pull);
    net_run();
    for (int i = 0; i < 10; i++) {
        net_advance(&A, 100);   /* a PING; the PULL's PONG answers it before the timeout (100) */
        net_run();
    }
    CHECK_EQ(fx_count(&A, ZW_FX_CLOSE, 0), 0);
    CHECK_EQ(send_msg(&A, push, 1, "still up"), 1);
    net_run();
    char buf[64];
    CHECK_EQ(recv_msg(&B, pull, buf, sizeof buf), 1);
    net_teardown();
}

/* The peer goes silent (its bytes stop): HEARTBEAT_TIMEOUT after the PING, the connection goes. */
static void test_timeout(void) {
    net_setup(2);
    zw_id push = open_sock(&A, ZW_PUSH), pull = open_sock(&B, ZW_PULL);
    CHECK_EQ(set_int(&A, push, ZW_OPT_HEARTBEAT_IVL, 100), ZW_OK);
    CHECK_EQ(set_int(&A, push, ZW_OPT_HEARTBEAT_TIMEOUT, 250), ZW_OK);
    connect_to(&A, push, &B, pull);
    net_run();
    links[0].frozen = 1;
    net_advance(&A, 100);   /* PING, not answered */
    net_run();
    net_advance(&A, 249);
    net_run();
    CHECK_EQ(closes(&A, ZW_CLOSE_HEARTBEAT), 0);
    net_advance(&A, 1);
    net_run();
    CHECK_EQ(closes(&A, ZW_CLOSE_HEARTBEAT), 1);
    net_teardown();
}

/* A PING's TTL: the PULL that received it drops the PUSH once it stays silent that long. */
static void test_ttl(void) {
    net_setup(2);
    zw_id push = open_sock(&A, ZW_PUSH), pull = open_sock(&B, ZW_PULL);
    CHECK_EQ(set_int(&A, push, ZW_OPT_HEARTBEAT_IVL, 100), ZW_OK);
    CHECK_EQ(set_int(&A, push, ZW_OPT_HEARTBEAT_TTL, 555), ZW_OK);   /* sent as 5 tenths */
    connect_to(&A, push, &B, pull);
    net_run();
    net_advance(&A, 100);
    net_run();              /* the PING reached B: it expects traffic within 500 ms */
    links[0].frozen = 1;
    net_advance(&B, 499);
    net_run();
    CHECK_EQ(closes(&B, ZW_CLOSE_HEARTBEAT), 0);
    net_advance(&B, 1);
    net_run();
    CHECK_EQ(closes(&B, ZW_CLOSE_HEARTBEAT), 1);
    net_teardown();
}

static void test_bounds(void) {
    net_setup(1);
    zw_id s = open_sock(&A, ZW_DEALER);
    CHECK_EQ(set_int(&A, s, ZW_OPT_HEARTBEAT_TTL, 6553599), ZW_OK);
    CHECK_EQ(set_int(&A, s, ZW_OPT_HEARTBEAT_TTL, 6553600), ZW_EINVAL);
    CHECK_EQ(set_int(&A, s, ZW_OPT_HEARTBEAT_IVL, -1), ZW_EINVAL);
    CHECK_EQ(set_int(&A, s, ZW_OPT_HEARTBEAT_TIMEOUT, -1), ZW_OK);
    CHECK_EQ(set_int(&A, s, ZW_OPT_HEARTBEAT_TIMEOUT, -2), ZW_EINVAL);
    net_teardown();
}

TEST_MAIN("heartbeat", TEST_CASE(test_alive), TEST_CASE(test_timeout), TEST_CASE(test_ttl), TEST_CASE(test_bounds))
