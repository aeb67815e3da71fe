/**
 * zeromq.js's Proxy (libzmq's zmq_proxy_steerable), run by the host: what either socket
 * receives is queued to the other as it is, in the engine thread, as batches — never through
 * the user's thread. The partner's own send queue is the flow control: a socket is read only
 * while its partner has nothing waiting for the core, so a partner at its high-water mark stops
 * the reading (and with it, through the receive HWM, the peers), as libzmq's proxy blocks in
 * send. PAUSE stops forwarding both ways (messages stay queued), RESUME restarts it, TERMINATE
 * ends run() (the facade then closes both sockets, as zeromq.js does).
 */
import type { SocketId, WasmCore } from "./abi.js"
import type { Bodies } from "./bodies.js"
import { isLent } from "./channel/lending.js"
import { RECV_BATCH_BYTES } from "./channel/protocol.js"

/** What the proxy needs of a host socket. */
export interface ProxiedSocket {
  readonly id: SocketId
  closing: boolean
  pending: { b: Uint8Array; n: number }[]
  proxy?: HostProxy
}

/** Messages taken from the core per batch while forwarding. */
const PROXY_BATCH_MSGS = 1024

export class HostProxy {
  paused = false

  constructor(
    readonly front: ProxiedSocket,
    readonly back: ProxiedSocket,
    /** Settles run(): the TERMINATE command came, or a socket closed under the proxy. */
    readonly end: () => void,
  ) {
    front.proxy = this
    back.proxy = this
  }

  partner(sock: ProxiedSocket): ProxiedSocket {
    return sock === this.front ? this.back : this.front
  }

  stop(): void {
    this.front.proxy = undefined
    this.back.proxy = undefined
    this.end()
  }

  /**
   * Moves what `from` has received to its partner's queue while the partner has nothing waiting,
   * offering each batch to the core at once (`offer`). A batch with a body this context's facade
   * lent (worker mode, over inproc) cannot be re-sent from here, whose bytes are the facade's:
   * it goes to `from`'s facade (`toFacade`), which relays it (api/proxy.ts).
   */
  forward(
    from: ProxiedSocket,
    core: WasmCore,
    bodies: Bodies,
    offer: (to: ProxiedSocket) => void,
    toFacade: (from: ProxiedSocket, b: ArrayBuffer, n: number, lent: NonNullable<ReturnType<Bodies["forFacade"]>["bodies"]>) => void,
  ): void {
    if (this.paused) return
    const to = this.partner(from)
    while (!to.closing && to.pending.length === 0) {
      const { batch, msgs } = core.recv(from.id, PROXY_BATCH_MSGS, RECV_BATCH_BYTES)
      if (msgs === 0) return
      const { b, bodies: list } = bodies.forFacade(batch, false)
      if (list?.some(isLent)) {
        toFacade(from, b, msgs, list)
        continue
      }
      const bytes = new Uint8Array(b)
      if (list) bodies.adopt(bytes, list)
      to.pending.push({ b: bytes, n: msgs })
      offer(to)
    }
  }
}
