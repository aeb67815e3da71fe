/* timers.c — the core's clock: armed deadlines (handshake, reconnect, linger), fired by
 * zw_core_advance. Each timer carries its own fire function, so this file knows no owner. */
#include "core/internal.h"

void timer_init(zw_timer_t *t, void (*fire)(zw_core_t *c, zw_timer_t *t)) {
    t->due = 0;
    t->prev = t->next = NULL;
    t->armed = 0;
    t->fire = fire;
}

void timer_cancel(zw_core_t *c, zw_timer_t *t) {
    if (!t->armed) return;
    LIST_DEL(c->timers, t);
    t->armed = 0;
}

void timer_arm(zw_core_t *c, zw_timer_t *t, double due) {
    t->due = due;
    if (t->armed) return;
    LIST_ADD(c->timers, t);
    t->armed = 1;
}

zw_err zw_core_advance(zw_core_t *c, double now_ms, double *out_next) {
    if (!out_next) return ZW_EINVAL;
    if (now_ms > c->now) c->now = now_ms;
    /* One due timer at a time: firing may cancel, arm or free any other timer. */
    for (;;) {
        zw_timer_t *due = c->timers;
        while (due && due->due > c->now) due = due->next;
        if (!due) break;
        timer_cancel(c, due);
        due->fire(c, due);
    }
    settle_closing(c);
    double next = -1;
    for (zw_timer_t *t = c->timers; t; t = t->next)
        if (next < 0 || t->due < next) next = t->due;
    *out_next = next;
    return ZW_OK;
}
