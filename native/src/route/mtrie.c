/* mtrie.c — subscription tries; see mtrie.h.
 *
 * Children of a node cover the byte range [min, min + count) (as libzmq's trie), so a node with
 * one child costs one pointer. Parent links make pruning and whole-trie walks iterative: no
 * recursion depth proportional to a peer-chosen prefix length.
 */
#include "route/mtrie.h"

#include <stdlib.h>
#include <string.h>

struct zw_tnode {
    zw_tnode_t **next;      /* children for bytes [min, min + count); NULL entries allowed */
    zw_tnode_t *parent;     /* NULL for the root */
    zw_tnode_t *link;       /* scratch list link for whole-trie walks */
    void **pipes;           /* mtrie: pipes subscribed to exactly this prefix */
    uint32_t npipes, cappipes;
    uint32_t refcnt;        /* trie: subscriptions to exactly this prefix */
    uint32_t depth;         /* prefix length of this node */
    uint16_t count;         /* width of next[] (<= 256) */
    uint16_t live;          /* non-NULL entries of next[] */
    uint8_t min;
    uint8_t byte;           /* this node's byte in its parent */
};

void zw_trie_init(zw_trie_t *t) { *t = (zw_trie_t){0}; }

static void node_free(zw_tnode_t *n) {
    free(n->next);
    free(n->pipes);
    free(n);
}

void zw_trie_fini(zw_trie_t *t) {
    zw_tnode_t *stack = t->root;
    if (stack) stack->link = NULL;
    while (stack) {
        zw_tnode_t *n = stack;
        stack = n->link;
        for (uint32_t i = 0; i < n->count; i++) {
            if (n->next[i]) {
                n->next[i]->link = stack;
                stack = n->next[i];
            }
        }
        node_free(n);
    }
    t->root = NULL;
    t->prefixes = 0;
}

static zw_tnode_t *child(const zw_tnode_t *n, uint8_t c) {
    if (c < n->min || (uint32_t)c >= (uint32_t)n->min + n->count) return NULL;
    return n->next[c - n->min];
}

/* Widens next[] to cover c. */
static int cover(zw_tnode_t *n, uint8_t c) {
    if (n->count == 0) {
        n->next = calloc(1, sizeof *n->next);
        if (!n->next) return -1;
        n->min = c;
        n->count = 1;
        return 0;
    }
    uint32_t lo = n->min < c ? n->min : c;
    uint32_t hi = (uint32_t)n->min + n->count;
    if ((uint32_t)c + 1 > hi) hi = (uint32_t)c + 1;
    if (lo == n->min && hi == (uint32_t)n->min + n->count) return 0;
    zw_tnode_t **nx = calloc(hi - lo, sizeof *nx);
    if (!nx) return -1;
    memcpy(nx + (n->min - lo), n->next, n->count * sizeof *nx);
    free(n->next);
    n->next = nx;
    n->min = (uint8_t)lo;
    n->count = (uint16_t)(hi - lo);
    return 0;
}

static zw_tnode_t *node_new(zw_tnode_t *parent, uint8_t byte) {
    zw_tnode_t *n = calloc(1, sizeof *n);
    if (!n) return NULL;
    n->parent = parent;
    n->byte = byte;
    n->depth = parent ? parent->depth + 1 : 0;
    return n;
}

/* The node for prefix, created if needed; NULL when out of memory (empty nodes created on the
 * way are pruned by the caller). */
static zw_tnode_t *walk_create(zw_trie_t *t, const uint8_t *prefix, size_t len) {
    if (!t->root && !(t->root = node_new(NULL, 0))) return NULL;
    zw_tnode_t *n = t->root;
    for (size_t i = 0; i < len; i++) {
        zw_tnode_t *c = child(n, prefix[i]);
        if (!c) {
            if (cover(n, prefix[i]) != 0 || !(c = node_new(n, prefix[i]))) return NULL;
            n->next[prefix[i] - n->min] = c;
            n->live++;
        }
        n = c;
    }
    return n;
}

static zw_tnode_t *find(const zw_trie_t *t, const uint8_t *prefix, size_t len) {
    zw_tnode_t *n = t->root;
    for (size_t i = 0; n && i < len; i++) n = child(n, prefix[i]);
    return n;
}

static int node_empty(const zw_tnode_t *n) {
    return n->refcnt == 0 && n->npipes == 0 && n->live == 0;
}

/* Frees n and its ancestors while they hold nothing. */
static void prune_up(zw_trie_t *t, zw_tnode_t *n) {
    while (n && node_empty(n)) {
        zw_tnode_t *p = n->parent;
        if (p) {
            p->next[n->byte - p->min] = NULL;
            p->live--;
        } else {
            t->root = NULL;
        }
        node_free(n);
        n = p;
    }
}

/* Deepest node on the path of prefix (for pruning after a failed create). */
static zw_tnode_t *deepest(const zw_trie_t *t, const uint8_t *prefix, size_t len) {
    zw_tnode_t *n = t->root, *c;
    for (size_t i = 0; n && i < len && (c = child(n, prefix[i])); i++) n = c;
    return n;
}

/* --- counted set ------------------------------------------------------------------------- */

int zw_trie_add(zw_trie_t *t, const uint8_t *prefix, size_t len) {
    zw_tnode_t *n = walk_create(t, prefix, len);
    if (!n) {
        prune_up(t, deepest(t, prefix, len));
        return -1;
    }
    if (n->refcnt++ > 0) return 0;
    t->prefixes++;
    return 1;
}

