/* raw.c — the engine of STREAM sockets: raw bytes, no greeting, no handshake, no framing. One
 * implementation of the engine interface (engine.h).
 *
 * Every read the host hands in becomes one frame as it came (as libzmq's raw engine makes one
 * message per read), held here until the session pulls it, so a full pipe stops the pump and the
 * host pauses reading; memory is what the peer sent. Every frame written goes out as its body,
 * with nothing around it. The engine is READY from its creation.
 */
#include "engine/impl.h"

#include <stdlib.h>

#include "wire/buf.h"
#include "wire/encoder.h"
#include "zmqw.h"

typedef struct raw_engine {
    zw_engine_t base;
    zw_frame_t *head, *tail;   /* reads not yet pulled, oldest first */
    zmtp_out_t out;            /* bytes not yet taken by the host (large and host bodies by
                                * reference, as the ZMTP engine's) */
} raw_engine_t;

#define SELF(b) ((raw_engine_t *)(void *)(b))
#define CSELF(b) ((const raw_engine_t *)(const void *)(b))

static void raw_free(zw_engine_t *b) {
    raw_engine_t *e = SELF(b);
    while (e->head) {
        zw_frame_t *f = e->head;
        e->head = f->next;
        zw_frame_free(f);
    }
    zmtp_out_free(&e->out);
    free(e);
}

static void raw_fail(raw_engine_t *e, int reason, const char *text) {
    e->base.state = ZW_ENGINE_ERROR;
    e->base.err_reason = reason;
    e->base.err_text = text;
}

static int raw_input(zw_engine_t *b, const uint8_t *data, uint32_t len) {
    raw_engine_t *e = SELF(b);
    if (e->base.state == ZW_ENGINE_ERROR) return ZW_EPROTO;
    if (len == 0) return ZW_OK;   /* nothing read is not an empty message */
    zw_frame_t *f = zw_frame_dup(data, len, 0);
    if (!f) {
        raw_fail(e, ZW_CLOSE_NO_MEMORY, "out of memory");
        return ZW_EPROTO;
    }
    if (e->tail) e->tail->next = f; else e->head = f;
    e->tail = f;
    return ZW_OK;
}

static zw_frame_t *raw_next(zw_engine_t *b) {
    raw_engine_t *e = SELF(b);
    zw_frame_t *f = e->head;
    if (!f || e->base.state != ZW_ENGINE_READY) return NULL;
    e->head = f->next;
    if (!e->head) e->tail = NULL;
    f->next = NULL;
    return f;
}

static int raw_write(zw_engine_t *b, zw_frame_t *f) {
    raw_engine_t *e = SELF(b);
    int rc = ZW_OK;
    if (e->base.state != ZW_ENGINE_READY) {
        rc = ZW_EPROTO;
        zw_frame_free(f);
    } else if (zmtp_out_body(&e->out, f) != 0) {   /* takes f */
        raw_fail(e, ZW_CLOSE_NO_MEMORY, "out of memory");
        rc = ZW_ENOMEM;
    }
    return rc;
}

static uint32_t raw_pending(const zw_engine_t *b) {
    uint64_t n = zmtp_out_pending(&CSELF(b)->out);
    return n > UINT32_MAX ? UINT32_MAX : (uint32_t)n;
}

static const uint8_t *raw_output(zw_engine_t *b, uint32_t max, uint32_t *out_len, uint32_t *body) {
    return zmtp_out_view(&SELF(b)->out, max, out_len, body);
}

/* At most what is pending (zmtp_out_consume clamps), as the interface promises
 * (regressions/fuzz_engine/raw_consume_past_pending). */
static void raw_consume(zw_engine_t *b, uint32_t n) { zmtp_out_consume(&SELF(b)->out, n); }

/* A raw peer says nothing of itself. */
static void raw_peer(const zw_engine_t *b, zw_engine_peer_t *out) {
    *out = (zw_engine_peer_t){.socket_type = -1};
}

static const zw_engine_ops_t raw_ops = {
    .name = "raw",
    .free = raw_free,
    .input = raw_input,
    .next = raw_next,
    .write = raw_write,
    .pending = raw_pending,
    .output = raw_output,
    .consume = raw_consume,
    .peer = raw_peer,
};

zw_engine_t *zw_engine_raw_new(const zw_engine_cfg_t *cfg) {
    if (cfg->mechanism != ZW_MECH_NULL) return NULL;   /* no handshake: nothing to secure with */
    raw_engine_t *e = calloc(1, sizeof *e);
    if (!e) return NULL;
    e->base.ops = &raw_ops;
    e->base.state = ZW_ENGINE_READY;
    return &e->base;
}
