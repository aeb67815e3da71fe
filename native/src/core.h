/* core.h — the core object: everything zmqw.h exposes, on an explicit instance.
 *
 * abi.c keeps one global core for the wasm build; tests make several and wire them back to back
 * in memory. Each function below is the zmqw.h function of the same name without the core
 * argument, with the same contract (see zmqw.h): errors as values, out-parameters written only on
 * success, returned byte areas owned by the core and valid until the next call on the same core.
 *
 * Objects: sockets, connections and dialers share one id space (uint32 counter from 1, never 0,
 * not reused until it wraps). A connection is a transport the host owns; a session is a pair of
 * pipes (in/out) for one peer: per accepted connection (from handshake to close) or per dialer
 * (from zw_connect, so messages queue before the peer is up and survive reconnects).
 */
#ifndef ZW_CORE_H
#define ZW_CORE_H

#include <stdint.h>
#include "zmqw.h"

typedef struct zw_core zw_core_t;

/* Where the core's random bytes come from: fill buf with len unpredictable bytes. */
typedef void (*zw_entropy_fn)(void *ctx, uint8_t *buf, uint32_t len);

/* NULL when out of memory. entropy (with ctx) is called whenever the core needs randomness. */
zw_core_t *zw_core_new(zw_entropy_fn entropy, void *ctx);
/* How the core reads the bytes of a host body (zmqw.h's zw_host_body_read): copy len bytes from
 * offset of body id into dst. Without one (the default), a body reads as zeros. */
typedef void (*zw_body_read_fn)(void *ctx, uint32_t id, uint32_t offset, uint8_t *dst, uint32_t len);
void zw_core_set_body_reader(zw_core_t *c, zw_body_read_fn read, void *ctx);
/* Frees every socket, connection and frame the core holds. */
void zw_core_free(zw_core_t *c);

zw_err zw_core_advance(zw_core_t *c, double now_ms, double *out_next);
zw_err zw_core_conn_alive(zw_core_t *c, zw_id conn);
zw_err zw_core_socket_open(zw_core_t *c, int32_t type, zw_id *out_sock);
zw_err zw_core_socket_close(zw_core_t *c, zw_id sock);
zw_err zw_core_setopt(zw_core_t *c, zw_id sock, int32_t opt, const uint8_t *val, uint32_t len);
zw_err zw_core_getopt(zw_core_t *c, zw_id sock, int32_t opt, uint8_t *val, uint32_t *inout_len);
zw_err zw_core_accept(zw_core_t *c, zw_id sock, int32_t framing, zw_id *out_conn);
zw_err zw_core_connect(zw_core_t *c, zw_id sock, zw_id *out_dialer);
zw_err zw_core_disconnect(zw_core_t *c, zw_id dialer);
zw_err zw_core_dial_result(zw_core_t *c, zw_id dialer, int32_t ok, int32_t framing,
                           zw_id *out_conn);
/* out_used and out_body both NULL: every byte is taken (no host bodies); see zmqw.h. */
zw_err zw_core_conn_input(zw_core_t *c, zw_id conn, const uint8_t *data, uint32_t len,
                          uint32_t *out_used, uint32_t *out_body);
zw_err zw_core_conn_body(zw_core_t *c, zw_id conn, uint32_t body);
/* out_body may be NULL for a host that never sends ref frames (a body then reads as nothing
 * pending). */
zw_err zw_core_conn_output(zw_core_t *c, zw_id conn, const uint8_t **out_ptr, uint32_t *out_len,
                           uint32_t *out_body);
zw_err zw_core_conn_closed(zw_core_t *c, zw_id conn);
zw_err zw_core_inproc_bind(zw_core_t *c, zw_id sock, const uint8_t *name, uint32_t len);
zw_err zw_core_inproc_unbind(zw_core_t *c, zw_id sock, const uint8_t *name, uint32_t len);
zw_err zw_core_inproc_connect(zw_core_t *c, zw_id sock, const uint8_t *name, uint32_t len,
                              zw_id *out_link);
zw_err zw_core_send(zw_core_t *c, zw_id sock, const uint8_t *batch, uint32_t len,
                    uint32_t *out_msgs);
/* max_msgs = 0 means no limit on the count. */
zw_err zw_core_recv(zw_core_t *c, zw_id sock, uint32_t max_msgs, uint32_t max_bytes,
                    const uint8_t **out_ptr, uint32_t *out_len, uint32_t *out_msgs);
zw_err zw_core_status(zw_core_t *c, zw_id sock, uint32_t *out_capacity, uint32_t *out_flags);
zw_err zw_core_effects(zw_core_t *c, const uint8_t **out_ptr, uint32_t *out_len);

/* 32 random bits from the core's entropy source (generated routing ids). */
uint32_t zw_core_random(zw_core_t *c);

#endif
