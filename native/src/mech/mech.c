/* mech.c — helpers shared by all mechanisms: metadata, socket types, failures. */
#include "mech/mech.h"

#include <stdlib.h>
#include <string.h>

#include "engine/engine.h"
#include "wire/command.h"
#include "zmqw.h"

/* Indexed by ZW_* socket type (libzmq's numbers). */
static const char *const type_names[] = {
    "PAIR", "PUB", "SUB", "REQ", "REP", "DEALER", "ROUTER", "PULL", "PUSH", "XPUB", "XSUB",
    "STREAM",
};
#define TYPE_COUNT ((int)(sizeof type_names / sizeof type_names[0]))

const char *zmtp_socket_type_name(int type) {
    return type >= 0 && type < TYPE_COUNT ? type_names[type] : NULL;
}

int zmtp_socket_type_from_name(const uint8_t *name, uint32_t len) {
    /* Socket type values are compared exactly, as libzmq does. */
    for (int t = 0; t < TYPE_COUNT; t++)
        if (strlen(type_names[t]) == len && memcmp(type_names[t], name, len) == 0)
            return t;
    return -1;
}

int zw_socket_types_compatible(int a, int b) {
    switch (a) {
    case ZW_REQ: return b == ZW_REP || b == ZW_ROUTER;
    case ZW_REP: return b == ZW_REQ || b == ZW_DEALER;
    case ZW_DEALER: return b == ZW_REP || b == ZW_DEALER || b == ZW_ROUTER;
    case ZW_ROUTER: return b == ZW_REQ || b == ZW_DEALER || b == ZW_ROUTER;
    case ZW_PUB:
    case ZW_XPUB: return b == ZW_SUB || b == ZW_XSUB;
    case ZW_SUB:
    case ZW_XSUB: return b == ZW_PUB || b == ZW_XPUB;
    case ZW_PUSH: return b == ZW_PULL;
    case ZW_PULL: return b == ZW_PUSH;
    case ZW_PAIR: return b == ZW_PAIR;
    default: return 0;  /* STREAM speaks raw TCP: nothing over ZMTP */
    }
}

zmtp_mech_status_t zmtp_mech_fail(zmtp_mech_t *m, int reason, const char *text) {
    m->reason = reason;
    m->text = text;
    return ZMTP_MECH_FAIL;
}

int zmtp_mech_write_metadata(zmtp_mech_t *m, zmtp_buf_t *out, const char *command) {
    const char *type = zmtp_socket_type_name(m->socket_type);
    if (!type)
        type = "";
    zmtp_prop_t props[2] = {
        {ZMTP_PROP_SOCKET_TYPE, (const uint8_t *)type, (uint32_t)strlen(type)},
        {ZMTP_PROP_IDENTITY, m->routing_id, m->routing_id_len},
    };
    /* libzmq sends Identity for these three even when empty; so do we. */
    int with_id = m->socket_type == ZW_REQ || m->socket_type == ZW_DEALER ||
                  m->socket_type == ZW_ROUTER;
    return zmtp_cmd_write_props(out, command, props, with_id ? 2 : 1);
}

typedef struct metadata_ctx {
    zmtp_mech_t *m;
    int have_type;
} metadata_ctx_t;

enum { META_BAD_TYPE = 1, META_BAD_IDENTITY = 2 };

static int on_property(void *ctx, const uint8_t *name, uint8_t name_len, const uint8_t *value,
                       uint32_t value_len) {
    metadata_ctx_t *c = ctx;
    if (zmtp_prop_name_is(name, name_len, ZMTP_PROP_SOCKET_TYPE, ZMTP_PROP_SOCKET_TYPE_LEN)) {
        int t = zmtp_socket_type_from_name(value, value_len);
        if (t < 0 || !zw_socket_types_compatible(c->m->socket_type, t))
            return META_BAD_TYPE;
        c->m->peer_type = t;
        c->have_type = 1;
    } else if (zmtp_prop_name_is(name, name_len, ZMTP_PROP_IDENTITY, ZMTP_PROP_IDENTITY_LEN)) {
        if (value_len > ZMTP_IDENTITY_MAX)
            return META_BAD_IDENTITY;
        if (value_len)
            memcpy(c->m->peer_id, value, value_len);
        c->m->peer_id_len = (uint8_t)value_len;
    }
    /* Anything else (X- application metadata, unknown names) is ignored. */
    return 0;
}

zmtp_mech_status_t zmtp_mech_read_metadata(zmtp_mech_t *m, const uint8_t *props, uint32_t len) {
    metadata_ctx_t c = {m, 0};
    switch (zmtp_props_walk(props, len, on_property, &c)) {
    case 0: break;
    case META_BAD_TYPE: return zmtp_mech_fail(m, ZW_CLOSE_SOCKET_TYPE, "incompatible socket type");
    case META_BAD_IDENTITY: return zmtp_mech_fail(m, ZW_CLOSE_INVALID_METADATA, "peer Identity too long");
    default: return zmtp_mech_fail(m, ZW_CLOSE_INVALID_METADATA, "malformed metadata");
    }
    if (!c.have_type)
        return zmtp_mech_fail(m, ZW_CLOSE_SOCKET_TYPE, "peer sent no Socket-Type");
    /* Kept whole for the socket (metadata, later the Observer): at most one command's size. */
    if (len) {
        uint8_t *copy = malloc(len);
        if (!copy) return zmtp_mech_fail(m, ZW_CLOSE_NO_MEMORY, "out of memory");
        memcpy(copy, props, len);
        free(m->peer_props);
        m->peer_props = copy;
        m->peer_props_len = len;
    }
    return ZMTP_MECH_DONE;
}

zmtp_mech_status_t zmtp_mech_peer_error(zmtp_mech_t *m, const uint8_t *data, uint32_t len) {
    static const char prefix[] = "peer sent ERROR: ";
    size_t n = 0;
    if (len >= 1 && (uint32_t)data[0] + 1 <= len)
        n = data[0];
    size_t p = sizeof prefix - 1;
    memcpy(m->text_buf, prefix, p);
    /* The reason is peer text: keep printable ASCII only, so it is safe in logs and effects. */
    for (size_t i = 0; i < n && p + 1 < sizeof m->text_buf; i++) {
        uint8_t ch = data[1 + i];
        m->text_buf[p++] = ch >= 0x20 && ch < 0x7F ? (char)ch : '?';
    }
    m->text_buf[p] = '\0';
    return zmtp_mech_fail(m, ZW_CLOSE_PROTOCOL, m->text_buf);
}

const zmtp_mech_ops_t *zmtp_mech_find(int mechanism) {
    switch (mechanism) {
    case ZW_MECH_NULL: return &zmtp_mech_null;
    default: return NULL;
    }
}
