/* encoder.h — frame encoding into an output byte buffer: ZMTP 3.x headers for the buffer-level
 * helpers (handshake commands are built as ZMTP frames, whatever the wire), the output stream's
 * own wire for zmtp_out_t (wire/framing.h).
 *
 * ZMTP header: flags + 1-byte size when the body is <= 255 bytes, else flags|LONG + 8-byte
 * big-endian size (libzmq does the same; peers must accept LONG for any size, but we only use it
 * above 255).
 */
#ifndef ZW_WIRE_ENCODER_H
#define ZW_WIRE_ENCODER_H

#include <stddef.h>
#include <stdint.h>

#include "base/frame.h"
#include "wire/buf.h"
#include "wire/framing.h"
#include "zmqw.h"

/* Appends header + body. 0 on success, -1 when out of memory (nothing appended). */
int zmtp_encode_frame(zmtp_buf_t *out, uint8_t wire_flags, const void *body, size_t size);

/* Appends header + `prefix_len` bytes of prefix + body, as one frame of prefix_len + size bytes
 * (commands: name length and name; message-form subscriptions: the 0x01/0x00 byte). */
int zmtp_encode_frame2(zmtp_buf_t *out, uint8_t wire_flags, const void *prefix, size_t prefix_len,
                       const void *body, size_t size);

/* --- the output stream: buffered bytes interleaved with large bodies held by reference ------
 *
 * A frame body of at least ZMTP_OUT_REF_MIN bytes is not copied: only its header goes into
 * `buf` and the frame itself is queued, to be shown to the host straight from frame->data. Each
 * queued frame records where in the buffered byte stream its body belongs, so the stream reads
 * header, body, header, ... exactly as if everything had been copied (the wire bytes are the
 * same either way). A view never spans a buffered part and a body: each is one contiguous span.
 */

/* Why 8 KiB: a body sent by reference costs one more view (one more zw_conn_output call and one
 * more socket write on the host), which is dearer than copying a small body; from a few KiB on
 * the copy dominates. Small frames keep being packed together into one view. */
#define ZMTP_OUT_REF_MIN ((uint32_t)ZW_BODY_MIN)

typedef struct zmtp_out_ref {
    zw_frame_t *frame;  /* owned; its body is sent as is */
    uint64_t at;        /* value of taken (below) once every buffered byte before the body is gone */
} zmtp_out_ref_t;

typedef struct zmtp_out {
    zw_wire_t wire;          /* the header layout of encoded frames (0: ZMTP) */
    zmtp_buf_t buf;          /* encoded bytes, except the bodies in refs */
    uint64_t taken;          /* bytes of buf consumed so far (monotonic) */
    zmtp_out_ref_t *refs;    /* ring of frames sent by reference, in stream order */
    uint32_t refs_cap;       /* entries allocated */
    uint32_t refs_head;      /* index of the oldest entry */
    uint32_t refs_count;     /* live entries */
    uint32_t ref_off;        /* body bytes of the oldest entry already consumed */
    uint64_t ref_bytes;      /* body bytes in refs not yet consumed */
    zw_frame_t *retired;     /* fully consumed ref frames, freed at the next view/consume: the
                              * last view returned may still point into one */
} zmtp_out_t;

/* Frees everything, queued frames included; the stream may be reused afterwards (empty). */
void zmtp_out_free(zmtp_out_t *o);
/* Encodes a frame, taking ownership of f in every case. Large bodies and host bodies (ref
 * frames, whose bytes the core does not have) are queued by reference, others copied (then f is
 * freed). 0 on success, -1 when out of memory (nothing appended). */
int zmtp_out_frame(zmtp_out_t *o, uint8_t wire_flags, zw_frame_t *f);
/* Bytes not yet consumed: buffered ones plus the rest of every queued body. */
static inline uint64_t zmtp_out_pending(const zmtp_out_t *o) {
    return zmtp_buf_len(&o->buf) + o->ref_bytes;
}
/* A contiguous view of up to max next bytes (*len = 0 when empty; never NULL), valid until the
 * next call on o; a body view also survives the zmtp_out_consume that finishes its frame. When the
 * next bytes are a host body (a ref frame), *body is its id and the view is NULL, the whole rest
 * of the body whatever max is: the host writes it from its own copy; *body = 0 otherwise. */
const uint8_t *zmtp_out_view(zmtp_out_t *o, uint32_t max, uint32_t *len, uint32_t *body);
/* Queues f's body with no header (raw output: STREAM), by reference as zmtp_out_frame does for a
 * large or ref frame; takes f. 0 on success, -1 when out of memory (nothing queued). */
int zmtp_out_body(zmtp_out_t *o, zw_frame_t *f);
/* Drops the next n bytes (clamped to what is pending); may span views. */
void zmtp_out_consume(zmtp_out_t *o, uint64_t n);

#endif
