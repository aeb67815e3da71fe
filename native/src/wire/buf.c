/* buf.c — growable byte buffer (see buf.h). */
#include "wire/buf.h"

#include <stdlib.h>
#include <string.h>

/* A buffer this large is released when it drains, so one burst does not pin memory forever. */
#define BUF_KEEP_MAX (256u * 1024u)
#define BUF_MIN_CAP 4096u

int zmtp_buf_reserve(zmtp_buf_t *b, size_t n) {
    if (b->cap - b->end >= n)
        return 0;
    size_t live = b->end - b->start;
    if (n > SIZE_MAX / 2 - live)
        return -1;
    /* Compact when the dead prefix is at least the live part: the move then costs no more than
     * the bytes already consumed, which keeps appends amortised O(1) per byte. */
    if (b->start >= live && b->cap - live >= n) {
        memmove(b->data, b->data + b->start, live);
        b->start = 0;
        b->end = live;
        return 0;
    }
    size_t cap = b->cap ? b->cap : BUF_MIN_CAP;
    while (cap < live + n)
        cap *= 2;
    if (b->start == 0) {
        uint8_t *d = realloc(b->data, cap);
        if (!d)
            return -1;
        b->data = d;
    } else {
        uint8_t *d = malloc(cap);
        if (!d)
            return -1;
        if (live)
            memcpy(d, b->data + b->start, live);
        free(b->data);
        b->data = d;
        b->start = 0;
        b->end = live;
    }
    b->cap = cap;
    return 0;
}

int zmtp_buf_append(zmtp_buf_t *b, const void *p, size_t n) {
    if (n == 0)
        return 0;
    if (zmtp_buf_reserve(b, n) != 0)
        return -1;
    memcpy(b->data + b->end, p, n);
    b->end += n;
    return 0;
}

void zmtp_buf_consume(zmtp_buf_t *b, size_t n) {
    b->start += n;
    if (b->start == b->end) {
        b->start = b->end = 0;
        if (b->cap > BUF_KEEP_MAX) {
            free(b->data);
            b->data = NULL;
            b->cap = 0;
        }
    }
}

void zmtp_buf_free(zmtp_buf_t *b) {
    free(b->data);
    b->data = NULL;
    b->cap = b->start = b->end = 0;
}
