/* test_router.c — ROUTER: envelopes with DEALER and REQ peers, generated and announced routing
 * ids, connect routing ids, unroutable messages (dropped, or EHOSTUNREACH / EAGAIN with
 * MANDATORY), duplicate ids (refused, or handed over), ROUTER to ROUTER, inproc. Cores wired
 * back to back in memory (net.h). */
#include "test.h"
#include "net.h"
#include "base/frame.h"

#include <stdlib.h>

/* Sends [id][size bytes of 'x']. */
static int send_big(node_t *n, zw_id sock, const char *id, uint32_t size) {
    uint32_t il = (uint32_t)strlen(id), h1 = il | ZW_BATCH_MORE, took = 0;
    uint8_t *batch = malloc(8 + il + size);
    memcpy(batch, &h1, 4);   /* the tests run little-endian, as wasm is */
    memcpy(batch + 4, id, il);
    memcpy(batch + 4 + il, &size, 4);
    memset(batch + 8 + il, 'x', size);
    int rc = zw_core_send(n->core, sock, batch, 8 + il + size, &took);
    free(batch);
    return rc ? -rc : (int)took;
}

/* Receives one message and copies its first frame (the routing id) into id; returns its size,
 * or -1 if there is no message. */
static int recv_id(node_t *n, zw_id sock, uint8_t *id, uint32_t cap, char *rest, size_t rcap) {
    const uint8_t *p;
    uint32_t len, msgs;
    if (zw_core_recv(n->core, sock, 1, 0, &p, &len, &msgs) != ZW_OK || msgs != 1) return -1;
    uint32_t h = p[0] | p[1] << 8 | p[2] << 16 | (uint32_t)p[3] << 24, sz = h & ZW_BATCH_LEN_MASK;
    if (sz > cap) return -2;
    memcpy(id, p + 4, sz);
    size_t o = 0;
    for (uint32_t pos = 4 + sz; pos < len;) {
        uint32_t hh = p[pos] | p[pos + 1] << 8 | p[pos + 2] << 16 | (uint32_t)p[pos + 3] << 24;
        uint32_t n2 = hh & ZW_BATCH_LEN_MASK;
        if (o && o + 1 < rcap) rest[o++] = '|';
        for (uint32_t i = 0; i < n2 && o + 1 < rcap; i++) rest[o++] = (char)p[pos + 4 + i];
        pos += 4 + n2;
    }
    rest[o] = 0;
    return (int)sz;
}

/* Sends [id (binary, len bytes)][body]. */
static int send_to(node_t *n, zw_id sock, const uint8_t *id, uint32_t il, const char *body) {
    uint8_t batch[600];
    uint32_t bl = (uint32_t)strlen(body), h1 = il | ZW_BATCH_MORE, took = 0;
    memcpy(batch, &h1, 4);
    memcpy(batch + 4, id, il);
    memcpy(batch + 4 + il, &bl, 4);
    memcpy(batch + 8 + il, body, bl);
    int rc = zw_core_send(n->core, sock, batch, 8 + il + bl, &took);
    return rc ? -rc : (int)took;
}

/* A DEALER's Identity is its routing id; a REQ's envelope shows its delimiter; replies route. */
static void test_router_envelopes(void) {
    net_setup(3);
    zw_id r = open_sock(&A, ZW_ROUTER), d = open_sock(&B, ZW_DEALER), q = open_sock(&C, ZW_REQ);
    CHECK_EQ(set_str(&B, d, ZW_OPT_ROUTING_ID, "dealer-1"), ZW_OK);
    CHECK_EQ(set_str(&C, q, ZW_OPT_ROUTING_ID, "req-1"), ZW_OK);
    connect_to(&B, d, &A, r);
    connect_to(&C, q, &A, r);
    net_run();
    CHECK_EQ(send_msg(&B, d, 2, "a", "b"), 1);
    CHECK_EQ(send_msg(&C, q, 1, "hello"), 1);
    net_run();
    char buf[128], buf2[128];
    CHECK_EQ(recv_msg(&A, r, buf, sizeof buf), 3);
    CHECK_EQ(recv_msg(&A, r, buf2, sizeof buf2), 3);
    const char *dm = buf[0] == 'd' ? buf : buf2, *qm = buf[0] == 'd' ? buf2 : buf;
    CHECK(strcmp(dm, "dealer-1|a|b") == 0);
    CHECK(strcmp(qm, "req-1||hello") == 0);
    CHECK_EQ(send_msg(&A, r, 2, "dealer-1", "c"), 1);
    CHECK_EQ(send_msg(&A, r, 3, "req-1", "", "world"), 1);
    net_run();
    CHECK_EQ(recv_msg(&B, d, buf, sizeof buf), 1);
    CHECK(strcmp(buf, "c") == 0);
    CHECK_EQ(recv_msg(&C, q, buf, sizeof buf), 1);
    CHECK(strcmp(buf, "world") == 0);
    net_teardown();
}

