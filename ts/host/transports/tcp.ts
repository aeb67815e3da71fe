/** tcp:// over node:net. Endpoint syntax was checked by the facade (ts/api/endpoint.ts). */
import * as net from "node:net"
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

function formatEndpoint(host: string, port: number): string {
  return host.includes(":") ? `tcp://[${host}]:${port}` : `tcp://${host}:${port}`
}

export const tcp: Transport = {
  connectEvent: "connect",
  framingOf: () => ZW_FRAMING.STREAM,
  messages: false,

  async listen(address, accept) {
    const { host, port } = splitTcp(address)
    // libzmq binds "*" to all IPv4 interfaces unless ipv6 is enabled.
    const bindHost = host === "*" ? "0.0.0.0" : host
    const server = await listenServer({ host: bindHost, port: port === "*" ? 0 : Number(port) }, accept)
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
