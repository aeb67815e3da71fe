/* command.c — ZMTP commands (see command.h). */
#include "wire/command.h"

#include <string.h>

#include "wire/encoder.h"
#include "wire/zmtp.h"

int zmtp_cmd_parse(const uint8_t *body, uint32_t size, zmtp_cmd_t *out) {
    if (size < 1 || (uint32_t)body[0] + 1 > size)
        return -1;
    out->name_len = body[0];
    out->name = body + 1;
    out->data = body + 1 + body[0];
    out->data_len = size - 1 - body[0];
    return 0;
}

int zmtp_cmd_is(const zmtp_cmd_t *c, const char *name, size_t name_len) {
    return c->name_len == name_len && memcmp(c->name, name, name_len) == 0;
}

static uint8_t lower(uint8_t ch) { return ch >= 'A' && ch <= 'Z' ? (uint8_t)(ch + 32) : ch; }

int zmtp_prop_name_is(const uint8_t *name, uint8_t name_len, const char *want, size_t want_len) {
    if (name_len != want_len)
        return 0;
    for (size_t i = 0; i < want_len; i++)
        if (lower(name[i]) != lower((uint8_t)want[i]))
            return 0;
    return 1;
}

static uint32_t be32(const uint8_t *p) {
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

int zmtp_props_walk(const uint8_t *data, uint32_t len, zmtp_prop_fn fn, void *ctx) {
    uint32_t pos = 0;
    while (pos < len) {
        uint8_t name_len = data[pos++];
        /* Lengths are compared against what is left, never added to pos first: no overflow. */
        if (name_len > len - pos)
            return -1;
        const uint8_t *name = data + pos;
        pos += name_len;
        if (len - pos < ZMTP_PROP_VALUE_LEN_SIZE)
            return -1;
        uint32_t value_len = be32(data + pos);
        pos += ZMTP_PROP_VALUE_LEN_SIZE;
        if (value_len > len - pos)
            return -1;
        int rc = fn(ctx, name, name_len, data + pos, value_len);
        if (rc)
            return rc;
        pos += value_len;
    }
    return 0;
}

int zmtp_cmd_write_props(zmtp_buf_t *out, const char *name, const zmtp_prop_t *props, size_t n) {
    size_t name_len = strlen(name);
    size_t size = 1 + name_len;
    for (size_t i = 0; i < n; i++)
        size += 1 + strlen(props[i].name) + ZMTP_PROP_VALUE_LEN_SIZE + props[i].value_len;
    if (zmtp_buf_reserve(out, ZMTP_LONG_HEADER + size) != 0)
        return -1;
    uint8_t *p = zmtp_buf_tail(out);
    p += zw_header_encode(ZW_WIRE_ZMTP, p, ZMTP_FLAG_COMMAND, size);
    *p++ = (uint8_t)name_len;
    memcpy(p, name, name_len);
    p += name_len;
    for (size_t i = 0; i < n; i++) {
        size_t pn = strlen(props[i].name);
        uint32_t vl = props[i].value_len;
        *p++ = (uint8_t)pn;
        memcpy(p, props[i].name, pn);
        p += pn;
        *p++ = (uint8_t)(vl >> 24);
        *p++ = (uint8_t)(vl >> 16);
        *p++ = (uint8_t)(vl >> 8);
        *p++ = (uint8_t)vl;
        if (vl)
            memcpy(p, props[i].value, vl);
        p += vl;
    }
    out->end = (size_t)(p - out->data);
    return 0;
}

int zmtp_cmd_write(zmtp_buf_t *out, const char *name, const void *data, size_t len) {
    uint8_t head[256];
    size_t name_len = strlen(name);
    head[0] = (uint8_t)name_len;
    memcpy(head + 1, name, name_len);
    return zmtp_encode_frame2(out, ZMTP_FLAG_COMMAND, head, 1 + name_len, data, len);
}

int zmtp_cmd_write_error(zmtp_buf_t *out, const char *reason) {
    uint8_t body[256];
    size_t n = strlen(reason);
    if (n > 255)
        n = 255;
    body[0] = (uint8_t)n;
    memcpy(body + 1, reason, n);
    return zmtp_cmd_write(out, ZMTP_CMD_ERROR, body, 1 + n);
}

int zmtp_cmd_parse_error(const zmtp_cmd_t *c, const uint8_t **reason, uint8_t *reason_len) {
    if (c->data_len < 1 || (uint32_t)c->data[0] + 1 > c->data_len)
        return -1;
    *reason_len = c->data[0];
    *reason = c->data + 1;
    return 0;
}
