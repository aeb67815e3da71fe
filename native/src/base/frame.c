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

zw_frame_t *zw_frame_ref(const zw_body_host_t *host, uint32_t id, size_t size, uint32_t flags) {
    if (size > (size_t)INT32_MAX)
        return NULL;
    zw_body_t *b = malloc(sizeof *b);
    zw_frame_t *f = b ? zw_frame_new(sizeof b) : NULL;
    if (!f) {
        free(b);
        return NULL;
    }
    b->refs = 1;
    b->id = id;
    b->host = host;
    memcpy(f->data, &b, sizeof b);
    f->size = (uint32_t)size;
    f->flags = flags | ZW_FRAME_REF;
    return f;
}

zw_frame_t *zw_frame_clone(const zw_frame_t *f) {
    zw_body_t *b = zw_frame_body(f);
    if (!b)
        return zw_frame_dup(f->data, f->size, f->flags);
    zw_frame_t *g = zw_frame_new(sizeof b);
    if (!g)
        return NULL;
    memcpy(g->data, &b, sizeof b);
    g->size = f->size;
    g->flags = f->flags;
    b->refs++;
    return g;
}

void zw_frame_read(const zw_frame_t *f, size_t off, void *dst, size_t n) {
    zw_body_t *b = zw_frame_body(f);
    if (!n)
        return;
    if (!b)
        memcpy(dst, f->data + off, n);
    else
        b->host->read(b->host->ctx, b->id, (uint32_t)off, dst, (uint32_t)n);
}

const uint8_t *zw_frame_head(const zw_frame_t *f, size_t n, uint8_t *tmp, size_t tmp_size,
                             uint8_t **heap) {
    *heap = NULL;
    if (!(f->flags & ZW_FRAME_REF))
        return f->data;
    uint8_t *p = tmp;
    if (n > tmp_size && !(p = *heap = malloc(n)))
        return NULL;
    zw_frame_read(f, 0, p, n);
    return p;
}

zw_frame_t *zw_frame_inline(zw_frame_t *f) {
    if (!(f->flags & ZW_FRAME_REF))
        return f;
    zw_frame_t *g = zw_frame_new(f->size);
    if (g) {
        zw_frame_read(f, 0, g->data, f->size);
        g->flags = f->flags & ~(uint32_t)ZW_FRAME_REF;
        g->next = f->next;
    }
    zw_frame_free(f);
    return g;
}

void zw_frame_free(zw_frame_t *f) {
    if (!f)
        return;
    zw_body_t *b = zw_frame_body(f);
    if (b && --b->refs == 0) {
        b->host->release(b->host->ctx, b->id);
        free(b);
    }
    frame_live--;
    frame_live_bytes -= (int64_t)(sizeof *f + f->alloc);
    free(f);
}

int64_t zw_frame_live(void) { return frame_live; }

int64_t zw_frame_live_bytes(void) { return frame_live_bytes; }
