/* mtrie.c — subscription tries as radix tries; see mtrie.h.
 *
 * A node carries a run of bytes, its label: the node's prefix is its ancestors' labels followed
 * by its own. Only a node that holds a prefix (a count or pipes) or where paths branch exists;
 * every other node is merged into its only child. So a peer's 1 MiB prefix is one node holding
 * 1 MiB, not a million nodes, and n prefixes need at most 2n - 1 nodes (each branch node has at
 * least two children, so at most one fewer than the leaves, which all hold prefixes).
 *
 * Layout decisions:
 *  - The label is stored inline, one allocation per node, at the end of the node's block:
 *    buf[0, head) is dead, buf[head, head + len) is the label. Node blocks are never
 *    reallocated (so no step can fail halfway, and t->bytes is exact).
 *  - A split keeps the node's block for the lower part (the tail of the label, which a peer can
 *    make long) and copies only the upper part, which the new prefix spelled out; the upper
 *    bytes become dead head. A merge that undoes a split puts the bytes back into that head. So
 *    a peer toggling "x" under its own 1 MiB subscription "x..." costs one small node and no
 *    1 MiB copy either way. The head may grow to 1/HEAD_RATIO of the label; a split past that
 *    copies the lower part into a fresh block, a copy under HEAD_RATIO times the head it would
 *    have made (bytes of prefixes peers sent). Dead bytes are thus at most 1/HEAD_RATIO of all
 *    label bytes. A merge without room in the head builds a fresh node.
 *  - Children are an exactly-sized array sorted by their first label byte (distinct among
 *    siblings): the memory is one pointer per child whatever the bytes (libzmq's [min, min+count)
 *    range would let a peer pay 2 KiB for the children 0x00 and 0xff), found by binary search.
 *  - Parent links make every walk iterative: depth is at most the number of prefixes, but those
 *    come from peers too.
 *  - Only the root may have an empty label (it is the node of "" or the branch point of prefixes
 *    with different first bytes); every other node's label is at least one byte, its key among
 *    its siblings.
 *
 * Out of memory: additions allocate everything they need before changing anything, so a failed
 * one leaves the trie as it was. Removal frees and shrinks arrays (a failed shrink keeps the
 * larger block), except a merge that builds a fresh node; one that cannot allocate is skipped,
 * which leaves a correct trie with one more node than necessary (the next removal there tries
 * again).
 */
#include "route/mtrie.h"

#include <stdlib.h>
#include <string.h>

/* Dead head bytes a node may keep: at most 1/HEAD_RATIO of its label (see the top). */
#define HEAD_RATIO 16u

struct zw_tnode {
    zw_tnode_t *parent;     /* NULL for the root */
    zw_tnode_t **kids;      /* nkids children ascending by first label byte (capkids allocated) */
    void **pipes;           /* mtrie: npipes pipes subscribed to exactly this prefix (cappipes) */
    uint32_t len;           /* label bytes; >= 1 except at the root */
    uint32_t head;          /* dead bytes before the label; <= len / HEAD_RATIO */
    uint32_t npipes, cappipes;
    uint32_t refcnt;        /* trie: subscriptions to exactly this prefix */
    uint16_t nkids, capkids;   /* <= 256: children have distinct first bytes */
    uint8_t buf[];          /* head dead bytes, then the label: what this node adds to its
                             * parent's prefix */
};

#define LABEL(n) ((n)->buf + (n)->head)

/* The size of n's block: fixed for the node's life (a split or merge in place moves bytes
 * between head and label). */
static size_t node_size(const zw_tnode_t *n) { return sizeof *n + n->head + n->len; }

/* --- allocation: every byte the trie holds passes through here, so t->bytes is exact -------- */

static void *t_alloc(zw_trie_t *t, size_t size) {
    void *p = malloc(size);
    if (p) t->bytes += size;
    return p;
}

static void t_free(zw_trie_t *t, void *p, size_t size) {
    if (!p) return;
    free(p);
    t->bytes -= size;
}

/* Resizes *p from *cap to want elements of esize bytes (want 0 frees it). A failed shrink keeps
 * the larger block and says so in *cap; only a failed growth returns -1. */
