/* frame.c — one heap block per frame: header + body (see frame.h). */
#include "base/frame.h"

#include <stdlib.h>
#include <string.h>

/* Frames alive right now; only read by tests (leak checks). Not per-connection state. */
static int64_t frame_live;

zw_frame_t *zw_frame_new(size_t size) {
    if (size > (size_t)INT32_MAX)
        return NULL;
    zw_frame_t *f = malloc(sizeof *f + size);
    if (!f)
        return NULL;
    f->next = NULL;
    f->size = (uint32_t)size;
    f->flags = 0;
    frame_live++;
    return f;
}

zw_frame_t *zw_frame_dup(const void *data, size_t size, uint32_t flags) {
    zw_frame_t *f = zw_frame_new(size);
    if (!f)
        return NULL;
    if (size)
        memcpy(f->data, data, size);
    f->flags = flags;
    return f;
}

void zw_frame_free(zw_frame_t *f) {
    if (!f)
        return;
    frame_live--;
    free(f);
}

int64_t zw_frame_live(void) { return frame_live; }
