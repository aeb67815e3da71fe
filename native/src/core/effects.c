/* effects.c — the effect queue the host drains with zw_effects, and the byte buffers it (and
 * zw_recv) is built in. Socket status changes are collected and queued once per drain. */
#include "core/internal.h"

#include <stdlib.h>
#include <string.h>

int buf_reserve(buf_t *b, uint32_t extra) {
    if ((uint64_t)b->len + extra <= b->cap) return ZW_OK;
    uint64_t cap = b->cap ? b->cap : 256;
    while (cap < (uint64_t)b->len + extra) cap *= 2;
    if (cap > 0xffffffffu) return ZW_ENOMEM;
    uint8_t *p = realloc(b->p, (size_t)cap);
    if (!p) return ZW_ENOMEM;
    b->p = p;
    b->cap = (uint32_t)cap;
    return ZW_OK;
}

void put32(uint8_t *p, uint32_t v) {
    p[0] = (uint8_t)v;
    p[1] = (uint8_t)(v >> 8);
    p[2] = (uint8_t)(v >> 16);
    p[3] = (uint8_t)(v >> 24);
}

/* Queues one effect record. Out of memory loses it (nothing better to do). */
void fx(zw_core_t *c, uint8_t kind, uint8_t reason, zw_id id, uint32_t arg,
               const char *text) {
    size_t tl = text ? strlen(text) : 0;
    if (tl > 0xffff) tl = 0xffff;
    if (buf_reserve(&c->fx, 12 + (uint32_t)tl) != ZW_OK) return;
    uint8_t *p = c->fx.p + c->fx.len;
    p[0] = kind;
    p[1] = reason;
    p[2] = (uint8_t)tl;
    p[3] = (uint8_t)(tl >> 8);
    put32(p + 4, id);
    put32(p + 8, arg);
    if (tl) memcpy(p + 12, text, tl);
    c->fx.len += 12 + (uint32_t)tl;
}

void mark_status(zw_socket_t *s) {
    zw_core_t *c = s->core;
    if (s->status_queued) return;
    if (c->ndirty == c->capdirty) {
        uint32_t cap = c->capdirty ? c->capdirty * 2 : 16;
        zw_id *d = realloc(c->dirty, cap * sizeof *d);
        if (!d) return;
        c->dirty = d;
        c->capdirty = cap;
    }
    c->dirty[c->ndirty++] = s->id;
    s->status_queued = 1;
}

zw_err zw_core_effects(zw_core_t *c, const uint8_t **out_ptr, uint32_t *out_len) {
    if (!out_ptr || !out_len) return ZW_EINVAL;
    for (uint32_t i = 0; i < c->ndirty; i++) {
        zw_socket_t *s = sock_get(c, c->dirty[i]);
        if (!s) continue;
        s->status_queued = 0;
        fx(c, ZW_FX_STATUS, 0, s->id, 0, NULL);
    }
    c->ndirty = 0;
    buf_t t = c->fx_out;
    c->fx_out = c->fx;
    c->fx = t;
    c->fx.len = 0;
    *out_ptr = c->fx_out.p;
    *out_len = c->fx_out.len;
    return ZW_OK;
}
