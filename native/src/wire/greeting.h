/* greeting.h — the ZMTP 3.x greeting: build ours, check the peer's as its bytes arrive.
 *
 * We send all 64 bytes at once (libzmq accepts it; it gives up ZMTP 1.0/2.0 peers, which we
 * refuse anyway). The peer's greeting is checked on every prefix that is available, so a wrong
 * signature or an old version is refused as soon as the deciding byte arrives rather than after
 * 64 bytes that an old peer would never send.
 */
#ifndef ZW_WIRE_GREETING_H
#define ZW_WIRE_GREETING_H

#include <stddef.h>
#include <stdint.h>

#include "wire/zmtp.h"

typedef enum zmtp_greeting_result {
    ZMTP_GREETING_NEED_MORE = 0,  /* the prefix so far is fine; send more bytes */
    ZMTP_GREETING_DONE = 1,       /* 64 valid bytes; *out filled */
    ZMTP_GREETING_FAIL = 2        /* refused; *out_reason (ZW_CLOSE_*) and *out_text set */
} zmtp_greeting_result_t;

typedef struct zmtp_greeting_info {
    uint8_t major;      /* always 3 when DONE */
    uint8_t minor;      /* as sent: 0 = ZMTP 3.0, >= 1 = 3.1 or later */
    uint8_t as_server;  /* the peer's as-server byte */
} zmtp_greeting_info_t;

/* Writes our greeting: signature, version 3.1, mechanism (<= 20 chars), as-server, filler. */
void zmtp_greeting_build(uint8_t out[ZMTP_GREETING_SIZE], const char *mechanism, int as_server);

/* Checks the first `have` bytes of the peer's greeting (have may exceed 64; only 64 are read).
 * `mechanism` is ours: the peer's must be identical. Never reads the padding. */
zmtp_greeting_result_t zmtp_greeting_check(const uint8_t *buf, size_t have, const char *mechanism,
                                           zmtp_greeting_info_t *out, int *out_reason,
                                           const char **out_text);

#endif
