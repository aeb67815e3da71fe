/* decoder.h — incremental frame decoder, for ZMTP 3.x and ZWS 2.0 headers (wire/framing.h).
 *
 * A state machine that always knows what it needs next: a header's bytes (ZMTP: the flags byte,
 * a 1- or 8-byte big-endian size; ZWS: the envelope's length and the flags byte), then the body. It decodes at most one frame per call, from whatever bytes the
 * caller has (one byte or a megabyte), and copies each body byte once from the caller into the
 * frame (growing a large frame may move what it holds: amortised O(1) per byte).
 *
 * Memory follows what the peer sent, not what its header declares: a body is first given
 * min(size, ZMTP_DEC_FIRST_CHUNK) bytes, and grows (doubling, capped at the declared size) only
 * as bytes arrive beyond that, so a frame in progress holds at most max(first chunk, 2 x body
 * bytes received). A 9-byte header declaring 2 GiB costs 64 KiB, not 2 GiB, until the peer
 * actually sends the body. Frames up to the first chunk are allocated once, at their size.
 *
 * Every peer byte is hostile: reserved flag bits, MORE on a command, and any size above the limit
 * or above INT32_MAX are refused from the header alone, before anything is allocated. A 64-bit
 * size from the wire is never trusted.
 *
 * Size limit: max_msg_size applies to each data frame on its own, as libzmq does (a multipart
 * message of many frames each under the limit is accepted — deliberate, for interop with libzmq).
 * Command frames have their own limit, max(max_msg_size, ZMTP_COMMAND_SIZE_FLOOR), so a tiny
 * maxMessageSize never breaks the handshake.
 */
#ifndef ZW_WIRE_DECODER_H
#define ZW_WIRE_DECODER_H

#include <stddef.h>
#include <stdint.h>

#include "base/frame.h"
#include "wire/framing.h"
#include "zmqw.h"

/* Body bytes allocated for a frame before any of it arrives (or its size, if smaller). Large
 * enough that typical frames never grow; small enough that a lying header costs little. */
#define ZMTP_DEC_FIRST_CHUNK (64u * 1024u)

typedef enum zmtp_dec_state {
    ZMTP_DEC_FLAGS = 0,  /* waiting for a header's first byte */
    ZMTP_DEC_SIZE,       /* collecting the rest of the header (hdr) */
    ZMTP_DEC_BODY,       /* filling frame->data; frame != NULL, size is final */
    ZMTP_DEC_EXTERNAL,   /* a data frame's header is done and its body is elsewhere (`external`):
                          * wire_flags and size describe it; zmtp_decoder_external_done goes on */
    ZMTP_DEC_ERROR       /* terminal; reason/text set */
} zmtp_dec_state_t;

typedef enum zmtp_dec_result {
    ZMTP_DEC_OK = 0,     /* consumed what it could; *out is a frame or NULL (needs more) */
    ZMTP_DEC_FAIL = 1    /* malformed, oversized or out of memory; decoder is in ERROR */
} zmtp_dec_result_t;

typedef struct zmtp_decoder {
    zmtp_dec_state_t state;
    zw_wire_t wire;          /* which header layout */
    uint8_t wire_flags;      /* flags of the frame being decoded, ZMTP's encoding (after SIZE) */
    uint8_t hdr[ZW_HEADER_MAX]; /* the header's bytes so far (SIZE) */
    uint8_t hdr_have;
    uint8_t hdr_need;        /* bytes the header needs as far as known (framing.h) */
    uint64_t size;           /* declared body size (final after SIZE) */
    zw_frame_t *frame;       /* the frame being filled, owned; non-NULL only in BODY; its ->size
                              * is the storage allocated so far: body_have <= ->size <= size */
    uint32_t body_have;      /* body bytes filled so far (< size in BODY) */
    int64_t max_data;        /* limit for data frames; -1 = INT32_MAX only */
    uint8_t external;        /* the data frame whose header completes next has its body elsewhere
                              * (the engine's host body): stop at its header, in EXTERNAL */
    int64_t max_command;     /* limit for command frames */
    int reason;              /* ZW_CLOSE_* in ERROR */
    const char *text;        /* static text in ERROR */
} zmtp_decoder_t;

/* The largest data frame taken: what a zw_recv batch frame can carry (ZW_BATCH_LEN_MASK, 1 GiB -
 * 1) until received bodies travel as refs too; a larger one closes the connection as one over
 * maxMessageSize does. */
#define ZMTP_DEC_MAX_DATA ((int64_t)ZW_BATCH_LEN_MASK)

/* max_msg_size: -1 = unlimited (still capped at ZMTP_DEC_MAX_DATA). */
void zmtp_decoder_init(zmtp_decoder_t *d, int64_t max_msg_size, zw_wire_t wire);
/* Frees a partly filled frame. The decoder may be re-initialised afterwards. */
void zmtp_decoder_fini(zmtp_decoder_t *d);

/* Decodes from data[0..len); data may be NULL when len is 0. *consumed = bytes used (all of
 * them unless a frame completed or decoding failed). *out = the completed frame (ownership
 * passes to the caller; flags carry ZW_FRAME_MORE and ZW_FRAME_COMMAND; ->size is the declared
 * size and the frame holds exactly that) or NULL. On ZMTP_DEC_FAIL see d->reason and d->text:
 * ZW_CLOSE_PROTOCOL or ZW_CLOSE_MSG_SIZE for a bad header, ZW_CLOSE_NO_MEMORY when the body's
 * first chunk or a later growth cannot be allocated (the partial frame is freed). A failure can
 * only come from a header or from body bytes beyond the storage already allocated. */
zmtp_dec_result_t zmtp_decoder_decode(zmtp_decoder_t *d, const uint8_t *data, size_t len,
                                      size_t *consumed, zw_frame_t **out);

/* After EXTERNAL: the next frame. */
static inline void zmtp_decoder_external_done(zmtp_decoder_t *d) {
    if (d->state == ZMTP_DEC_EXTERNAL)
        d->state = ZMTP_DEC_FLAGS;
}

/* Body bytes the header declared that have not arrived yet (0 unless in BODY state). Not the
 * free storage: the frame grows as they arrive. */
static inline uint32_t zmtp_decoder_body_missing(const zmtp_decoder_t *d) {
    return d->state == ZMTP_DEC_BODY ? (uint32_t)d->size - d->body_have : 0;
}

#endif