/* Peers without an Identity get 0x00 + a uint32 counter: distinct, consecutive. */
static void test_router_generated_ids(void) {
    net_setup(3);
    zw_id r = open_sock(&A, ZW_ROUTER), d1 = open_sock(&B, ZW_DEALER), d2 = open_sock(&C, ZW_DEALER);
    connect_to(&B, d1, &A, r);
    net_run();
    connect_to(&C, d2, &A, r);
    net_run();
    CHECK_EQ(send_msg(&B, d1, 1, "one"), 1);
    net_run();
    CHECK_EQ(send_msg(&C, d2, 1, "two"), 1);
    net_run();
    uint8_t id1[8], id2[8];
    char rest[32];
    CHECK_EQ(recv_id(&A, r, id1, sizeof id1, rest, sizeof rest), 5);
    CHECK(strcmp(rest, "one") == 0);
    CHECK_EQ(recv_id(&A, r, id2, sizeof id2, rest, sizeof rest), 5);
    CHECK(strcmp(rest, "two") == 0);
    CHECK(id1[0] == 0 && id2[0] == 0);
    uint32_t n1 = (uint32_t)id1[1] << 24 | id1[2] << 16 | id1[3] << 8 | id1[4];
    uint32_t n2 = (uint32_t)id2[1] << 24 | id2[2] << 16 | id2[3] << 8 | id2[4];
    CHECK_EQ(n2, n1 + 1);
    CHECK_EQ(send_to(&A, r, id2, 5, "back"), 1);
    net_run();
    char buf[32];
    CHECK_EQ(recv_msg(&C, d2, buf, sizeof buf), 1);
    CHECK(strcmp(buf, "back") == 0);
    CHECK_EQ(recv_msg(&B, d1, buf, sizeof buf), 0);
    net_teardown();
}

/* Without MANDATORY nothing fails: unknown ids and one-frame messages are dropped. With it, an
 * unknown id (or a peer that left) is EHOSTUNREACH; the option reads as libzmq's (write only). */
static void test_router_unroutable(void) {
    net_setup(2);
    zw_id r = open_sock(&A, ZW_ROUTER), d = open_sock(&B, ZW_DEALER);
    CHECK_EQ(set_str(&B, d, ZW_OPT_ROUTING_ID, "d"), ZW_OK);
    connect_to(&B, d, &A, r);
    net_run();
    CHECK_EQ(send_msg(&A, r, 2, "nobody", "lost"), 1);
    CHECK_EQ(send_msg(&A, r, 1, "d"), 1);   /* no body: dropped, as libzmq */
    CHECK_EQ(status_cap(&A, r), ZW_CAPACITY_UNBOUNDED);
    CHECK_EQ(set_int(&A, r, ZW_OPT_ROUTER_MANDATORY, 2), ZW_EINVAL);
    CHECK_EQ(set_int(&A, r, ZW_OPT_ROUTER_MANDATORY, 1), ZW_OK);
    CHECK_EQ(set_int(&B, d, ZW_OPT_ROUTER_MANDATORY, 1), ZW_EINVAL);   /* ROUTER only */
    uint8_t v[4];
    uint32_t len = 4;
    CHECK_EQ(zw_core_getopt(A.core, r, ZW_OPT_ROUTER_MANDATORY, v, &len), ZW_EINVAL);
    CHECK_EQ(send_msg(&A, r, 2, "nobody", "lost"), -ZW_EHOSTUNREACH);
    CHECK_EQ(send_msg(&A, r, 2, "d", "found"), 1);
    net_run();
    char buf[32];
    CHECK_EQ(recv_msg(&B, d, buf, sizeof buf), 1);
    CHECK(strcmp(buf, "found") == 0);   /* the dropped ones never arrived */
    CHECK_EQ(recv_msg(&B, d, buf, sizeof buf), 0);
    /* The peer leaves: its id is unknown again. */
    links[0].closing = 1;
    net_run();
    CHECK_EQ(send_msg(&A, r, 2, "d", "gone"), -ZW_EHOSTUNREACH);
    net_teardown();
}

