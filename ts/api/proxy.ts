/**
 * zeromq.js's Proxy: `new Proxy(frontEnd, backEnd)`, `run()` until `terminate()`, with
 * `pause()` and `resume()` in between. The forwarding is the host's (host/proxy.ts), in the
 * engine thread; this class checks what zeromq.js checks, blocks both sockets while it runs
 * (every call on them throws EBUSY, as zeromq.js's State::Blocked), and closes them when run()
 * ends, as zeromq.js does. Both sockets must share a Context here (one engine forwards between
 * them); zeromq.js, whose libzmq sockets are thread-agnostic, has no such rule.
 */
import { zmqError } from "./errors.js"
import { checkArgCount, construct, isObject, nativeClass } from "./native.js"
import { PROXY_END, PROXY_RUN, Socket } from "./socket.js"

type Command = "PAUSE" | "RESUME" | "TERMINATE"

/** @hidden The implementation of zeromq.js's Proxy (exported as `Proxy`, below). */
export class ProxyImpl<F extends Socket = Socket, B extends Socket = Socket> {
  readonly #front: F
  readonly #back: B
  /** run() has started and not ended: the steering commands have somewhere to go. */
  #running = false

  constructor(frontEnd: F, backEnd: B) {
    checkArgCount(arguments.length, 2)
    if (!isObject(frontEnd)) throw new TypeError("Front-end must be a socket object")
    if (!isObject(backEnd)) throw new TypeError("Back-end must be a socket object")
    // N-API's unwrap of an object that is no Socket: a plain Error.
    if (!(frontEnd instanceof Socket) || !(backEnd instanceof Socket)) throw new Error("Invalid argument")
    this.#front = frontEnd
    this.#back = backEnd
    Object.seal(this)
  }

  get frontEnd(): F {
    return this.#front
  }

  get backEnd(): B {
    return this.#back
  }

  /** Forwards messages both ways until terminate(); then closes both sockets and resolves. */
  run(): Promise<void> {
    checkArgCount(arguments.length, 0)
    const front = this.#front[PROXY_END]()
    const back = this.#back[PROXY_END]()
    if (front.closed || front.endpoints === 0) {
      throw zmqError("EINVAL", { message: "Front-end socket must be bound or connected" })
    }
    if (back.closed || back.endpoints === 0) {
      throw zmqError("EINVAL", { message: "Back-end socket must be bound or connected" })
    }
    if (front.link !== back.link) {
      throw zmqError("EINVAL", { message: "Front-end and back-end sockets must share a context" })
    }
    this.#front[PROXY_RUN](this.#back)
    this.#back[PROXY_RUN](this.#front)
    this.#running = true
    const ended = () => {
      this.#running = false
      this.#front[PROXY_RUN](undefined)
      this.#back[PROXY_RUN](undefined)
      this.#front.close()
      this.#back.close()
    }
    return front.link.call("proxy", [front.handle, back.handle]).then(ended, (err) => {
      ended()
      throw err
    })
  }

  /** Stops forwarding (messages stay queued) until resume(). */
  pause(): void {
    checkArgCount(arguments.length, 0)
    this.#steer("PAUSE")
  }

  resume(): void {
    checkArgCount(arguments.length, 0)
    this.#steer("RESUME")
  }

  /** Ends run(). */
  terminate(): void {
    checkArgCount(arguments.length, 0)
    this.#steer("TERMINATE")
  }

  /** zeromq.js sends commands over its control socket, which exists only while run() runs. */
  #steer(command: Command): void {
    if (!this.#running) throw zmqError("EBADF")
    const front = this.#front[PROXY_END]()
    front.link.tell("proxyControl", [front.handle, command])
  }
}

/** zeromq.js's Proxy: a native class (see native.ts). */
export const Proxy = nativeClass(ProxyImpl, function Proxy(...args: unknown[]) {
  return construct(ProxyImpl, new.target, args)
})
export type Proxy<F extends Socket = Socket, B extends Socket = Socket> = ProxyImpl<F, B>
