/* test_stream.c — STREAM sockets and the raw engine: raw bytes in and out as [id][data], the
 * [id][""] notices of a peer coming and going, closing a peer with [id][""], ids generated as
 * libzmq does. Cores wired back to back in memory (net.h), and a hand-fed connection. */
#include "test.h"
#include "net.h"
#include "base/frame.h"

#include <stdlib.h>

/* Receives one message of exactly two frames: copies the id (5 bytes) and the data. */
static int recv2(node_t *n, zw_id sock, uint8_t id[5], char *data, size_t cap) {
    const uint8_t *p;
    uint32_t len, msgs;
    if (zw_core_recv(n->core, sock, 1, 0, &p, &len, &msgs) != ZW_OK || msgs != 1) return -1;
    uint32_t h = p[0] | p[1] << 8 | p[2] << 16 | (uint32_t)p[3] << 24;
    if ((h & ZW_BATCH_LEN_MASK) != 5 || !(h & ZW_BATCH_MORE)) return -2;
    memcpy(id, p + 4, 5);
    uint32_t h2 = p[9] | p[10] << 8 | p[11] << 16 | (uint32_t)p[12] << 24;
    uint32_t n2 = h2 & ZW_BATCH_LEN_MASK;
    if (h2 & ZW_BATCH_MORE || n2 + 1 > cap || 13 + n2 != len) return -3;
    memcpy(data, p + 13, n2);
    data[n2] = 0;
    return (int)n2;
}

static int send2(node_t *n, zw_id sock, const uint8_t id[5], const char *data) {
    uint8_t batch[600];
    uint32_t dl = (uint32_t)strlen(data), h1 = 5 | ZW_BATCH_MORE;
    memcpy(batch, &h1, 4);   /* the tests run little-endian, as wasm is */
    memcpy(batch + 4, id, 5);
    memcpy(batch + 9, &dl, 4);
    memcpy(batch + 13, data, dl);
    uint32_t took = 0;
    int rc = zw_core_send(n->core, sock, batch, 13 + dl, &took);
    return rc ? -rc : (int)took;
}

/* STREAM (A) dials STREAM (B): both see the other arrive as [id][""]; raw bytes both ways;
 * B closes A's connection with [id][""], and A sees it leave; B (which closed it) does not. */
static void test_stream_to_stream(void) {
    net_setup(2);
    zw_id a = open_sock(&A, ZW_STREAM), b = open_sock(&B, ZW_STREAM);
    connect_to(&A, a, &B, b);
    net_run();
    uint8_t ida[5], idb[5];
    char buf[256];
    CHECK_EQ(recv2(&A, a, ida, buf, sizeof buf), 0);   /* B arrived, as A sees it */
    CHECK_EQ(recv2(&B, b, idb, buf, sizeof buf), 0);
    CHECK_EQ(ida[0], 0);                              /* generated: 0x00 + counter */
    CHECK_EQ(send2(&A, a, ida, "GET / HTTP/1.0\r\n\r\n"), 1);
    net_run();
    uint8_t id[5];
    CHECK_EQ(recv2(&B, b, id, buf, sizeof buf), 18);
    CHECK(memcmp(id, idb, 5) == 0);
    CHECK(strcmp(buf, "GET / HTTP/1.0\r\n\r\n") == 0);
    CHECK_EQ(send2(&B, b, idb, "HTTP/1.0 200 OK\r\n\r\nhi"), 1);
    CHECK_EQ(send2(&B, b, idb, ""), 1);   /* close A's connection after the reply */
    net_run();
    CHECK_EQ(recv2(&A, a, id, buf, sizeof buf), 21);
    CHECK(strcmp(buf, "HTTP/1.0 200 OK\r\n\r\nhi") == 0);
    CHECK_EQ(recv2(&A, a, id, buf, sizeof buf), 0);   /* ... and then it left */
    CHECK(memcmp(id, ida, 5) == 0);
    CHECK_EQ(recv2(&B, b, id, buf, sizeof buf), -1);  /* the closer hears nothing */
    net_teardown();
}

