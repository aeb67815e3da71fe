/* test_route.c — routing strategies: lb rotation and skipping full pipes, fq fairness, dist drops
 * at HWM, subscription tries (counted and per-pipe). */
#include "test.h"
#include "zmqw.h"
#include "pipe.h"
#include "route/lb.h"
#include "route/fq.h"
#include "route/dist.h"
#include "route/mtrie.h"

static zw_frame_t *msg1(char c) { return zw_frame_dup(&c, 1, 0); }

static char read1(zw_pipe_t *p) {
    zw_frame_t *m = zw_pipe_read(p);
    char c = m ? (char)m->data[0] : 0;
    zw_msg_free(m);
    return c;
}

static void test_lb_rotation(void) {
    zw_pipe_t p[3];
    zw_lb_t lb;
    zw_lb_init(&lb);
    zw_frame_t *x = msg1('x');
    CHECK_EQ(zw_lb_send(&lb, x, NULL), ZW_EAGAIN);   /* no pipes; the message stays ours */
    zw_msg_free(x);
    for (int i = 0; i < 3; i++) {
        zw_pipe_init(&p[i], 0);
        CHECK_EQ(zw_lb_attach(&lb, &p[i]), ZW_OK);
    }
    CHECK_EQ(zw_lb_capacity(&lb), ZW_CAPACITY_UNBOUNDED);
    for (int i = 0; i < 9; i++) CHECK_EQ(zw_lb_send(&lb, msg1((char)('a' + i)), NULL), ZW_OK);
    for (int i = 0; i < 3; i++) CHECK_EQ(p[i].msgs, 3u);
    /* round robin: each pipe got every third message */
    char first[3];
    for (int i = 0; i < 3; i++) first[i] = read1(&p[i]);
    CHECK(first[0] != first[1] && first[1] != first[2] && first[0] != first[2]);
    for (int i = 0; i < 3; i++) CHECK_EQ(read1(&p[i]), first[i] + 3);
    /* a multipart message stays on one pipe */
    zw_frame_t *m = zw_frame_dup("a", 1, ZW_FRAME_MORE);
    m->next = zw_frame_dup("b", 1, 0);
    zw_pipe_t *to = NULL;
    CHECK_EQ(zw_lb_send(&lb, m, &to), ZW_OK);
    CHECK(to != NULL);
    if (to) {
        read1(to);   /* the 3rd single message */
        zw_frame_t *got = zw_pipe_read(to);
        CHECK(got && got->next && !got->next->next);
        zw_msg_free(got);
    }
    zw_lb_detach(&lb, &p[1]);
    for (int i = 0; i < 3; i++) zw_pipe_fini(&p[i]);
    zw_lb_fini(&lb);
    CHECK_EQ(zw_frame_live(), 0);
}

static void test_lb_skips_full(void) {
    zw_pipe_t p[2];
    zw_lb_t lb;
    zw_lb_init(&lb);
    zw_pipe_init(&p[0], 1);
    zw_pipe_init(&p[1], 3);
    zw_lb_attach(&lb, &p[0]);
    zw_lb_attach(&lb, &p[1]);
    CHECK_EQ(zw_lb_capacity(&lb), 4u);
    for (int i = 0; i < 4; i++) CHECK_EQ(zw_lb_send(&lb, msg1('m'), NULL), ZW_OK);
    CHECK_EQ(p[0].msgs, 1u);
    CHECK_EQ(p[1].msgs, 3u);
    CHECK_EQ(zw_lb_capacity(&lb), 0u);
    CHECK(!zw_lb_can_send(&lb));
    zw_frame_t *m = msg1('z');
    CHECK_EQ(zw_lb_send(&lb, m, NULL), ZW_EAGAIN);
    /* p[0] drains: it comes back */
    read1(&p[0]);
    zw_lb_activated(&lb, &p[0]);
    zw_pipe_t *to = NULL;
    CHECK_EQ(zw_lb_send(&lb, m, &to), ZW_OK);
    CHECK(to == &p[0]);
    zw_lb_detach(&lb, &p[0]);
    zw_lb_detach(&lb, &p[1]);
    CHECK_EQ(zw_lb_capacity(&lb), 0u);
    zw_pipe_fini(&p[0]);
    zw_pipe_fini(&p[1]);
    zw_lb_fini(&lb);
    CHECK_EQ(zw_frame_live(), 0);
}

