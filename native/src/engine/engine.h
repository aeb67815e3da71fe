/* engine.h — the connection engine interface: one connection's wire protocol as a
 * bytes-in/bytes-out state machine, chosen per connection when the host hands it to the core.
 *
 * An engine knows the wire and nothing about routing. It never touches pipes: the session above
 * pulls decoded frames with zw_engine_next and pushes frames to send with zw_engine_write, which
 * gives backpressure in both directions. Implementations (as libzmq's i_engine, nng's
 * transports):
 *   ZW_ENGINE_ZMTP  ZMTP 3.x over a byte stream (tcp, ipc): greeting, mechanism handshake, frames
 *                   (engine/zmtp.c)
 *   ZW_ENGINE_ZWS   ZWS 2.0 over WebSocket messages (ws, wss): one message = one frame, no
 *                   greeting, the mechanism from the subprotocol the host negotiated
 *                   (engine/zmtp.c: the ZMTP engine with another framing, wire/framing.h)
 *   ZW_ENGINE_RAW   raw bytes for STREAM sockets: no handshake, each read is a frame
 *                   (engine/raw.c); READY from its creation
 * The mechanism (NULL now; PLAIN, CURVE later) is part of an engine's configuration.
 *
 * States: GREETING -> HANDSHAKE -> READY (traffic) -> ERROR (terminal). Any malformed or hostile
 * input moves to ERROR with a reason; no engine asserts on peer bytes.
 */
#ifndef ZW_ENGINE_H
#define ZW_ENGINE_H

#include <stdint.h>
#include "../base/frame.h"

typedef struct zw_engine zw_engine_t;

typedef enum zw_engine_kind { ZW_ENGINE_ZMTP = 0, ZW_ENGINE_ZWS = 1, ZW_ENGINE_RAW = 2 } zw_engine_kind_t;
typedef enum zw_mechanism { ZW_MECH_NULL = 0, ZW_MECH_PLAIN = 1, ZW_MECH_CURVE = 2 } zw_mechanism_t;

typedef struct zw_engine_cfg {
    int socket_type;             /* ZW_REQ, ... (zmqw.h) */
    const uint8_t *routing_id;   /* sent as Identity for REQ, DEALER, ROUTER; may be NULL */
    uint8_t routing_id_len;
    int64_t max_msg_size;        /* -1 = unlimited; checked before allocating a frame */
    zw_engine_kind_t kind;       /* which wire protocol (0 = ZMTP) */
    zw_mechanism_t mechanism;    /* security mechanism (0 = NULL) */
    const zw_body_host_t *bodies; /* where host bodies received (zw_engine_input_refs) live */
    uint8_t bare;                /* ZWS only: subprotocol plain "ZWS2.0": no mechanism, each side's
                                  * first message is its routing id */
} zw_engine_cfg_t;

typedef enum zw_engine_state {
    ZW_ENGINE_GREETING = 0,
    ZW_ENGINE_HANDSHAKE = 1,
    ZW_ENGINE_READY = 2,
    ZW_ENGINE_ERROR = 3
} zw_engine_state_t;

/* The peer as its handshake told it, valid in READY state until the engine is freed. */
typedef struct zw_engine_peer {
    int socket_type;             /* ZW_* type; -1 when unknown */
    int zmtp_minor;              /* 0 for ZMTP 3.0, 1 for 3.1 */
    const uint8_t *routing_id;   /* Identity property, routing_id_len 0 when none */
    uint8_t routing_id_len;
    const uint8_t *props;        /* every handshake property as on the wire; props_len 0 if none */
    uint32_t props_len;
} zw_engine_peer_t;

/* NULL when out of memory, or when cfg names a kind or mechanism this build does not have. The
 * engine copies cfg (routing id included). A ZMTP engine's output starts with our whole
 * greeting and READY (queued at creation: both sides send without waiting). */
zw_engine_t *zw_engine_new(const zw_engine_cfg_t *cfg);
void zw_engine_free(zw_engine_t *e);

