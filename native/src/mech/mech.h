/* mech.h — security mechanism interface (NULL now; PLAIN and CURVE as further files).
 *
 * A mechanism runs between the greeting and the first data frame. The engine owns the wire: it
 * decodes frames and hands each handshake command body to `process`; the mechanism appends its
 * own commands to `out` (whole frames, via wire/command.h). When `process` returns DONE the peer's
 * metadata (socket type, identity) is in the zmtp_mech_t and traffic may flow.
 *
 * Contract for every op: never asserts on peer bytes; on FAIL, reason (ZW_CLOSE_*) and text are
 * set; text is static or points into zmtp_mech_t.text_buf (valid until the mechanism is freed).
 */
#ifndef ZW_MECH_MECH_H
#define ZW_MECH_MECH_H

#include <stdint.h>

#include "wire/buf.h"
#include "wire/zmtp.h"

typedef enum zmtp_mech_status {
    ZMTP_MECH_CONTINUE = 0,  /* more handshake commands expected */
    ZMTP_MECH_DONE = 1,      /* handshake complete; peer_* valid */
    ZMTP_MECH_FAIL = 2       /* refused; reason/text set */
} zmtp_mech_status_t;

typedef struct zmtp_mech zmtp_mech_t;

typedef struct zmtp_mech_ops {
    const char *name;  /* greeting mechanism name: "NULL", "PLAIN", "CURVE" */
    /* Called once at engine creation, after our greeting is queued and before the peer's
     * arrives: queue whatever this side sends first (NULL: READY; PLAIN client: HELLO). */
    zmtp_mech_status_t (*start)(zmtp_mech_t *m, zmtp_buf_t *out);
    /* One handshake command (the whole frame body: name length, name, data). */
    zmtp_mech_status_t (*process)(zmtp_mech_t *m, const uint8_t *body, uint32_t size,
                                  zmtp_buf_t *out);
    /* Frees mechanism-private state (priv). May be NULL. */
    void (*fini)(zmtp_mech_t *m);
} zmtp_mech_ops_t;

struct zmtp_mech {
    const zmtp_mech_ops_t *ops;
    /* Ours, set by the engine before start. */
    int socket_type;                    /* ZW_REQ, ... */
    const uint8_t *routing_id;          /* sent as Identity for REQ/DEALER/ROUTER; engine-owned */
    uint8_t routing_id_len;
    int as_server;                      /* our as-server role (PLAIN/CURVE) */
    int peer_as_server;                 /* from the peer's greeting, set before the first process */
    /* The peer's, valid after DONE. */
    int peer_type;                      /* ZW_* socket type; -1 until known */
    uint8_t peer_id[ZMTP_IDENTITY_MAX]; /* Identity property, if any */
    uint8_t peer_id_len;
    uint8_t *peer_props;                /* a copy of all its properties (heap, engine frees) */
    uint32_t peer_props_len;
    /* Failure, valid after FAIL. */
    int reason;
    const char *text;
    char text_buf[300];                 /* for texts built from the peer's ERROR reason */
    void *priv;                         /* mechanism-private state */
};

extern const zmtp_mech_ops_t zmtp_mech_null;

/* The mechanism an engine's configuration names (engine.h zw_mechanism_t: 0 = NULL), or NULL
 * if this build does not have it (PLAIN and CURVE come with security). */
const zmtp_mech_ops_t *zmtp_mech_find(int mechanism);

/* --- helpers shared by mechanisms (mech.c) --------------------------------------------------- */

/* Our metadata as a READY/INITIATE command: Socket-Type always, Identity for REQ/DEALER/ROUTER. */
int zmtp_mech_write_metadata(zmtp_mech_t *m, zmtp_buf_t *out, const char *command);
/* Parses the peer's metadata (properties after the command name): requires a compatible
 * Socket-Type, takes Identity (<= 255 bytes), ignores the rest. Returns DONE or FAIL. */
zmtp_mech_status_t zmtp_mech_read_metadata(zmtp_mech_t *m, const uint8_t *props, uint32_t len);
/* Fails with the reason from an ERROR command's data. Always returns FAIL. */
zmtp_mech_status_t zmtp_mech_peer_error(zmtp_mech_t *m, const uint8_t *data, uint32_t len);
zmtp_mech_status_t zmtp_mech_fail(zmtp_mech_t *m, int reason, const char *text);

/* Socket type name as on the wire ("REQ"), or NULL; and back (-1 when unknown). */
const char *zmtp_socket_type_name(int type);
int zmtp_socket_type_from_name(const uint8_t *name, uint32_t len);

#endif
