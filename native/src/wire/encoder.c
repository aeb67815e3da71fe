/* encoder.c — ZMTP 3.x frame encoding (see encoder.h). */
#include "wire/encoder.h"

#include <string.h>

#include "wire/zmtp.h"

size_t zmtp_encode_header_at(uint8_t *p, uint8_t wire_flags, uint64_t size) {
    if (size <= ZMTP_SHORT_MAX) {
        p[0] = wire_flags;
        p[1] = (uint8_t)size;
        return ZMTP_SHORT_HEADER;
    }
    p[0] = (uint8_t)(wire_flags | ZMTP_FLAG_LONG);
    for (int i = 0; i < 8; i++)
        p[1 + i] = (uint8_t)(size >> (56 - 8 * i));
    return ZMTP_LONG_HEADER;
}

int zmtp_encode_frame(zmtp_buf_t *out, uint8_t wire_flags, const void *body, size_t size) {
    return zmtp_encode_frame2(out, wire_flags, NULL, 0, body, size);
}

int zmtp_encode_frame2(zmtp_buf_t *out, uint8_t wire_flags, const void *prefix, size_t prefix_len,
                       const void *body, size_t size) {
    size_t total = prefix_len + size;
    if (zmtp_buf_reserve(out, ZMTP_LONG_HEADER + total) != 0)
        return -1;
    uint8_t *p = zmtp_buf_tail(out);
    p += zmtp_encode_header_at(p, wire_flags, total);
    if (prefix_len) {
        memcpy(p, prefix, prefix_len);
        p += prefix_len;
    }
    if (size) {
        memcpy(p, body, size);
        p += size;
    }
    out->end = (size_t)(p - out->data);
    return 0;
}