/* A peer at its HWM: dropped without MANDATORY (the rest still arrives), EAGAIN with it. */
static void test_router_hwm(void) {
    net_setup(2);
    zw_id r = open_sock(&A, ZW_ROUTER), d = open_sock(&B, ZW_DEALER);
    CHECK_EQ(set_int(&A, r, ZW_OPT_SNDHWM, 1), ZW_OK);
    CHECK_EQ(set_str(&B, d, ZW_OPT_ROUTING_ID, "d"), ZW_OK);
    connect_to(&B, d, &A, r);
    net_run();
    links[0].frozen = 1;
    /* The engine holds up to 64 KiB ahead of the host (two of these), the pipe one more. */
    for (int i = 0; i < 4; i++) CHECK_EQ(send_big(&A, r, "d", 40000), 1);   /* the 4th dropped */
    CHECK_EQ(set_int(&A, r, ZW_OPT_ROUTER_MANDATORY, 1), ZW_OK);
    CHECK_EQ(send_big(&A, r, "d", 40000), 0);   /* EAGAIN: not taken */
    links[0].frozen = 0;
    net_run();
    int n = 0;
    char buf[8];
    while (recv_msg(&B, d, buf, sizeof buf) == 1) n++;
    CHECK_EQ(n, 3);
    CHECK_EQ(send_big(&A, r, "d", 40000), 1);   /* room again */
    net_teardown();
}

/* Two peers announce one id: the second is refused (its connection closed with a reason), the
 * first keeps it. With HANDOVER the second takes it and the first is relabelled and closed; what
 * the first sent before stays readable, under its new (generated) id. */
static void test_router_duplicate_ids(void) {
    for (int handover = 0; handover <= 1; handover++) {
        net_setup(3);
        zw_id r = open_sock(&A, ZW_ROUTER), d1 = open_sock(&B, ZW_DEALER), d2 = open_sock(&C, ZW_DEALER);
        CHECK_EQ(set_int(&A, r, ZW_OPT_ROUTER_HANDOVER, handover), ZW_OK);
        CHECK_EQ(set_str(&B, d1, ZW_OPT_ROUTING_ID, "same"), ZW_OK);
        CHECK_EQ(set_str(&C, d2, ZW_OPT_ROUTING_ID, "same"), ZW_OK);
        CHECK_EQ(set_int(&C, d2, ZW_OPT_RECONNECT_IVL, -1), ZW_OK);   /* one attempt only */
        connect_to(&B, d1, &A, r);
        net_run();
        CHECK_EQ(send_msg(&B, d1, 1, "from first"), 1);
        net_run();
        connect_to(&C, d2, &A, r);
        net_run();
        const fxrec_t *cl = fx_last(&A, ZW_FX_CLOSE);
        CHECK(cl != NULL);
        if (cl) CHECK_EQ(cl->reason, handover ? ZW_CLOSE_NONE : ZW_CLOSE_REFUSED);
        CHECK_EQ(send_msg(&A, r, 2, "same", "to the holder"), 1);
        net_run();
        char buf[64];
        CHECK_EQ(recv_msg(handover ? &C : &B, handover ? d2 : d1, buf, sizeof buf), 1);
        CHECK(strcmp(buf, "to the holder") == 0);
        CHECK_EQ(recv_msg(handover ? &B : &C, handover ? d1 : d2, buf, sizeof buf), 0);
        uint8_t id[8];
        char rest[32];
        int idlen = recv_id(&A, r, id, sizeof id, rest, sizeof rest);
        CHECK(strcmp(rest, "from first") == 0);
        if (handover) CHECK(idlen == 5 && id[0] == 0);
        else CHECK(idlen == 4 && memcmp(id, "same", 4) == 0);
        net_teardown();
    }
}

