/**
 * The legacy socket type names: each is a v6 class and libzmq's type number (what
 * getsockopt(ZMQ_TYPE) answers). "xreq" and "xrep" are libzmq 2's names of DEALER and ROUTER.
 */
import * as zmq from "../index.js"
import * as t from "./constants.js"

/** All the socket types available in the compatibility layer. */
export type SocketType =
  | "pair" | "req" | "rep" | "pub" | "sub" | "dealer" | "xreq" | "router" | "xrep"
  | "pull" | "push" | "xpub" | "xsub" | "stream"

type V6Class = new () => zmq.Socket

const TYPES: Readonly<Record<SocketType, readonly [V6Class, number]>> = {
  pair: [zmq.Pair, t.ZMQ_PAIR],
  req: [zmq.Request, t.ZMQ_REQ],
  rep: [zmq.Reply, t.ZMQ_REP],
  pub: [zmq.Publisher, t.ZMQ_PUB],
  sub: [zmq.Subscriber, t.ZMQ_SUB],
  dealer: [zmq.Dealer, t.ZMQ_DEALER],
  xreq: [zmq.Dealer, t.ZMQ_XREQ],
  router: [zmq.Router, t.ZMQ_ROUTER],
  xrep: [zmq.Router, t.ZMQ_XREP],
  pull: [zmq.Pull, t.ZMQ_PULL],
  push: [zmq.Push, t.ZMQ_PUSH],
  xpub: [zmq.XPublisher, t.ZMQ_XPUB],
  xsub: [zmq.XSubscriber, t.ZMQ_XSUB],
  stream: [zmq.Stream, t.ZMQ_STREAM],
}

/** A new v6 socket (in the default context) of a legacy type, and that type's number. */
export function openSocket(type: SocketType): { socket: zmq.Socket; typeNumber: number } {
  const row = Object.prototype.hasOwnProperty.call(TYPES, type) ? TYPES[type] : undefined
  if (!row) throw new Error(`Invalid socket type: ${type}`)
  const [V6, typeNumber] = row
  return { socket: new V6(), typeNumber }
}
