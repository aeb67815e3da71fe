/* decoder.c — incremental frame decoder, ZMTP or ZWS headers (see decoder.h). */
#include "wire/decoder.h"

#include <string.h>

#include "wire/zmtp.h"
#include "zmqw.h"

void zmtp_decoder_init(zmtp_decoder_t *d, int64_t max_msg_size, zw_wire_t wire) {
    memset(d, 0, sizeof *d);
    d->wire = wire;
    d->state = ZMTP_DEC_FLAGS;
    d->max_data = max_msg_size < 0 || max_msg_size > ZMTP_DEC_MAX_DATA ? ZMTP_DEC_MAX_DATA : max_msg_size;
    d->max_command = d->max_data < ZMTP_COMMAND_SIZE_FLOOR ? ZMTP_COMMAND_SIZE_FLOOR : d->max_data;
}

void zmtp_decoder_fini(zmtp_decoder_t *d) {
    zw_frame_free(d->frame);
    d->frame = NULL;
    if (d->state == ZMTP_DEC_BODY)
        d->state = ZMTP_DEC_ERROR;  /* BODY requires a frame */
}

static zmtp_dec_result_t fail(zmtp_decoder_t *d, int reason, const char *text) {
    zw_frame_free(d->frame);
    d->frame = NULL;
    d->state = ZMTP_DEC_ERROR;
    d->reason = reason;
    d->text = text;
    return ZMTP_DEC_FAIL;
}

static uint32_t frame_flags(uint8_t fl) {
    return ((fl & ZMTP_FLAG_MORE) ? ZW_FRAME_MORE : 0u) |
           ((fl & ZMTP_FLAG_COMMAND) ? ZW_FRAME_COMMAND : 0u);
}

zmtp_dec_result_t zmtp_decoder_decode(zmtp_decoder_t *d, const uint8_t *data, size_t len,
                                      size_t *consumed, zw_frame_t **out) {
    size_t pos = 0;
    *out = NULL;
    switch (d->state) {
    case ZMTP_DEC_ERROR:
        *consumed = 0;
        return ZMTP_DEC_FAIL;
    case ZMTP_DEC_EXTERNAL:   /* the caller has not taken the external frame yet */
        break;

    case ZMTP_DEC_FLAGS:
        if (pos == len)
            break;
        d->hdr_have = 0;
        d->hdr_need = 1;
        d->state = ZMTP_DEC_SIZE;
        /* fall through */
    case ZMTP_DEC_SIZE: {
        /* Each byte of the header is checked as it comes (framing.h): a bad flags byte alone
         * fails, before any size byte is waited for. */
        for (;;) {
            while (d->hdr_have < d->hdr_need) {
                if (pos == len)
                    goto out;
                d->hdr[d->hdr_have++] = data[pos++];
            }
            unsigned need;
            const char *bad;
            zw_header_status_t st = zw_header_parse(d->wire, d->hdr, d->hdr_have, &need,
                                                    &d->wire_flags, &d->size, &bad);
            if (st == ZW_HEADER_BAD) {
                *consumed = pos;
                return fail(d, ZW_CLOSE_PROTOCOL, bad);
            }
            if (st == ZW_HEADER_DONE)
                break;
            d->hdr_need = (uint8_t)need;
        }
        /* The whole size is known: refuse it before allocating anything. */
        int64_t limit = (d->wire_flags & ZMTP_FLAG_COMMAND) ? d->max_command : d->max_data;
        if (d->size > (uint64_t)limit) {
            *consumed = pos;
            return fail(d, ZW_CLOSE_MSG_SIZE, "message too large");
        }
        if ((d->wire_flags & ZMTP_FLAG_COMMAND) && d->size == 0) {
            *consumed = pos;
            return fail(d, ZW_CLOSE_PROTOCOL, "empty command frame");
        }
        if (d->external && !(d->wire_flags & ZMTP_FLAG_COMMAND)) {
            /* Its body is not in this stream (a host body): done at the header. */
            d->external = 0;
            d->state = ZMTP_DEC_EXTERNAL;
            goto out;
        }
        /* Only a first chunk: the header is a claim, the body grows as bytes back it up. */
        size_t first = d->size < ZMTP_DEC_FIRST_CHUNK ? (size_t)d->size : ZMTP_DEC_FIRST_CHUNK;
        zw_frame_t *f = zw_frame_new(first);
        if (!f) {
            *consumed = pos;
            return fail(d, ZW_CLOSE_NO_MEMORY, "out of memory");
        }
        f->flags = frame_flags(d->wire_flags);
        d->frame = f;
        d->body_have = 0;
        d->state = ZMTP_DEC_BODY;
    }
        /* fall through */
    case ZMTP_DEC_BODY: {
        zw_frame_t *f = d->frame;
        size_t want = (size_t)d->size - d->body_have;
        size_t n = len - pos < want ? len - pos : want;
        size_t need = d->body_have + n;
        if (need > f->size) {
            /* Doubling keeps the copies realloc may make O(1) per byte; capping at the declared
             * size makes the finished frame exact; taking at least `need` keeps it one resize
             * per call. Either way the storage is at most twice the bytes received. */
            size_t cap = 2 * (size_t)f->size;
            if (cap < need)
                cap = need;
            if (cap > d->size)
                cap = (size_t)d->size;
            zw_frame_t *g = zw_frame_resize(f, cap);
            if (!g) {
                *consumed = pos;
                return fail(d, ZW_CLOSE_NO_MEMORY, "out of memory");  /* frees f */
            }
            d->frame = f = g;
        }
        if (n) {
            memcpy(f->data + d->body_have, data + pos, n);
            pos += n;
            d->body_have += (uint32_t)n;
        }
        if (d->body_have == d->size) {
            d->frame = NULL;
            d->state = ZMTP_DEC_FLAGS;
            *out = f;
        }
        break;
    }
    }
out:
    *consumed = pos;
    return ZMTP_DEC_OK;
}
