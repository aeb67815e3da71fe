/**
 * What the Observer hears of a connection's end: the events libzmq's monitor emits for it, by
 * the core's close reason (zmqw.h's zw_close_reason) or the transport's error, and by whether
 * its handshake had completed. The host (host.ts) emits them for monitored sockets.
 *
 * libzmq reports a handshake that failed on malformed input as handshake:error:protocol with a
 * ZMQ_PROTOCOL_ERROR_* code, one that failed otherwise (the peer hung up, the handshake timed
 * out) as handshake:error:other with the errno, and then, like any connection that ends without
 * the user asking, disconnect. A peer of the wrong socket type, a frame over maxMessageSize or a
 * refused peer end with disconnect alone (measured against zeromq 6.8.0: test/interop/observer).
 */
import { ZW_CLOSE } from "./zmqw.js"

/** An event as the channel carries it (protocol.ts "event"): zeromq.js's event type, its
 *  address, and its value: `n` the interval of connect:retry (or a ZAP status), `c` the errno
 *  name of an error event or a handshake:error:protocol's ERR_ZMTP_* code. */
export interface MonitorEvent {
  e: string
  a?: string
  n?: number
  c?: string
}

/** handshake:error:protocol codes, by the core's close reason, as libzmq names the same failure. */
const PROTOCOL_CODES: Partial<Record<number, string>> = {
  [ZW_CLOSE.PROTOCOL]: "ERR_ZMTP_UNSPECIFIED",
  [ZW_CLOSE.MECHANISM]: "ERR_ZMTP_MECHANISM_MISMATCH",
  [ZW_CLOSE.UNEXPECTED_COMMAND]: "ERR_ZMTP_UNEXPECTED_COMMAND",
  [ZW_CLOSE.INVALID_METADATA]: "ERR_ZMTP_INVALID_METADATA",
}

/**
 * The events of a connection at `address` that ends, not at the user's request: `reason` is the
 * core's (undefined when the transport ended first: the peer hung up, or `errorCode`).
 */
export function endEvents(address: string, handshaken: boolean, reason: number | undefined, errorCode: string | undefined): MonitorEvent[] {
  const events: MonitorEvent[] = []
  if (!handshaken) {
    const code = reason === undefined ? undefined : PROTOCOL_CODES[reason]
    if (code) events.push({ e: "handshake:error:protocol", a: address, c: code })
    else if (reason === undefined) events.push({ e: "handshake:error:other", a: address, c: errorCode ?? "EPIPE" })
    // libzmq's errno at a handshake timeout is that of the last read, which found nothing.
    else if (reason === ZW_CLOSE.HANDSHAKE_TIMEOUT) events.push({ e: "handshake:error:other", a: address, c: "EAGAIN" })
  }
  events.push({ e: "disconnect", a: address })
  return events
}

/** libzmq reports a failed bind's address without its scheme ("127.0.0.1:5555"). */
export function bindErrorAddress(address: string): string {
  const i = address.indexOf("://")
  return i < 0 ? address : address.slice(i + 3)
}
