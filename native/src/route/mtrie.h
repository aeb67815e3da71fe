/* mtrie.h — subscription prefix tries.
 *
 * One node per prefix byte. Two uses share the node type:
 *  - zw_trie_*: a counted set of prefixes (SUB side). Subscribing twice needs two cancels;
 *    add/rm say when a prefix appears or disappears, which is when SUB tells its peers.
 *  - zw_mtrie_*: prefix -> set of pipes (PUB side). As libzmq's mtrie, a pipe is stored once per
 *    prefix: a repeated SUBSCRIBE is a no-op and one CANCEL removes it.
 * Every walk is iterative (prefixes come from peers and may be long); empty branches are pruned.
 */
#ifndef ZW_ROUTE_MTRIE_H
#define ZW_ROUTE_MTRIE_H

#include <stddef.h>
#include <stdint.h>

typedef struct zw_tnode zw_tnode_t;

typedef struct zw_trie {
    zw_tnode_t *root;   /* NULL when empty */
    uint32_t prefixes;  /* distinct prefixes held (trie) or (prefix, pipe) pairs (mtrie) */
} zw_trie_t;

void zw_trie_init(zw_trie_t *t);
void zw_trie_fini(zw_trie_t *t);

/* Counted set. add: 1 = prefix is new, 0 = counted again, -1 = out of memory.
 * rm: 1 = last reference gone, 0 = still referenced, -1 = not present. */
int zw_trie_add(zw_trie_t *t, const uint8_t *prefix, size_t len);
int zw_trie_rm(zw_trie_t *t, const uint8_t *prefix, size_t len);
/* Whether some prefix in the set is a prefix of data. */
int zw_trie_check(const zw_trie_t *t, const uint8_t *data, size_t len);
/* Calls fn once per distinct prefix. Returns -1 if out of memory (walk incomplete). */
int zw_trie_apply(const zw_trie_t *t, void (*fn)(const uint8_t *prefix, size_t len, void *arg),
                  void *arg);

/* Pipe sets. add: 1 = pipe newly subscribed to prefix, 0 = already, -1 = out of memory.
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
/* Calls fn for each pipe subscribed to a prefix of data (a pipe may be named more than once). */
void zw_mtrie_match(const zw_trie_t *t, const uint8_t *data, size_t len,
                    void (*fn)(void *pipe, void *arg), void *arg);

#endif
