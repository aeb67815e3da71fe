/**
 * The socket classes of zeromq.js v6. Each is a name, a socket type number for the core and the
 * methods it keeps: the patterns themselves (envelopes, routing, filtering) live in the C core.
 */
import type { Context } from "./context.js"
import { zmqError } from "./errors.js"
import { OPTIONS } from "./options.js"
import { defineOption, type Message, type MessageLike, type Readable, SOCKET_TYPES, Socket, type Writable } from "./socket.js"

export type SocketOptions<S> = Partial<Omit<{ [K in keyof S]: S[K] }, "type" | "lastEndpoint" | "closed" | "readable" | "writable" | "context">> & {
  context?: Context
}

/** Removes send/receive from socket types that cannot use them, as zeromq.js does. */
function allowMethods(cls: { prototype: object }, methods: ("send" | "receive")[]): void {
  for (const name of ["send", "receive"] as const) {
    if (!methods.includes(name)) Object.defineProperty(cls.prototype, name, { value: undefined })
  }
  if (!methods.includes("receive")) Object.defineProperty(cls.prototype, Symbol.asyncIterator, { value: undefined })
}

/** A REQ socket: sends a request, then receives its reply, strictly alternating (RFC 28). */
export class Request extends Socket {
  constructor(options?: SocketOptions<Request>) {
    super("request", options)
  }
}
export interface Request extends Readable, Writable {
  /** ZMQ_ROUTING_ID: the identity this socket announces to ROUTER peers. */
  routingId: string | null
  /** ZMQ_PROBE_ROUTER: send an empty message to each new peer. */
  probeRouter: boolean
  /** ZMQ_REQ_CORRELATE: prefix requests with an id; accept only the matching reply. */
  correlate: boolean
  /** ZMQ_REQ_RELAXED: allow a new request before the reply to the last one came. */
  relaxed: boolean
}

/** A REP socket: receives a request, then sends its reply (RFC 28). */
export class Reply extends Socket {
  constructor(options?: SocketOptions<Reply>) {
    super("reply", options)
  }
}
export interface Reply extends Readable, Writable {}

/** A PUB socket: distributes every message to the subscribers whose prefix matches (RFC 29). */
export class Publisher extends Socket {
  constructor(options?: SocketOptions<Publisher>) {
    super("publisher", options)
  }
}
export interface Publisher extends Writable {}
allowMethods(Publisher, ["send"])

const OPT_SUBSCRIBE = 6
const OPT_UNSUBSCRIBE = 7

/** A SUB socket: receives the messages of the topics it subscribed to (RFC 29). */
export class Subscriber extends Socket {
  constructor(options?: SocketOptions<Subscriber>) {
    super("subscriber", options)
  }

  /** Subscribes to messages starting with any of the prefixes; no prefix = everything. */
  subscribe(...prefixes: Array<Buffer | string>): void {
    this.changeSubscription(OPT_SUBSCRIBE, prefixes)
  }

  /** Undoes one subscribe() per prefix; no prefix = the empty prefix. */
  unsubscribe(...prefixes: Array<Buffer | string>): void {
    this.changeSubscription(OPT_UNSUBSCRIBE, prefixes)
  }

  private changeSubscription(option: number, prefixes: Array<Buffer | string>): void {
    if (this.closed) throw zmqError("ENOTSOCK")
    const list = prefixes.length ? prefixes : [""]
    for (const prefix of list) {
      if (typeof prefix !== "string" && !Buffer.isBuffer(prefix)) {
        throw new TypeError("Option value must be a string or buffer")
      }
    }
    for (const prefix of list) this.setSubscription(option, Buffer.from(prefix as string))
  }
}
export interface Subscriber extends Readable {}
allowMethods(Subscriber, ["receive"])

/** A PUSH socket: load-balances messages over its PULL peers, blocking at HWM (RFC 30). */
export class Push extends Socket {
  constructor(options?: SocketOptions<Push>) {
    super("push", options)
  }
}
export interface Push extends Writable {}
allowMethods(Push, ["send"])

/** A PULL socket: fair-queues messages from its PUSH peers (RFC 30). */
export class Pull extends Socket {
  constructor(options?: SocketOptions<Pull>) {
    super("pull", options)
  }
}
export interface Pull extends Readable {}
allowMethods(Pull, ["receive"])

/**
 * A STREAM socket: raw TCP peers, no ZMTP. Every message is [routing id, data]: what a peer
 * sent, or what to send it; [id, ""] announces a peer coming or going (`notify`), and sending
 * [id, ""] closes that peer's connection.
 */
export class Stream extends Socket {
  constructor(options?: SocketOptions<Stream>) {
    super("stream", options)
  }
}
export interface Stream extends Readable, Writable {
  /** ZMQ_STREAM_NOTIFY: deliver [id, ""] when a peer connects or disconnects (default true). */
  notify: boolean
}

// Options that only some socket types have (rows with a `sockets` list).
const CLASSES = [
  [Request, "request"], [Reply, "reply"], [Publisher, "publisher"],
  [Subscriber, "subscriber"], [Push, "push"], [Pull, "pull"], [Stream, "stream"],
] as const
for (const row of OPTIONS) {
  if (!row.sockets) continue
  for (const [cls, type] of CLASSES) if (row.sockets.includes(SOCKET_TYPES[type])) defineOption(cls, row)
}
export type { Message, MessageLike }
