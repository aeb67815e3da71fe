/* core.c — the core object's lifetime and its random numbers. */
#include "core/internal.h"

#include <stdlib.h>

zw_core_t *zw_core_new(uint32_t seed) {
    zw_core_t *c = calloc(1, sizeof *c);
    if (!c) return NULL;
    c->rng = seed ? seed : 0x9e3779b9u;
    c->next_id = 1;
    return c;
}

void zw_core_free(zw_core_t *c) {
    if (!c) return;
    while (c->sockets) socket_finish(c->sockets);
    while (c->zombies) {
        zw_conn_t *conn = c->zombies;
        LIST_DEL(c->zombies, conn);
        conn_free(conn);
    }
    free(c->map);
    free(c->fx.p);
    free(c->fx_out.p);
    free(c->rbuf.p);
    free(c->dirty);
    free(c->timers);
    free(c);
}

uint32_t zw_core_random(zw_core_t *c) {
    uint32_t x = c->rng;
    x ^= x << 13;
    x ^= x >> 17;
    x ^= x << 5;
    return c->rng = x;
}
