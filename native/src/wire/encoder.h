/* encoder.h — ZMTP 3.x frame encoding into an output byte buffer.
 *
 * Header: flags + 1-byte size when the body is <= 255 bytes, else flags|LONG + 8-byte big-endian
 * size (libzmq does the same; peers must accept LONG for any size, but we only use it above 255).
 */
#ifndef ZW_WIRE_ENCODER_H
#define ZW_WIRE_ENCODER_H

#include <stddef.h>
#include <stdint.h>

#include "wire/buf.h"

/* Header bytes for a body of `size`. */
static inline size_t zmtp_header_size(size_t size) { return size <= 255 ? 2 : 9; }

/* Writes a header at p (room for zmtp_header_size(size) bytes); returns bytes written.
 * wire_flags: ZMTP_FLAG_MORE / ZMTP_FLAG_COMMAND; LONG is added here when needed. */
size_t zmtp_encode_header_at(uint8_t *p, uint8_t wire_flags, uint64_t size);

/* Appends header + body. 0 on success, -1 when out of memory (nothing appended). */
int zmtp_encode_frame(zmtp_buf_t *out, uint8_t wire_flags, const void *body, size_t size);

/* Appends header + `prefix_len` bytes of prefix + body, as one frame of prefix_len + size bytes
 * (commands: name length and name; message-form subscriptions: the 0x01/0x00 byte). */
int zmtp_encode_frame2(zmtp_buf_t *out, uint8_t wire_flags, const void *prefix, size_t prefix_len,
                       const void *body, size_t size);

#endif
