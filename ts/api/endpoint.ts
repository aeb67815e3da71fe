/**
 * Endpoint checks as libzmq makes them before any I/O (zeromq.js throws them from connect and
 * rejects bind's promise with them): syntax and protocol, and the address as libzmq then uses
 * it. Resolution failures (unknown host, port in use) come later from the host.
 */
import { zmqError } from "./errors.js"

/** Transports this build carries. */
const SUPPORTED = new Set(["tcp", "ipc", "inproc", "ws", "wss"])
/** libzmq's transports that no classic socket type may use (udp is RADIO/DISH's). */
const INCOMPATIBLE = new Set(["udp"])

/** Bytes an ipc path may have: sockaddr_un's sun_path (108) less its terminating NUL. */
const IPC_MAX_PATH = 107
const utf8 = new TextEncoder()

/**
 * Checks an address and returns it as the host should use it: libzmq reads a tcp/ws port with
 * strtol into 16 bits, so ":99999" is port 34463 and ":-1" is 65535 (the socket still reports
 * the address as given). An IPv6 literal is bound only with the `ipv6` option (ENODEV
 * otherwise, as libzmq's resolver refuses it); connecting to one needs no option.
 */
export function checkEndpoint(address: unknown, forBind: boolean, ipv6 = false): string {
  if (typeof address !== "string") throw new TypeError("Address must be a string")
  const sep = address.indexOf("://")
  if (sep <= 0) throw zmqError("EINVAL", { address })
  const scheme = address.slice(0, sep)
  if (INCOMPATIBLE.has(scheme)) throw zmqError("ENOCOMPATPROTO", { address })
  if (!SUPPORTED.has(scheme)) throw zmqError("EPROTONOSUPPORT", { address })
  const rest = address.slice(sep + 3)
  if (scheme === "ipc") {
    checkIpc(address, rest)
    return address
  }
  if (scheme === "inproc") {
    // As libzmq (zeromq 6.8.0): any name but the empty one, for bind and connect alike.
    if (rest === "") throw zmqError("EINVAL", { address })
    return address
  }
  // ws: the path (from the first "/" after the port, as libzmq splits it) is the server's.
  const pathless = scheme === "ws" || scheme === "wss" ? withoutPath(rest) : rest
  const target = !forBind && pathless.includes(";") ? pathless.slice(pathless.indexOf(";") + 1) : pathless
  const colon = target.lastIndexOf(":")
  if (colon <= 0) throw zmqError("EINVAL", { address })
  const host = target.slice(0, colon)
  const port = target.slice(colon + 1)
  const portOk = (forBind && port === "*") || /^-?[0-9]+$/.test(port)
  if (!portOk || (host === "*" && !forBind)) throw zmqError("EINVAL", { address })
  if (host.startsWith("[") !== host.endsWith("]")) throw zmqError("EINVAL", { address })
  if (forBind && host.startsWith("[") && !ipv6) throw zmqError("ENODEV", { address })
  if (port === "*") return address
  const port16 = String(Number(port) & 0xffff)
  if (port16 === port) return address
  // Only the port changes; the rest (ws's path, a connect's source address) stays as it is.
  const at = sep + 3 + (target === pathless ? 0 : pathless.length - target.length) + colon + 1
  return address.slice(0, at) + port16 + address.slice(at + port.length)
}

function withoutPath(rest: string): string {
  const slash = rest.indexOf("/", rest.lastIndexOf(":"))
  return slash < 0 ? rest : rest.slice(0, slash)
}

/**
 * As libzmq (zeromq 6.8.0): an empty path, or "@" with no abstract name after it, is EINVAL; a
 * path longer than sun_path can hold is ENAMETOOLONG, for bind and connect alike. Any other path
 * is left to the host (a missing directory is ENOENT at bind, a retry at connect).
 */
function checkIpc(address: string, path: string): void {
  if (path === "" || path === "@") throw zmqError("EINVAL", { address })
  if (utf8.encode(path).length > IPC_MAX_PATH) throw zmqError("ENAMETOOLONG", { address })
  if (path.startsWith("@") && !exactAbstractNames()) {
    throw zmqError("ENOTSUP", { address, message: ABSTRACT_PADDED })
  }
}

const ABSTRACT_PADDED =
  "Abstract ipc names need libuv 1.48 (Node.js 22) or later: " +
  "this Node.js pads them with NULs, into names no libzmq peer can reach"

/**
 * A Linux abstract name is the bytes given, no more: libzmq binds "@name" as "\0name". Node.js
 * before libuv 1.48 (Node 20) pads the name with NULs to the whole sun_path, which makes it a
 * different name, so a libzmq peer and we would never meet. Refuse it there rather than bind or
 * dial a name nobody else can use. (Elsewhere than Linux "@" is an ordinary path character.)
 */
function exactAbstractNames(): boolean {
  const proc = (globalThis as { process?: { platform: string; versions: { uv?: string } } }).process
  if (proc?.platform !== "linux") return true
  const [major, minor] = (proc.versions.uv ?? "0.0").split(".").map(Number)
  return major > 1 || (major === 1 && minor >= 48)
}
