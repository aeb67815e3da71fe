/**
 * The one ordered stream between the facade (user's thread) and the host (engine thread).
 *
 * Control calls and message batches travel in the same stream so that their order is the user's
 * order (connect, then send; send, then close). Each post carries an array of ops; batches are
 * ArrayBuffers in the core's batch format (zmqw.h) and are transferred, never copied, between
 * threads.
 *
 * Flow control is by credit, so that send() resolves locally as soon as the message is within
 * the socket's high-water mark, without a round trip per message:
 *  - the host reports {taken, cap}: after taking `taken` messages (counted since the socket
 *    opened), the core could take `cap` more;
 *  - the facade may then have min(cap, SEND_WINDOW) - (sent - taken) messages in flight.
 * Received messages flow the other way against credit that the facade returns as the user
 * consumes them: at most RECV_WINDOW messages and RECV_BYTES bytes (bodies included; one message
 * always goes) are lent to the facade ahead of its receive() calls. So what a socket holds of
 * received data is its RCVHWM in the core plus that window, as documented in docs/.
 *
 * Two exceptions, where what the socket does next depends on one message:
 *  - answered sends (STREAM; ROUTER with `mandatory`): a send's outcome depends on its routing
 *    id, which only the core can judge. The facade sends one message and waits: the host counts
 *    every message it consumes in `taken`, and one it could not give the core (EHOSTUNREACH,
 *    EINVAL) it drops and reports as "refused" before the status that counts it. At the send
 *    timeout the facade sends "withdraw": the host drops that message if it still holds it
 *    (waiting at the peer's HWM) and refuses it with EAGAIN.
 *  - lockstep receives (REQ, REP): receiving moves the socket's state (a REQ may send again), so
 *    a message must stay in the core until the user takes it. The socket opens with no receive
 *    credit and gives one per waiting receive() (taking it back, -1, when that receive fails).
 */

import type { Body } from "./batch.js"
import type { MonitorEvent } from "../monitor.js"

/** Most messages in flight to the host per socket, whatever the core's capacity. */
export const SEND_WINDOW = 4096
/** Most received messages the host pushes ahead of the user's receive() calls, per socket. */
export const RECV_WINDOW = 2048
/** Most bytes of received messages (bodies included) lent ahead of receive(), per socket. */
export const RECV_BYTES = 4 << 20
/** Most bytes the host packs into one received batch (at least one message always goes). */
export const RECV_BATCH_BYTES = 1 << 20

/** An error crossing the channel: zeromq.js's code, optional address. */
export interface ErrorInfo {
  code: string
  address?: string
  detail?: string
}

export type ToHost =
  /** Control call; answered by a "ret" with the same id. */
  | { t: "call"; id: number; m: HostMethod; a: unknown[] }
  /** n whole messages for socket s: bytes [0, len) of b; its ref frames name `bodies` (batch.ts). */
  | { t: "send"; s: number; b: ArrayBuffer; len: number; n: number; bodies?: Body[] }
  /** The user consumed n received messages of socket s, of `bytes` bytes (lockstep: wants n
   *  more, may be < 0, and bytes is 0). */
  | { t: "credit"; s: number; n: number; bytes: number }
  /** Drop message number seq of socket s (counted from 1) unless the core took it already. */
  | { t: "withdraw"; s: number; seq: number }
  /** Bytes [off, off + b.byteLength) of lent body f, as the host asked ("want"; lending.ts). */
  | { t: "chunk"; f: number; off: number; b: ArrayBuffer }

export type ToFacade =
  | { t: "ret"; id: number; v?: unknown; e?: ErrorInfo }
  /** n received messages for socket s; its ref frames name `bodies` (batch.ts). */
  | { t: "msgs"; s: number; b: ArrayBuffer; n: number; bodies?: Body[] }
  /** Message number seq of socket s was dropped, not taken, with this error code. */
  | { t: "refused"; s: number; seq: number; code: string }
  /** flags: zmqw.h's ZW_STATUS_* (SEND_FSM, RECV_FSM, ...) as of `taken`. */
  | { t: "status"; s: number; taken: number; cap: number; flags: number }
  /** Batch buffers of "send" ops the core has taken whole, for the facade to reuse. */
  | { t: "batches"; b: ArrayBuffer[] }
  /** Body buffers of "send" ops (worker mode) released and written, for the facade to reuse. */
  | { t: "bodies"; b: ArrayBuffer[] }
  /** Send bytes [off, off + len) of lent body f (lending.ts). */
  | { t: "want"; f: number; off: number; len: number }
  /** Lent bodies the host is done with: the facade lets go of their Buffers. */
  | { t: "unlend"; f: number[] }
  /** The socket finished lingering; its handle is free. */
  | { t: "gone"; s: number }
  /** A monitor event of socket s (the Observer; ts/host/monitor.ts). */
  | ({ t: "event"; s: number } & MonitorEvent)
  /** The engine failed and stopped (host/host.ts fatal()): everything waiting must fail. */
  | { t: "fatal"; detail: string }

/** Control methods of the host. Sockets are named by facade-chosen handles. */
export interface HostApi {
  /** recvWindow: messages the host may push ahead of receive() (0 for lockstep sockets). */
  open(s: number, type: number, recvWindow: number): void
  close(s: number): void
  setopt(s: number, opt: number, value: Uint8Array): void
  bind(s: number, address: string): Promise<string>
  unbind(s: number, address: string): Promise<void>
  connect(s: number, address: string): void
  disconnect(s: number, address: string): void
  /** Starts (or stops) the socket's monitor events (the Observer). */
  monitor(s: number, on: boolean): void
  /** Runs a Proxy between two sockets (host/proxy.ts) until TERMINATE. */
  proxy(front: number, back: number): Promise<void>
  /** Steers the Proxy `front` is an end of. */
  proxyControl(front: number, command: "PAUSE" | "RESUME" | "TERMINATE"): void
  /** @internal For the soak tests: what the host holds now (see HostStats). */
  stats(): HostStats
}

/**
 * What a host holds, to show that a socket's lifecycle leaves nothing behind: the wasm memory
 * cannot shrink, so once it stops growing nothing the core keeps is growing either.
 */
export interface HostStats {
  sockets: number
  connections: number
  dialers: number
  /** Bodies held for the core (zmqw.h's body refs). */
  bodies: number
  /** Messages the facade sent that the core has not taken yet. */
  pendingMessages: number
  /** Received messages, and their bytes, lent to the facade and not yet given back as credit. */
  lentMessages: number
  lentBytes: number
  wasmBytes: number
  /** Body buffers handed back to the facade for reuse so far (worker mode; see bodies.ts). */
  returnedBodies: number
  /** Lent bodies (worker mode, lending.ts) the host still writes or may be asked for. */
  lentBodies: number
}
export type HostMethod = keyof HostApi

/** Either end of the stream: a worker port, or a direct in-thread pair. */
export interface Port<In, Out> {
  post(ops: Out[], transfer: ArrayBuffer[]): void
  onmessage: ((ops: In[]) => void) | undefined
}
