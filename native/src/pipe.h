/* pipe.h — one direction of a session's traffic: a bounded FIFO of whole messages.
 *
 * Frames are linked through their intrusive `next` field, so writing and reading never copy or
 * allocate. The high-water mark counts complete messages (0 = unlimited) and is checked once per
 * message, at its first frame, so a multipart message is never split by the HWM. A message becomes
 * readable only when its last frame (no ZW_FRAME_MORE) has been written; a partly written message
 * can be rolled back (the writer went away mid-message).
 *
 * Each pipe belongs to one session of one socket. `peer` links a session's two pipes (in <-> out),
 * which is how a socket answers on the connection a request came from. `slot` is the pipe's index
 * in whichever routing strategy array holds it (lb, fq or dist; a pipe is in at most one).
 */
#ifndef ZW_PIPE_H
#define ZW_PIPE_H

#include <stdint.h>
#include "base/frame.h"

typedef struct zw_pipe zw_pipe_t;

struct zw_pipe {
    zw_frame_t *head;       /* oldest frame, NULL when empty */
    zw_frame_t *tail;       /* newest frame (possibly part of an unfinished message) */
    zw_frame_t *done;       /* last frame of the newest complete message; NULL if none */
    uint32_t msgs;          /* complete messages queued (what the HWM limits) */
    uint32_t hwm;           /* 0 = unlimited */
    uint8_t writing;        /* a message has been started and not finished */
    uint8_t closed;         /* nobody will ever read it (its peer is gone): writes are refused */
    uint8_t conflate;       /* CONFLATE: holds only the newest complete message, never full */
    uint8_t connected;      /* the owning session has a handshaken connection */
    uint8_t in_state;       /* socket scratch: inbound filter state at a message boundary = 0 */
    uint8_t in_flag;        /* socket scratch: per-message inbound flag */
    uint32_t slot;          /* index in the routing strategy array that holds the pipe */
    zw_pipe_t *peer;        /* the other direction of the same session */
    void *session;          /* owner (core's session) */
    void *priv;             /* the socket type's per-peer state (pipe_priv_size), or NULL */
    /* Called after a message completes on this pipe (out pipes: move it to the engine). May read
     * from the pipe. NULL = nothing. */
    void (*on_msg)(zw_pipe_t *p);
};

void zw_pipe_init(zw_pipe_t *p, uint32_t hwm);
/* Frees every frame queued, complete or not. */
void zw_pipe_fini(zw_pipe_t *p);

/* Whether a new message may be started (below HWM), or a started one continued. */
static inline int zw_pipe_writable(const zw_pipe_t *p) {
    return !p->closed && (p->conflate || p->writing || p->hwm == 0 || p->msgs < p->hwm);
}
static inline int zw_pipe_full(const zw_pipe_t *p) {
    return !p->conflate && p->hwm != 0 && p->msgs >= p->hwm;
}
static inline int zw_pipe_readable(const zw_pipe_t *p) { return p->msgs > 0; }

/* Appends one frame. Returns 0 and takes ownership, or ZW_EAGAIN (frame stays the caller's) when
 * f would start a message and the pipe is at HWM, or the pipe is closed (force or not). force=1
 * skips the HWM check (subscriptions and commands, which must never be lost to flow control). */
int zw_pipe_write(zw_pipe_t *p, zw_frame_t *f, int force);
/* Appends a whole message (frames linked through next, last without MORE); all or nothing. */
int zw_pipe_write_msg(zw_pipe_t *p, zw_frame_t *msg, int force);
/* Drops the frames of an unfinished message. */
void zw_pipe_rollback(zw_pipe_t *p);
/* Takes the oldest complete message (frames linked through next), or NULL. */
zw_frame_t *zw_pipe_read(zw_pipe_t *p);
/* Drops every queued complete message whose frame is a subscription or command (used when a
 * connection is lost: they are re-sent from the socket's state on the next one). */
void zw_pipe_purge_commands(zw_pipe_t *p);

/* Frees a message (list of frames through next). Accepts NULL. */
void zw_msg_free(zw_frame_t *msg);

#endif
