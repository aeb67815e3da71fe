/* abi.c — zmqw.h on top of one global core. No protocol logic here: each export forwards to the
 * core function of the same name (core.h), which documents the behaviour. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "zmqw.h"
#include "core.h"

static zw_core_t *g_core;

static void host_entropy(void *ctx, uint8_t *buf, uint32_t len) { zw_host_entropy(buf, len); }
static void host_body_read(void *ctx, uint32_t id, uint32_t offset, uint8_t *dst, uint32_t len) {
    zw_host_body_read(id, offset, dst, len);
}

static zw_core_t *core_new(void) {
    zw_core_t *c = zw_core_new(host_entropy, NULL);
    if (c) zw_core_set_body_reader(c, host_body_read, NULL);
    return c;
}

/* Every export but zw_init/zw_alloc/zw_free needs the core; a host that forgot zw_init gets one
 * made on first use rather than a crash. */
static zw_core_t *core(void) {
    if (!g_core) g_core = core_new();
    return g_core;
}
#define CORE_OR_NOMEM()                                                                      \
    zw_core_t *c = core();                                                                   \
    if (!c) return ZW_ENOMEM

ZW_EXPORT zw_err zw_init(void) {
    zw_core_free(g_core);
    g_core = core_new();
    return g_core ? ZW_OK : ZW_ENOMEM;
}

/* Out-parameters of the host live here: 8-aligned for the double of zw_advance. */
static _Alignas(8) uint8_t g_scratch[ZW_SCRATCH_SIZE];

ZW_EXPORT uint8_t *zw_scratch(void) {
    return g_scratch;
}

ZW_EXPORT zw_err zw_alloc(uint32_t size, uint8_t **out_ptr) {
    if (!out_ptr) return ZW_EINVAL;
    uint8_t *p = malloc(size ? size : 1);
    if (!p) return ZW_ENOMEM;
    *out_ptr = p;
    return ZW_OK;
}

ZW_EXPORT zw_err zw_free(uint8_t *ptr) {
    free(ptr);
    return ZW_OK;
}

ZW_EXPORT zw_err zw_advance(double now_ms, double *out_next) {
    CORE_OR_NOMEM();
    return zw_core_advance(c, now_ms, out_next);
}

ZW_EXPORT zw_err zw_socket_open(int32_t type, zw_id *out_sock) {
    CORE_OR_NOMEM();
    return zw_core_socket_open(c, type, out_sock);
}

ZW_EXPORT zw_err zw_socket_close(zw_id sock) {
    CORE_OR_NOMEM();
    return zw_core_socket_close(c, sock);
}

ZW_EXPORT zw_err zw_setopt(zw_id sock, int32_t opt, const uint8_t *val, uint32_t len) {
    CORE_OR_NOMEM();
    return zw_core_setopt(c, sock, opt, val, len);
}

ZW_EXPORT zw_err zw_getopt(zw_id sock, int32_t opt, uint8_t *val, uint32_t *inout_len) {
    CORE_OR_NOMEM();
    return zw_core_getopt(c, sock, opt, val, inout_len);
}

ZW_EXPORT zw_err zw_accept(zw_id sock, int32_t framing, zw_id *out_conn) {
    CORE_OR_NOMEM();
    return zw_core_accept(c, sock, framing, out_conn);
}

ZW_EXPORT zw_err zw_connect(zw_id sock, zw_id *out_dialer) {
    CORE_OR_NOMEM();
    return zw_core_connect(c, sock, out_dialer);
}

ZW_EXPORT zw_err zw_disconnect(zw_id dialer) {
    CORE_OR_NOMEM();
    return zw_core_disconnect(c, dialer);
}

ZW_EXPORT zw_err zw_dial_result(zw_id dialer, int32_t ok, int32_t framing, zw_id *out_conn) {
    CORE_OR_NOMEM();
    return zw_core_dial_result(c, dialer, ok, framing, out_conn);
}

ZW_EXPORT zw_err zw_conn_input(zw_id conn, const uint8_t *data, uint32_t len,
                               uint32_t *out_used, uint32_t *out_body) {
    CORE_OR_NOMEM();
    if (!out_used || !out_body) return ZW_EINVAL;
    return zw_core_conn_input(c, conn, data, len, out_used, out_body);
}

ZW_EXPORT zw_err zw_conn_body(zw_id conn, uint32_t body) {
    CORE_OR_NOMEM();
    return zw_core_conn_body(c, conn, body);
}

ZW_EXPORT zw_err zw_conn_output(zw_id conn, const uint8_t **out_ptr, uint32_t *out_len,
                                uint32_t *out_body) {
    CORE_OR_NOMEM();
    if (!out_body) return ZW_EINVAL;
    return zw_core_conn_output(c, conn, out_ptr, out_len, out_body);
}

ZW_EXPORT zw_err zw_conn_closed(zw_id conn) {
    CORE_OR_NOMEM();
    return zw_core_conn_closed(c, conn);
}

ZW_EXPORT zw_err zw_conn_alive(zw_id conn) {
    CORE_OR_NOMEM();
    return zw_core_conn_alive(c, conn);
}

ZW_EXPORT zw_err zw_inproc_bind(zw_id sock, const uint8_t *name, uint32_t len) {
    CORE_OR_NOMEM();
    return zw_core_inproc_bind(c, sock, name, len);
}

ZW_EXPORT zw_err zw_inproc_unbind(zw_id sock, const uint8_t *name, uint32_t len) {
    CORE_OR_NOMEM();
    return zw_core_inproc_unbind(c, sock, name, len);
}

ZW_EXPORT zw_err zw_inproc_connect(zw_id sock, const uint8_t *name, uint32_t len,
                                   zw_id *out_link) {
    CORE_OR_NOMEM();
    return zw_core_inproc_connect(c, sock, name, len, out_link);
}

ZW_EXPORT zw_err zw_send(zw_id sock, const uint8_t *batch, uint32_t len, uint32_t *out_msgs) {
    CORE_OR_NOMEM();
    return zw_core_send(c, sock, batch, len, out_msgs);
}

ZW_EXPORT zw_err zw_recv(zw_id sock, uint32_t max_msgs, uint32_t max_bytes,
                         const uint8_t **out_ptr, uint32_t *out_len, uint32_t *out_msgs) {
    CORE_OR_NOMEM();
    return zw_core_recv(c, sock, max_msgs, max_bytes, out_ptr, out_len, out_msgs);
}

ZW_EXPORT zw_err zw_status(zw_id sock, uint32_t *out_capacity, uint32_t *out_flags) {
    CORE_OR_NOMEM();
    return zw_core_status(c, sock, out_capacity, out_flags);
}

ZW_EXPORT zw_err zw_effects(const uint8_t **out_ptr, uint32_t *out_len) {
    CORE_OR_NOMEM();
    return zw_core_effects(c, out_ptr, out_len);
}

#if !defined(__EMSCRIPTEN__)
/* Native builds (tests, fuzzing) have no host to import from: the kernel's random bytes. Tests
 * that need determinism give zw_core_new their own entropy function instead. */
void zw_host_entropy(uint8_t *buf, uint32_t len) {
    FILE *f = fopen("/dev/urandom", "rb");
    size_t got = f ? fread(buf, 1, len, f) : 0;
    if (f) fclose(f);
    if (got != len) abort();   /* no entropy: nothing random may be made up */
}

/* Native builds hold no host bodies (tests that send ref frames give their core a reader). */
void zw_host_body_read(uint32_t id, uint32_t offset, uint8_t *dst, uint32_t len) {
    memset(dst, 0, len);
}
#endif
