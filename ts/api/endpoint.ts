/**
 * Endpoint checks that zeromq.js reports synchronously (connect) or before any I/O (bind):
 * syntax and protocol. Resolution failures (unknown host, port in use) come later from the host.
 */
import { zmqError } from "./errors.js"

/** Transports this build carries. */
const SUPPORTED = new Set(["tcp"])

export function checkEndpoint(address: unknown, forBind: boolean): void {
  if (typeof address !== "string") throw new TypeError("Address must be a string")
  const sep = address.indexOf("://")
  if (sep <= 0) throw zmqError("EINVAL", { address })
  const scheme = address.slice(0, sep)
  if (!SUPPORTED.has(scheme)) throw zmqError("EPROTONOSUPPORT", { address })
  const rest = address.slice(sep + 3)
  const target = !forBind && rest.includes(";") ? rest.slice(rest.indexOf(";") + 1) : rest
  const colon = target.lastIndexOf(":")
  if (colon <= 0) throw zmqError("EINVAL", { address })
  const host = target.slice(0, colon)
  const port = target.slice(colon + 1)
  const portOk = (forBind && port === "*") || (/^[0-9]+$/.test(port) && Number(port) <= 65535)
  if (!portOk || (host === "*" && !forBind)) throw zmqError("EINVAL", { address })
  if (host.startsWith("[") !== host.endsWith("]")) throw zmqError("EINVAL", { address })
}
