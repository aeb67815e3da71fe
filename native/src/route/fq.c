/* fq.c — fair queue; see fq.h. */
#include "route/fq.h"

void zw_fq_init(zw_fq_t *fq) { *fq = (zw_fq_t){0}; }
void zw_fq_fini(zw_fq_t *fq) { zw_parray_fini(&fq->a); }

int zw_fq_attach(zw_fq_t *fq, zw_pipe_t *p) {
    int rc = zw_parray_push(&fq->a, p);
    if (rc == ZW_OK && zw_pipe_readable(p)) zw_parray_activate(&fq->a, p);
    return rc;
}

void zw_fq_detach(zw_fq_t *fq, zw_pipe_t *p) {
    zw_parray_remove(&fq->a, p);
    if (fq->current >= fq->a.active) fq->current = 0;
}

void zw_fq_activated(zw_fq_t *fq, zw_pipe_t *p) { zw_parray_activate(&fq->a, p); }

zw_frame_t *zw_fq_recv(zw_fq_t *fq, zw_pipe_t **out_pipe) {
    if (fq->a.active == 0) return NULL;
    if (fq->current >= fq->a.active) fq->current = 0;
    zw_pipe_t *p = fq->a.pipes[fq->current];
    zw_frame_t *msg = zw_pipe_read(p);
    if (!zw_pipe_readable(p)) {
        /* The last active pipe moves into this slot and is read next: the order stays a
         * rotation. */
        zw_parray_deactivate(&fq->a, p);
    } else {
        fq->current++;
    }
    if (fq->current >= fq->a.active) fq->current = 0;
    if (out_pipe) *out_pipe = p;
    return msg;
}
