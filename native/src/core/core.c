/* core.c — the core object's lifetime and its random numbers. */
#include "core/internal.h"

#include <stdlib.h>

zw_core_t *zw_core_new(zw_entropy_fn entropy, void *ctx) {
    if (!entropy) return NULL;
    zw_core_t *c = calloc(1, sizeof *c);
    if (!c) return NULL;
    c->entropy = entropy;
    c->entropy_ctx = ctx;
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
    free(c);
}

uint32_t zw_core_random(zw_core_t *c) {
    uint8_t b[4];
    c->entropy(c->entropy_ctx, b, sizeof b);
    return (uint32_t)b[0] | (uint32_t)b[1] << 8 | (uint32_t)b[2] << 16 | (uint32_t)b[3] << 24;
}