/* ROUTER to ROUTER: the connecter names its peer (CONNECT_ROUTING_ID) and can send to it before
 * the connection is up; the binder knows the connecter by its Identity. The connect id is used
 * once, and a second connect may not take an id in use. */
static void test_router_to_router(void) {
    net_setup(2);
    zw_id a = open_sock(&A, ZW_ROUTER), b = open_sock(&B, ZW_ROUTER);
    CHECK_EQ(set_str(&A, a, ZW_OPT_ROUTING_ID, "client"), ZW_OK);
    CHECK_EQ(set_str(&A, a, ZW_OPT_CONNECT_ROUTING_ID, "server"), ZW_OK);
    connect_to(&A, a, &B, b);
    CHECK_EQ(send_msg(&A, a, 2, "server", "early"), 1);   /* queued before the handshake */
    net_run();
    char buf[64];
    CHECK_EQ(recv_msg(&B, b, buf, sizeof buf), 2);
    CHECK(strcmp(buf, "client|early") == 0);
    CHECK_EQ(send_msg(&B, b, 2, "client", "reply"), 1);
    net_run();
    CHECK_EQ(recv_msg(&A, a, buf, sizeof buf), 2);
    CHECK(strcmp(buf, "server|reply") == 0);
    CHECK_EQ(set_str(&A, a, ZW_OPT_CONNECT_ROUTING_ID, "server"), ZW_OK);
    zw_id dialer = 0;
    CHECK_EQ(zw_core_connect(A.core, a, &dialer), ZW_EINVAL);
    net_teardown();
}

/* PROBE_ROUTER on a ROUTER: the peer it connects to gets an empty message first. */
static void test_router_probe(void) {
    net_setup(2);
    zw_id a = open_sock(&A, ZW_ROUTER), b = open_sock(&B, ZW_ROUTER);
    CHECK_EQ(set_int(&A, a, ZW_OPT_PROBE_ROUTER, 1), ZW_OK);
    CHECK_EQ(set_str(&A, a, ZW_OPT_ROUTING_ID, "prober"), ZW_OK);
    connect_to(&A, a, &B, b);
    net_run();
    char buf[32];
    CHECK_EQ(recv_msg(&B, b, buf, sizeof buf), 2);
    CHECK(strcmp(buf, "prober|") == 0);
    net_teardown();
}

/* inproc: the DEALER's routing id option is its id, as over tcp. */
static void test_router_inproc(void) {
    net_setup(1);
    zw_id r = open_sock(&A, ZW_ROUTER), d = open_sock(&A, ZW_DEALER);
    CHECK_EQ(set_str(&A, d, ZW_OPT_ROUTING_ID, "worker"), ZW_OK);
    CHECK_EQ(zw_core_inproc_bind(A.core, r, (const uint8_t *)"rt", 2), ZW_OK);
    zw_id link = 0;
    CHECK_EQ(zw_core_inproc_connect(A.core, d, (const uint8_t *)"rt", 2, &link), ZW_OK);
    CHECK_EQ(send_msg(&A, d, 1, "job"), 1);
    char buf[32];
    CHECK_EQ(recv_msg(&A, r, buf, sizeof buf), 2);
    CHECK(strcmp(buf, "worker|job") == 0);
    CHECK_EQ(send_msg(&A, r, 2, "worker", "done"), 1);
    CHECK_EQ(recv_msg(&A, d, buf, sizeof buf), 1);
    CHECK(strcmp(buf, "done") == 0);
    net_teardown();
}

TEST_MAIN("router", TEST_CASE(test_router_envelopes), TEST_CASE(test_router_generated_ids),
          TEST_CASE(test_router_unroutable), TEST_CASE(test_router_hwm),
          TEST_CASE(test_router_duplicate_ids), TEST_CASE(test_router_to_router),
          TEST_CASE(test_router_probe), TEST_CASE(test_router_inproc))
