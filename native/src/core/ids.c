/* ids.c — the core's one id space: sockets, connections and dialers by id (see core.h). */
#include "core/internal.h"

#include <stdlib.h>

static uint32_t id_hash(zw_id id) { return id * 2654435761u; }

static slot_t *map_find(const zw_core_t *c, zw_id id) {
    if (!c->map_cap || id == 0) return NULL;
    uint32_t mask = c->map_cap - 1;
    for (uint32_t i = id_hash(id) & mask;; i = (i + 1) & mask) {
        if (c->map[i].id == id) return &c->map[i];
        if (c->map[i].id == 0) return NULL;
    }
}

void *map_get(const zw_core_t *c, zw_id id, uint8_t kind) {
    slot_t *s = map_find(c, id);
    return s && s->kind == kind ? s->obj : NULL;
}

static void map_insert(slot_t *map, uint32_t cap, zw_id id, uint8_t kind, void *obj) {
    uint32_t mask = cap - 1, i = id_hash(id) & mask;
    while (map[i].id) i = (i + 1) & mask;
    map[i] = (slot_t){id, kind, obj};
}

static int map_put(zw_core_t *c, zw_id id, uint8_t kind, void *obj) {
    if ((c->map_n + 1) * 2 > c->map_cap) {
        uint32_t cap = c->map_cap ? c->map_cap * 2 : 64;
        slot_t *m = calloc(cap, sizeof *m);
        if (!m) return ZW_ENOMEM;
        for (uint32_t i = 0; i < c->map_cap; i++)
            if (c->map[i].id) map_insert(m, cap, c->map[i].id, c->map[i].kind, c->map[i].obj);
        free(c->map);
        c->map = m;
        c->map_cap = cap;
    }
    map_insert(c->map, c->map_cap, id, kind, obj);
    c->map_n++;
    return ZW_OK;
}

void map_del(zw_core_t *c, zw_id id) {
    slot_t *s = map_find(c, id);
    if (!s) return;
    /* Backward-shift deletion keeps probe chains intact without tombstones. */
    uint32_t mask = c->map_cap - 1, i = (uint32_t)(s - c->map), j = i;
    for (;;) {
        j = (j + 1) & mask;
        if (c->map[j].id == 0) break;
        uint32_t k = id_hash(c->map[j].id) & mask;
        int movable = i <= j ? (k <= i || k > j) : (k <= i && k > j);
        if (movable) {
            c->map[i] = c->map[j];
            i = j;
        }
    }
    c->map[i].id = 0;
    c->map_n--;
}

/* A fresh id bound to obj; 0 when out of memory. */
zw_id id_new(zw_core_t *c, uint8_t kind, void *obj) {
    zw_id id;
    do {
        id = c->next_id++;
    } while (id == 0 || map_find(c, id));
    return map_put(c, id, kind, obj) == ZW_OK ? id : 0;
}
