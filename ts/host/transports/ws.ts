/**
 * ws:// and wss:// in Node: ZWS 2.0 (RFC 45) over the `ws` package, server on node:http (wss:
 * node:https, with the socket's wssKeyPem and wssCertPem; a client trusts wssTrustPem, with the
 * system's authorities too if wssTrustSystem, and checks wssHostname: transports/tls.ts). The
 * WebSocket protocol (HTTP upgrade, masking, fragments, ping/pong) is `ws`'s; what ZeroMQ puts in
 * the messages is the core's (MESSAGE framing, zmqw.h); transports/message-stream.ts joins them.
 *
 * Subprotocols, as libzmq 4.3: a client offers "ZWS2.0/NULL,ZWS2.0"; a server takes the first
 * of the client's it supports. "ZWS2.0/NULL" runs the NULL mechanism (READY, socket types
 * checked); plain "ZWS2.0" has none (each side's first message is its routing id) and is the
 * only one a browser can offer ("/" is not allowed in a subprotocol token there). PLAIN and
 * CURVE come with security.
 *
 * Paths: an endpoint's path ("/" when none) is routed: binds of several sockets on one host and
 * port, each with its own path, share one HTTP server (the same path twice is EADDRINUSE); a
 * request for no bound path is answered 404. lastEndpoint reports the port chosen for "*" or
 * "0", and the path.
 */
import * as http from "node:http"
import * as https from "node:https"
import type { AddressInfo } from "node:net"
import { rootCertificates } from "node:tls"
import type { Duplex } from "node:stream"
import { WebSocket, WebSocketServer } from "ws"
import type { Framing } from "../abi.js"
import { ZW_FRAMING } from "../zmqw.js"
import { MessageStream } from "./message-stream.js"
import type { TlsSettings } from "./tls.js"
import { type Accepting, type Listener, listenErrorCode, type Transport, TransportError } from "./transport.js"

/** The subprotocols we speak, with the framing the core reads each as; in libzmq's order of
 *  preference (a client offers them in this order). */
const SUBPROTOCOLS = new Map<string, Framing>([
  ["ZWS2.0/NULL", ZW_FRAMING.MESSAGE],
  ["ZWS2.0", ZW_FRAMING.MESSAGE_BARE],
])
const OFFER = [...SUBPROTOCOLS.keys()]

/** The largest message `ws` assembles before handing it over: the core's own cap on a frame
 *  (ZMTP_DEC_MAX_DATA, 1 GiB - 1) plus the flags byte. `ws` holds only what has arrived, so a
 *  peer that declares more costs what it sends; the socket's maxMessageSize is the core's check. */
const MAX_PAYLOAD = 1 << 30

/** The first subprotocol of the client's offer (in its order) that we speak. */
function choose(header: string | string[] | undefined): string | undefined {
  for (const p of String(header ?? "").split(",")) if (SUBPROTOCOLS.has(p.trim())) return p.trim()
  return undefined
}

/*
 * `ws` checks subprotocols as browsers do: a token may not contain "/", so it refuses to offer
 * "ZWS2.0/NULL", to parse an offer that has it (a libzmq client's: the upgrade would fail with
 * 400), and to accept it as a server's answer. The subprotocol is therefore negotiated here, in
 * the headers, out of `ws`'s sight: a server takes the header off the request before `ws` sees
 * it and writes its answer into the response (the "headers" event); a client sends its offer as
 * a plain header and takes the answer off the response ("upgrade" event, which `ws` emits before
 * checking it), so that `ws` sees neither.
 */
const PROTOCOL_HEADER = "sec-websocket-protocol"
const chosenOf = new WeakMap<http.IncomingMessage, string>()

/** Splits "ws://host:port/path" as libzmq does: the port after the last ":", the path from the
 *  first "/" after it ("/" when none). */
export function splitWs(address: string): { host: string; port: string; path: string } {
  const rest = address.slice(address.indexOf("://") + 3)
  const colon = rest.lastIndexOf(":")
  const slash = rest.indexOf("/", colon)
  let host = rest.slice(0, colon)
  if (host.startsWith("[") && host.endsWith("]")) host = host.slice(1, -1)
  const port = rest.slice(colon + 1, slash < 0 ? undefined : slash)
  return { host, port, path: slash < 0 ? "/" : rest.slice(slash) }
}

/** One HTTP(S) server and the sockets bound on its paths. */
interface Site {
  server: http.Server | https.Server
  wss: WebSocketServer
  routes: Map<string, Accepting>
}

/** Sites by "scheme://host:port" (a bind of port "*" or "0" opens a site of its own, then known by the
 *  port it got, so that later binds of that port with other paths join it). */
const sites = new Map<string, Promise<Site>>()

function refuse(socket: Duplex, status: string): void {
  socket.end(`HTTP/1.1 ${status}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`)
}

