/** The node:net server behind every stream transport's listener (tcp, ipc). */
import * as net from "node:net"
import type { Duplex } from "node:stream"
import { type Accepting, listenErrorCode, type Reader, TransportError } from "./transport.js"

/**
 * An accepted socket that reads through `onread` (node:net has the option for sockets it
 * constructs, not for those a server accepts): the server made it paused (pauseOnConnect), and
 * its handle moves to a Socket constructed with the option, as node:net's own server constructs
 * one around an accepted handle. The first Socket, left without a handle, is never used again
 * (the server still counts it as a connection: only close()'s callback would wait for it, and
 * nothing here passes one). Without a handle to move (another runtime), the socket reads as a
 * stream.
 */
function withOnread(socket: net.Socket, reader: Reader): Duplex {
  const inner = socket as unknown as { _handle?: object | null }
  const handle = inner._handle
  if (!handle || typeof handle !== "object") return socket.resume()
  inner._handle = null
  return new net.Socket({ handle, onread: reader.onread, readable: true, writable: true } as net.SocketConstructorOpts)
}

/** Listens at options (a host and port, or a path); every accepted stream goes to accept. */
export function listenServer(options: net.ListenOptions, accept: Accepting): Promise<net.Server> {
  const { onStream, reader } = accept
  return new Promise((resolve, reject) => {
    // libzmq sets TCP_NODELAY on every connection: ZMTP batches on its own. Pipes ignore it.
    const server = net.createServer({ noDelay: true, pauseOnConnect: reader !== undefined }, (socket) => {
      if (!reader) return onStream(socket)
      const r = reader()
      onStream(withOnread(socket, r), r)
    })
    server.once("error", (err: NodeJS.ErrnoException) => {
      reject(new TransportError(listenErrorCode(err), err.message))
    })
    // exclusive: in a cluster worker, listen for this socket alone, as libzmq does.
    server.listen({ ...options, exclusive: true }, () => {
      server.on("error", () => {}) // after listening, errors close the server; nothing to report
      resolve(server)
    })
  })
}