static int t_resize(zw_trie_t *t, void **p, size_t esize, size_t *cap, size_t want) {
    if (want == *cap) return 0;
    if (want == 0) {
        t_free(t, *p, *cap * esize);
        *p = NULL;
        *cap = 0;
        return 0;
    }
    void *np = realloc(*p, want * esize);
    if (!np) return want > *cap ? -1 : 0;
    t->bytes = t->bytes - *cap * esize + want * esize;
    *p = np;
    *cap = want;
    return 0;
}

static int kids_fit(zw_trie_t *t, zw_tnode_t *n, size_t want) {
    size_t cap = n->capkids;
    void *p = n->kids;
    int rc = t_resize(t, &p, sizeof *n->kids, &cap, want);
    n->kids = p;
    n->capkids = (uint16_t)cap;
    return rc;
}

static int pipes_fit(zw_trie_t *t, zw_tnode_t *n, size_t want) {
    size_t cap = n->cappipes;
    void *p = n->pipes;
    int rc = t_resize(t, &p, sizeof *n->pipes, &cap, want);
    n->pipes = p;
    n->cappipes = (uint32_t)cap;
    return rc;
}

/* A node with label a then b (at most ZW_TRIE_MAX_PREFIX bytes, callers see to it) and room
 * for capkids children, or NULL. */
static zw_tnode_t *node_new(zw_trie_t *t, const uint8_t *a, size_t alen, const uint8_t *b,
                            size_t blen, uint16_t capkids) {
    zw_tnode_t *n = t_alloc(t, sizeof *n + alen + blen);
    if (!n) return NULL;
    *n = (zw_tnode_t){.len = (uint32_t)(alen + blen)};
    if (alen) memcpy(n->buf, a, alen);
    if (blen) memcpy(n->buf + alen, b, blen);
    if (capkids && kids_fit(t, n, capkids) != 0) {
        t_free(t, n, node_size(n));
        return NULL;
    }
    return n;
}

/* Frees n with its arrays (not its children). */
static void node_free(zw_trie_t *t, zw_tnode_t *n) {
    t_free(t, n->kids, n->capkids * sizeof *n->kids);
    t_free(t, n->pipes, n->cappipes * sizeof *n->pipes);
    t_free(t, n, node_size(n));
}

/* to takes from's children, pipes and count (from is left holding nothing). */
static void adopt(zw_tnode_t *to, zw_tnode_t *from) {
    to->kids = from->kids;
    to->nkids = from->nkids;
    to->capkids = from->capkids;
    to->pipes = from->pipes;
    to->npipes = from->npipes;
    to->cappipes = from->cappipes;
    to->refcnt = from->refcnt;
    for (uint32_t i = 0; i < to->nkids; i++) to->kids[i]->parent = to;
    from->kids = NULL;
    from->pipes = NULL;
    from->nkids = from->capkids = 0;
    from->npipes = from->cappipes = from->refcnt = 0;
}

static int holds(const zw_tnode_t *n) { return n->refcnt > 0 || n->npipes > 0; }

/* --- children ----------------------------------------------------------------------------- */

