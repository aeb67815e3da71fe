/* fq.h — fair queueing: one whole message at a time from each pipe that has one, round robin.
 *
 * Active pipes are exactly those holding at least one complete message: the owner calls
 * zw_fq_activated when a pipe's first complete message arrives, and a pipe is deactivated when a
 * read empties it. So a receive is O(1) whatever the number of pipes.
 */
#ifndef ZW_ROUTE_FQ_H
#define ZW_ROUTE_FQ_H

#include "route/parray.h"

typedef struct zw_fq {
    zw_parray_t a;
    uint32_t current;   /* next active pipe to read, < a.active when a.active > 0 */
} zw_fq_t;

void zw_fq_init(zw_fq_t *fq);
void zw_fq_fini(zw_fq_t *fq);
/* A new pipe; active at once if it already holds a message. */
int zw_fq_attach(zw_fq_t *fq, zw_pipe_t *p);
void zw_fq_detach(zw_fq_t *fq, zw_pipe_t *p);
/* p received a complete message (idempotent). */
void zw_fq_activated(zw_fq_t *fq, zw_pipe_t *p);
/* Oldest message of the next pipe in turn (ownership to the caller), or NULL; *out_pipe = where
 * it came from. */
zw_frame_t *zw_fq_recv(zw_fq_t *fq, zw_pipe_t **out_pipe);
static inline int zw_fq_readable(const zw_fq_t *fq) { return fq->a.active > 0; }

#endif
