/* frame.c — one heap block per frame: header + body (see frame.h). */
#include "base/frame.h"

#include <stdlib.h>
#include <string.h>

/* Frames alive right now and the bytes they hold; only read by tests (leak and memory checks).
 * Not per-connection state. */
static int64_t frame_live;
static int64_t frame_live_bytes;

zw_frame_t *zw_frame_new(size_t size) {
    if (size > (size_t)INT32_MAX)
        return NULL;
    zw_frame_t *f = malloc(sizeof *f + size);
    if (!f)
        return NULL;
    f->next = NULL;
    f->size = (uint32_t)size;
    f->flags = 0;
    f->alloc = (uint32_t)size;
    frame_live++;
    frame_live_bytes += (int64_t)(sizeof *f + size);
    return f;
}

zw_frame_t *zw_frame_dup(const void *data, size_t size, uint32_t flags) {
    zw_frame_t *f = zw_frame_new(size);
    if (!f)
        return NULL;
    if (size)  /* memcpy from NULL is undefined even for 0 bytes */
        memcpy(f->data, data, size);
    f->flags = flags;
    return f;
}

zw_frame_t *zw_frame_resize(zw_frame_t *f, size_t size) {
    if (size > (size_t)INT32_MAX)
        return NULL;
    uint32_t old = f->alloc;
    zw_frame_t *g = realloc(f, sizeof *g + size);
    if (!g)
        return NULL;
    g->size = (uint32_t)size;
    g->alloc = (uint32_t)size;
    frame_live_bytes += (int64_t)size - (int64_t)old;
    return g;
}

void zw_frame_free(zw_frame_t *f) {
    if (!f)
        return;
    frame_live--;
    frame_live_bytes -= (int64_t)(sizeof *f + f->alloc);
    free(f);
}

int64_t zw_frame_live(void) { return frame_live; }

int64_t zw_frame_live_bytes(void) { return frame_live_bytes; }
