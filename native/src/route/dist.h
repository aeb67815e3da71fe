/* dist.h — distribution: a copy of each message to every matching pipe (PUB).
 *
 * pipes[0, matching) are the pipes chosen for the message being sent (the `active` partition of
 * the array); zw_dist_match moves a pipe into it, zw_dist_send_matching sends and resets it.
 * A pipe at HWM loses the message: a publisher never blocks.
 */
#ifndef ZW_ROUTE_DIST_H
#define ZW_ROUTE_DIST_H

#include "route/parray.h"

typedef struct zw_dist {
    zw_parray_t a;      /* a.active = number of matching pipes for the current message */
    uint64_t dropped;   /* messages lost to HWM, summed over pipes (for tests/diagnostics) */
} zw_dist_t;

void zw_dist_init(zw_dist_t *d);
void zw_dist_fini(zw_dist_t *d);
int zw_dist_attach(zw_dist_t *d, zw_pipe_t *p);
void zw_dist_detach(zw_dist_t *d, zw_pipe_t *p);
/* Marks p as a recipient of the next zw_dist_send_matching (idempotent). */
void zw_dist_match(zw_dist_t *d, zw_pipe_t *p);
void zw_dist_match_all(zw_dist_t *d);
/* The match set becomes every other pipe (INVERT_MATCHING). */
void zw_dist_reverse_match(zw_dist_t *d);
/* Forgets the match set without sending. */
static inline void zw_dist_unmatch(zw_dist_t *d) { d->a.active = 0; }
/* Whether every matching pipe can take a message now (XPUB_NODROP). */
int zw_dist_matching_writable(const zw_dist_t *d);
/* Sends msg to the matching pipes with room (copies for all but the last), clears the match set,
 * and always takes ownership of msg. Returns ZW_OK or ZW_ENOMEM (some copies were not made). */
int zw_dist_send_matching(zw_dist_t *d, zw_frame_t *msg);

#endif