static void test_fq_fairness(void) {
    zw_pipe_t p[3];
    zw_fq_t fq;
    zw_fq_init(&fq);
    for (int i = 0; i < 3; i++) {
        zw_pipe_init(&p[i], 0);
        zw_fq_attach(&fq, &p[i]);
    }
    CHECK(!zw_fq_readable(&fq));
    CHECK(zw_fq_recv(&fq, NULL) == NULL);
    /* pipe 0 floods, pipes 1 and 2 have one message each */
    for (int i = 0; i < 5; i++) zw_pipe_write(&p[0], msg1('a'), 0);
    zw_pipe_write(&p[1], msg1('b'), 0);
    zw_pipe_write(&p[2], msg1('c'), 0);
    for (int i = 0; i < 3; i++) zw_fq_activated(&fq, &p[i]);
    int seen_b = -1, seen_c = -1;
    for (int i = 0; i < 7; i++) {
        zw_pipe_t *from = NULL;
        zw_frame_t *m = zw_fq_recv(&fq, &from);
        CHECK(m != NULL);
        if (!m) break;
        if (m->data[0] == 'b') { seen_b = i; CHECK(from == &p[1]); }
        if (m->data[0] == 'c') { seen_c = i; CHECK(from == &p[2]); }
        zw_msg_free(m);
    }
    CHECK(seen_b >= 0 && seen_b < 3);   /* not starved behind pipe 0's backlog */
    CHECK(seen_c >= 0 && seen_c < 3);
    CHECK(!zw_fq_readable(&fq));
    /* a multipart message is read whole */
    zw_pipe_write(&p[1], zw_frame_dup("x", 1, ZW_FRAME_MORE), 0);
    CHECK(!zw_pipe_readable(&p[1]));
    zw_pipe_write(&p[1], zw_frame_dup("y", 1, 0), 0);
    zw_fq_activated(&fq, &p[1]);
    zw_frame_t *m = zw_fq_recv(&fq, NULL);
    CHECK(m && m->next && !m->next->next);
    zw_msg_free(m);
    for (int i = 0; i < 3; i++) {
        zw_fq_detach(&fq, &p[i]);
        zw_pipe_fini(&p[i]);
    }
    zw_fq_fini(&fq);
    CHECK_EQ(zw_frame_live(), 0);
}

static void test_dist_drops_at_hwm(void) {
    zw_pipe_t p[3];
    zw_dist_t d;
    zw_dist_init(&d);
    for (int i = 0; i < 3; i++) {
        zw_pipe_init(&p[i], i == 0 ? 1 : 10);
        zw_dist_attach(&d, &p[i]);
    }
    for (int k = 0; k < 3; k++) {
        zw_dist_match_all(&d);
        CHECK_EQ(zw_dist_send_matching(&d, msg1('m')), ZW_OK);
    }
    CHECK_EQ(p[0].msgs, 1u);   /* HWM 1: two dropped, never blocked */
    CHECK_EQ(p[1].msgs, 3u);
    CHECK_EQ(p[2].msgs, 3u);
    CHECK_EQ(d.dropped, 2u);
    /* only matched pipes receive */
    zw_dist_match(&d, &p[2]);
    zw_dist_match(&d, &p[2]);   /* idempotent */
    zw_dist_send_matching(&d, msg1('n'));
    CHECK_EQ(p[1].msgs, 3u);
    CHECK_EQ(p[2].msgs, 4u);
    /* all recipients full: the message is freed */
    zw_dist_match(&d, &p[0]);
    zw_dist_send_matching(&d, msg1('o'));
    for (int i = 0; i < 3; i++) {
        zw_dist_detach(&d, &p[i]);
        zw_pipe_fini(&p[i]);
    }
    zw_dist_fini(&d);
    CHECK_EQ(zw_frame_live(), 0);
}

static void test_trie_counted(void) {
    zw_trie_t t;
    zw_trie_init(&t);
    const uint8_t *ab = (const uint8_t *)"ab", *abc = (const uint8_t *)"abc";
    CHECK(!zw_trie_check(&t, abc, 3));
    CHECK_EQ(zw_trie_add(&t, ab, 2), 1);
    CHECK_EQ(zw_trie_add(&t, ab, 2), 0);   /* counted */
    CHECK(zw_trie_check(&t, abc, 3));
    CHECK(zw_trie_check(&t, ab, 2));
    CHECK(!zw_trie_check(&t, (const uint8_t *)"a", 1));
    CHECK(!zw_trie_check(&t, (const uint8_t *)"b", 1));
    CHECK_EQ(zw_trie_rm(&t, ab, 2), 0);   /* one left */
    CHECK(zw_trie_check(&t, abc, 3));
    CHECK_EQ(zw_trie_rm(&t, ab, 2), 1);
    CHECK(!zw_trie_check(&t, abc, 3));
    CHECK_EQ(zw_trie_rm(&t, ab, 2), -1);
    CHECK(t.root == NULL);   /* pruned */
    /* empty prefix matches everything */
    CHECK_EQ(zw_trie_add(&t, NULL, 0), 1);
    CHECK(zw_trie_check(&t, (const uint8_t *)"zz", 2));
    CHECK(zw_trie_check(&t, NULL, 0));
    zw_trie_add(&t, abc, 3);
    zw_trie_add(&t, (const uint8_t *)"\xff\x00", 2);
    CHECK_EQ(t.prefixes, 3u);
    zw_trie_fini(&t);
}

