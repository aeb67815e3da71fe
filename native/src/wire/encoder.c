/* encoder.c — frame encoding, ZMTP or ZWS headers (see encoder.h). */
#include "wire/encoder.h"

#include <stdlib.h>
#include <string.h>

#include "wire/zmtp.h"

int zmtp_encode_frame(zmtp_buf_t *out, uint8_t wire_flags, const void *body, size_t size) {
    return zw_encode_frame2(ZW_WIRE_ZMTP, out, wire_flags, NULL, 0, body, size);
}

int zmtp_encode_frame2(zmtp_buf_t *out, uint8_t wire_flags, const void *prefix, size_t prefix_len,
                       const void *body, size_t size) {
    return zw_encode_frame2(ZW_WIRE_ZMTP, out, wire_flags, prefix, prefix_len, body, size);
}

/* --- output stream -------------------------------------------------------------------------- */

static void release_retired(zmtp_out_t *o) {
    while (o->retired) {
        zw_frame_t *f = o->retired;
        o->retired = f->next;
        zw_frame_free(f);
    }
}

void zmtp_out_free(zmtp_out_t *o) {
    release_retired(o);
    for (uint32_t i = 0; i < o->refs_count; i++)
        zw_frame_free(o->refs[(o->refs_head + i) % o->refs_cap].frame);
    free(o->refs);
    zmtp_buf_free(&o->buf);
    zw_wire_t wire = o->wire;
    memset(o, 0, sizeof *o);
    o->wire = wire;
}

/* Room for one more ref; -1 when out of memory (the caller then copies instead). */
static int refs_reserve(zmtp_out_t *o) {
    if (o->refs_count < o->refs_cap)
        return 0;
    uint32_t cap = o->refs_cap ? o->refs_cap * 2 : 8;
    if (cap < o->refs_cap)
        return -1;
    zmtp_out_ref_t *r = malloc((size_t)cap * sizeof *r);
    if (!r)
        return -1;
    for (uint32_t i = 0; i < o->refs_count; i++)
        r[i] = o->refs[(o->refs_head + i) % o->refs_cap];
    free(o->refs);
    o->refs = r;
    o->refs_cap = cap;
    o->refs_head = 0;
    return 0;
}

/* Queues f's body after what is buffered; room for the entry was reserved. */
static void queue_ref(zmtp_out_t *o, zw_frame_t *f) {
    f->next = NULL;
    zmtp_out_ref_t *r = &o->refs[(o->refs_head + o->refs_count) % o->refs_cap];
    r->frame = f;
    r->at = o->taken + zmtp_buf_len(&o->buf);
    o->refs_count++;
    o->ref_bytes += f->size;
}

/* Appends a small host body's bytes, read from the host (a view of its own would cost the host
 * more than the copy). 0, or -1 when out of memory (nothing appended). */
static int append_small_ref(zmtp_buf_t *b, const zw_frame_t *f) {
    if (zmtp_buf_reserve(b, f->size) != 0)
        return -1;
    zw_frame_read(f, 0, zmtp_buf_tail(b), f->size);
    b->end += f->size;
    return 0;
}

int zmtp_out_frame(zmtp_out_t *o, uint8_t wire_flags, zw_frame_t *f) {
    int ref = (f->flags & ZW_FRAME_REF) != 0;
    if (ref && f->size < ZMTP_OUT_REF_MIN) {
        int rc = -1;
        if (zmtp_buf_reserve(&o->buf, ZMTP_LONG_HEADER + f->size) == 0) {
            o->buf.end += zw_header_encode(o->wire, zmtp_buf_tail(&o->buf), wire_flags, f->size);
            rc = append_small_ref(&o->buf, f);   /* room reserved: cannot fail */
        }
        zw_frame_free(f);
        return rc;
    }
    if (!ref && (f->size < ZMTP_OUT_REF_MIN || refs_reserve(o) != 0)) {
        int rc = zw_encode_frame2(o->wire, &o->buf, wire_flags, NULL, 0, f->data, f->size);
        zw_frame_free(f);
        return rc;
    }
    if ((ref && refs_reserve(o) != 0) || zmtp_buf_reserve(&o->buf, ZMTP_LONG_HEADER) != 0) {
        zw_frame_free(f);
        return -1;
    }
    o->buf.end += zw_header_encode(o->wire, zmtp_buf_tail(&o->buf), wire_flags, f->size);
    queue_ref(o, f);
    return 0;
}

int zmtp_out_body(zmtp_out_t *o, zw_frame_t *f) {
    if (f->size < ZMTP_OUT_REF_MIN) {
        int rc = (f->flags & ZW_FRAME_REF) ? append_small_ref(&o->buf, f)
                                           : zmtp_buf_append(&o->buf, f->data, f->size);
        zw_frame_free(f);
        return rc;
    }
    if (refs_reserve(o) != 0) {
        zw_frame_free(f);
        return -1;
    }
    queue_ref(o, f);
    return 0;
}

/* The oldest ref when its body is next in the stream, else NULL. */
static zmtp_out_ref_t *body_next(const zmtp_out_t *o) {
    if (!o->refs_count || o->refs[o->refs_head].at != o->taken)
        return NULL;
    return &o->refs[o->refs_head];
}

/* Buffered bytes before the next body (all of buf when no body is queued). */
static size_t buffered_next(const zmtp_out_t *o) {
    size_t n = zmtp_buf_len(&o->buf);
    if (o->refs_count) {
        uint64_t gap = o->refs[o->refs_head].at - o->taken;
        if (gap < n)
            n = (size_t)gap;
    }
    return n;
}

const uint8_t *zmtp_out_view(zmtp_out_t *o, uint32_t max, uint32_t *len, uint32_t *body) {
    release_retired(o);
    zmtp_out_ref_t *r = body_next(o);
    *body = 0;
    if (r && (r->frame->flags & ZW_FRAME_REF)) {
        *body = zw_frame_body(r->frame)->id;
        *len = r->frame->size - o->ref_off;
        return NULL;
    }
    if (r) {
        uint32_t n = r->frame->size - o->ref_off;
        *len = n < max ? n : max;
        return r->frame->data + o->ref_off;
    }
    size_t n = buffered_next(o);
    *len = n < max ? (uint32_t)n : max;
    return o->buf.data ? zmtp_buf_head(&o->buf) : (const uint8_t *)"";
}

void zmtp_out_consume(zmtp_out_t *o, uint64_t n) {
    if (!o->refs_count && !o->retired) {
        /* Only buffered bytes (all small frames): the common case, kept as cheap as before. */
        size_t have = zmtp_buf_len(&o->buf);
        size_t k = n < have ? (size_t)n : have;
        zmtp_buf_consume(&o->buf, k);
        o->taken += k;
        return;
    }
    release_retired(o);
    while (n) {
        zmtp_out_ref_t *r = body_next(o);
        if (r) {
            zw_frame_t *f = r->frame;
            uint32_t k = f->size - o->ref_off;
            if (n < k)
                k = (uint32_t)n;
            o->ref_off += k;
            o->ref_bytes -= k;
            n -= k;
            if (o->ref_off == f->size) {
                /* Not freed yet: the caller may still be reading the view it was shown. */
                f->next = o->retired;
                o->retired = f;
                o->ref_off = 0;
                o->refs_head = (o->refs_head + 1) % o->refs_cap;
                o->refs_count--;
            }
            continue;
        }
        size_t k = buffered_next(o);
        if (k == 0)
            break;  /* nothing left */
        if (n < k)
            k = (size_t)n;
        zmtp_buf_consume(&o->buf, k);
        o->taken += k;
        n -= k;
    }
}
