/* mtrie.h — subscription prefix tries.
 *
 * Radix tries: a node holds a run of bytes, and exists only where a prefix ends or prefixes part,
 * so a set of n prefixes costs its distinct bytes plus at most 2n - 1 nodes (see zw_trie_bytes);
 * a peer's long prefix costs about its length, not a node per byte. Two uses share the node type:
 *  - zw_trie_*: a counted set of prefixes (SUB side). Subscribing twice needs two cancels;
 *    add/rm say when a prefix appears or disappears, which is when SUB tells its peers.
 *  - zw_mtrie_*: prefix -> set of pipes (PUB side). As libzmq's mtrie, a pipe is stored once per
 *    prefix: a repeated SUBSCRIBE is a no-op and one CANCEL removes it.
 * Every walk is iterative (prefixes come from peers and may be long); a removal frees the nodes
 * it empties and merges a node left with one child into it.
 */
#ifndef ZW_ROUTE_MTRIE_H
#define ZW_ROUTE_MTRIE_H

#include <stddef.h>
#include <stdint.h>

typedef struct zw_tnode zw_tnode_t;

typedef struct zw_trie {
    zw_tnode_t *root;   /* NULL when empty */
    uint32_t prefixes;  /* distinct prefixes held (trie) or (prefix, pipe) pairs (mtrie) */
    size_t bytes;       /* heap bytes the nodes hold now (zw_trie_bytes) */
} zw_trie_t;

/* Longest prefix the tries take (add returns -1 beyond it); the decoder caps frames there too. */
#define ZW_TRIE_MAX_PREFIX ((size_t)INT32_MAX)

void zw_trie_init(zw_trie_t *t);
void zw_trie_fini(zw_trie_t *t);
/* Bytes the trie has allocated now, as asked of malloc (allocator overhead not included; the
 * scratch buffer of zw_trie_apply and zw_mtrie_rm_pipe_cb is freed before they return and never
 * counted). Exactly: per node a header (48 bytes on 64-bit, 36 on wasm32), its label and at most
 * 1/16 as many bytes again left over from splits, plus one pointer per child and one per
 * (prefix, pipe) pair. With at most 2n - 1 nodes for n prefixes, that is at most
 * D + D/16 + 2 * (48 + 8) * n (+ 8 per pair) on 64-bit, D the distinct prefix bytes (the bytes of
 * all prefixes, each shared run counted once). 0 when empty: removing every prefix frees every
 * node. */
size_t zw_trie_bytes(const zw_trie_t *t);

/* Counted set. add: 1 = prefix is new, 0 = counted again, -1 = out of memory (or 2^32 - 1
 * references already, or a prefix over ZW_TRIE_MAX_PREFIX; the trie is unchanged).
 * rm: 1 = last reference gone, 0 = still referenced, -1 = not present. */
int zw_trie_add(zw_trie_t *t, const uint8_t *prefix, size_t len);
int zw_trie_rm(zw_trie_t *t, const uint8_t *prefix, size_t len);
/* Whether some prefix in the set is a prefix of data. */
int zw_trie_check(const zw_trie_t *t, const uint8_t *data, size_t len);
/* Calls fn once per distinct prefix, in lexicographic order; fn must not change the trie.
 * Returns -1 if out of memory for a prefix's bytes (that call skipped, the others made). */
int zw_trie_apply(const zw_trie_t *t, void (*fn)(const uint8_t *prefix, size_t len, void *arg),
                  void *arg);

/* Pipe sets. add: 1 = pipe newly subscribed to prefix, 0 = already, -1 = out of memory (or a
 * prefix over ZW_TRIE_MAX_PREFIX; the trie is unchanged).
 * rm: 1 = removed, 0 = pipe was not subscribed to prefix. */
int zw_mtrie_add(zw_trie_t *t, const uint8_t *prefix, size_t len, void *pipe);
int zw_mtrie_rm(zw_trie_t *t, const uint8_t *prefix, size_t len, void *pipe);
/* Removes pipe from every prefix. */
void zw_mtrie_rm_pipe(zw_trie_t *t, void *pipe);
/* The same, calling fn (before the prefix is pruned) for each prefix the pipe was removed from:
 * all of them, or with only_last just those no other pipe is subscribed to (XPUB's cancels for
 * a departed peer). fn must not change the trie. */
void zw_mtrie_rm_pipe_cb(zw_trie_t *t, void *pipe, int only_last,
                         void (*fn)(const uint8_t *prefix, size_t len, void *arg), void *arg);
/* Pipes subscribed to exactly prefix (0 = nobody). */
uint32_t zw_mtrie_count(const zw_trie_t *t, const uint8_t *prefix, size_t len);
/* Calls fn for each pipe subscribed to a prefix of data (a pipe may be named more than once),
 * shorter prefixes first. fn must not change the trie. */
void zw_mtrie_match(const zw_trie_t *t, const uint8_t *data, size_t len,
                    void (*fn)(void *pipe, void *arg), void *arg);

#endif