function openSite(host: string, port: number, tls: TlsSettings | undefined): Promise<Site> {
  const plain = (_req: http.IncomingMessage, res: http.ServerResponse) => {
    res.writeHead(426, { Connection: "close" }).end() // plain HTTP: only upgrades are served
  }
  const server = tls ? https.createServer({ key: tls.keyPem, cert: tls.certPem }, plain) : http.createServer(plain)
  const wss = new WebSocketServer({ noServer: true, clientTracking: false, perMessageDeflate: false, maxPayload: MAX_PAYLOAD })
  wss.on("headers", (headers, req) => headers.push(`Sec-WebSocket-Protocol: ${chosenOf.get(req)}`))
  const site: Site = { server, wss, routes: new Map() }
  server.on("upgrade", (req: http.IncomingMessage, socket: Duplex, head: Buffer) => {
    socket.on("error", () => {}) // a client gone mid-upgrade
    const path = new URL(req.url ?? "/", "ws://x").pathname
    const route = site.routes.get(path)
    const chosen = choose(req.headers[PROTOCOL_HEADER])
    if (!route) return refuse(socket, "404 Not Found")
    if (chosen === undefined) return refuse(socket, "400 Bad Request")
    delete req.headers[PROTOCOL_HEADER]
    chosenOf.set(req, chosen)
    wss.handleUpgrade(req, socket, head, (ws) => {
      route.onStream(new MessageStream(ws, SUBPROTOCOLS.get(chosen)))
    })
  })
  return new Promise((resolve, reject) => {
    server.once("error", (err: NodeJS.ErrnoException) => reject(new TransportError(listenErrorCode(err), err.message)))
    server.listen({ host, port, exclusive: true }, () => {
      server.on("error", () => {})
      resolve(site)
    })
  })
}

function formatEndpoint(scheme: string, info: AddressInfo, path: string): string {
  const host = info.address.includes(":") ? `[${info.address}]` : info.address
  return `${scheme}://${host}:${info.port}${path}`
}

/** ws:// (secure false) or wss:// (TLS over node:https, with the socket's wss options). */
function webSocketTransport(scheme: "ws" | "wss"): Transport {
  const secure = scheme === "wss"
  return {
    connectEvent: "connect",
    framingOf: (stream) => (stream as MessageStream).framing ?? ZW_FRAMING.MESSAGE,
    messages: true,

    async listen(address, accept, tls = {}) {
      if (secure && (!tls.keyPem || !tls.certPem)) {
        throw new TransportError("EINVAL", "a wss:// bind needs wssKeyPem and wssCertPem")
      }
      const { host, port, path } = splitWs(address)
      // libzmq binds "*" to all IPv4 interfaces unless ipv6 is enabled.
      const bindHost = host === "*" ? "0.0.0.0" : host
      const fresh = port === "*" || Number(port) === 0
      let key = `${scheme}://${bindHost}:${Number(port)}`
      let pending = fresh ? undefined : sites.get(key)
      if (!pending) {
        pending = openSite(bindHost, fresh ? 0 : Number(port), secure ? tls : undefined)
        if (!fresh) {
          sites.set(key, pending)
          pending.catch(() => sites.delete(key))
        }
      }
      const site = await pending
      if (site.routes.has(path)) throw new TransportError("EADDRINUSE")
      site.routes.set(path, accept)
      const info = site.server.address() as AddressInfo
      if (fresh) {
        key = `${scheme}://${bindHost}:${info.port}`
        sites.set(key, pending)
      }
      const listener: Listener = {
        endpoint: formatEndpoint(scheme, info, path),
        close: () => {
          if (site.routes.get(path) !== accept) return
          site.routes.delete(path)
          if (site.routes.size) return
          // As a tcp listener's close: no new connections; those accepted stay up.
          sites.delete(key)
          site.server.close()
          site.wss.close()
        },
        unref: () => site.server.unref(),
      }
      return listener
    },

    dial(address, _onread, tls = {}): Duplex {
      const socket = new WebSocket(address, {
        perMessageDeflate: false,
        maxPayload: MAX_PAYLOAD,
        headers: { "Sec-WebSocket-Protocol": OFFER.join(",") },
        ...(secure ? clientTls(tls) : {}),
      })
      const stream = new MessageStream(socket, undefined)
      socket.once("upgrade", (res: http.IncomingMessage) => {
        const answer = res.headers[PROTOCOL_HEADER]
        delete res.headers[PROTOCOL_HEADER]
        stream.framing = typeof answer === "string" ? SUBPROTOCOLS.get(answer.trim()) : undefined
      })
      return stream
    },
  }
}

/** A wss:// client's TLS options from the socket's: whom to trust, which name to check. */
function clientTls(tls: TlsSettings): { ca?: string[]; servername?: string } {
  const out: { ca?: string[]; servername?: string } = {}
  if (tls.trustPem) out.ca = tls.trustSystem ? [...rootCertificates, tls.trustPem] : [tls.trustPem]
  if (tls.hostname) out.servername = tls.hostname
  return out
}

export const ws = webSocketTransport("ws")
export const wss = webSocketTransport("wss")
