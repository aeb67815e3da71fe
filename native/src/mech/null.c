/* null.c — the NULL mechanism: each side sends READY with its metadata and expects the peer's.
 *
 * No ordering between the two READYs: ours is queued at creation, right after the greeting. An
 * ERROR from the peer fails the handshake with its reason; any other command is a protocol error.
 */
#include "mech/mech.h"

#include "wire/command.h"
#include "zmqw.h"

static zmtp_mech_status_t null_start(zmtp_mech_t *m, zmtp_buf_t *out) {
    if (zmtp_mech_write_metadata(m, out, ZMTP_CMD_READY) != 0)
        return zmtp_mech_fail(m, ZW_CLOSE_NO_MEMORY, "out of memory");
    return ZMTP_MECH_CONTINUE;
}

static zmtp_mech_status_t null_process(zmtp_mech_t *m, const uint8_t *body, uint32_t size,
                                       zmtp_buf_t *out) {
    (void)out;  /* NULL answers nothing: its READY went out at start */
    zmtp_cmd_t c;
    if (zmtp_cmd_parse(body, size, &c) != 0)
        return zmtp_mech_fail(m, ZW_CLOSE_UNEXPECTED_COMMAND, "malformed command");
    if (zmtp_cmd_is(&c, ZMTP_CMD_READY, ZMTP_CMD_READY_LEN))
        return zmtp_mech_read_metadata(m, c.data, c.data_len);
    if (zmtp_cmd_is(&c, ZMTP_CMD_ERROR, ZMTP_CMD_ERROR_LEN))
        return zmtp_mech_peer_error(m, c.data, c.data_len);
    return zmtp_mech_fail(m, ZW_CLOSE_UNEXPECTED_COMMAND, "unexpected command during NULL handshake");
}

const zmtp_mech_ops_t zmtp_mech_null = {
    .name = ZMTP_MECH_NULL,
    .start = null_start,
    .process = null_process,
    .fini = NULL,
};
