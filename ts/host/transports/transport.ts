/**
 * What the host needs from a transport: listen for byte streams, dial one. A transport knows
 * addresses and sockets, nothing of ZMTP; every stream it yields is handed to the core as is.
 */
import type { Duplex } from "node:stream"
import type { Framing } from "../abi.js"
import type { TlsSettings } from "./tls.js"

export interface Listener {
  /** The endpoint as lastEndpoint reports it (port resolved, e.g. tcp://127.0.0.1:41234). */
  readonly endpoint: string
  close(): void
  /** Stops the listener from keeping the process alive (inline mode). */
  unref(): void
}

/** node:net's `onread`: `buffer()` gives where the next read goes, `callback` gets what came
 *  (and returns true: reading stops and starts again only through the stream's pause/resume). */
export interface OnRead {
  buffer(): Uint8Array
  callback(nread: number, buf: Uint8Array): boolean
}

/** What reads a stream into the host's buffers (transports/stream.ts's DirectRead). */
export interface Reader {
  readonly onread: OnRead
}

/** Where a listener's streams go, and (optionally) what makes a reader for each (server.ts). */
export interface Accepting {
  onStream(stream: Duplex, reader?: Reader): void
  reader?: () => Reader
}

/** A transport-level failure, carrying the zeromq.js error code it maps to. */
export class TransportError extends Error {
  constructor(readonly code: string, message?: string) {
    super(message ?? code)
  }
}

export interface Transport {
  /** Starts listening; accept.onStream gets every accepted stream. Rejects with
   *  TransportError. With accept.reader, each accepted stream reads into the buffers of a reader
   *  made for it (see server.ts), which onStream gets with it. */
  listen(address: string, accept: Accepting, tls?: TlsSettings): Promise<Listener>
  /** Starts dialing; the stream emits "connect" once up, or "error"/"close" if it failed. With
   *  `onread`, the stream reads into the buffers it gives instead of emitting "data"
   *  (node:net's onread, which Node offers for client sockets only). */
  dial(address: string, onread?: OnRead, tls?: TlsSettings): Duplex
  /** Name of the event a dialed stream emits once connected. */
  readonly connectEvent: string
  /** How a connection of this transport carries ZeroMQ (the core picks the engine from it):
   *  bytes, or messages with the subprotocol agreed (known once a dialed stream connected). */
  framingOf(stream: Duplex): Framing
  /** Its connections carry messages (ZWS), not a byte stream: no STREAM socket over it. */
  readonly messages: boolean
}

/** Node's errno names for failed listens (and ipc's file operations), mapped to zeromq.js's codes. */
export function listenErrorCode(err: NodeJS.ErrnoException): string {
  switch (err.code) {
    case "EADDRINUSE":
    case "EACCES":
    case "EADDRNOTAVAIL":
    case "ENOENT": // ipc: no such directory
    case "ENOTDIR":
    case "ENAMETOOLONG":
      return err.code
    case "ENOTFOUND":
    case "EAI_AGAIN":
    case "EAI_NONAME":
      return "ENODEV"
    default:
      return "EINVAL"
  }
}
