/* parray.h — the partitioned pipe array every routing strategy is built on (as libzmq's
 * array_t): pipes[0, active) are active, pipes[active, n) are not. Each pipe's `slot` is its index,
 * so activating, deactivating and removing are O(1) swaps. */
#ifndef ZW_ROUTE_PARRAY_H
#define ZW_ROUTE_PARRAY_H

#include <stdint.h>
#include <stdlib.h>
#include "zmqw.h"
#include "pipe.h"

typedef struct zw_parray {
    zw_pipe_t **pipes;
    uint32_t n;        /* pipes held */
    uint32_t active;   /* pipes[0, active) are active */
    uint32_t cap;
} zw_parray_t;

static inline void zw_parray_swap(zw_parray_t *a, uint32_t i, uint32_t j) {
    zw_pipe_t *t = a->pipes[i];
    a->pipes[i] = a->pipes[j];
    a->pipes[j] = t;
    a->pipes[i]->slot = i;
    a->pipes[j]->slot = j;
}

/* Adds p as inactive. */
static inline int zw_parray_push(zw_parray_t *a, zw_pipe_t *p) {
    if (a->n == a->cap) {
        uint32_t cap = a->cap ? a->cap * 2 : 8;
        zw_pipe_t **np = realloc(a->pipes, cap * sizeof *np);
        if (!np) return ZW_ENOMEM;
        a->pipes = np;
        a->cap = cap;
    }
    p->slot = a->n;
    a->pipes[a->n++] = p;
    return ZW_OK;
}

static inline int zw_parray_is_active(const zw_parray_t *a, const zw_pipe_t *p) {
    return p->slot < a->active;
}

static inline void zw_parray_activate(zw_parray_t *a, zw_pipe_t *p) {
    if (p->slot < a->active) return;
    zw_parray_swap(a, p->slot, a->active);
    a->active++;
}

static inline void zw_parray_deactivate(zw_parray_t *a, zw_pipe_t *p) {
    if (p->slot >= a->active) return;
    a->active--;
    zw_parray_swap(a, p->slot, a->active);
}

static inline void zw_parray_remove(zw_parray_t *a, zw_pipe_t *p) {
    zw_parray_deactivate(a, p);
    zw_parray_swap(a, p->slot, a->n - 1);
    a->n--;
}

static inline void zw_parray_fini(zw_parray_t *a) {
    free(a->pipes);
    *a = (zw_parray_t){0};
}

#endif
