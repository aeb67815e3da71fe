/* frame.h — one ZMTP frame as the core carries it between engine, pipes and sockets.
 *
 * A frame is one heap block: header + body. Pipes and queues link frames through `next`, so
 * moving a frame never copies or allocates. Ownership moves with the pointer: whoever holds a
 * frame either passes it on or frees it with zw_frame_free.
 */
#ifndef ZW_BASE_FRAME_H
#define ZW_BASE_FRAME_H

#include <stddef.h>
#include <stdint.h>

enum {
    ZW_FRAME_MORE = 1u << 0,       /* another frame of the same message follows */
    ZW_FRAME_COMMAND = 1u << 1,    /* a ZMTP command (body = name length, name, data) */
    ZW_FRAME_SUBSCRIBE = 1u << 2,  /* body = topic prefix; encoded per peer version */
    ZW_FRAME_CANCEL = 1u << 3      /* body = topic prefix; encoded per peer version */
};

typedef struct zw_frame {
    struct zw_frame *next;  /* intrusive link, owned by whichever queue holds the frame */
    uint32_t size;          /* body bytes; may be lowered in place (never above alloc) */
    uint32_t flags;         /* ZW_FRAME_* */
    uint32_t alloc;         /* body bytes allocated, >= size; only zw_frame_new/resize set it */
    uint8_t data[];         /* body */
} zw_frame_t;

/* NULL when out of memory or size is absurd (> 2^31 - 1). Body is uninitialised. */
zw_frame_t *zw_frame_new(size_t size);
/* A new frame holding a copy of data (data may be NULL when size is 0). */
zw_frame_t *zw_frame_dup(const void *data, size_t size, uint32_t flags);
/* Reallocates f's body to size bytes (size and alloc both become size), keeping the first
 * min(old, new) body bytes, flags and next; bytes beyond the old size are uninitialised. Returns
 * the frame, which may have moved: only for a frame no queue or view points at (e.g. the one a
 * decoder is filling). NULL when out of memory or size is absurd (> 2^31 - 1); f is then
 * untouched and still the caller's. */
zw_frame_t *zw_frame_resize(zw_frame_t *f, size_t size);
/* Accepts NULL. */
void zw_frame_free(zw_frame_t *f);

/* Live frame count, for leak checks in tests. */
int64_t zw_frame_live(void);
/* Heap bytes held by live frames (headers + allocated bodies), for memory checks in tests. */
int64_t zw_frame_live_bytes(void);

#endif