typedef struct { int n; char seen[8][8]; int len[8]; } apply_t;
static void apply_cb(const uint8_t *p, size_t len, void *arg) {
    apply_t *a = arg;
    if (a->n < 8) {
        memcpy(a->seen[a->n], p, len);
        a->len[a->n] = (int)len;
    }
    a->n++;
}

static void test_trie_apply(void) {
    zw_trie_t t;
    zw_trie_init(&t);
    zw_trie_add(&t, (const uint8_t *)"a", 1);
    zw_trie_add(&t, (const uint8_t *)"abc", 3);
    zw_trie_add(&t, (const uint8_t *)"abc", 3);
    zw_trie_add(&t, (const uint8_t *)"b", 1);
    zw_trie_add(&t, NULL, 0);
    apply_t a = {0};
    CHECK_EQ(zw_trie_apply(&t, apply_cb, &a), 0);
    CHECK_EQ(a.n, 4);
    int found_abc = 0, found_empty = 0;
    for (int i = 0; i < a.n && i < 8; i++) {
        if (a.len[i] == 3 && memcmp(a.seen[i], "abc", 3) == 0) found_abc = 1;
        if (a.len[i] == 0) found_empty = 1;
    }
    CHECK(found_abc && found_empty);
    zw_trie_fini(&t);
}

typedef struct { void *got[8]; int n; } match_t;
static void match_cb(void *pipe, void *arg) {
    match_t *m = arg;
    if (m->n < 8) m->got[m->n] = pipe;
    m->n++;
}

static void test_mtrie(void) {
    zw_trie_t t;
    zw_trie_init(&t);
    int p1, p2, p3;   /* any distinct addresses do as pipes */
    CHECK_EQ(zw_mtrie_add(&t, (const uint8_t *)"ab", 2, &p1), 1);
    CHECK_EQ(zw_mtrie_add(&t, (const uint8_t *)"ab", 2, &p1), 0);   /* once per prefix */
    CHECK_EQ(zw_mtrie_add(&t, (const uint8_t *)"a", 1, &p2), 1);
    CHECK_EQ(zw_mtrie_add(&t, (const uint8_t *)"x", 1, &p3), 1);
    CHECK_EQ(zw_mtrie_add(&t, NULL, 0, &p3), 1);
    match_t m = {0};
    zw_mtrie_match(&t, (const uint8_t *)"abc", 3, match_cb, &m);
    CHECK_EQ(m.n, 3);   /* p3 (""), p2 ("a"), p1 ("ab") */
    m.n = 0;
    zw_mtrie_match(&t, (const uint8_t *)"b", 1, match_cb, &m);
    CHECK(m.n == 1 && m.got[0] == &p3);
    /* one cancel removes it (libzmq PUB semantics) */
    CHECK_EQ(zw_mtrie_rm(&t, (const uint8_t *)"ab", 2, &p1), 1);
    CHECK_EQ(zw_mtrie_rm(&t, (const uint8_t *)"ab", 2, &p1), 0);
    m.n = 0;
    zw_mtrie_match(&t, (const uint8_t *)"abc", 3, match_cb, &m);
    CHECK_EQ(m.n, 2);
    /* a pipe going away leaves no trace */
    zw_mtrie_add(&t, (const uint8_t *)"abcdef", 6, &p3);
    zw_mtrie_rm_pipe(&t, &p3);
    m.n = 0;
    zw_mtrie_match(&t, (const uint8_t *)"abcdefg", 7, match_cb, &m);
    CHECK(m.n == 1 && m.got[0] == &p2);
    zw_mtrie_rm_pipe(&t, &p2);
    CHECK(t.root == NULL && t.prefixes == 0);
    /* long prefixes: no recursion */
    static uint8_t big[100000];
    memset(big, 'q', sizeof big);
    CHECK_EQ(zw_mtrie_add(&t, big, sizeof big, &p1), 1);
    m.n = 0;
    zw_mtrie_match(&t, big, sizeof big, match_cb, &m);
    CHECK_EQ(m.n, 1);
    zw_mtrie_rm_pipe(&t, &p1);
    CHECK(t.root == NULL);
    zw_mtrie_add(&t, big, sizeof big, &p1);
    zw_trie_fini(&t);
}

TEST_MAIN("route", TEST_CASE(test_lb_rotation), TEST_CASE(test_lb_skips_full),
          TEST_CASE(test_fq_fairness), TEST_CASE(test_dist_drops_at_hwm),
          TEST_CASE(test_trie_counted), TEST_CASE(test_trie_apply), TEST_CASE(test_mtrie))
