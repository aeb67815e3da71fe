/* framing.h — the two layouts of a frame's header the core speaks, one per kind of transport:
 *
 *   ZW_WIRE_ZMTP  ZMTP 3.x over a byte stream (tcp, ipc; RFC 23/37): flags byte (MORE 0x01,
 *                 LONG 0x02, COMMAND 0x04), then a 1-byte size or, with LONG, an 8-byte
 *                 big-endian size; then the body.
 *   ZW_WIRE_ZWS   ZWS 2.0 over WebSocket messages (RFC 45): one binary message per frame, its
 *                 first byte the flags (0x00 last, 0x01 MORE, 0x02 COMMAND) and no size field.
 *                 The host hands the core each message as an envelope, `u32le length` then the
 *                 message's bytes (the WebSocket framing itself, masking and fragments, is the
 *                 host's: the `ws` package, a browser's WebSocket), and takes the core's output
 *                 the same way; so a ZWS header here is 5 bytes: the length (flags byte
 *                 included, at least 1: an empty message is malformed, as libzmq has it) and
 *                 the flags.
 *
 * Decoder, scanner and encoder all go through these functions, so they agree on every byte.
 * Flags are always given and returned in ZMTP's encoding (ZMTP_FLAG_*), whatever the wire.
 */
#ifndef ZW_WIRE_FRAMING_H
#define ZW_WIRE_FRAMING_H

#include <stddef.h>
#include <stdint.h>

#include "wire/buf.h"

typedef enum zw_wire { ZW_WIRE_ZMTP = 0, ZW_WIRE_ZWS = 1 } zw_wire_t;

/* ZWS 2.0's flags byte (RFC 45). */
#define ZWS_FLAG_MORE 0x01
#define ZWS_FLAG_COMMAND 0x02
#define ZWS_FLAG_RESERVED 0xFC
/* The envelope's length field, and the whole header (length + flags). */
#define ZWS_LEN_SIZE 4
#define ZWS_HEADER 5
/* The longest header of either wire. */
#define ZW_HEADER_MAX 9

typedef enum zw_header_status {
    ZW_HEADER_MORE = 0,   /* needs more bytes: *need says how many in all */
    ZW_HEADER_DONE = 1,   /* complete: flags, size and *need (its length) set */
    ZW_HEADER_BAD = 2     /* malformed: *bad says why */
} zw_header_status_t;

/* Parses the first `have` bytes of a header (have >= 1; call again with more until DONE). Each
 * byte is checked as soon as it is there: a bad flags byte is refused alone. */
zw_header_status_t zw_header_parse(zw_wire_t w, const uint8_t *h, unsigned have, unsigned *need,
                                   uint8_t *flags, uint64_t *size, const char **bad);

/* Header bytes for a body of `size`. */
static inline size_t zw_header_size(zw_wire_t w, uint64_t size) {
    return w == ZW_WIRE_ZWS ? ZWS_HEADER : size <= 255 ? 2 : 9;
}

/* Writes a header at p (room for zw_header_size bytes); returns bytes written. flags: MORE or
 * COMMAND in ZMTP's encoding (ZMTP's LONG is added where needed). size < 2^32 - 1 for ZWS. */
size_t zw_header_encode(zw_wire_t w, uint8_t *p, uint8_t flags, uint64_t size);

/* Appends header + prefix_len bytes of prefix + size bytes of body as one frame. 0, or -1 when
 * out of memory (nothing appended). */
int zw_encode_frame2(zw_wire_t w, zmtp_buf_t *out, uint8_t flags, const void *prefix,
                     size_t prefix_len, const void *body, size_t size);

#endif
