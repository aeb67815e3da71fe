/* core.c — the core object's lifetime and its random numbers. */
#include "core/internal.h"

#include <stdlib.h>
#include <string.h>

/* Ref frames (base/frame.h) reach the host through these. */
static void body_read(void *ctx, uint32_t id, uint32_t offset, uint8_t *dst, uint32_t len) {
    zw_core_t *c = ctx;
    if (c->body_read) c->body_read(c->body_ctx, id, offset, dst, len);
    else memset(dst, 0, len);
}

/* The last frame holding body id is gone: the host may drop it (unless the frames were never the
 * core's, or the core itself is going). */
static void body_release(void *ctx, uint32_t id) {
    zw_core_t *c = ctx;
    if (!c->bodies_quiet && !c->freeing) fx(c, ZW_FX_RELEASE, 0, id, 0, NULL);
}

zw_core_t *zw_core_new(zw_entropy_fn entropy, void *ctx) {
    if (!entropy) return NULL;
    zw_core_t *c = calloc(1, sizeof *c);
    if (!c) return NULL;
    c->entropy = entropy;
    c->entropy_ctx = ctx;
    c->next_id = 1;
    c->bodies = (zw_body_host_t){body_read, body_release, c};
    return c;
}

void zw_core_set_body_reader(zw_core_t *c, zw_body_read_fn read, void *ctx) {
    c->body_read = read;
    c->body_ctx = ctx;
}

void zw_core_free(zw_core_t *c) {
    if (!c) return;
    c->freeing = 1;
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
