/**
 * One byte stream (tcp, ipc) bound to one core connection. The stream logic lives here once
 * for every stream transport: bytes in go to the core, bytes out come from the core, with Node's
 * backpressure (write() returning false) stopping the pull until "drain".
 */
import type { Duplex } from "node:stream"
import type { ConnId } from "../abi.js"
import type { LentSink, LentWriter } from "../lent.js"

export interface StreamSink {
  /** Bytes arrived for conn. */
  input(conn: StreamConn, chunk: Buffer): void
  /** The stream can take output again. */
  drained(conn: StreamConn): void
  /** The stream is gone (closed by either side, or failed). */
  closed(conn: StreamConn): void
  /** A direct read (DirectRead) put n bytes at the end of conn's large body being collected. */
  bodyRead(conn: StreamConn, n: number): void
}

/**
 * Reads of a stream straight into the host's buffers (node:net's `onread`: given to net.connect
 * for a dialed stream, and to an accepted one as server.ts moves its handle): while a large body is being collected the kernel writes
 * into the body itself (as libzmq reads into a large message), so its bytes are copied once, not
 * twice; otherwise into one scratch buffer shared by every such stream of the host, whose bytes
 * the host has copied (into wasm memory or a body) before the next read anywhere, so the stream
 * allocates nothing per read either. Node asks for the next buffer right after each read's
 * callback, when the host knows whether a body is wanted, or has just had one (StreamConn's
 * `probe`: then the read is small).
 */
export class DirectRead {
  private conn: StreamConn | undefined
  /** Bytes read before the connection was handed to the core (none expected: the stream reads
   *  once it is connected, and the host adopts it in the "connect" event). */
  private early: Buffer[] = []

  /** `probe`: the start of `scratch`, for the read after a body (see below). */
  constructor(private readonly scratch: Uint8Array, private readonly probe: Uint8Array, private readonly sink: StreamSink) {}

  readonly onread = {
    // Right after a large body the next frame is likely large too: a small read takes its
    // header, so that its body is read into the body and not copied out of the scratch.
    buffer: (): Uint8Array => {
      const conn = this.conn
      return conn?.body ? conn.body.subarray(conn.bodyHave) : conn?.probe ? this.probe : this.scratch
    },
    callback: (n: number, buf: Uint8Array): boolean => {
      const conn = this.conn
      if (!conn) this.early.push(Buffer.from(buf.subarray(0, n)))
      else if (conn.body && buf.buffer === conn.body.buffer) this.sink.bodyRead(conn, n)
      else this.sink.input(conn, Buffer.from(buf.buffer, buf.byteOffset, n))
      return true
    },
  }

  /** The stream's connection exists now. */
  attach(conn: StreamConn): void {
    this.conn = conn
    for (const chunk of this.early) this.sink.input(conn, chunk)
    this.early = []
  }
}

export class StreamConn implements LentSink {
  /** write() returned false: stop pulling output until "drain". */
  blocked = false
  /** The core asked to close; end once output is written. */
  closing = false
  /** A large body being collected for the core (zw_conn_input asked for it), and its bytes so far. */
  body: Uint8Array | undefined
  bodyHave = 0
  /** The last input ended at or in a large body: offer the core a small window next. */
  probe = false
  /** A lent body being written (host/lent.ts): no other output until it is out. */
  lent: LentWriter | undefined = undefined
  /** The core asked to close while a lent body was still being written: end after it. */
  endAfterLent = false
  private gone = false
  /** The code of the error the stream failed with, if it did (the Observer's errno). */
  errorCode: string | undefined

  constructor(readonly id: ConnId, readonly stream: Duplex, sink: StreamSink, unref: boolean) {
    if (unref) (stream as { unref?: () => void }).unref?.()
    stream.on("data", (chunk: Buffer) => sink.input(this, chunk))
    stream.on("drain", () => {
      this.blocked = false
      sink.drained(this)
    })
    // "error" is always followed by "close"; the reason reaches the core as a plain close (and
    // the Observer, through errorCode).
    stream.on("error", (err: { code?: unknown }) => {
      this.errorCode ??= typeof err?.code === "string" ? err.code : "EPIPE"
    })
    stream.on("close", () => {
      this.gone = true
      sink.closed(this)
    })
  }

  get isGone(): boolean {
    return this.gone
  }

  /** `done` runs once the stream no longer holds the bytes (written, or the stream failed). */
  write(bytes: Uint8Array, done?: () => void): void {
    if (!this.stream.write(bytes, done)) this.blocked = true
  }

  cork(): void {
    this.stream.cork()
  }

  uncork(): void {
    this.stream.uncork()
  }

  pause(): void {
    this.stream.pause()
  }

  resume(): void {
    this.stream.resume()
  }

  /** Ends after pending writes; destroys if the peer never finishes. */
  end(): void {
    this.closing = true
    // destroySoon: end, then destroy once written, so a peer that never closes its half cannot
    // keep the stream forever.
    const socket = this.stream as Duplex & { destroySoon?: () => void }
    if (socket.destroySoon) socket.destroySoon()
    else this.stream.end()
  }

  destroy(): void {
    this.stream.destroy()
  }
}
