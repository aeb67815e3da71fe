/* engine.c — the engine interface (engine.h): picks the implementation a connection's
 * configuration names, and dispatches to it. */
#include "engine/impl.h"

#include "zmqw.h"

zw_engine_t *zw_engine_new(const zw_engine_cfg_t *cfg) {
    switch (cfg->kind) {
    case ZW_ENGINE_ZMTP:
    case ZW_ENGINE_ZWS: return zw_engine_zmtp_new(cfg);   /* the same engine, two framings */
    case ZW_ENGINE_RAW: return zw_engine_raw_new(cfg);
    default: return NULL;
    }
}

void zw_engine_free(zw_engine_t *e) {
    if (e) e->ops->free(e);
}

int zw_engine_input(zw_engine_t *e, const uint8_t *data, uint32_t len) {
    return e->ops->input(e, data, len);
}

int zw_engine_input_refs(zw_engine_t *e, const uint8_t *data, uint32_t len, uint32_t *used,
                         uint32_t *body) {
    if (e->ops->input_refs) return e->ops->input_refs(e, data, len, used, body);
    *used = len;
    *body = 0;
    return e->ops->input(e, data, len);
}

int zw_engine_body(zw_engine_t *e, uint32_t id) {
    return e->ops->body ? e->ops->body(e, id) : ZW_EINVAL;
}

zw_frame_t *zw_engine_next(zw_engine_t *e) { return e->ops->next(e); }

int zw_engine_write(zw_engine_t *e, zw_frame_t *f) { return e->ops->write(e, f); }

uint32_t zw_engine_pending(const zw_engine_t *e) { return e->ops->pending(e); }

const uint8_t *zw_engine_output(zw_engine_t *e, uint32_t max, uint32_t *out_len,
                                uint32_t *out_body) {
    uint32_t body = 0;
    const uint8_t *p = e->ops->output(e, max, out_len, &body);
    if (out_body) {
        *out_body = body;
    } else if (body) {
        *out_len = 0;
        p = (const uint8_t *)"";
    }
    return p;
}

void zw_engine_consume(zw_engine_t *e, uint32_t n) { e->ops->consume(e, n); }

zw_engine_state_t zw_engine_state(const zw_engine_t *e) { return e->state; }

int zw_engine_error(const zw_engine_t *e, const char **out_text) {
    if (e->state != ZW_ENGINE_ERROR) {
        if (out_text) *out_text = "";
        return ZW_CLOSE_NONE;
    }
    if (out_text) *out_text = e->err_text;
    return e->err_reason;
}

void zw_engine_peer(const zw_engine_t *e, zw_engine_peer_t *out) { e->ops->peer(e, out); }

int zw_engine_ping(zw_engine_t *e, uint16_t ttl_ds) {
    if (!e->ops->ping || e->state != ZW_ENGINE_READY) return ZW_ENOTSUP;
    return e->ops->ping(e, ttl_ds);
}

int zw_engine_take_peer_ttl(zw_engine_t *e) {
    return e->ops->take_peer_ttl ? e->ops->take_peer_ttl(e) : -1;
}

int zw_engine_peer_type(const zw_engine_t *e) {
    zw_engine_peer_t p;
    e->ops->peer(e, &p);
    return p.socket_type;
}

int zw_engine_peer_minor(const zw_engine_t *e) {
    zw_engine_peer_t p;
    e->ops->peer(e, &p);
    return p.zmtp_minor;
}

const uint8_t *zw_engine_peer_identity(const zw_engine_t *e, uint8_t *out_len) {
    zw_engine_peer_t p;
    e->ops->peer(e, &p);
    *out_len = p.routing_id_len;
    return p.routing_id;
}
