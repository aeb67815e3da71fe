/* greeting.c — ZMTP 3.x greeting (see greeting.h). */
#include "wire/greeting.h"

#include <string.h>

#include "zmqw.h"

void zmtp_greeting_build(uint8_t out[ZMTP_GREETING_SIZE], const char *mechanism, int as_server) {
    memset(out, 0, ZMTP_GREETING_SIZE);
    out[0] = ZMTP_SIG_FIRST;
    /* Padding as libzmq writes it: uint64 BE = identity length + 1, so 00..01. */
    out[ZMTP_SIG_PADDING_OFF + ZMTP_SIG_PADDING_LEN - 1] = 0x01;
    out[ZMTP_SIG_LAST_OFF] = ZMTP_SIG_LAST;
    out[ZMTP_MAJOR_OFF] = ZMTP_VERSION_MAJOR;
    out[ZMTP_MINOR_OFF] = ZMTP_VERSION_MINOR;
    size_t n = strlen(mechanism);
    if (n > ZMTP_MECH_LEN)
        n = ZMTP_MECH_LEN;
    memcpy(out + ZMTP_MECH_OFF, mechanism, n);
    out[ZMTP_AS_SERVER_OFF] = as_server ? 1 : 0;
}

static zmtp_greeting_result_t fail(int *out_reason, const char **out_text, int reason,
                                   const char *text) {
    *out_reason = reason;
    *out_text = text;
    return ZMTP_GREETING_FAIL;
}

zmtp_greeting_result_t zmtp_greeting_check(const uint8_t *buf, size_t have, const char *mechanism,
                                           zmtp_greeting_info_t *out, int *out_reason,
                                           const char **out_text) {
    if (have >= 1 && buf[0] != ZMTP_SIG_FIRST)
        return fail(out_reason, out_text, ZW_CLOSE_PROTOCOL, "invalid greeting signature");
    /* Bit 0 of byte 9 clear = an unversioned ZMTP 1.0 peer. */
    if (have > ZMTP_SIG_LAST_OFF && !(buf[ZMTP_SIG_LAST_OFF] & ZMTP_SIG_VERSIONED))
        return fail(out_reason, out_text, ZW_CLOSE_PROTOCOL, "invalid greeting signature");
    if (have > ZMTP_MAJOR_OFF && buf[ZMTP_MAJOR_OFF] < ZMTP_VERSION_MAJOR)
        return fail(out_reason, out_text, ZW_CLOSE_PROTOCOL,
                    "unsupported ZMTP version (ZMTP 1.0/2.0 peers are not supported)");
    if (have >= ZMTP_MECH_OFF + ZMTP_MECH_LEN) {
        uint8_t ours[ZMTP_MECH_LEN] = {0};
        size_t n = strlen(mechanism);
        memcpy(ours, mechanism, n < ZMTP_MECH_LEN ? n : ZMTP_MECH_LEN);
        if (memcmp(buf + ZMTP_MECH_OFF, ours, ZMTP_MECH_LEN) != 0)
            return fail(out_reason, out_text, ZW_CLOSE_MECHANISM, "security mechanism mismatch");
    }
    if (have < ZMTP_GREETING_SIZE)
        return ZMTP_GREETING_NEED_MORE;
    out->major = buf[ZMTP_MAJOR_OFF];
    out->minor = buf[ZMTP_MINOR_OFF];
    out->as_server = buf[ZMTP_AS_SERVER_OFF];
    return ZMTP_GREETING_DONE;
}
