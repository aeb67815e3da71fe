/**
 * The legacy API's numeric constants other than option numbers (those are in options.ts): socket
 * type numbers, poll bits, the send flag, capability flags and socket states, under the names
 * zeromq.js v5 exported them by. They are values libzmq defines (zmq.h); the states and
 * capabilities are v5's own.
 */

// Socket types (zmq.h). XREQ and XREP are the old names of DEALER and ROUTER.
export const ZMQ_PAIR = 0
export const ZMQ_PUB = 1
export const ZMQ_SUB = 2
export const ZMQ_REQ = 3
export const ZMQ_REP = 4
export const ZMQ_DEALER = 5
export const ZMQ_XREQ = 5
export const ZMQ_ROUTER = 6
export const ZMQ_XREP = 6
export const ZMQ_PULL = 7
export const ZMQ_PUSH = 8
export const ZMQ_XPUB = 9
export const ZMQ_XSUB = 10
export const ZMQ_STREAM = 11

// ZMQ_EVENTS bits, as getsockopt(ZMQ_EVENTS) reports them.
export const ZMQ_POLLIN = 1
export const ZMQ_POLLOUT = 2
export const ZMQ_POLLERR = 4

/** send()'s flag: more parts follow; the message goes out with the next send() without it. */
export const ZMQ_SNDMORE = 2

// What v5 code tested before calling monitor(), disconnect(), unbind() or setting context
// options: all present here.
export const ZMQ_CAN_MONITOR = 1
export const ZMQ_CAN_DISCONNECT = 1
export const ZMQ_CAN_UNBIND = 1
export const ZMQ_CAN_SET_CTX = 1

// v5's socket states; kept as names only (nothing reports them any more).
export const STATE_READY = 0
export const STATE_BUSY = 1
export const STATE_CLOSED = 2
