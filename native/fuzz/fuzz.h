/* fuzz.h — what the libFuzzer targets share: an input reader, a check that aborts (so libFuzzer
 * reports it with a stack), the switches for bugs already known, and builders for the bytes a
 * well-behaved peer sends (made with the real encoder, as test_engine.c does).
 *
 * Known bugs: each FUZZ_AVOID_* switch, when 1, steers the harness around one bug, so that
 * fuzzing can go on to find others while it is open: four known when these targets were written,
 * four they found. Seven are fixed, so their default is 0: hit everything; the open one
 * (FUZZ_AVOID_FX_AFTER_CLOSED) defaults to 1 until its fix, then to 0. Build with AVOID_KNOWN=1
 * (Makefile) to steer around them all, e.g. to bisect.
 */
#ifndef ZW_FUZZ_H
#define ZW_FUZZ_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "wire/buf.h"
#include "wire/command.h"
#include "wire/framing.h"
#include "wire/greeting.h"
#include "wire/zmtp.h"
#include "zmqw.h"

/* A REP socket's reply after its requester's session was freed (rep.c reply_out, fixed by
 * rep_detach_in). When 1, REP sockets whose connections were ever lost are not sent on.
 * Reproducer: regressions/fuzz_core/rep_reply_after_requester_gone. */
#ifndef FUZZ_AVOID_REP_UAF
#define FUZZ_AVOID_REP_UAF 0
#endif
/* The decoder allocated the whole body from a header alone (decoder.c, fixed by growing the
 * body as bytes arrive). When 1, no frame header may declare more than FUZZ_SIZE_CAP. */
#ifndef FUZZ_AVOID_HUGE_ALLOC
#define FUZZ_AVOID_HUGE_ALLOC 0
#endif
/* memcpy with a NULL pointer and length 0 in zw_sockopt_set/get (socket.c). When 1, the harness
 * never passes a NULL value area. */
#ifndef FUZZ_AVOID_NULL_MEMCPY
#define FUZZ_AVOID_NULL_MEMCPY 0
#endif
/* NULL + 0 pointer arithmetic with empty inputs (wire/buf.h, engine.c). When 1, the harness never
 * passes a NULL input area (and the Makefile adds -fno-sanitize=pointer-overflow). */
#ifndef FUZZ_AVOID_NULL_INPUT
#define FUZZ_AVOID_NULL_INPUT 0
#endif

/* Found by fuzz_engine, fixed since: the raw engine's consume did not clamp to what is pending
 * (raw.c raw_consume -> zmtp_buf_consume, whose n must be <= the live bytes), unlike the ZMTP
 * engine's. When 1, the harness never consumes more than is pending from a raw engine.
 * Reproducer: regressions/fuzz_engine/raw_consume_past_pending. */
#ifndef FUZZ_AVOID_RAW_OVERCONSUME
#define FUZZ_AVOID_RAW_OVERCONSUME 0
#endif

/* Found by fuzz_core, fixed since: a STREAM dialer kept one session across reconnects and the
 * peer's routing id lived in that session's pipe (stream.c stream_connected / stream_recv), so
 * what the old connection left, its departure notice included, was read under the new
 * connection's id. When 1, a STREAM socket's notices stop being checked once one of its dialers
 * connects a second time. Reproducer: regressions/fuzz_core/stream_redial_relabels_old_messages. */
#ifndef FUZZ_AVOID_STREAM_REDIAL
#define FUZZ_AVOID_STREAM_REDIAL 0
#endif

/* Found by fuzz_core, fixed since: a PAIR whose session in use went away (its dialer
 * disconnected, its accepted connection lost) never took another: pair.c adopted a session only
 * in pair_attach, so a dialer's session attached earlier stayed ignored and each of its
 * connections was refused ("PAIR already has a peer") although the PAIR had none. When 1, a PAIR
 * stops being checked once its session in use is gone.
 * Reproducer: regressions/fuzz_core/pair_refuses_with_no_peer. */
#ifndef FUZZ_AVOID_PAIR_WEDGE
#define FUZZ_AVOID_PAIR_WEDGE 0
#endif