int zw_trie_rm(zw_trie_t *t, const uint8_t *prefix, size_t len) {
    zw_tnode_t *n = find(t, prefix, len);
    if (!n || n->refcnt == 0) return -1;
    if (--n->refcnt > 0) return 0;
    t->prefixes--;
    prune_up(t, n);
    return 1;
}

int zw_trie_check(const zw_trie_t *t, const uint8_t *data, size_t len) {
    const zw_tnode_t *n = t->root;
    for (size_t i = 0; n; i++) {
        if (n->refcnt) return 1;
        if (i == len) break;
        n = child(n, data[i]);
    }
    return 0;
}

int zw_trie_apply(const zw_trie_t *t, void (*fn)(const uint8_t *, size_t, void *), void *arg) {
    uint8_t *buf = NULL;
    size_t cap = 0;
    int rc = 0;
    zw_tnode_t *stack = t->root;
    if (stack) stack->link = NULL;
    while (stack) {
        zw_tnode_t *n = stack;
        stack = n->link;
        for (uint32_t i = 0; i < n->count; i++) {
            if (n->next[i]) {
                n->next[i]->link = stack;
                stack = n->next[i];
            }
        }
        if (!n->refcnt) continue;
        if (n->depth > cap) {
            uint8_t *nb = realloc(buf, n->depth);
            if (!nb) {
                rc = -1;
                continue;
            }
            buf = nb;
            cap = n->depth;
        }
        const zw_tnode_t *m = n;
        for (uint32_t d = n->depth; d > 0; d--, m = m->parent) buf[d - 1] = m->byte;
        fn(buf ? buf : (const uint8_t *)"", n->depth, arg);
    }
    free(buf);
    return rc;
}

/* --- pipe sets --------------------------------------------------------------------------- */

static int pipe_index(const zw_tnode_t *n, const void *pipe) {
    for (uint32_t i = 0; i < n->npipes; i++)
        if (n->pipes[i] == pipe) return (int)i;
    return -1;
}

static void pipe_remove_at(zw_tnode_t *n, uint32_t i) {
    n->pipes[i] = n->pipes[--n->npipes];
}

int zw_mtrie_add(zw_trie_t *t, const uint8_t *prefix, size_t len, void *pipe) {
    zw_tnode_t *n = walk_create(t, prefix, len);
    if (!n) goto oom;
    if (pipe_index(n, pipe) >= 0) return 0;
    if (n->npipes == n->cappipes) {
        uint32_t cap = n->cappipes ? n->cappipes * 2 : 2;
        void **np = realloc(n->pipes, cap * sizeof *np);
        if (!np) goto oom;
        n->pipes = np;
        n->cappipes = cap;
    }
    n->pipes[n->npipes++] = pipe;
    t->prefixes++;
    return 1;
oom:
    prune_up(t, deepest(t, prefix, len));
    return -1;
}

int zw_mtrie_rm(zw_trie_t *t, const uint8_t *prefix, size_t len, void *pipe) {
    zw_tnode_t *n = find(t, prefix, len);
    int i = n ? pipe_index(n, pipe) : -1;
    if (i < 0) return 0;
    pipe_remove_at(n, (uint32_t)i);
    t->prefixes--;
    prune_up(t, n);
    return 1;
}

void zw_mtrie_rm_pipe(zw_trie_t *t, void *pipe) { zw_mtrie_rm_pipe_cb(t, pipe, 0, NULL, NULL); }

uint32_t zw_mtrie_count(const zw_trie_t *t, const uint8_t *prefix, size_t len) {
    const zw_tnode_t *n = find(t, prefix, len);
    return n ? n->npipes : 0;
}

void zw_mtrie_rm_pipe_cb(zw_trie_t *t, void *pipe, int only_last,
                         void (*fn)(const uint8_t *, size_t, void *), void *arg) {
    uint8_t *buf = NULL;
    size_t cap = 0;
    /* Depth-first over a scratch list. A node is pruned only when it has no children left, so
     * nothing still on the list is ever freed (ancestors were taken off it before their
     * children were put on). */
    zw_tnode_t *stack = t->root;
    if (stack) stack->link = NULL;
    while (stack) {
        zw_tnode_t *n = stack;
        stack = n->link;
        for (uint32_t i = 0; i < n->count; i++) {
            if (n->next[i]) {
                n->next[i]->link = stack;
                stack = n->next[i];
            }
        }
        int i = pipe_index(n, pipe);
        if (i >= 0) {
            if (fn && (!only_last || n->npipes == 1)) {
                /* Out of memory for the prefix: that notification is lost, the removal is not. */
                if (n->depth > cap) {
                    uint8_t *nb = realloc(buf, n->depth);
                    if (nb) {
                        buf = nb;
                        cap = n->depth;
                    }
                }
                if (n->depth <= cap) {
                    const zw_tnode_t *m = n;
                    for (uint32_t d = n->depth; d > 0; d--, m = m->parent) buf[d - 1] = m->byte;
                    fn(buf ? buf : (const uint8_t *)"", n->depth, arg);
                }
            }
            pipe_remove_at(n, (uint32_t)i);
            t->prefixes--;
        }
        prune_up(t, n);
    }
    free(buf);
}

void zw_mtrie_match(const zw_trie_t *t, const uint8_t *data, size_t len,
                    void (*fn)(void *, void *), void *arg) {
    const zw_tnode_t *n = t->root;
    for (size_t i = 0; n; i++) {
        for (uint32_t k = 0; k < n->npipes; k++) fn(n->pipes[k], arg);
        if (i == len) break;
        n = child(n, data[i]);
    }
}
