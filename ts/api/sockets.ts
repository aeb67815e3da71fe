/**
 * The socket classes of zeromq.js v6. Each is a name, a socket type number for the core and the
 * methods it keeps: the patterns themselves (envelopes, routing, filtering) live in the C core.
 */
import type { Context } from "./context.js"
import { zmqError } from "./errors.js"
import { OPTIONS } from "./options.js"
import { defineOption, type Message, type MessageLike, type Readable, SOCKET_TYPES, Socket, type Writable } from "./socket.js"
import { bytesOf, isBytes, latin1 } from "../host/bytes.js"

export type SocketOptions<S> = Partial<Omit<{ [K in keyof S]: S[K] }, "type" | "lastEndpoint" | "closed" | "readable" | "writable" | "context">> & {
  context?: Context
}

/** A REQ socket: sends a request, then receives its reply, strictly alternating (RFC 28). */
export class Request extends Socket {
  constructor(options?: SocketOptions<Request>) {
    super(SOCKET_TYPES.request, options)
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
    super(SOCKET_TYPES.reply, options)
  }

}
export interface Reply extends Readable, Writable {}

/** A PUB socket: distributes every message to the subscribers whose prefix matches (RFC 29). */
export class Publisher extends Socket {
  constructor(options?: SocketOptions<Publisher>) {
    super(SOCKET_TYPES.publisher, options)
  }
}
export interface Publisher extends Writable {
  /** ZMQ_XPUB_NODROP: at a subscriber's HWM send waits instead of dropping the message. */
  noDrop: boolean
  /** ZMQ_INVERT_MATCHING: send to the subscribers whose prefixes do not match. */
  invertMatching: boolean
}

const OPT_SUBSCRIBE = 6
const OPT_UNSUBSCRIBE = 7

/**
 * What a SUB knows of its own subscriptions, as the core counts them (a prefix subscribed
 * twice needs two unsubscribes), by their bytes as latin1 strings: for dropQueued(). Kept
 * beside the socket, which is sealed (zeromq.js's sockets take no properties of their own).
 */
class Subscriptions {
  readonly prefixes = new Map<string, number>()
  /** Filter changes the host has not answered yet. */
  changing = 0

  constructor(private readonly socket: Subscriber) {}

  /** Whether a message's first frame passes the filter as it is now (libzmq's SUB match). */
  readonly passes = (first: Buffer): boolean => {
    const topic = latin1(first)
    let hit = false
    for (const key of this.prefixes.keys()) {
      if (topic.startsWith(key)) {
        hit = true
        break
      }
    }
    return hit !== this.socket.invertMatching
  }
}
const subscriptions = new WeakMap<Subscriber, Subscriptions>()

/** A SUB socket: receives the messages of the topics it subscribed to (RFC 29). */
export class Subscriber extends Socket {
  constructor(options?: SocketOptions<Subscriber>) {
    super(SOCKET_TYPES.subscriber, options)
    subscriptions.set(this, new Subscriptions(this))
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
    const subs = subscriptions.get(this) as Subscriptions
    const list = prefixes.length ? prefixes : [""]
    for (const prefix of list) {
      if (typeof prefix !== "string" && !isBytes(prefix)) {
        throw new TypeError("Option value must be a string or buffer")
      }
    }
    let applied: Promise<void> = Promise.resolve()
    for (const prefix of list) {
      const bytes = bytesOf(prefix)
      applied = this.setSubscription(option, bytes)
      const key = latin1(bytes)
      const count = (subs.prefixes.get(key) ?? 0) + (option === OPT_SUBSCRIBE ? 1 : -1)
      if (count > 0) subs.prefixes.set(key, count)
      else subs.prefixes.delete(key) // an unknown prefix's unsubscribe does nothing, as libzmq
    }
    // What was received ahead of receive() must pass the new filter (socket.ts, dropQueued), and
    // so must what the host sent before it applied the change, until it answers.
    if (option === OPT_UNSUBSCRIBE || this.invertMatching) {
      this.setQueuedFilter(subs.passes)
      this.dropQueued(subs.passes)
      subs.changing++
      void applied.then(() => {
        if (--subs.changing === 0) this.setQueuedFilter(undefined)
      })
    }
  }
}
export interface Subscriber extends Readable {
  /** ZMQ_INVERT_MATCHING: receive the messages that match none of the subscriptions. */
  invertMatching: boolean
}

/** A PUSH socket: load-balances messages over its PULL peers, blocking at HWM (RFC 30). */
export class Push extends Socket {
  constructor(options?: SocketOptions<Push>) {
    super(SOCKET_TYPES.push, options)
  }
}
export interface Push extends Writable {}

/** A PULL socket: fair-queues messages from its PUSH peers (RFC 30). */
export class Pull extends Socket {
  constructor(options?: SocketOptions<Pull>) {
    super(SOCKET_TYPES.pull, options)
  }
}
export interface Pull extends Readable {}

/**
 * A STREAM socket: raw TCP peers, no ZMTP. Every message is [routing id, data]: what a peer
 * sent, or what to send it; [id, ""] announces a peer coming or going (`notify`), and sending
 * [id, ""] closes that peer's connection.
 */
export class Stream extends Socket {
  constructor(options?: SocketOptions<Stream>) {
    super(SOCKET_TYPES.stream, options)
  }

  /** Connects; with `routingId` (1..255 bytes) that peer gets this id instead of a generated one. */
  override connect(address: string, options: StreamConnectOptions = {}): void {
    this.connectAs(address, options.routingId)
  }
}
export interface StreamConnectOptions {
  routingId?: string
}
export interface Stream extends Readable, Writable {
  /** ZMQ_STREAM_NOTIFY: deliver [id, ""] when a peer connects or disconnects (default true). */
  notify: boolean
}

