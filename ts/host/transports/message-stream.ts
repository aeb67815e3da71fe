/**
 * A WebSocket as the byte stream the host moves for every transport (transports/stream.ts): the
 * core's MESSAGE framing (zmqw.h) carries each WebSocket message as an envelope, `u32le length`
 * then the payload, in both directions. So here, and only here, messages and envelopes meet:
 *
 *  - in: each binary message becomes its envelope on the readable side (the small ones of one
 *    read gathered into one chunk, so the host takes them in one turn; a large one as header
 *    then the message's own Buffer, so its bytes are not copied here); a text message is a
 *    protocol error and closes this connection only (RFC 45: binary only);
 *  - out: the envelopes the host writes are cut back into messages, each sent whole as one
 *    binary message (never fragmented: libzmq refuses fragments), the socket corked around
 *    them so that a chunk's messages leave in one write.
 *
 * Backpressure both ways: the readable side pauses the WebSocket when the host stops reading
 * (the core's PAUSE), and a write completes only once `ws` has handed its messages to the
 * socket, so the host's write() returns false while they queue.
 */
import { Duplex } from "node:stream"
import type { WebSocket } from "ws"
import type { Framing } from "../abi.js"
import { ENVELOPE_HEAD, EnvelopeCutter, envelopeHead, JOIN_MAX } from "./envelopes.js"

type Unrefable = { unref(): void }


export class MessageStream extends Duplex {
  /** Cuts the envelopes the host writes back into messages. */
  private readonly cutter = new EnvelopeCutter()
  private opened: boolean

  /** Sends a WebSocket ping (heartbeats, ZW_FX_PING); `pong` runs when the answer comes. */
  ping(pong: () => void): boolean {
    if (this.ws.readyState !== this.ws.OPEN) return false
    this.ws.once("pong", pong)
    this.ws.ping()
    return true
  }

  /** `framing`: how the core must read this connection (the subprotocol agreed); for a dialed
   *  one the dialer sets it from the server's answer, before it opens ("connect"). */
  constructor(
    private readonly ws: WebSocket,
    public framing: Framing | undefined,
  ) {
    super({ allowHalfOpen: false })
    this.opened = ws.readyState === ws.OPEN
    ws.binaryType = "nodebuffer"
    ws.on("open", () => {
      this.opened = true
      // A server that chose a subprotocol we did not offer (or none) speaks something else.
      if (this.framing === undefined) this.destroy(new Error("no ZWS subprotocol agreed"))
      else this.emit("connect")
    })
    ws.on("message", (data: Buffer, isBinary: boolean) => {
      if (!isBinary) {
        ws.close(1003, "ZWS 2.0 takes binary messages only")
        this.destroy()
        return
      }
      if (data.length <= JOIN_MAX) return this.gather(data)
      this.deliver()
      if (!(this.push(envelopeHead(data.length)) && this.push(data))) ws.pause()
    })
    // The peer's close ends the readable side once the host has read what came before it (a
    // paused connection keeps its last messages, as a TCP socket keeps them in the kernel);
    // allowHalfOpen false then ends this side too, and the stream closes.
    ws.on("close", () => {
      this.deliver()
      this.push(null)
    })
    ws.on("error", (err) => this.destroy(err))
  }

  /**
   * Small messages that came in one read (`ws` emits them back to back) go to the host as one
   * chunk of envelopes, at the end of the current job: one host turn for all of them, not one
   * each. Large ones go at once, after what was gathered, as their own Buffer.
   */
  private gathered: Buffer[] = []
  private gatheredBytes = 0

  private gather(data: Buffer): void {
    if (this.gathered.length === 0) queueMicrotask(() => this.deliver())
    this.gathered.push(data)
    this.gatheredBytes += ENVELOPE_HEAD + data.length
  }

  /** One buffer for the gathered messages, each behind its envelope header (written in place). */
  private deliver(): void {
    if (this.gathered.length === 0) return
    const chunk = Buffer.allocUnsafe(this.gatheredBytes)
    let off = 0
    for (const data of this.gathered) {
      chunk.writeUInt32LE(data.length, off)
      data.copy(chunk, off + ENVELOPE_HEAD)
      off += ENVELOPE_HEAD + data.length
    }
    this.gathered = []
    this.gatheredBytes = 0
    if (!this.destroyed && !this.push(chunk)) this.ws.pause()
  }

  override _read(): void {
    if (this.opened) this.ws.resume()
  }

  override _write(chunk: Buffer, _enc: BufferEncoding, done: (err?: Error | null) => void): void {
    this.cut(chunk, done)
  }

  override _writev(chunks: { chunk: Buffer }[], done: (err?: Error | null) => void): void {
    for (let i = 0; i < chunks.length - 1; i++) this.cut(chunks[i].chunk, undefined)
    this.cut(chunks[chunks.length - 1].chunk, done)
  }

  /** Sends each message whole as `chunk` completes it; `done` runs when the last message this
   *  chunk completed has been written to the socket (at once if it completed none). */
  private cut(chunk: Buffer, done: ((err?: Error | null) => void) | undefined): void {
    let last: Uint8Array | undefined
    // One write of the socket for all the messages of this chunk, not one per message.
    const socket = (this.ws as unknown as { _socket?: { cork(): void; uncork(): void } })._socket
    socket?.cork()
    this.cutter.cut(chunk, (message) => {
      if (last) this.ws.send(last, { binary: true })
      last = message
    })
    if (!last) done?.()
    else if (!done) this.ws.send(last, { binary: true })
    else this.ws.send(last, { binary: true }, (err) => done(err ?? null))
    socket?.uncork()
  }

  override _final(done: (err?: Error | null) => void): void {
    this.ws.close(1000)
    done()
  }

  override _destroy(err: Error | null, done: (err?: Error | null) => void): void {
    if (this.ws.readyState !== this.ws.CLOSED) this.ws.terminate()
    done(err)
  }

  /** Inline mode: the connection must not keep the process alive by itself (nor, while a
   *  dialed one is still connecting, its HTTP request's socket). */
  unref(): this {
    const inner = this.ws as unknown as { _socket?: Unrefable; _req?: { on(e: "socket", f: (s: Unrefable) => void): void } }
    if (inner._socket) inner._socket.unref()
    else inner._req?.on("socket", (s) => s.unref())
    return this
  }
}