/* Feeds bytes from the peer (copied; data may be NULL when len is 0). Handles greeting and handshake internally. Returns ZW_OK,
 * or ZW_EPROTO once the engine is in ERROR (see zw_engine_error). Input after READY is buffered
 * and decoded lazily by zw_engine_next, so a full pipe stops decoding, not reading. */
int zw_engine_input(zw_engine_t *e, const uint8_t *data, uint32_t len);
/* The same, but the body of a large data frame (ZW_BODY_MIN bytes or more, within the size
 * limit) does not come in: the engine takes *used bytes (up to and including that frame's
 * header) and sets *body to its size, 0 when it took everything. The host then collects those
 * body bytes from the stream itself and hands them over with zw_engine_body before any more
 * input (ZW_EINVAL otherwise). Engines without it (raw) take everything. */
int zw_engine_input_refs(zw_engine_t *e, const uint8_t *data, uint32_t len, uint32_t *used,
                         uint32_t *body);
/* The body the last zw_engine_input_refs asked for is host body id (its reference passes to the
 * engine, released through cfg->bodies if the engine goes first). ZW_EINVAL if none was asked. */
int zw_engine_body(zw_engine_t *e, uint32_t id);

/* Next decoded frame from the peer (READY state only), or NULL if none is complete yet (or on
 * error: check zw_engine_state). Ownership of the frame passes to the caller. Frames carry
 * ZW_FRAME_MORE; a SUBSCRIBE/CANCEL command arrives as a frame with ZW_FRAME_SUBSCRIBE /
 * ZW_FRAME_CANCEL and the prefix as body; PING is answered inside the engine; other unknown
 * commands are dropped. */
zw_frame_t *zw_engine_next(zw_engine_t *e);

/* Encodes one frame for the peer, taking ownership. ZW_FRAME_SUBSCRIBE/CANCEL become commands for
 * 3.1 peers and 0x01/0x00 data messages for 3.0 peers. Only valid in READY state. */
int zw_engine_write(zw_engine_t *e, zw_frame_t *f);

/* Encoded bytes not yet taken; zw_engine_output gives a view of up to max bytes and
 * zw_engine_consume drops n of them. When the next bytes are a host body (a ref frame), the view
 * is the whole rest of it, NULL, with *out_body its id; a caller that passes out_body NULL (it
 * never writes ref frames) sees nothing pending then. */
uint32_t zw_engine_pending(const zw_engine_t *e);
const uint8_t *zw_engine_output(zw_engine_t *e, uint32_t max, uint32_t *out_len,
                                uint32_t *out_body);
void zw_engine_consume(zw_engine_t *e, uint32_t n);

zw_engine_state_t zw_engine_state(const zw_engine_t *e);
/* ZW_CLOSE_* reason and a static human-readable text, valid in ERROR state. */
int zw_engine_error(const zw_engine_t *e, const char **out_text);

/* Handshake results, valid in READY state. */
void zw_engine_peer(const zw_engine_t *e, zw_engine_peer_t *out);
int zw_engine_peer_type(const zw_engine_t *e);
/* Heartbeats (ZMTP 3.1 PING/PONG; libzmq's ZMQ_HEARTBEAT_*). zw_engine_ping queues a PING with
 * a TTL in tenths of a second and no context: ZW_OK, or ZW_ENOTSUP where the wire has none (a
 * WebSocket pings at its own level, raw has no commands) or before READY. zw_engine_take_peer_ttl
 * gives the TTL (tenths of a second) of the PINGs the peer sent since the last call, the largest
 * one, and -1 if none came. */
int zw_engine_ping(zw_engine_t *e, uint16_t ttl_ds);
int zw_engine_take_peer_ttl(zw_engine_t *e);
int zw_engine_peer_minor(const zw_engine_t *e);   /* 0 for ZMTP 3.0, 1 for 3.1 */
const uint8_t *zw_engine_peer_identity(const zw_engine_t *e, uint8_t *out_len);

/* Whether socket types a and b may talk (REQ-REP, PUB-SUB, ...). */
int zw_socket_types_compatible(int a, int b);

#endif
