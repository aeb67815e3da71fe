/* idmap.h — out pipes by routing id, for the sockets that address peers by id (ROUTER, STREAM).
 *
 * An open-addressing hash table of pipes (linear probing, backward-shift deletion, so there are
 * no tombstones and a lookup is O(1) on average however many peers come and go). The table stores
 * only pipe pointers; a pipe's id lives in its socket type's per-peer state, and the owner gives
 * the map a function that reads it, so the key is never copied and cannot disagree with the pipe.
 */
#ifndef ZW_ROUTE_IDMAP_H
#define ZW_ROUTE_IDMAP_H

#include <stdint.h>
#include "pipe.h"

/* The id of a pipe held in the map: *len bytes at the returned address. */
typedef const uint8_t *(*zw_idmap_key_fn)(const zw_pipe_t *p, uint32_t *len);

/* A routing id, where a socket type keeps it: first in the pipe's per-peer state (priv), so that
 * zw_rid_key reads it for any such type. */
typedef struct zw_rid {
    uint8_t len;
    uint8_t id[255];
} zw_rid_t;

#define ZW_RID_GENERATED_LEN 5
/* The longest routing id. */
#define ZW_RID_MAX 255

/* The key function for pipes whose priv starts with a zw_rid_t. */
const uint8_t *zw_rid_key(const zw_pipe_t *p, uint32_t *len);
/* libzmq's generated id: 0x00 + the uint32 counter n, big-endian (5 bytes). */
void zw_rid_generate(zw_rid_t *r, uint32_t n);
/* Sets r to [len][id] (a connect routing id, zmqw's len-prefixed form). */
void zw_rid_set(zw_rid_t *r, const uint8_t *len_prefixed);

typedef struct zw_idmap {
    zw_pipe_t **slots;     /* cap entries, NULL = free */
    uint32_t cap;          /* 0 or a power of two */
    uint32_t n;            /* pipes held; kept <= cap * 3/4 */
    zw_idmap_key_fn key;
} zw_idmap_t;

void zw_idmap_init(zw_idmap_t *m, zw_idmap_key_fn key);
void zw_idmap_fini(zw_idmap_t *m);
/* The pipe whose id is id[0, len), or NULL. */
zw_pipe_t *zw_idmap_find(const zw_idmap_t *m, const uint8_t *id, uint32_t len);
/* Adds p under its current id, which no pipe in the map has. ZW_OK or ZW_ENOMEM. */
int zw_idmap_add(zw_idmap_t *m, zw_pipe_t *p);
/* Removes p if it is held (under its current id: change an id only while its pipe is out). */
void zw_idmap_remove(zw_idmap_t *m, zw_pipe_t *p);

#endif
