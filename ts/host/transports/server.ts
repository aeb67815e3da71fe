/** The node:net server behind every stream transport's listener (tcp, ipc). */
import * as net from "node:net"
import type { Duplex } from "node:stream"
import { listenErrorCode, TransportError } from "./transport.js"

/** Listens at options (a host and port, or a path); every accepted stream goes to onStream. */
export function listenServer(options: net.ListenOptions, onStream: (stream: Duplex) => void): Promise<net.Server> {
  return new Promise((resolve, reject) => {
    // libzmq sets TCP_NODELAY on every connection: ZMTP batches on its own. Pipes ignore it.
    const server = net.createServer({ noDelay: true }, (socket) => onStream(socket))
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
