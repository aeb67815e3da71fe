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
#include <string.h>

enum {
    ZW_FRAME_MORE = 1u << 0,       /* another frame of the same message follows */
    ZW_FRAME_COMMAND = 1u << 1,    /* a ZMTP command (body = name length, name, data) */
    ZW_FRAME_SUBSCRIBE = 1u << 2,  /* body = topic prefix; encoded per peer version */
    ZW_FRAME_CANCEL = 1u << 3,     /* body = topic prefix; encoded per peer version */
    ZW_FRAME_REF = 1u << 4         /* the body is the host's (zmqw.h, body refs): data holds a
                                    * zw_body_t *, size is the body's length */
};

/* A body the host holds (zmqw.h: a ZW_BATCH_REF frame). The core never copies it: the engine
 * shows it to the host as a ref when writing, and the few places that must look at a message's
 * bytes (a topic, a routing id, a subscription) read what they need through `host->read`. Frames
 * sharing a body (PUB's copies for each peer) count it in `refs`; when the last goes, the host
 * hears `host->release` once, whatever the number of copies. */
typedef struct zw_body_host {
    void (*read)(void *ctx, uint32_t id, uint32_t offset, uint8_t *dst, uint32_t len);
    void (*release)(void *ctx, uint32_t id);
    void *ctx;
} zw_body_host_t;

typedef struct zw_body {
    uint32_t refs;               /* frames pointing at it */
    uint32_t id;                 /* the host's id */
    const zw_body_host_t *host;
} zw_body_t;

typedef struct zw_frame {
    struct zw_frame *next;  /* intrusive link, owned by whichever queue holds the frame */
    uint32_t size;          /* body bytes; may be lowered in place (never above alloc, except
                             * for a ref frame, whose alloc holds only its zw_body_t pointer) */
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
/* A frame of `size` bytes whose body is host body `id` (ZW_FRAME_REF | flags); the host's
 * reference passes to the frame. NULL when out of memory (the reference is still the caller's). */
zw_frame_t *zw_frame_ref(const zw_body_host_t *host, uint32_t id, size_t size, uint32_t flags);
/* A copy of f (same flags and size): a ref frame shares f's body, others copy the bytes. */
zw_frame_t *zw_frame_clone(const zw_frame_t *f);
/* f's host body, or NULL when its bytes are in the core. (memcpy: data is not pointer-aligned.) */
static inline zw_body_t *zw_frame_body(const zw_frame_t *f) {
    zw_body_t *b = NULL;
    if (f->flags & ZW_FRAME_REF)
        memcpy(&b, f->data, sizeof b);
    return b;
}
/* Copies n bytes from offset off of f's body (off + n <= size), through the host for a ref. */
void zw_frame_read(const zw_frame_t *f, size_t off, void *dst, size_t n);
/* The first n bytes of f's body (n <= size) as one contiguous span: f->data itself, or for a ref
 * frame a copy in tmp (when n <= tmp_size) or in *heap (malloc'd, the caller frees it). NULL when
 * out of memory. */
const uint8_t *zw_frame_head(const zw_frame_t *f, size_t n, uint8_t *tmp, size_t tmp_size,
                             uint8_t **heap);
/* f itself when its bytes are in the core, else a frame holding a copy of them in place of f
 * (which is freed); NULL when out of memory (f is then freed too). For the rare places that need
 * a whole message body as bytes (a subscription message of XSUB or XPUB). */
zw_frame_t *zw_frame_inline(zw_frame_t *f);
/* Accepts NULL. */
void zw_frame_free(zw_frame_t *f);

/* Live frame count, for leak checks in tests. */
int64_t zw_frame_live(void);
/* Heap bytes held by live frames (headers + allocated bodies), for memory checks in tests. */
int64_t zw_frame_live_bytes(void);

#endif