/* Found by fuzz_peer, open: zw_conn_closed can queue effects naming the connection it frees
 * (core/conns.c zw_core_conn_closed -> conn_drain_final -> conn_pump, which ends in conn_fail
 * (ZW_FX_CLOSE) when a frame the paused engine still held is malformed, or in
 * conn_signal_output (ZW_FX_OUTPUT) when one was a PING). The host has forgotten the id by then;
 * ts/host ignores unknown ids, so nothing breaks today, but zmqw.h says the id is freed. When 1,
 * fuzz_peer ignores effects for the connection zw_conn_closed just freed. Fixed (conns.c conn_fx),
 * so off by default.
 * Reproducer: regressions/fuzz_peer/fx_after_conn_closed (build with
 * EXTRA=-DFUZZ_AVOID_FX_AFTER_CLOSED=0 to see it fail). */
#ifndef FUZZ_AVOID_FX_AFTER_CLOSED
#define FUZZ_AVOID_FX_AFTER_CLOSED 0
#endif

#define FUZZ_SIZE_CAP (1 << 20)
/* The last zw_close_reason. */
#define FZ_CLOSE_MAX ZW_CLOSE_HEARTBEAT

#define FZ_CHECK(cond)                                                                       \
    do {                                                                                     \
        if (!(cond)) {                                                                       \
            fprintf(stderr, "%s:%d: fuzz check failed: %s\n", __FILE__, __LINE__, #cond);    \
            abort();                                                                         \
        }                                                                                    \
    } while (0)

/* --- input reader: every read past the end gives zeros, so any input is a valid program ----- */

typedef struct fz {
    const uint8_t *p;
    size_t n, pos;
} fz_t;

static inline int fz_left(const fz_t *f) { return f->pos < f->n; }
static inline uint8_t fz_u8(fz_t *f) { return f->pos < f->n ? f->p[f->pos++] : 0; }
static inline uint16_t fz_u16(fz_t *f) {
    uint16_t lo = fz_u8(f);
    return (uint16_t)(lo | (uint16_t)fz_u8(f) << 8);
}
static inline uint32_t fz_u32(fz_t *f) {
    uint32_t lo = fz_u16(f);
    return lo | (uint32_t)fz_u16(f) << 16;
}
/* Up to want bytes straight from the input (never copied); *got may be less at the end. */
static inline const uint8_t *fz_bytes(fz_t *f, size_t want, size_t *got) {
    size_t left = f->n - f->pos;
    *got = want < left ? want : left;
    const uint8_t *p = f->p + f->pos;
    f->pos += *got;
    return p;
}

/* A "size" byte spread over interesting values: small ones, the 1-byte/8-byte header boundary,
 * the by-reference threshold (8 KiB) and the output chunk (64 KiB). */
static inline uint32_t fz_size(fz_t *f) {
    uint8_t b = fz_u8(f);
    if (b < 232) return b % 48;
    static const uint32_t big[] = {0, 254, 255, 256, 257, 1000, 4095, 8191, 8192, 8193,
                                   20000, 65535, 65536, 65537, 70000, 131072};
    return big[b % (sizeof big / sizeof big[0])];
}

/* Harness loops over bodies need no coverage feedback (and each compare would be traced). */
#define FZ_NOCOV __attribute__((no_sanitize("coverage"), noinline))

/* p[i] = seed + i * step. */
FZ_NOCOV static inline void fz_fill(uint8_t *p, size_t n, uint8_t seed, uint8_t step) {
    for (size_t i = 0; i < n; i++) p[i] = (uint8_t)(seed + i * step);
}
/* Whether p is what fz_fill wrote. */
FZ_NOCOV static inline int fz_filled(const uint8_t *p, size_t n, uint8_t seed, uint8_t step) {
    for (size_t i = 0; i < n; i++)
        if (p[i] != (uint8_t)(seed + i * step)) return 0;
    return 1;
}
/* FNV-1a over a then b. */
FZ_NOCOV static inline uint64_t fz_hash(const uint8_t *a, size_t na, const uint8_t *b, size_t nb) {
    uint64_t h = 1469598103934665603ull;
    for (size_t i = 0; i < na; i++) h = (h ^ a[i]) * 1099511628211ull;
    for (size_t i = 0; i < nb; i++) h = (h ^ b[i]) * 1099511628211ull;
    return h;
}

/* --- peer bytes -------------------------------------------------------------------------- */

static const char *const fz_type_names[] = {"PAIR", "PUB", "SUB", "REQ", "REP", "DEALER",
                                            "ROUTER", "PULL", "PUSH", "XPUB", "XSUB", "STREAM"};

/* A socket type a peer of `ours` may have (the first compatible one in libzmq's list). */
static inline int fz_compatible_type(int ours, uint8_t pick) {
    static const int req[] = {ZW_REP, ZW_ROUTER}, rep[] = {ZW_REQ, ZW_DEALER},
                     pub[] = {ZW_SUB, ZW_XSUB}, sub[] = {ZW_PUB, ZW_XPUB};
    switch (ours) {
    case ZW_REQ: return req[pick & 1];
    case ZW_REP: return rep[pick & 1];
    case ZW_PUB: return pub[pick & 1];
    case ZW_SUB: return sub[pick & 1];
    case ZW_PUSH: return ZW_PULL;
    case ZW_PULL: return ZW_PUSH;
    default: return pick % 12;
    }
}

/* Appends a peer's greeting (version 3.minor, NULL) and READY with Socket-Type = type (a name
 * from the table, or none when type < 0) and Identity when id_len > 0. */
static inline int fz_peer_hello(zmtp_buf_t *b, uint8_t minor, int as_server, int type,
                                const uint8_t *id, uint8_t id_len) {
    if (zmtp_buf_reserve(b, ZMTP_GREETING_SIZE) != 0) return -1;
    zmtp_greeting_build(zmtp_buf_tail(b), ZMTP_MECH_NULL, as_server);
    zmtp_buf_tail(b)[ZMTP_MINOR_OFF] = minor;
    b->end += ZMTP_GREETING_SIZE;
    const char *name = type >= 0 && type < 12 ? fz_type_names[type] : "";
    zmtp_prop_t props[2] = {
        {ZMTP_PROP_SOCKET_TYPE, (const uint8_t *)name, (uint32_t)strlen(name)},
        {ZMTP_PROP_IDENTITY, id, id_len},
    };
    return zmtp_cmd_write_props(b, ZMTP_CMD_READY, type >= 0 ? props : props + 1,
                                (type >= 0 ? 1 : 0) + (id_len ? 1 : 0));
}

/* Re-lays whole ZMTP frames (n bytes at p, of our own making) as ZWS 2.0 messages, each as the
 * host hands it over: u32le length, flags byte, body (wire/framing.h). The builders above and in
 * wire/command.h write ZMTP frames; a ZWS peer sends the same command bodies, one per message
 * (RFC 45), so this is how the targets make ZWS peer bytes from them. 0, or -1 on bad input. */
static inline int fz_zws_relay(zmtp_buf_t *dst, const uint8_t *p, size_t n) {
    while (n) {
        unsigned need = 0;
        uint8_t fl = 0;
        uint64_t size = 0;
        const char *bad;
        if (zw_header_parse(ZW_WIRE_ZMTP, p, n < ZW_HEADER_MAX ? (unsigned)n : ZW_HEADER_MAX,
                            &need, &fl, &size, &bad) != ZW_HEADER_DONE ||
            size > n - need ||
            zw_encode_frame2(ZW_WIRE_ZWS, dst, fl, NULL, 0, p + need, (size_t)size) != 0)
            return -1;
        p += need + (size_t)size;
        n -= need + (size_t)size;
    }
    return 0;
}

/* Reads a zw_err and checks it is one of zmqw.h's values. */
static inline zw_err fz_rc(zw_err rc) {
    FZ_CHECK((unsigned)rc <= ZW_EHOSTUNREACH);
    return rc;
}

/* Reads every byte of an area the core handed out (so ASan sees a stale or short one). */
static inline uint32_t fz_touch(const uint8_t *p, uint32_t n) {
    static uint8_t sink[65536];
    uint32_t sum = 0;
    for (uint32_t off = 0; off < n;) {
        uint32_t k = n - off < sizeof sink ? n - off : (uint32_t)sizeof sink;
        memcpy(sink, p + off, k);
        sum += sink[0] + sink[k - 1];
        off += k;
    }
    return sum;
}

/* --- seeds: FUZZ_WRITE_SEEDS=<dir> build/fuzz_x writes the target's seed inputs and exits ---- */

static inline void fz_write_seed(const char *dir, const char *name, const void *p, size_t n) {
    char path[4096];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    FILE *f = fopen(path, "wb");
    FZ_CHECK(f != NULL);
    FZ_CHECK(fwrite(p, 1, n, f) == n);
    fclose(f);
}

#define FZ_SEED_WRITER(write_seeds)                                                          \
    int LLVMFuzzerInitialize(int *argc, char ***argv) {                                      \
        const char *dir = getenv("FUZZ_WRITE_SEEDS");                                        \
        if (dir) {                                                                           \
            write_seeds(dir);                                                                \
            exit(0);                                                                         \
        }                                                                                    \
        return 0;                                                                            \
    }

#endif
