/* lb.c — load balancer; see lb.h. */
#include "route/lb.h"

void zw_lb_init(zw_lb_t *lb) { *lb = (zw_lb_t){0}; }
void zw_lb_fini(zw_lb_t *lb) { zw_parray_fini(&lb->a); }

int zw_lb_attach(zw_lb_t *lb, zw_pipe_t *p) {
    int rc = zw_parray_push(&lb->a, p);
    if (rc == ZW_OK) zw_parray_activate(&lb->a, p);
    return rc;
}

void zw_lb_detach(zw_lb_t *lb, zw_pipe_t *p) {
    /* Removing the pipe at `current` hands its slot to another pipe, which then goes next:
     * fair enough, and keeps current in range. */
    zw_parray_remove(&lb->a, p);
    if (lb->current >= lb->a.active) lb->current = 0;
}

void zw_lb_activated(zw_lb_t *lb, zw_pipe_t *p) { zw_parray_activate(&lb->a, p); }

/* Moves current to an active pipe with room, deactivating full ones; 0 if none. */
static int lb_find(zw_lb_t *lb) {
    while (lb->a.active > 0) {
        if (lb->current >= lb->a.active) lb->current = 0;
        zw_pipe_t *p = lb->a.pipes[lb->current];
        if (zw_pipe_writable(p)) return 1;
        /* Full: the last active pipe takes this slot, so current already names the next. */
        zw_parray_deactivate(&lb->a, p);
    }
    return 0;
}

int zw_lb_can_send(zw_lb_t *lb) { return lb_find(lb); }

int zw_lb_send(zw_lb_t *lb, zw_frame_t *msg, zw_pipe_t **out_pipe) {
    if (!lb_find(lb)) return ZW_EAGAIN;
    zw_pipe_t *p = lb->a.pipes[lb->current];
    lb->current++;   /* before the write: writing may flush and re-enter activation */
    if (lb->current >= lb->a.active) lb->current = 0;
    zw_pipe_write_msg(p, msg, 0);
    if (out_pipe) *out_pipe = p;
    return ZW_OK;
}

uint32_t zw_lb_capacity(const zw_lb_t *lb) {
    uint64_t sum = 0;
    for (uint32_t i = 0; i < lb->a.active; i++) {
        const zw_pipe_t *p = lb->a.pipes[i];
        if (p->hwm == 0 || p->conflate) return ZW_CAPACITY_UNBOUNDED;   /* never full */
        if (p->msgs < p->hwm) sum += p->hwm - p->msgs;
    }
    return sum >= ZW_CAPACITY_UNBOUNDED ? ZW_CAPACITY_UNBOUNDED - 1 : (uint32_t)sum;
}