/* Sends [id][size bytes of 'x'] (bigger than send2's buffer allows). */
static int send_big(node_t *n, zw_id sock, const uint8_t id[5], uint32_t size) {
    uint8_t *batch = malloc(13 + size);
    uint32_t h1 = 5 | ZW_BATCH_MORE, took = 0;
    memcpy(batch, &h1, 4);
    memcpy(batch + 4, id, 5);
    memcpy(batch + 9, &size, 4);
    memset(batch + 13, 'x', size);
    int rc = zw_core_send(n->core, sock, batch, 13 + size, &took);
    free(batch);
    return rc ? -rc : (int)took;
}

/* As libzmq's stream.cpp: an unknown id is EHOSTUNREACH, a peer at its HWM is EAGAIN (nothing
 * is dropped silently); anything but [id][data] is refused. */
static void test_stream_send_rules(void) {
    net_setup(2);
    zw_id a = open_sock(&A, ZW_STREAM), b = open_sock(&B, ZW_STREAM);
    CHECK_EQ(set_int(&A, a, ZW_OPT_SNDHWM, 1), ZW_OK);
    connect_to(&A, a, &B, b);
    net_run();
    uint8_t idb[5];
    char buf[64];
    CHECK_EQ(recv2(&A, a, idb, buf, sizeof buf), 0);
    static const uint8_t nobody[5] = {0, 1, 2, 3, 4};
    CHECK_EQ(send2(&A, a, nobody, "lost"), -ZW_EHOSTUNREACH);
    CHECK_EQ(send_msg(&A, a, 1, "one frame"), -ZW_EINVAL);
    CHECK_EQ(send_msg(&A, a, 3, "x", "y", "z"), -ZW_EINVAL);
    CHECK_EQ(status_cap(&A, a), ZW_CAPACITY_UNBOUNDED);
    /* The engine holds up to 64 KiB ahead of the host, then the pipe its HWM (1), then EAGAIN. */
    links[0].frozen = 1;
    CHECK_EQ(send_big(&A, a, idb, 40000), 1);
    CHECK_EQ(send_big(&A, a, idb, 40000), 1);
    CHECK_EQ(send_big(&A, a, idb, 40000), 1);
    CHECK_EQ(send_big(&A, a, idb, 40000), 0);   /* EAGAIN: not taken, the host keeps it */
    links[0].frozen = 0;
    net_run();
    CHECK_EQ(send_big(&A, a, idb, 40000), 1);
    net_teardown();
}

/* ZMQ_CONNECT_ROUTING_ID names the peer of the next connect (and only that one), which can be
 * sent to at once (libzmq gives such a connect its pipe before the connection is up). */
static void test_stream_connect_routing_id(void) {
    net_setup(3);
    zw_id a = open_sock(&A, ZW_STREAM), b = open_sock(&B, ZW_STREAM), c = open_sock(&C, ZW_STREAM);
    CHECK_EQ(set_str(&A, a, ZW_OPT_CONNECT_ROUTING_ID, ""), ZW_EINVAL);   /* 1..255 bytes */
    CHECK_EQ(set_str(&A, a, ZW_OPT_CONNECT_ROUTING_ID, "web"), ZW_OK);
    uint8_t v[8];
    uint32_t len = sizeof v;
    CHECK_EQ(zw_core_getopt(A.core, a, ZW_OPT_CONNECT_ROUTING_ID, v, &len), ZW_EINVAL);   /* write only */
    connect_to(&A, a, &B, b);
    connect_to(&A, a, &C, c);
    CHECK_EQ(send_msg(&A, a, 2, "web", "GET /"), 1);   /* named: routable before it is up */
    net_run();
    char out[64];
    CHECK_EQ(recv_msg(&A, a, out, sizeof out), 2);
    CHECK_EQ(recv_msg(&A, a, out + 32, 32), 2);
    /* One of the two arrivals is "web|", the other a generated id (0x00 first). */
    CHECK(strcmp(out, "web|") == 0 || strcmp(out + 32, "web|") == 0);
    CHECK(out[0] == 0 || out[32] == 0);
    uint8_t id[5];
    CHECK_EQ(recv2(&B, b, id, out, 2), 0);   /* B's arrival notice */
    CHECK_EQ(recv2(&B, b, id, out, sizeof out), 5);
    CHECK(strcmp(out, "GET /") == 0);
    net_teardown();
}

