/* test_req_options.c — REQ_CORRELATE, REQ_RELAXED and PROBE_ROUTER, seen frame by frame from a
 * ROUTER peer (which shows every frame as it is on the wire, after the peer's routing id). Cores
 * wired in memory (net.h). */
#include "test.h"
#include "net.h"
#include "base/frame.h"

/* Receives one message as a batch; returns its frame count and copies frame i's bytes. */
static int frames(node_t *n, zw_id sock, uint8_t out[][16], uint32_t sizes[], int max) {
    const uint8_t *p;
    uint32_t len, msgs;
    if (zw_core_recv(n->core, sock, 1, 0, &p, &len, &msgs) != ZW_OK || msgs != 1) return 0;
    int k = 0;
    for (uint32_t pos = 0; pos < len && k < max; k++) {
        uint32_t h = p[pos] | p[pos + 1] << 8 | p[pos + 2] << 16 | (uint32_t)p[pos + 3] << 24;
        uint32_t sz = h & ZW_BATCH_LEN_MASK;
        sizes[k] = sz;
        memcpy(out[k], p + pos + 4, sz < 16 ? sz : 16);
        pos += 4 + sz;
    }
    return k;
}

/* Sends [routing id][request id (4 bytes)][""][body] from the ROUTER. */
static void reply_with(node_t *n, zw_id dealer, const uint8_t *rid, uint32_t rid_len,
                       const uint8_t id[4], const char *body) {
    uint8_t batch[64];
    uint32_t len = 0, bl = (uint32_t)strlen(body);
    uint32_t h = rid_len | ZW_BATCH_MORE;
    memcpy(batch + len, &h, 4), len += 4;
    memcpy(batch + len, rid, rid_len), len += rid_len;
    h = 4 | ZW_BATCH_MORE;
    memcpy(batch + len, &h, 4), len += 4;
    memcpy(batch + len, id, 4), len += 4;
    h = ZW_BATCH_MORE;
    memcpy(batch + len, &h, 4), len += 4;
    memcpy(batch + len, &bl, 4), len += 4;
    memcpy(batch + len, body, bl), len += bl;
    uint32_t took = 0;
    CHECK_EQ(zw_core_send(n->core, dealer, batch, len, &took), ZW_OK);
    CHECK_EQ(took, 1u);
}

static void test_correlate(void) {
    net_setup(2);
    zw_id req = open_sock(&A, ZW_REQ), dealer = open_sock(&B, ZW_ROUTER);
    CHECK_EQ(set_int(&A, req, ZW_OPT_REQ_CORRELATE, 1), ZW_OK);
    connect_to(&A, req, &B, dealer);
    net_run();
    CHECK_EQ(send_msg(&A, req, 1, "q"), 1);
    net_run();
    uint8_t f[4][16];
    uint32_t sz[4];
    CHECK_EQ(frames(&B, dealer, f, sz, 4), 4);   /* [peer][request id][""][q] */
    CHECK_EQ(sz[1], 4u);
    CHECK_EQ(sz[2], 0u);
    CHECK(sz[3] == 1 && f[3][0] == 'q');
    uint8_t wrong[4];
    memcpy(wrong, f[1], 4);
    wrong[0] ^= 0xff;
    reply_with(&B, dealer, f[0], sz[0], wrong, "stale");   /* not this request's id: dropped */
    reply_with(&B, dealer, f[0], sz[0], f[1], "ok");
    net_run();
    char buf[32];
    CHECK_EQ(recv_msg(&A, req, buf, sizeof buf), 1);
    CHECK(strcmp(buf, "ok") == 0);
    CHECK_EQ(recv_msg(&A, req, buf, sizeof buf), -ZW_EFSM);   /* nothing pending any more */
    net_teardown();
}

static void test_relaxed(void) {
    net_setup(2);
    zw_id req = open_sock(&A, ZW_REQ), dealer = open_sock(&B, ZW_ROUTER);
    connect_to(&A, req, &B, dealer);
    net_run();
    CHECK_EQ(send_msg(&A, req, 1, "1"), 1);
    CHECK_EQ(send_msg(&A, req, 1, "2"), -ZW_EFSM);   /* strict by default */
    CHECK(status_flags(&A, req) & ZW_STATUS_SEND_FSM);
    CHECK_EQ(set_int(&A, req, ZW_OPT_REQ_RELAXED, 1), ZW_OK);
    CHECK_EQ(set_int(&A, req, ZW_OPT_REQ_CORRELATE, 1), ZW_OK);
    CHECK(!(status_flags(&A, req) & ZW_STATUS_SEND_FSM));
    CHECK_EQ(send_msg(&A, req, 1, "2"), 1);   /* abandons "1" */
    net_run();
    uint8_t f[4][16];
    uint32_t sz[4];
    CHECK_EQ(frames(&B, dealer, f, sz, 4), 3);   /* [peer][""][1]: sent before CORRELATE */
    CHECK_EQ(frames(&B, dealer, f, sz, 4), 4);   /* [peer][id][""][2] */
    uint8_t id2[4];
    memcpy(id2, f[1], 4);
    uint8_t id1[4];
    memcpy(id1, id2, 4);
    id1[0] ^= 0x55;
    reply_with(&B, dealer, f[0], sz[0], id1, "late answer to 1");
    reply_with(&B, dealer, f[0], sz[0], id2, "answer to 2");
    net_run();
    char buf[32];
    CHECK_EQ(recv_msg(&A, req, buf, sizeof buf), 1);
    CHECK(strcmp(buf, "answer to 2") == 0);
    CHECK_EQ(set_int(&A, open_sock(&A, ZW_PUSH), ZW_OPT_REQ_RELAXED, 1), ZW_EINVAL);   /* REQ only */
    net_teardown();
}

static void test_probe_router(void) {
    net_setup(2);
    zw_id req = open_sock(&A, ZW_REQ), d1 = open_sock(&B, ZW_ROUTER);
    zw_id dealer = open_sock(&A, ZW_DEALER), d2 = open_sock(&B, ZW_ROUTER);
    CHECK_EQ(set_int(&A, req, ZW_OPT_PROBE_ROUTER, 1), ZW_OK);
    CHECK_EQ(set_int(&A, dealer, ZW_OPT_PROBE_ROUTER, 1), ZW_OK);
    CHECK_EQ(set_int(&A, open_sock(&A, ZW_PUSH), ZW_OPT_PROBE_ROUTER, 1), ZW_EINVAL);
    connect_to(&A, req, &B, d1);
    connect_to(&A, dealer, &B, d2);
    net_run();
    uint8_t f[4][16];
    uint32_t sz[4];
    CHECK_EQ(frames(&B, d1, f, sz, 4), 2);   /* [peer][""]: one empty message per new peer */
    CHECK_EQ(sz[1], 0u);
    CHECK_EQ(frames(&B, d2, f, sz, 4), 2);
    CHECK_EQ(sz[1], 0u);
    CHECK_EQ(send_msg(&A, req, 1, "after the probe"), 1);   /* REQ's state is untouched */
    net_teardown();
}

TEST_MAIN("req_options", TEST_CASE(test_correlate), TEST_CASE(test_relaxed),
          TEST_CASE(test_probe_router))
