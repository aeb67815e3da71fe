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

/* Queues one effect record. If it cannot be queued (out of memory), the host can no longer
 * follow the core (a connection it never closes, a dial it never makes): fx_lost makes every
 * zw_effects from now on fail with ZW_ENOMEM, which the host treats as the engine's death. */
void fx(zw_core_t *c, uint8_t kind, uint8_t reason, zw_id id, uint32_t arg,
               const char *text) {
    size_t tl = text ? strlen(text) : 0;
    if (tl > 0xffff) tl = 0xffff;
    if (buf_reserve(&c->fx, 12 + (uint32_t)tl) != ZW_OK) {
        c->fx_lost = 1;
        return;
    }
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

/* Linked through the socket: marking never allocates, so no status change is lost. */
void mark_status(zw_socket_t *s) {
    zw_core_t *c = s->core;
    if (s->status_queued) return;
    s->dirty_prev = NULL;
    s->dirty_next = c->dirty;
    if (c->dirty) c->dirty->dirty_prev = s;
    c->dirty = s;
    s->status_queued = 1;
}

void unmark_status(zw_socket_t *s) {
    zw_core_t *c = s->core;
    if (!s->status_queued) return;
    if (s->dirty_prev) s->dirty_prev->dirty_next = s->dirty_next; else c->dirty = s->dirty_next;
    if (s->dirty_next) s->dirty_next->dirty_prev = s->dirty_prev;
    s->dirty_prev = s->dirty_next = NULL;
    s->status_queued = 0;
}

zw_err zw_core_effects(zw_core_t *c, const uint8_t **out_ptr, uint32_t *out_len) {
    if (!out_ptr || !out_len) return ZW_EINVAL;
    while (c->dirty) {
        zw_socket_t *s = c->dirty;
        unmark_status(s);
        fx(c, ZW_FX_STATUS, 0, s->id, 0, NULL);
    }
    if (c->fx_lost) return ZW_ENOMEM;
    buf_t t = c->fx_out;
    c->fx_out = c->fx;
    c->fx = t;
    c->fx.len = 0;
    *out_ptr = c->fx_out.p;
    *out_len = c->fx_out.len;
    return ZW_OK;
}
