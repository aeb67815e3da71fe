/* lb.h — load balancing: each message goes whole to the next pipe, round robin, that has room.
 *
 * Active pipes are those believed to have room; a pipe found full is deactivated and comes back
 * with zw_lb_activated (its reader drained it below HWM), so a send is amortised O(1).
 * Messages are handed over whole (zw_send only takes whole messages), so there is no
 * multipart state to keep between calls.
 */
#ifndef ZW_ROUTE_LB_H
#define ZW_ROUTE_LB_H

#include "route/parray.h"

typedef struct zw_lb {
    zw_parray_t a;
    uint32_t current;   /* next active pipe to try, < a.active when a.active > 0 */
} zw_lb_t;

void zw_lb_init(zw_lb_t *lb);
void zw_lb_fini(zw_lb_t *lb);
/* A new pipe, active. */
int zw_lb_attach(zw_lb_t *lb, zw_pipe_t *p);
void zw_lb_detach(zw_lb_t *lb, zw_pipe_t *p);
/* p has room again. */
void zw_lb_activated(zw_lb_t *lb, zw_pipe_t *p);
/* Writes msg (whole) to the next pipe with room: ZW_OK (msg taken, *out_pipe = the pipe if
 * out_pipe) or ZW_EAGAIN (no pipe has room; msg stays the caller's). */
int zw_lb_send(zw_lb_t *lb, zw_frame_t *msg, zw_pipe_t **out_pipe);
/* Whether a send would succeed now. Deactivates full pipes on the way. */
int zw_lb_can_send(zw_lb_t *lb);
/* Free message slots over all pipes, or ZW_CAPACITY_UNBOUNDED. */
uint32_t zw_lb_capacity(const zw_lb_t *lb);

#endif
