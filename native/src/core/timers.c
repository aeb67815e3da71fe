/* timers.c — the core's clock: armed deadlines (handshake, reconnect, linger), fired by
 * zw_core_advance. */
#include "core/internal.h"

#include <stdlib.h>

void timer_init(zw_timer_t *t, uint8_t kind) {
    t->due = 0;
    t->index = UINT32_MAX;
    t->kind = kind;
}

void timer_cancel(zw_core_t *c, zw_timer_t *t) {
    if (t->index == UINT32_MAX) return;
    zw_timer_t *last = c->timers[--c->ntimers];
    c->timers[t->index] = last;
    last->index = t->index;
    t->index = UINT32_MAX;
}

void timer_arm(zw_core_t *c, zw_timer_t *t, double due) {
    t->due = due;
    if (t->index != UINT32_MAX) return;
    if (c->ntimers == c->captimers) {
        uint32_t cap = c->captimers ? c->captimers * 2 : 16;
        zw_timer_t **nt = realloc(c->timers, cap * sizeof *nt);
        if (!nt) return;   /* out of memory: the timer never fires */
        c->timers = nt;
        c->captimers = cap;
    }
    t->index = c->ntimers;
    c->timers[c->ntimers++] = t;
}

static void timer_fire(zw_core_t *c, zw_timer_t *t) {
    switch (t->kind) {
    case T_HANDSHAKE:
        conn_fail(CONTAINER(t, zw_conn_t, hs_timer), ZW_CLOSE_HANDSHAKE_TIMEOUT,
                  "handshake timed out");
        break;
    case T_RECONNECT: {
        zw_dialer_t *d = CONTAINER(t, zw_dialer_t, timer);
        d->state = D_DIALING;
        fx(c, ZW_FX_DIAL, 0, d->id, d->sock->id, NULL);
        break;
    }
    case T_LINGER:
        socket_finish(CONTAINER(t, zw_socket_t, linger_timer));
        break;
    }
}

zw_err zw_core_advance(zw_core_t *c, double now_ms, double *out_next) {
    if (!out_next) return ZW_EINVAL;
    if (now_ms > c->now) c->now = now_ms;
    for (;;) {
        zw_timer_t *due = NULL;
        for (uint32_t i = 0; i < c->ntimers && !due; i++)
            if (c->timers[i]->due <= c->now) due = c->timers[i];
        if (!due) break;
        timer_cancel(c, due);
        timer_fire(c, due);
    }
    settle_closing(c);
    double next = -1;
    for (uint32_t i = 0; i < c->ntimers; i++)
        if (next < 0 || c->timers[i]->due < next) next = c->timers[i]->due;
    *out_next = next;
    return ZW_OK;
}