const OPT_XPUB_VERBOSE = 40
const OPT_XPUB_WELCOME_MSG = 72
const OPT_XPUB_VERBOSER = 78

/**
 * An XPUB socket: a Publisher that also receives its subscribers' subscriptions as messages,
 * `0x01<prefix>` / `0x00<prefix>` (RFC 29), and any data XSUB peers send upstream.
 */
export class XPublisher extends Socket {
  constructor(options?: SocketOptions<XPublisher>) {
    super(SOCKET_TYPES.xpublisher, options)
  }

  /**
   * ZMQ_XPUB_VERBOSE / ZMQ_XPUB_VERBOSER, as one property (zeromq.js): `null` passes only the
   * subscriptions that change the set of prefixes, `"allSubs"` every subscribe, `"allSubsUnsubs"`
   * every subscribe and unsubscribe. Write only.
   */
  set verbosity(value: null | "allSubs" | "allSubsUnsubs") {
    const on = new Uint8Array([1, 0, 0, 0])
    switch (value) {
      case null:
        this.setAction(OPT_XPUB_VERBOSE, new Uint8Array(4))
        break
      case "allSubs":
        this.setAction(OPT_XPUB_VERBOSE, on)
        break
      case "allSubsUnsubs":
        this.setAction(OPT_XPUB_VERBOSER, on)
        break
    }
  }

  /** ZMQ_XPUB_WELCOME_MSG: sent to each subscriber when it connects; `null` = none. Write only. */
  set welcomeMessage(value: string | null) {
    if (value !== null && typeof value !== "string" && !isBytes(value)) {
      throw new TypeError("Option value must be a string or buffer")
    }
    this.setAction(OPT_XPUB_WELCOME_MSG, value === null ? new Uint8Array(0) : bytesOf(value as string))
  }

  private setAction(option: number, bytes: Uint8Array): void {
    if (this.closed) throw zmqError("ENOTSOCK")
    this.setSubscription(option, bytes)
  }
}
export interface XPublisher extends Readable, Writable {
  /** ZMQ_XPUB_NODROP: at a subscriber's HWM send waits instead of dropping the message. */
  noDrop: boolean
  /** ZMQ_XPUB_MANUAL: subscriptions are handed over but not applied. */
  manual: boolean
  /** ZMQ_INVERT_MATCHING: send to the subscribers whose prefixes do not match. */
  invertMatching: boolean
}

/**
 * An XSUB socket: a Subscriber that subscribes by sending `0x01<prefix>` (and unsubscribes with
 * `0x00<prefix>`); it receives whatever its publishers send it. Other messages go upstream.
 */
export class XSubscriber extends Socket {
  constructor(options?: SocketOptions<XSubscriber>) {
    super(SOCKET_TYPES.xsubscriber, options)
  }
}
export interface XSubscriber extends Readable, Writable {}

/** A PAIR socket: one peer at a time, messages both ways unchanged (RFC 31). */
export class Pair extends Socket {
  constructor(options?: SocketOptions<Pair>) {
    super(SOCKET_TYPES.pair, options)
  }
}
export interface Pair extends Readable, Writable {}

/** A DEALER socket: load-balances sends over its peers and fair-queues receives (RFC 28). */
export class Dealer extends Socket {
  constructor(options?: SocketOptions<Dealer>) {
    super(SOCKET_TYPES.dealer, options)
  }
}
export interface Dealer extends Readable, Writable {
  /** ZMQ_ROUTING_ID: the identity this socket announces to ROUTER peers. */
  routingId: string | null
  /** ZMQ_PROBE_ROUTER: send an empty message to each new peer. */
  probeRouter: boolean
  /** ZMQ_CONFLATE: keep only the last message. */
  conflate: boolean
}

/**
 * A ROUTER socket: each received message starts with its peer's routing id, and each sent
 * message's first frame names the peer to send it to (RFC 28). A peer's id is the one
 * `connect(address, {routingId})` gave it, else its own `routingId`, else a generated one. A
 * message for no peer is dropped, unless `mandatory` is set: send() then fails with EHOSTUNREACH
 * (and waits at that peer's high-water mark).
 */
export class Router extends Socket {
  constructor(options?: SocketOptions<Router>) {
    super(SOCKET_TYPES.router, options)
  }

  /** Connects; with `routingId` (1..255 bytes, no 0x00 first) the peer is known by that id. */
  override connect(address: string, options: RouterConnectOptions = {}): void {
    this.connectAs(address, options.routingId)
  }
}
export interface RouterConnectOptions {
  routingId?: string
}
export interface Router extends Readable, Writable {
  /** ZMQ_ROUTING_ID: the identity this socket announces to ROUTER peers. */
  routingId: string | null
  /** ZMQ_ROUTER_MANDATORY: unroutable sends fail with EHOSTUNREACH instead of being dropped. */
  mandatory: boolean
  /** ZMQ_PROBE_ROUTER: send an empty message to each new peer. */
  probeRouter: boolean
  /** ZMQ_ROUTER_HANDOVER: a new peer with a routing id in use takes it over. */
  handover: boolean
}

// Options that only some socket types have (rows with a `sockets` list).
const CLASSES = [
  [Request, "request"], [Reply, "reply"], [Publisher, "publisher"],
  [Subscriber, "subscriber"], [Push, "push"], [Pull, "pull"], [Stream, "stream"],
  [XPublisher, "xpublisher"], [XSubscriber, "xsubscriber"],
  [Pair, "pair"], [Dealer, "dealer"], [Router, "router"],
] as const
for (const row of OPTIONS) {
  if (!row.sockets) continue
  for (const [cls, type] of CLASSES) if (row.sockets.includes(SOCKET_TYPES[type])) defineOption(cls, row)
}
export type { Message, MessageLike }
