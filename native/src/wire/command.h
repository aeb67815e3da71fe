/* command.h — ZMTP commands: split a command body, walk metadata properties, build commands.
 *
 * Parsers take the frame body (bytes from the peer) and validate every length against it.
 * Builders append a whole command frame (header included) to an output buffer.
 */
#ifndef ZW_WIRE_COMMAND_H
#define ZW_WIRE_COMMAND_H

#include <stddef.h>
#include <stdint.h>

#include "wire/buf.h"

/* A command body split into name and data; both point into the body. */
typedef struct zmtp_cmd {
    const uint8_t *name;
    uint8_t name_len;
    const uint8_t *data;
    uint32_t data_len;
} zmtp_cmd_t;

/* 0 on success, -1 when the body is empty or the name length runs past it. */
int zmtp_cmd_parse(const uint8_t *body, uint32_t size, zmtp_cmd_t *out);
/* Whether the command's name is exactly `name` (names are case-sensitive). */
int zmtp_cmd_is(const zmtp_cmd_t *c, const char *name, size_t name_len);

/* Called per property; return 0 to go on, non-zero to stop (zmtp_props_walk returns that value). */
typedef int (*zmtp_prop_fn)(void *ctx, const uint8_t *name, uint8_t name_len,
                            const uint8_t *value, uint32_t value_len);
/* Walks `1-byte name length, name, 4-byte BE value length, value` records.
 * Returns 0, -1 when a length runs past the data, or fn's non-zero value. */
int zmtp_props_walk(const uint8_t *data, uint32_t len, zmtp_prop_fn fn, void *ctx);
/* Case-insensitive (ASCII) property-name comparison. */
int zmtp_prop_name_is(const uint8_t *name, uint8_t name_len, const char *want, size_t want_len);

/* One property for zmtp_cmd_write_props. */
typedef struct zmtp_prop {
    const char *name;
    const uint8_t *value;
    uint32_t value_len;
} zmtp_prop_t;

/* Appends command frame `name` + properties (READY, later INITIATE metadata). 0 / -1 no memory. */
int zmtp_cmd_write_props(zmtp_buf_t *out, const char *name, const zmtp_prop_t *props, size_t n);
/* Appends a command frame: name + data. */
int zmtp_cmd_write(zmtp_buf_t *out, const char *name, const void *data, size_t len);
/* ERROR: 1-byte reason length + reason (truncated to 255). */
int zmtp_cmd_write_error(zmtp_buf_t *out, const char *reason);

/* ERROR body data (after the name): extracts the reason. 0 / -1 malformed. */
int zmtp_cmd_parse_error(const zmtp_cmd_t *c, const uint8_t **reason, uint8_t *reason_len);

#endif
