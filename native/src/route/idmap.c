/* idmap.c — see idmap.h. */
#include "route/idmap.h"

#include <stdlib.h>
#include <string.h>

#include "zmqw.h"

/* FNV-1a: ids are short (5 bytes generated, up to 255 chosen) and come from peers; the table's
 * load factor, not the hash's strength, bounds the probe length. */
static uint32_t hash(const uint8_t *id, uint32_t len) {
    uint32_t h = 2166136261u;
    for (uint32_t i = 0; i < len; i++) h = (h ^ id[i]) * 16777619u;
    return h;
}

static uint32_t home(const zw_idmap_t *m, const zw_pipe_t *p) {
    uint32_t len;
    const uint8_t *id = m->key(p, &len);
    return hash(id, len) & (m->cap - 1);
}

const uint8_t *zw_rid_key(const zw_pipe_t *p, uint32_t *len) {
    const zw_rid_t *r = p->priv;
    *len = r->len;
    return r->id;
}

void zw_rid_generate(zw_rid_t *r, uint32_t n) {
    r->id[0] = 0;
    r->id[1] = (uint8_t)(n >> 24);
    r->id[2] = (uint8_t)(n >> 16);
    r->id[3] = (uint8_t)(n >> 8);
    r->id[4] = (uint8_t)n;
    r->len = ZW_RID_GENERATED_LEN;
}

void zw_rid_set(zw_rid_t *r, const uint8_t *len_prefixed) {
    r->len = len_prefixed[0];
    memcpy(r->id, len_prefixed + 1, r->len);
}

void zw_idmap_init(zw_idmap_t *m, zw_idmap_key_fn key) {
    *m = (zw_idmap_t){.key = key};
}

void zw_idmap_fini(zw_idmap_t *m) {
    free(m->slots);
    m->slots = NULL;
    m->cap = m->n = 0;
}

zw_pipe_t *zw_idmap_find(const zw_idmap_t *m, const uint8_t *id, uint32_t len) {
    if (m->n == 0) return NULL;
    for (uint32_t i = hash(id, len) & (m->cap - 1);; i = (i + 1) & (m->cap - 1)) {
        zw_pipe_t *p = m->slots[i];
        if (!p) return NULL;
        uint32_t plen;
        const uint8_t *pid = m->key(p, &plen);
        if (plen == len && (len == 0 || memcmp(pid, id, len) == 0)) return p;
    }
}

static void place(zw_idmap_t *m, zw_pipe_t *p) {
    uint32_t i = home(m, p);
    while (m->slots[i]) i = (i + 1) & (m->cap - 1);
    m->slots[i] = p;
}

static int grow(zw_idmap_t *m) {
    uint32_t cap = m->cap ? m->cap * 2 : 16;
    zw_pipe_t **old = m->slots, **slots = calloc(cap, sizeof *slots);
    if (!slots) return ZW_ENOMEM;
    uint32_t old_cap = m->cap;
    m->slots = slots;
    m->cap = cap;
    for (uint32_t i = 0; i < old_cap; i++)
        if (old[i]) place(m, old[i]);
    free(old);
    return ZW_OK;
}

int zw_idmap_add(zw_idmap_t *m, zw_pipe_t *p) {
    if ((m->n + 1) * 4 > m->cap * 3) {
        int rc = grow(m);
        if (rc != ZW_OK) return rc;
    }
    place(m, p);
    m->n++;
    return ZW_OK;
}

void zw_idmap_remove(zw_idmap_t *m, zw_pipe_t *p) {
    if (m->n == 0) return;
    uint32_t mask = m->cap - 1, i = home(m, p);
    while (m->slots[i] != p) {
        if (!m->slots[i]) return;   /* not held */
        i = (i + 1) & mask;
    }
    /* Backward shift: move later entries of the probe run into the gap when their home allows,
     * so every lookup still finds its entry before the first free slot. */
    for (uint32_t j = (i + 1) & mask; m->slots[j]; j = (j + 1) & mask) {
        uint32_t h = home(m, m->slots[j]);
        /* slots[j] may move to i if i lies cyclically in [h, j). */
        if (((j - h) & mask) >= ((j - i) & mask)) {
            m->slots[i] = m->slots[j];
            i = j;
        }
    }
    m->slots[i] = NULL;
    m->n--;
}
