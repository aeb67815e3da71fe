/* framing.c — frame headers on the ZMTP and ZWS wires (see framing.h). */
#include "wire/framing.h"

#include <string.h>

#include "wire/zmtp.h"

#define BAD_RESERVED "reserved frame flag bits set"
#define BAD_MORE_COMMAND "MORE flag set on a command"

static zw_header_status_t zmtp_parse(const uint8_t *h, unsigned have, unsigned *need,
                                     uint8_t *flags, uint64_t *size, const char **bad) {
    uint8_t fl = h[0];
    if ((fl & ZMTP_FLAG_RESERVED) || ((fl & ZMTP_FLAG_COMMAND) && (fl & ZMTP_FLAG_MORE))) {
        *bad = fl & ZMTP_FLAG_RESERVED ? BAD_RESERVED : BAD_MORE_COMMAND;
        return ZW_HEADER_BAD;
    }
    *need = (fl & ZMTP_FLAG_LONG) ? ZMTP_LONG_HEADER : ZMTP_SHORT_HEADER;
    if (have < *need) return ZW_HEADER_MORE;
    uint64_t n = 0;
    for (unsigned i = 1; i < *need; i++) n = n << 8 | h[i];
    *flags = (uint8_t)(fl & ~ZMTP_FLAG_LONG);
    *size = n;
    return ZW_HEADER_DONE;
}

static zw_header_status_t zws_parse(const uint8_t *h, unsigned have, unsigned *need,
                                    uint8_t *flags, uint64_t *size, const char **bad) {
    *need = have < ZWS_LEN_SIZE ? ZWS_LEN_SIZE : ZWS_HEADER;
    if (have < ZWS_LEN_SIZE) return ZW_HEADER_MORE;
    uint32_t len = (uint32_t)h[0] | (uint32_t)h[1] << 8 | (uint32_t)h[2] << 16 | (uint32_t)h[3] << 24;
    if (len == 0) {
        *bad = "empty WebSocket message";
        return ZW_HEADER_BAD;
    }
    if (have < ZWS_HEADER) return ZW_HEADER_MORE;
    uint8_t fl = h[4];
    if ((fl & ZWS_FLAG_RESERVED) || fl == (ZWS_FLAG_MORE | ZWS_FLAG_COMMAND)) {
        *bad = fl & ZWS_FLAG_RESERVED ? BAD_RESERVED : BAD_MORE_COMMAND;
        return ZW_HEADER_BAD;
    }
    *flags = (uint8_t)((fl & ZWS_FLAG_MORE ? ZMTP_FLAG_MORE : 0) | (fl & ZWS_FLAG_COMMAND ? ZMTP_FLAG_COMMAND : 0));
    *size = len - 1;
    return ZW_HEADER_DONE;
}

zw_header_status_t zw_header_parse(zw_wire_t w, const uint8_t *h, unsigned have, unsigned *need,
                                   uint8_t *flags, uint64_t *size, const char **bad) {
    return w == ZW_WIRE_ZWS ? zws_parse(h, have, need, flags, size, bad)
                            : zmtp_parse(h, have, need, flags, size, bad);
}

size_t zw_header_encode(zw_wire_t w, uint8_t *p, uint8_t flags, uint64_t size) {
    if (w == ZW_WIRE_ZWS) {
        uint32_t len = (uint32_t)size + 1;
        p[0] = (uint8_t)len;
        p[1] = (uint8_t)(len >> 8);
        p[2] = (uint8_t)(len >> 16);
        p[3] = (uint8_t)(len >> 24);
        p[4] = (uint8_t)((flags & ZMTP_FLAG_MORE ? ZWS_FLAG_MORE : 0) | (flags & ZMTP_FLAG_COMMAND ? ZWS_FLAG_COMMAND : 0));
        return ZWS_HEADER;
    }
    if (size <= ZMTP_SHORT_MAX) {
        p[0] = flags;
        p[1] = (uint8_t)size;
        return ZMTP_SHORT_HEADER;
    }
    p[0] = (uint8_t)(flags | ZMTP_FLAG_LONG);
    for (int i = 0; i < 8; i++) p[1 + i] = (uint8_t)(size >> (56 - 8 * i));
    return ZMTP_LONG_HEADER;
}

int zw_encode_frame2(zw_wire_t w, zmtp_buf_t *out, uint8_t flags, const void *prefix,
                     size_t prefix_len, const void *body, size_t size) {
    size_t total = prefix_len + size;
    if (zmtp_buf_reserve(out, ZW_HEADER_MAX + total) != 0) return -1;
    uint8_t *p = zmtp_buf_tail(out);
    p += zw_header_encode(w, p, flags, total);
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