/* The first child whose label starts at or after c (nkids if none). */
static uint32_t kid_pos(const zw_tnode_t *n, uint8_t c) {
    uint32_t lo = 0, hi = n->nkids;
    while (lo < hi) {
        uint32_t mid = lo + (hi - lo) / 2;
        if (LABEL(n->kids[mid])[0] < c)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

static zw_tnode_t *kid(const zw_tnode_t *n, uint8_t c) {
    uint32_t i = kid_pos(n, c);
    return i < n->nkids && LABEL(n->kids[i])[0] == c ? n->kids[i] : NULL;
}

/* Where the trie points at n. */
static zw_tnode_t **slot_of(zw_trie_t *t, const zw_tnode_t *n) {
    return n->parent ? &n->parent->kids[kid_pos(n->parent, LABEL(n)[0])] : &t->root;
}

/* Links leaf under parent (whose kids[] has room) or as the root. */
static void link_kid(zw_trie_t *t, zw_tnode_t *parent, zw_tnode_t *leaf) {
    leaf->parent = parent;
    if (!parent) {
        t->root = leaf;
        return;
    }
    uint32_t i = kid_pos(parent, LABEL(leaf)[0]);
    memmove(parent->kids + i + 1, parent->kids + i, (parent->nkids - i) * sizeof *parent->kids);
    parent->kids[i] = leaf;
    parent->nkids++;
}

/* Takes n (which has no children) out of the trie and frees it. */
static void unlink_free(zw_trie_t *t, zw_tnode_t *n) {
    zw_tnode_t *p = n->parent;
    if (!p) {
        t->root = NULL;
    } else {
        uint32_t i = kid_pos(p, LABEL(n)[0]);
        memmove(p->kids + i, p->kids + i + 1, (p->nkids - i - 1) * sizeof *p->kids);
        p->nkids--;
        (void)kids_fit(t, p, p->nkids);
    }
    node_free(t, n);
}

/* --- structure: split on the way in, prune and merge on the way out ------------------------- */

/* Bytes a and b have in common from the start, of at most n. */
static size_t common(const uint8_t *a, const uint8_t *b, size_t n) {
    if (memcmp(a, b, n) == 0) return n;
    size_t i = 0;
    while (a[i] == b[i]) i++;
    return i;
}

/* The prefix enters n's label and leaves it after k bytes (k < n->len; k == 0 only at the root):
 * n becomes an upper node with those k bytes and a lower one with the rest of its label and all
 * it held. The prefix's node is the upper one if rest is empty, else a new leaf beside the lower.
 * NULL when out of memory, with nothing changed. */
static zw_tnode_t *split(zw_trie_t *t, zw_tnode_t *n, size_t k, const uint8_t *rest,
                         size_t restlen) {
    zw_tnode_t *up = node_new(t, LABEL(n), k, NULL, 0, restlen ? 2 : 1);
    /* The lower part is n itself, its first k label bytes turned into head (k == 0: nothing to
     * turn), unless that head would grow past its share: then a fresh copy. */
    int in_place = n->head + k <= (n->len - k) / HEAD_RATIO;
    zw_tnode_t *low = in_place ? n : node_new(t, LABEL(n) + k, n->len - k, NULL, 0, 0);
    zw_tnode_t *leaf = restlen ? node_new(t, rest, restlen, NULL, 0, 0) : NULL;
    if (!up || !low || (restlen && !leaf)) {
        if (up) node_free(t, up);
        if (low && low != n) node_free(t, low);
        if (leaf) node_free(t, leaf);
        return NULL;
    }
    /* up keeps n's first byte, so it takes n's slot among n's siblings as it is. */
    *slot_of(t, n) = up;
    up->parent = n->parent;
    if (in_place) {
        n->head += (uint32_t)k;
        n->len -= (uint32_t)k;
    } else {
        adopt(low, n);
        node_free(t, n);
    }
    link_kid(t, up, low);
    if (!leaf) return up;
    link_kid(t, up, leaf);
    return leaf;
}

/* n holds nothing and has one child: the two become one node. Out of memory, nothing changes. */
static void merge(zw_trie_t *t, zw_tnode_t *n) {
    zw_tnode_t *c = n->kids[0], *joined = c;
    zw_tnode_t **slot = slot_of(t, n);
    if (c->head >= n->len) {
        /* Room in c's head (when this undoes an in-place split of c, and always at the empty
         * root): n's bytes go back in front of c's label. */
        c->head -= n->len;
        c->len += n->len;
        if (n->len) memcpy(LABEL(c), LABEL(n), n->len);
    } else {
        if (!(joined = node_new(t, LABEL(n), n->len, LABEL(c), c->len, 0))) return;
        adopt(joined, c);
        node_free(t, c);
    }
    *slot = joined;   /* it starts with n's first byte: n's slot */
    joined->parent = n->parent;
    node_free(t, n);
}

/* Restores the radix shape at n after it lost its data or a child: a node holding nothing is
 * freed if childless, merged into its child if it has one. Returns the parent when n was freed
 * (which may now need the same), else NULL. */
static zw_tnode_t *tidy_one(zw_trie_t *t, zw_tnode_t *n) {
    if (holds(n) || n->nkids > 1) return NULL;
    if (n->nkids == 1) {
        merge(t, n);
        return NULL;
    }
    zw_tnode_t *p = n->parent;
    unlink_free(t, n);
    return p;
}

static void tidy(zw_trie_t *t, zw_tnode_t *n) {
    while (n) n = tidy_one(t, n);
}

/* The node for exactly prefix, created if needed; NULL when out of memory (trie unchanged). */
static zw_tnode_t *walk_create(zw_trie_t *t, const uint8_t *prefix, size_t len) {
    zw_tnode_t *parent = NULL, *n = t->root;
    size_t i = 0;   /* prefix bytes matched by the labels down to parent */
    for (;;) {
        if (!n) {
            /* Nothing here: a leaf with the rest of the prefix. */
            zw_tnode_t *leaf = node_new(t, i < len ? prefix + i : NULL, len - i, NULL, 0, 0);
            if (!leaf) return NULL;
            if (parent && kids_fit(t, parent, parent->nkids + 1u) != 0) {
                node_free(t, leaf);
                return NULL;
            }
            link_kid(t, parent, leaf);
            return leaf;
        }
        size_t room = len - i, k = room < n->len ? room : n->len;
        if (k) k = common(LABEL(n), prefix + i, k);
        if (k < n->len)
            return split(t, n, k, k < room ? prefix + i + k : NULL, room - k);
        i += k;
        if (i == len) return n;
        parent = n;
        n = kid(n, prefix[i]);
        /* No child for prefix[i]: the leaf goes under parent. */
    }
}

/* The node for exactly prefix, or NULL. */
static zw_tnode_t *find(const zw_trie_t *t, const uint8_t *prefix, size_t len) {
    zw_tnode_t *n = t->root;
    size_t i = 0;
    while (n) {
        if (n->len > len - i || (n->len && memcmp(LABEL(n), prefix + i, n->len) != 0))
            return NULL;
        i += n->len;
        if (i == len) return n;
        n = kid(n, prefix[i]);
    }
    return NULL;
}

/* Calls fn(n, arg) for each node whose prefix is a prefix of data, shallowest first; stops
 * early when fn returns nonzero and returns that. */
static int walk_match(const zw_trie_t *t, const uint8_t *data, size_t len,
                      int (*fn)(const zw_tnode_t *n, void *arg), void *arg) {
    const zw_tnode_t *n = t->root;
    size_t i = 0;
    while (n) {
        if (n->len > len - i || (n->len && memcmp(LABEL(n), data + i, n->len) != 0)) return 0;
        i += n->len;
        int rc = fn(n, arg);
        if (rc) return rc;
        if (i == len) return 0;
        n = kid(n, data[i]);
    }
    return 0;
}

/* --- whole-trie walks ---------------------------------------------------------------------- */

/* The prefix of the walk's current node, for callbacks. Scratch, not counted in t->bytes.
 * Out of memory it stops growing: len goes on counting, and only the first `valid` bytes
 * are known (nodes deeper than that get no callback). */
typedef struct path {
    uint8_t *buf;
    size_t cap;     /* allocated bytes of buf */
    size_t len;     /* length of the current node's prefix */
    size_t valid;   /* buf[0, valid) holds its first bytes; valid == len: complete */
} path_t;

static void path_push(path_t *p, const zw_tnode_t *n) {
    size_t need = p->len + n->len;
    if (p->valid == p->len && need > p->cap) {
        /* Doubling keeps the copies linear; the buffer is at most twice the longest prefix. */
        size_t cap = p->cap > need / 2 ? 2 * p->cap : need;
        uint8_t *b = realloc(p->buf, cap);
        if (!b && cap > need) b = realloc(p->buf, cap = need);
        if (b) {
            p->buf = b;
            p->cap = cap;
        }
    }
    if (p->valid == p->len && need <= p->cap) {
        if (n->len) memcpy(p->buf + p->len, LABEL(n), n->len);
        p->valid = need;
    }
    p->len = need;
}

static void path_pop(path_t *p, const zw_tnode_t *n) {
    p->len -= n->len;
    if (p->valid > p->len) p->valid = p->len;
}

/* The current node's prefix, or NULL when out of memory left it incomplete. */
static const uint8_t *path_bytes(const path_t *p) {
    if (p->valid < p->len) return NULL;
    return p->buf ? p->buf : (const uint8_t *)"";
}

/* A depth-first walk in ascending byte order, so prefixes come in lexicographic order:
 * visit(n) on the way down (before n's descendants; w->path holds n's prefix if w->spell),
 * leave(n) on the way back up (after them; it may free n or merge n with its child, nothing
 * else). */
typedef struct walk {
    zw_trie_t *t;    /* NULL for a walk that only reads */
    int spell;       /* keep w->path: the callbacks want the prefixes */
    path_t path;
    void (*visit)(struct walk *w, zw_tnode_t *n);
    void (*leave)(struct walk *w, zw_tnode_t *n);   /* NULL: nothing to do */
} walk_t;

/* Iterative, by parent links. The next sibling is found again from the first byte of the node
 * just left, so it does not matter whether leave freed or replaced that node (a merged node
 * keeps the first byte). */
static void walk_all(walk_t *w, zw_tnode_t *n) {
    while (n) {
        if (w->spell) path_push(&w->path, n);
        w->visit(w, n);
        if (n->nkids) {
            n = n->kids[0];
            continue;
        }
        /* Up until an ancestor has a child after the one we came from. */
        for (;;) {
            zw_tnode_t *p = n->parent;
            uint8_t b = n->len ? LABEL(n)[0] : 0;
            if (w->spell) path_pop(&w->path, n);
            if (w->leave) w->leave(w, n);
            if (!p) return;
            uint32_t j = kid_pos(p, b);
            if (j < p->nkids && LABEL(p->kids[j])[0] == b) j++;
            if (j < p->nkids) {
                n = p->kids[j];
                break;
            }
            n = p;
        }
    }
}

/* --- counted set ------------------------------------------------------------------------- */

void zw_trie_init(zw_trie_t *t) { *t = (zw_trie_t){0}; }

void zw_trie_fini(zw_trie_t *t) {
    /* Post-order by popping children: each node is freed once it has none left. */
    zw_tnode_t *n = t->root;
    while (n) {
        if (n->nkids) {
            n = n->kids[--n->nkids];
            continue;
        }
        zw_tnode_t *p = n->parent;
        node_free(t, n);
        n = p;
    }
    t->root = NULL;
    t->prefixes = 0;
}

size_t zw_trie_bytes(const zw_trie_t *t) { return t->bytes; }

int zw_trie_add(zw_trie_t *t, const uint8_t *prefix, size_t len) {
    if (len > ZW_TRIE_MAX_PREFIX) return -1;
    zw_tnode_t *n = walk_create(t, prefix, len);
    if (!n) return -1;
    /* Cannot count another; n held the prefix already, so the walk created nothing. */
    if (n->refcnt == UINT32_MAX) return -1;
    if (n->refcnt++ > 0) return 0;
    t->prefixes++;
    return 1;
}

int zw_trie_rm(zw_trie_t *t, const uint8_t *prefix, size_t len) {
    zw_tnode_t *n = find(t, prefix, len);
    if (!n || n->refcnt == 0) return -1;
    if (--n->refcnt > 0) return 0;
    t->prefixes--;
    tidy(t, n);
    return 1;
}

static int held(const zw_tnode_t *n, void *arg) { return n->refcnt > 0; }

int zw_trie_check(const zw_trie_t *t, const uint8_t *data, size_t len) {
    return walk_match(t, data, len, held, NULL);
}

typedef struct apply {
    walk_t w;   /* first: the walk's callbacks get &a.w */
    void (*fn)(const uint8_t *, size_t, void *);
    void *arg;
    int incomplete;   /* a prefix was skipped: out of memory for its bytes */
} apply_t;

static void apply_visit(walk_t *w, zw_tnode_t *n) {
    apply_t *a = (apply_t *)w;
    if (!n->refcnt) return;
    const uint8_t *prefix = path_bytes(&w->path);
    if (prefix)
        a->fn(prefix, w->path.len, a->arg);
    else
        a->incomplete = 1;
}

int zw_trie_apply(const zw_trie_t *t, void (*fn)(const uint8_t *, size_t, void *), void *arg) {
    apply_t a = {.w = {.spell = 1, .visit = apply_visit}, .fn = fn, .arg = arg};
    walk_all(&a.w, t->root);
    free(a.w.path.buf);
    return a.incomplete ? -1 : 0;
}

/* --- pipe sets --------------------------------------------------------------------------- */

static int pipe_index(const zw_tnode_t *n, const void *pipe) {
    for (uint32_t i = 0; i < n->npipes; i++)
        if (n->pipes[i] == pipe) return (int)i;
    return -1;
}

/* Removes pipes[i] (order is not kept) and returns the unused slot to the allocator. */
static void pipe_remove_at(zw_trie_t *t, zw_tnode_t *n, uint32_t i) {
    n->pipes[i] = n->pipes[--n->npipes];
    (void)pipes_fit(t, n, n->npipes);
    t->prefixes--;
}

int zw_mtrie_add(zw_trie_t *t, const uint8_t *prefix, size_t len, void *pipe) {
    if (len > ZW_TRIE_MAX_PREFIX) return -1;
    zw_tnode_t *n = find(t, prefix, len);
    if (n) {
        if (pipe_index(n, pipe) >= 0) return 0;
        if (n->npipes == UINT32_MAX || pipes_fit(t, n, n->npipes + 1u) != 0) return -1;
    } else {
        /* The pipe's slot before the node: a new node must never be left holding nothing. */
        void **slot = t_alloc(t, sizeof *slot);
        if (!slot) return -1;
        if (!(n = walk_create(t, prefix, len))) {
            t_free(t, slot, sizeof *slot);
            return -1;
        }
        /* walk_create made n (find did not see it), so n has no pipe array yet. */
        n->pipes = slot;
        n->cappipes = 1;
    }
    n->pipes[n->npipes++] = pipe;
    t->prefixes++;
    return 1;
}

int zw_mtrie_rm(zw_trie_t *t, const uint8_t *prefix, size_t len, void *pipe) {
    zw_tnode_t *n = find(t, prefix, len);
    int i = n ? pipe_index(n, pipe) : -1;
    if (i < 0) return 0;
    pipe_remove_at(t, n, (uint32_t)i);
    tidy(t, n);
    return 1;
}

void zw_mtrie_rm_pipe(zw_trie_t *t, void *pipe) { zw_mtrie_rm_pipe_cb(t, pipe, 0, NULL, NULL); }

typedef struct rm_pipe {
    walk_t w;   /* first: the walk's callbacks get &r.w */
    void *pipe;
    int only_last;
    void (*fn)(const uint8_t *, size_t, void *);
    void *arg;
} rm_pipe_t;

/* On the way down: tell of the prefix and drop the pipe. The node stays until rm_pipe_leave, so
 * it is not pruned before fn has seen it. Out of memory for the prefix's bytes, that
 * notification is lost; the removal is not. */
static void rm_pipe_visit(walk_t *w, zw_tnode_t *n) {
    rm_pipe_t *r = (rm_pipe_t *)w;
    int i = pipe_index(n, r->pipe);
    if (i < 0) return;
    const uint8_t *prefix = path_bytes(&w->path);
    if (r->fn && (!r->only_last || n->npipes == 1) && prefix) r->fn(prefix, w->path.len, r->arg);
    pipe_remove_at(w->t, n, (uint32_t)i);
}

/* On the way up, after n's descendants: n itself only, its parent gets its own leave. */
static void rm_pipe_leave(walk_t *w, zw_tnode_t *n) { (void)tidy_one(w->t, n); }

void zw_mtrie_rm_pipe_cb(zw_trie_t *t, void *pipe, int only_last,
                         void (*fn)(const uint8_t *, size_t, void *), void *arg) {
    rm_pipe_t r = {.w = {.t = t, .spell = fn != NULL, .visit = rm_pipe_visit,
                         .leave = rm_pipe_leave},
                   .pipe = pipe, .only_last = only_last, .fn = fn, .arg = arg};
    walk_all(&r.w, t->root);
    free(r.w.path.buf);
}

uint32_t zw_mtrie_count(const zw_trie_t *t, const uint8_t *prefix, size_t len) {
    const zw_tnode_t *n = find(t, prefix, len);
    return n ? n->npipes : 0;
}

typedef struct match {
    void (*fn)(void *, void *);
    void *arg;
} match_t;

static int match_one(const zw_tnode_t *n, void *arg) {
    const match_t *m = arg;
    for (uint32_t k = 0; k < n->npipes; k++) m->fn(n->pipes[k], m->arg);
    return 0;
}

void zw_mtrie_match(const zw_trie_t *t, const uint8_t *data, size_t len,
                    void (*fn)(void *, void *), void *arg) {
    match_t m = {fn, arg};
    (void)walk_match(t, data, len, match_one, &m);
}
