/* dist.c — distribution; see dist.h. */
#include "route/dist.h"

void zw_dist_init(zw_dist_t *d) { *d = (zw_dist_t){0}; }
void zw_dist_fini(zw_dist_t *d) { zw_parray_fini(&d->a); }
int zw_dist_attach(zw_dist_t *d, zw_pipe_t *p) { return zw_parray_push(&d->a, p); }
void zw_dist_detach(zw_dist_t *d, zw_pipe_t *p) { zw_parray_remove(&d->a, p); }
void zw_dist_match(zw_dist_t *d, zw_pipe_t *p) { zw_parray_activate(&d->a, p); }
void zw_dist_match_all(zw_dist_t *d) { d->a.active = d->a.n; }

void zw_dist_reverse_match(zw_dist_t *d) {
    /* Swap the ends: after min(m, n - m) swaps the n - m unmatched pipes lead the array. */
    uint32_t n = d->a.n, m = d->a.active, k = m < n - m ? m : n - m;
    for (uint32_t i = 0; i < k; i++) zw_parray_swap(&d->a, i, n - 1 - i);
    d->a.active = n - m;
}

int zw_dist_matching_writable(const zw_dist_t *d) {
    for (uint32_t i = 0; i < d->a.active; i++)
        if (!zw_pipe_writable(d->a.pipes[i])) return 0;
    return 1;
}

static zw_frame_t *msg_copy(const zw_frame_t *msg) {
    zw_frame_t *head = NULL, **tail = &head;
    for (; msg; msg = msg->next) {
        zw_frame_t *f = zw_frame_clone(msg);   /* a host body is shared, not copied */
        if (!f) {
            zw_msg_free(head);
            return NULL;
        }
        *tail = f;
        tail = &f->next;
    }
    return head;
}

int zw_dist_send_matching(zw_dist_t *d, zw_frame_t *msg) {
    int rc = ZW_OK;
    /* Pick the writable recipients first so the original can go to the last of them. The
     * writes below may flush pipes (on_msg) but never change the array. */
    uint32_t n = d->a.active;
    d->a.active = 0;
    uint32_t last = UINT32_MAX;
    for (uint32_t i = 0; i < n; i++) {
        if (zw_pipe_writable(d->a.pipes[i])) last = i;
        else d->dropped++;
    }
    for (uint32_t i = 0; i < n && last != UINT32_MAX; i++) {
        zw_pipe_t *p = d->a.pipes[i];
        if (!zw_pipe_writable(p)) continue;
        if (i == last) {
            zw_pipe_write_msg(p, msg, 0);
            return rc;
        }
        zw_frame_t *copy = msg_copy(msg);
        if (!copy) {
            rc = ZW_ENOMEM;
            continue;
        }
        zw_pipe_write_msg(p, copy, 0);
    }
    zw_msg_free(msg);
    return rc;
}
