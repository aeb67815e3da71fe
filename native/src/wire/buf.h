/* buf.h — growable byte buffer with a consume offset, for engine input and output.
 *
 * Live bytes are data[start, end). Appending compacts (moves live bytes to the front) only when
 * the consumed prefix is at least as large as the live part, so each byte is moved O(1) times on
 * average; otherwise the buffer doubles. Consuming everything resets both offsets to 0.
 */
#ifndef ZW_WIRE_BUF_H
#define ZW_WIRE_BUF_H

#include <stddef.h>
#include <stdint.h>

typedef struct zmtp_buf {
    uint8_t *data;  /* NULL until first use */
    size_t cap;     /* bytes allocated */
    size_t start;   /* first live byte; <= end */
    size_t end;     /* one past the last live byte; <= cap */
} zmtp_buf_t;

/* Makes room for n more bytes at the end; 0 on success, -1 when out of memory. */
int zmtp_buf_reserve(zmtp_buf_t *b, size_t n);
/* 0 on success, -1 when out of memory (nothing appended). */
int zmtp_buf_append(zmtp_buf_t *b, const void *p, size_t n);
/* Drops n live bytes from the front (n <= live bytes). */
void zmtp_buf_consume(zmtp_buf_t *b, size_t n);
void zmtp_buf_free(zmtp_buf_t *b);

static inline size_t zmtp_buf_len(const zmtp_buf_t *b) { return b->end - b->start; }
/* First live byte; NULL for a buffer never used or released (its length is then 0). The test
 * is there because NULL + 0 is undefined behaviour in C, even though no byte is touched. */
static inline uint8_t *zmtp_buf_head(const zmtp_buf_t *b) {
    return b->data ? b->data + b->start : NULL;
}
/* Free space after zmtp_buf_reserve (never NULL after a successful reserve of n > 0); advance
 * with b->end += n. NULL, like zmtp_buf_head, for a buffer with no storage. */
static inline uint8_t *zmtp_buf_tail(const zmtp_buf_t *b) {
    return b->data ? b->data + b->end : NULL;
}

#endif
