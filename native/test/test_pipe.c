/* test_pipe.c — pipes: HWM in whole messages, multipart atomicity, rollback, command purge. */
#include "test.h"
#include "zmqw.h"
#include "pipe.h"

static zw_frame_t *fr(const char *s, int more) {
    return zw_frame_dup(s, strlen(s), more ? ZW_FRAME_MORE : 0);
}

static int frames(const zw_frame_t *m) {
    int n = 0;
    for (; m; m = m->next) n++;
    return n;
}

static void test_fifo_and_hwm(void) {
    zw_pipe_t p;
    zw_pipe_init(&p, 2);
    CHECK(zw_pipe_writable(&p));
    CHECK_EQ(zw_pipe_write(&p, fr("a", 0), 0), ZW_OK);
    CHECK_EQ(zw_pipe_write(&p, fr("b", 0), 0), ZW_OK);
    CHECK(zw_pipe_full(&p));
    CHECK(!zw_pipe_writable(&p));
    zw_frame_t *c = fr("c", 0);
    CHECK_EQ(zw_pipe_write(&p, c, 0), ZW_EAGAIN);   /* stays ours */
    CHECK_EQ(zw_pipe_write(&p, c, 1), ZW_OK);       /* forced: commands bypass the HWM */
    CHECK_EQ(p.msgs, 3u);
    zw_frame_t *m = zw_pipe_read(&p);
    CHECK(m && m->size == 1 && m->data[0] == 'a' && !m->next);
    zw_msg_free(m);
    m = zw_pipe_read(&p);
    CHECK(m && m->data[0] == 'b');
    zw_msg_free(m);
    CHECK(zw_pipe_writable(&p));
    m = zw_pipe_read(&p);
    CHECK(m && m->data[0] == 'c');
    zw_msg_free(m);
    CHECK(zw_pipe_read(&p) == NULL);
    CHECK(p.head == NULL && p.tail == NULL && p.done == NULL);
    zw_pipe_fini(&p);
}

static void test_unlimited(void) {
    zw_pipe_t p;
    zw_pipe_init(&p, 0);
    for (int i = 0; i < 5000; i++) CHECK_EQ(zw_pipe_write(&p, fr("x", 0), 0), ZW_OK);
    CHECK(zw_pipe_writable(&p));
    CHECK_EQ(p.msgs, 5000u);
    zw_pipe_fini(&p);
    CHECK_EQ(zw_frame_live(), 0);
}

static void test_multipart_atomic(void) {
    zw_pipe_t p;
    zw_pipe_init(&p, 1);
    CHECK_EQ(zw_pipe_write(&p, fr("a1", 1), 0), ZW_OK);
    CHECK(!zw_pipe_readable(&p));        /* incomplete: not readable */
    CHECK(zw_pipe_writable(&p));         /* a started message can always be finished */
    CHECK_EQ(zw_pipe_write(&p, fr("a2", 1), 0), ZW_OK);
    CHECK_EQ(zw_pipe_write(&p, fr("a3", 0), 0), ZW_OK);
    CHECK(zw_pipe_readable(&p));
    CHECK(!zw_pipe_writable(&p));        /* HWM 1 reached: next message refused at frame 1 */
    zw_frame_t *b = fr("b1", 1);
    CHECK_EQ(zw_pipe_write(&p, b, 0), ZW_EAGAIN);
    zw_frame_free(b);
    zw_frame_t *m = zw_pipe_read(&p);
    CHECK_EQ(frames(m), 3);
    CHECK((m->flags & ZW_FRAME_MORE) && (m->next->flags & ZW_FRAME_MORE) &&
          !(m->next->next->flags & ZW_FRAME_MORE));
    zw_msg_free(m);
    /* write_msg: a whole list at once, last frame's MORE cleared */
    zw_frame_t *l = fr("x", 1);
    l->next = fr("y", 1);
    CHECK_EQ(zw_pipe_write_msg(&p, l, 0), ZW_OK);
    m = zw_pipe_read(&p);
    CHECK_EQ(frames(m), 2);
    CHECK(!(m->next->flags & ZW_FRAME_MORE));
    zw_msg_free(m);
    zw_pipe_fini(&p);
    CHECK_EQ(zw_frame_live(), 0);
}

static void test_rollback(void) {
    zw_pipe_t p;
    zw_pipe_init(&p, 10);
    zw_pipe_rollback(&p);                 /* nothing to do */
    zw_pipe_write(&p, fr("p1", 1), 0);    /* partial only */
    zw_pipe_rollback(&p);
    CHECK(p.head == NULL && p.tail == NULL && !p.writing);
    zw_pipe_write(&p, fr("m1", 0), 0);
    zw_pipe_write(&p, fr("m2a", 1), 0);
    zw_pipe_write(&p, fr("m2b", 0), 0);
    zw_pipe_write(&p, fr("m3a", 1), 0);   /* partial after two whole */
    zw_pipe_write(&p, fr("m3b", 1), 0);
    zw_pipe_rollback(&p);
    CHECK_EQ(p.msgs, 2u);
    CHECK(p.tail == p.done);
    zw_pipe_write(&p, fr("m4", 0), 0);    /* the pipe goes on normally */
    zw_frame_t *m = zw_pipe_read(&p);
    CHECK(m && m->size == 2);
    zw_msg_free(m);
    m = zw_pipe_read(&p);
    CHECK_EQ(frames(m), 2);
    zw_msg_free(m);
    m = zw_pipe_read(&p);
    CHECK(m && m->data[1] == '4');
    zw_msg_free(m);
    zw_pipe_fini(&p);
    CHECK_EQ(zw_frame_live(), 0);
}

