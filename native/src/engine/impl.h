/* impl.h — what an engine implementation fills in (engine.h is what its users see).
 *
 * An implementation's struct starts with a zw_engine_t, whose ops it sets and whose state and
 * error it keeps current; engine.c dispatches through ops and answers state and error itself.
 * Contracts are engine.h's, op for op.
 */
#ifndef ZW_ENGINE_IMPL_H
#define ZW_ENGINE_IMPL_H

#include "engine/engine.h"

typedef struct zw_engine_ops {
    const char *name;
    void (*free)(zw_engine_t *e);
    int (*input)(zw_engine_t *e, const uint8_t *data, uint32_t len);
    /* optional (NULL: input takes everything) */
    int (*input_refs)(zw_engine_t *e, const uint8_t *data, uint32_t len, uint32_t *used, uint32_t *body);
    int (*body)(zw_engine_t *e, uint32_t id);
    zw_frame_t *(*next)(zw_engine_t *e);
    int (*write)(zw_engine_t *e, zw_frame_t *f);
    uint32_t (*pending)(const zw_engine_t *e);
    const uint8_t *(*output)(zw_engine_t *e, uint32_t max, uint32_t *out_len, uint32_t *out_body);
    void (*consume)(zw_engine_t *e, uint32_t n);
    void (*peer)(const zw_engine_t *e, zw_engine_peer_t *out);
    /* optional (NULL: no heartbeats on this wire) */
    int (*ping)(zw_engine_t *e, uint16_t ttl_ds);
    int (*take_peer_ttl)(zw_engine_t *e);
} zw_engine_ops_t;

struct zw_engine {
    const zw_engine_ops_t *ops;
    zw_engine_state_t state;
    int err_reason;            /* ZW_CLOSE_* in ERROR */
    const char *err_text;      /* static, or owned by the engine, in ERROR */
};

/* The implementations. */
zw_engine_t *zw_engine_zmtp_new(const zw_engine_cfg_t *cfg);
zw_engine_t *zw_engine_raw_new(const zw_engine_cfg_t *cfg);

#endif
