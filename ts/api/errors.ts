/**
 * User-facing errors, in zeromq.js's shape (`message`, `code`, `errno`, `address`) and wording.
 * One table decides them all; the messages are zeromq.js 6's (libzmq's zmq_strerror, which is
 * Linux's strerror for system errnos, except where zeromq.js rewords one), checked against it in
 * test/interop/api.test.ts and test/unit/ipc.test.ts.
 */

const ERRORS: Record<string, [errno: number, message: string]> = {
  ENOENT: [2, "No such endpoint"],
  EBADF: [9, "Socket is closed"],
  EAGAIN: [11, "Operation was not possible or timed out"],
  ENOMEM: [12, "Cannot allocate memory"],
  EACCES: [13, "Permission denied"],
  EBUSY: [16, "Device or resource busy"],
  ENODEV: [19, "No such device"],
  ENOTDIR: [20, "Not a directory"],
  EMFILE: [24, "Too many open file descriptors"],
  EINVAL: [22, "Invalid argument"],
  EPIPE: [32, "Broken pipe"],
  ENAMETOOLONG: [36, "File name too long"],
  EPROTO: [71, "Protocol error"],
  ENOTSOCK: [88, "Socket operation on non-socket"],
  EMSGSIZE: [90, "Message too long"],
  EPROTONOSUPPORT: [93, "Protocol not supported"],
  ENOTSUP: [95, "Operation not supported"],
  EADDRINUSE: [98, "Address already in use"],
  EADDRNOTAVAIL: [99, "Cannot assign requested address"],
  ECONNRESET: [104, "Connection reset by peer"],
  ETIMEDOUT: [110, "Connection timed out"],
  ECONNREFUSED: [111, "Connection refused"],
  EHOSTUNREACH: [113, "Host unreachable"],
  // libzmq's own codes: ZMQ_HAUSNUMERO (156384712) + 51, + 52 and + 53.
  EFSM: [156384763, "Operation cannot be accomplished in current state"],
  ENOCOMPATPROTO: [156384764, "The protocol is not compatible with the socket type"],
  ETERM: [156384765, "Context was terminated"],
}

/** zeromq.js words some EBUSY cases for what is busy. */
export const BUSY_SEND = "Socket is busy writing; only one send operation may be in progress at any time"
export const BUSY_RECEIVE = "Socket is busy reading; only one receive operation may be in progress at any time"
export const BUSY_BIND = "Socket is blocked by a bind or unbind operation"

export interface ZmqError extends Error {
  code: string
  errno: number
  address?: string
}

export function zmqError(
  code: string,
  options: { address?: string; message?: string; cause?: unknown } = {},
): ZmqError {
  const [errno, text] = ERRORS[code] ?? ERRORS.EINVAL
  const err = new Error(options.message ?? text, "cause" in options ? { cause: options.cause } : undefined) as ZmqError
  err.code = code
  err.errno = errno
  if (options.address !== undefined) err.address = options.address
  return err
}