/* With STREAM_NOTIFY off, only data arrives. */
static void test_stream_no_notify(void) {
    net_setup(2);
    zw_id a = open_sock(&A, ZW_STREAM), b = open_sock(&B, ZW_STREAM);
    CHECK_EQ(set_int(&B, b, ZW_OPT_STREAM_NOTIFY, 0), ZW_OK);
    uint8_t v[4];
    uint32_t len = 4;
    CHECK_EQ(zw_core_getopt(B.core, b, ZW_OPT_STREAM_NOTIFY, v, &len), ZW_OK);
    CHECK_EQ(v[0], 0);
    CHECK_EQ(set_int(&A, a, ZW_OPT_STREAM_NOTIFY, 2), ZW_EINVAL);
    CHECK_EQ(set_int(&A, open_sock(&A, ZW_PUSH), ZW_OPT_STREAM_NOTIFY, 1), ZW_EINVAL);
    connect_to(&A, a, &B, b);
    net_run();
    uint8_t id[5], ida[5];
    char buf[64];
    CHECK_EQ(recv2(&B, b, id, buf, sizeof buf), -1);
    CHECK_EQ(recv2(&A, a, ida, buf, sizeof buf), 0);
    CHECK_EQ(send2(&A, a, ida, "data"), 1);
    net_run();
    CHECK_EQ(recv2(&B, b, id, buf, sizeof buf), 4);
    /* The peer leaves: no notice either. */
    links[0].closing = 1;
    net_run();
    CHECK_EQ(recv2(&B, b, id, buf, sizeof buf), -1);
    net_teardown();
}

/* Byte for byte on a hand-fed connection: what the peer writes is what arrives, what we send is
 * exactly what goes out, nothing is added (no greeting, no framing). */
static void test_stream_bytes(void) {
    net_setup(2);
    zw_id s = open_sock(&A, ZW_STREAM);
    zw_id conn = 0;
    CHECK_EQ(zw_core_accept(A.core, s, ZW_FRAMING_STREAM, &conn), ZW_OK);
    const uint8_t *p;
    uint32_t n = 1;
    CHECK_EQ(zw_core_conn_output(A.core, conn, &p, &n, NULL), ZW_OK);
    CHECK_EQ(n, 0u);   /* no greeting */
    uint8_t id[5];
    char buf[64];
    CHECK_EQ(recv2(&A, s, id, buf, sizeof buf), 0);
    CHECK_EQ(zw_core_conn_input(A.core, conn, (const uint8_t *)"\xff\x00raw", 5, NULL, NULL), ZW_OK);
    CHECK_EQ(recv2(&A, s, id, buf, sizeof buf), 5);
    CHECK(memcmp(buf, "\xff\x00raw", 5) == 0);
    CHECK_EQ(send2(&A, s, id, "reply"), 1);
    CHECK_EQ(zw_core_conn_output(A.core, conn, &p, &n, NULL), ZW_OK);
    CHECK_EQ(n, 5u);
    CHECK(memcmp(p, "reply", 5) == 0);
    CHECK_EQ(zw_core_conn_closed(A.core, conn), ZW_OK);
    CHECK_EQ(recv2(&A, s, id, buf, sizeof buf), 0);   /* the peer left */
    net_teardown();
}

TEST_MAIN("stream", TEST_CASE(test_stream_to_stream), TEST_CASE(test_stream_send_rules),
          TEST_CASE(test_stream_connect_routing_id),
          TEST_CASE(test_stream_no_notify), TEST_CASE(test_stream_bytes))