static void test_purge_commands(void) {
    zw_pipe_t p;
    zw_pipe_init(&p, 0);
    zw_pipe_write(&p, zw_frame_dup("s", 1, ZW_FRAME_SUBSCRIBE), 1);
    zw_pipe_write(&p, fr("d1", 0), 0);
    zw_pipe_write(&p, zw_frame_dup("c", 1, ZW_FRAME_CANCEL), 1);
    zw_pipe_write(&p, fr("d2", 1), 0);
    zw_pipe_write(&p, fr("d2", 0), 0);
    zw_pipe_write(&p, zw_frame_dup("s", 1, ZW_FRAME_SUBSCRIBE), 1);
    zw_pipe_write(&p, fr("partial", 1), 0);
    zw_pipe_purge_commands(&p);
    CHECK_EQ(p.msgs, 2u);
    zw_pipe_write(&p, fr("end", 0), 0);
    zw_frame_t *m = zw_pipe_read(&p);
    CHECK(m && m->data[1] == '1');
    zw_msg_free(m);
    m = zw_pipe_read(&p);
    CHECK_EQ(frames(m), 2);
    zw_msg_free(m);
    m = zw_pipe_read(&p);
    CHECK_EQ(frames(m), 2);   /* partial + end */
    zw_msg_free(m);
    CHECK(!zw_pipe_readable(&p));
    zw_pipe_fini(&p);
    /* only commands */
    zw_pipe_init(&p, 0);
    zw_pipe_write(&p, zw_frame_dup("s", 1, ZW_FRAME_SUBSCRIBE), 1);
    zw_pipe_write(&p, zw_frame_dup("t", 1, ZW_FRAME_SUBSCRIBE), 1);
    zw_pipe_purge_commands(&p);
    CHECK(p.msgs == 0 && p.head == NULL && p.tail == NULL && p.done == NULL);
    zw_pipe_write(&p, fr("x", 0), 0);
    CHECK_EQ(p.msgs, 1u);
    zw_pipe_fini(&p);
    CHECK_EQ(zw_frame_live(), 0);
}

static int hook_calls;
static void hook(zw_pipe_t *p) { hook_calls++; }

static void test_on_msg_hook(void) {
    zw_pipe_t p;
    zw_pipe_init(&p, 0);
    p.on_msg = hook;
    zw_pipe_write(&p, fr("a", 1), 0);
    CHECK_EQ(hook_calls, 0);
    zw_pipe_write(&p, fr("b", 0), 0);
    CHECK_EQ(hook_calls, 1);
    zw_pipe_fini(&p);
    CHECK_EQ(zw_frame_live(), 0);
}

/* CONFLATE: only the newest complete message is kept, the pipe is never full, and a message
 * still being written does not displace the last complete one until it completes. */
static void test_conflate(void) {
    zw_pipe_t p;
    zw_pipe_init(&p, 1);
    p.conflate = 1;
    CHECK_EQ(zw_pipe_write(&p, fr("a", 0), 0), ZW_OK);
    CHECK(zw_pipe_writable(&p));
    CHECK(!zw_pipe_full(&p));
    CHECK_EQ(zw_pipe_write(&p, fr("b", 0), 0), ZW_OK);
    CHECK_EQ(zw_pipe_write(&p, fr("c1", 1), 0), ZW_OK);   /* started, not complete */
    CHECK_EQ(p.msgs, 1u);
    zw_pipe_rollback(&p);                                 /* its writer went away */
    zw_frame_t *m = zw_pipe_read(&p);
    CHECK(m && m->size == 1 && m->data[0] == 'b');
    zw_msg_free(m);
    CHECK_EQ(zw_pipe_write(&p, fr("d1", 1), 0), ZW_OK);
    CHECK_EQ(zw_pipe_write(&p, fr("d2", 0), 0), ZW_OK);
    zw_frame_t *e = fr("e", 0);
    CHECK_EQ(zw_pipe_write_msg(&p, e, 0), ZW_OK);          /* replaces d1|d2 */
    CHECK_EQ(p.msgs, 1u);
    m = zw_pipe_read(&p);
    CHECK(m && m->data[0] == 'e' && !m->next);
    zw_msg_free(m);
    CHECK(zw_pipe_read(&p) == NULL);
    zw_pipe_fini(&p);
    CHECK_EQ(zw_frame_live(), 0);
}

TEST_MAIN("pipe", TEST_CASE(test_fifo_and_hwm), TEST_CASE(test_unlimited),
          TEST_CASE(test_multipart_atomic), TEST_CASE(test_rollback),
          TEST_CASE(test_purge_commands), TEST_CASE(test_on_msg_hook), TEST_CASE(test_conflate))
