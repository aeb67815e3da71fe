/**
 * ws:// and wss:// in a browser: the WebSocket API, connect only (a page cannot listen). Each
 * connection is a `WebStream`, the few members of a Node Duplex the host uses (transports/
 * stream.ts), over one WebSocket, carrying the core's MESSAGE framing as the Node transport does
 * (../../host/transports/envelopes.ts).
 *
 * A browser can offer only plain "ZWS2.0" ("/" is not allowed in a subprotocol token; Chromium
 * throws on "ZWS2.0/NULL"), so every connection is bare: routing ids first, no READY, no socket
 * type check. libzmq's ws servers accept it, and so do ours.
 *
 * What the WebSocket API cannot do, and what follows:
 *  - it cannot stop reading: while the core has asked to pause (its RCVHWM reached), messages
 *    that keep coming wait here, in order, and go to the core when it resumes;
 *  - it tells of no drain: a write past WRITE_HWM buffered bytes returns false, and "drain" comes
 *    when `bufferedAmount` has gone down, checked once per animation-free timer tick;
 *  - it cannot send pings, so a dead server is noticed only when the browser closes the socket
 *    (or the socket's own timeouts).
 */
import type { Duplex } from "node:stream"
import { ZW_FRAMING } from "../../host/zmqw.js"
import { EnvelopeCutter, envelope, envelopeHead, JOIN_MAX } from "../../host/transports/envelopes.js"
import { type Transport, TransportError } from "../../host/transports/transport.js"

/** Bytes the WebSocket may buffer before a write says "wait" (then "drain" when below). */
const WRITE_HWM = 1 << 20
const DRAIN_POLL_MS = 1

type Listener = (...args: unknown[]) => void

class WebStream {
  private readonly listeners = new Map<string, Listener[]>()
  private readonly cutter = new EnvelopeCutter()
  private paused = false
  private held: Uint8Array[] = []
  private draining: ReturnType<typeof setTimeout> | undefined
  private closed = false
  private closeEmitted = false

  constructor(private readonly socket: WebSocket) {
    socket.binaryType = "arraybuffer"
    socket.onopen = () => this.emit("connect")
    socket.onmessage = (event: MessageEvent) => {
      if (typeof event.data === "string") {
        // ZWS 2.0 is binary only: a text message ends this connection.
        socket.close(1003, "ZWS 2.0 takes binary messages only")
        this.destroy()
        return
      }
      // A small message is copied behind its header; a large one follows its header as it is.
      const data = new Uint8Array(event.data as ArrayBuffer)
      for (const chunk of data.length <= JOIN_MAX ? [envelope(data)] : [envelopeHead(data.length), data]) {
        if (this.paused) this.held.push(chunk)
        else this.emit("data", chunk)
      }
    }
    socket.onerror = () => this.emit("error", new Error("WebSocket error"))
    socket.onclose = () => this.finish()
  }

  on(event: string, f: Listener): this {
    const list = this.listeners.get(event) ?? []
    list.push(f)
    this.listeners.set(event, list)
    return this
  }

  once(event: string, f: Listener): this {
    const g: Listener = (...args) => {
      this.off(event, g)
      f(...args)
    }
    ;(g as { inner?: Listener }).inner = f
    return this.on(event, g)
  }

  off(event: string, f: Listener): this {
    const list = this.listeners.get(event)
    if (list) this.listeners.set(event, list.filter((g) => g !== f && (g as { inner?: Listener }).inner !== f))
    return this
  }

  private emit(event: string, ...args: unknown[]): void {
    for (const f of [...(this.listeners.get(event) ?? [])]) f(...args)
  }

  write(bytes: Uint8Array, done?: () => void): boolean {
    // A socket closing or closed takes nothing more (the bytes are lost, as written to a TCP
    // connection the peer has reset); its close event comes next.
    if (this.closed || this.socket.readyState !== WebSocket.OPEN) {
      done?.()
      return true
    }
    // The bytes are the host's own copy or a body it keeps until `done`: sent as cut, whole.
    this.cutter.cut(bytes, (message) => this.socket.send(message))
    done?.()
    if (this.socket.bufferedAmount <= WRITE_HWM) return true
    this.draining ??= setTimeout(this.checkDrain, DRAIN_POLL_MS)
    return false
  }

  private readonly checkDrain = (): void => {
    this.draining = undefined
    if (this.closed) return
    if (this.socket.bufferedAmount > WRITE_HWM) this.draining = setTimeout(this.checkDrain, DRAIN_POLL_MS)
    else this.emit("drain")
  }

  cork(): void {}
  uncork(): void {}

  pause(): void {
    this.paused = true
  }

  resume(): void {
    this.paused = false
    while (!this.paused && this.held.length) this.emit("data", this.held.shift())
    this.emitClose()
  }

  private emitClose(): void {
    if (!this.closed || this.paused || this.closeEmitted) return
    this.closeEmitted = true
    this.emit("close")
  }

  end(): void {
    this.socket.close(1000)
  }

  destroy(): void {
    if (this.socket.readyState !== WebSocket.CLOSED) this.socket.close()
    this.finish()
  }

  /** The socket closed: what was held still goes to the core first (as over tcp). */
  private finish(): void {
    if (this.closed) return
    this.closed = true
    if (this.draining) clearTimeout(this.draining)
    this.emitClose()
  }
}

export const ws: Transport = {
  connectEvent: "connect",
  framingOf: () => ZW_FRAMING.MESSAGE_BARE,
  messages: true,

  listen() {
    return Promise.reject(new TransportError("ENOTSUP", "A browser cannot listen: bind a ws:// endpoint in Node and connect to it"))
  },

  dial(address): Duplex {
    return new WebStream(new WebSocket(address, "ZWS2.0")) as unknown as Duplex
  },
}
