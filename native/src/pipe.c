/* pipe.c — bounded message FIFO; see pipe.h. */
#include "pipe.h"

#include <stddef.h>
#include "zmqw.h"

void zw_pipe_init(zw_pipe_t *p, uint32_t hwm) {
    *p = (zw_pipe_t){0};
    p->hwm = hwm;
}

void zw_msg_free(zw_frame_t *msg) {
    while (msg) {
        zw_frame_t *next = msg->next;
        zw_frame_free(msg);
        msg = next;
    }
}

void zw_pipe_fini(zw_pipe_t *p) {
    zw_msg_free(p->head);
    p->head = p->tail = p->done = NULL;
    p->msgs = 0;
    p->writing = 0;
}

/* CONFLATE: the message that just completed (the frames after old_done) replaces every older
 * one, as libzmq's conflating pipe keeps only the latest. */
static void conflate(zw_pipe_t *p, zw_frame_t *old_done) {
    if (!p->conflate || !old_done) return;
    zw_frame_t *old = p->head;
    p->head = old_done->next;
    old_done->next = NULL;
    zw_msg_free(old);
    p->msgs = 1;
}

int zw_pipe_write(zw_pipe_t *p, zw_frame_t *f, int force) {
    if (p->closed) return ZW_EAGAIN;
    if (!p->writing && !force && !p->conflate && p->hwm != 0 && p->msgs >= p->hwm)
        return ZW_EAGAIN;
    f->next = NULL;
    if (p->tail) p->tail->next = f; else p->head = f;
    p->tail = f;
    if (f->flags & ZW_FRAME_MORE) {
        p->writing = 1;
        return ZW_OK;
    }
    p->writing = 0;
    zw_frame_t *old_done = p->done;
    p->done = f;
    p->msgs++;
    conflate(p, old_done);
    if (p->on_msg) p->on_msg(p);
    return ZW_OK;
}

int zw_pipe_write_msg(zw_pipe_t *p, zw_frame_t *msg, int force) {
    if (p->closed) return ZW_EAGAIN;
    if (!p->writing && !force && !p->conflate && p->hwm != 0 && p->msgs >= p->hwm)
        return ZW_EAGAIN;
    /* Link the whole list in one go; the message completes at its last frame. */
    zw_frame_t *last = msg;
    while (last->next) last = last->next;
    last->flags &= ~(uint32_t)ZW_FRAME_MORE;
    if (p->tail) p->tail->next = msg; else p->head = msg;
    p->tail = last;
    p->writing = 0;
    zw_frame_t *old_done = p->done;
    p->done = last;
    p->msgs++;
    conflate(p, old_done);
    if (p->on_msg) p->on_msg(p);
    return ZW_OK;
}

void zw_pipe_rollback(zw_pipe_t *p) {
    if (!p->writing) return;
    zw_frame_t *partial = p->done ? p->done->next : p->head;
    if (p->done) p->done->next = NULL; else p->head = NULL;
    p->tail = p->done;
    p->writing = 0;
    zw_msg_free(partial);
}

zw_frame_t *zw_pipe_read(zw_pipe_t *p) {
    if (p->msgs == 0) return NULL;
    zw_frame_t *first = p->head, *end = first;
    while (end->flags & ZW_FRAME_MORE) end = end->next;
    p->head = end->next;
    end->next = NULL;
    if (end == p->done) p->done = NULL;
    if (end == p->tail) p->tail = NULL;
    p->msgs--;
    return first;
}

void zw_pipe_purge_commands(zw_pipe_t *p) {
    const uint32_t cmd = ZW_FRAME_COMMAND | ZW_FRAME_SUBSCRIBE | ZW_FRAME_CANCEL;
    zw_frame_t *prev = NULL, *f = p->head;
    int at_start = 1;
    zw_frame_t *limit = p->done;     /* only complete messages are purged */
    while (f && limit) {
        zw_frame_t *next = f->next;
        int last_of_complete = (f == limit);
        if (at_start && (f->flags & cmd) && !(f->flags & ZW_FRAME_MORE)) {
            if (prev) prev->next = next; else p->head = next;
            if (f == p->tail) p->tail = prev;
            if (f == p->done) p->done = prev;
            p->msgs--;
            zw_frame_free(f);
        } else {
            at_start = !(f->flags & ZW_FRAME_MORE);
            prev = f;
        }
        if (last_of_complete) break;
        f = next;
    }
}
