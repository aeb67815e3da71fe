/** tcp:// over node:net. Endpoint syntax was checked by the facade (ts/api/endpoint.ts). */
import * as net from "node:net"
import { networkInterfaces } from "node:os"
import type { Duplex } from "node:stream"
import { listenServer } from "./server.js"
import type { Transport } from "./transport.js"
import { ZW_FRAMING } from "../zmqw.js"

/** Splits "tcp://host:port" (host may be "*", a name, an IPv4 or a [bracketed] IPv6 address). */
export function splitTcp(address: string): { host: string; port: string } {
  const rest = address.slice("tcp://".length)
  // A connect address may name a source ("src;dst"); the source is not supported and ignored.
  const target = rest.includes(";") ? rest.slice(rest.indexOf(";") + 1) : rest
  const colon = target.lastIndexOf(":")
  let host = target.slice(0, colon)
  if (host.startsWith("[") && host.endsWith("]")) host = host.slice(1, -1)
  return { host, port: target.slice(colon + 1) }
}

/**
 * The address to listen on for a bind's host part: "*" is every IPv4 interface, and a network
 * interface's name ("eth0", "lo") is that interface's first IPv4 address, as libzmq's
 * tcp_address_t tries an interface name before a host name; anything else is resolved by Node.
 */
function bindAddress(host: string): string {
  if (host === "*") return "0.0.0.0"
  const ipv4 = networkInterfaces()[host]?.find((a) => a.family === "IPv4")
  return ipv4 ? ipv4.address : host
}

function formatEndpoint(host: string, port: number): string {
  return host.includes(":") ? `tcp://[${host}]:${port}` : `tcp://${host}:${port}`
}

export const tcp: Transport = {
  connectEvent: "connect",
  framingOf: () => ZW_FRAMING.STREAM,
  messages: false,

  async listen(address, accept) {
    const { host, port } = splitTcp(address)
    const server = await listenServer({ host: bindAddress(host), port: port === "*" ? 0 : Number(port) }, accept)
    const info = server.address() as net.AddressInfo
    return {
      endpoint: formatEndpoint(info.address, info.port),
      close: () => server.close(),
      unref: () => server.unref(),
    }
  },

  dial(address, onread): Duplex {
    const { host, port } = splitTcp(address)
    // libzmq sets TCP_NODELAY on every connection: ZMTP batches on its own.
    return net.connect({ host, port: Number(port), noDelay: true, onread })
  },
}
