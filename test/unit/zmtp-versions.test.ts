/**
 * Subscriptions by peer version, byte for byte (WIRE.md): to a ZMTP 3.1 peer a SUBSCRIBE/CANCEL
 * command, to a 3.0 peer a data message 0x01/0x00 + prefix; and a PUB accepts either form.
 * The peer here is a raw TCP socket speaking ZMTP by hand, so the bytes are ours to check.
 */
import * as net from "node:net"
import { setImmediate as yieldToEventLoop } from "node:timers/promises"
import { afterEach, describe, expect, it } from "vitest"
import * as ours from "../../dist/index.js"

const FLAG_MORE = 0x01
const FLAG_LONG = 0x02
const FLAG_COMMAND = 0x04

/** 64-byte greeting: signature, version 3.<minor>, mechanism NULL, as-server 0. */
function greeting(minor: number): Buffer {
  const g = Buffer.alloc(64)
  g[0] = 0xff
  g[8] = 0x01
  g[9] = 0x7f
  g[10] = 3
  g[11] = minor
  g.write("NULL", 12, "ascii")
  return g
}

function frame(flags: number, body: Buffer): Buffer {
  return Buffer.concat([Buffer.from([flags, body.length]), body])
}

/** READY command with a Socket-Type property. */
function ready(socketType: string): Buffer {
  const value = Buffer.from(socketType)
  const len = Buffer.alloc(4)
  len.writeUInt32BE(value.length)
  return frame(FLAG_COMMAND, Buffer.concat([Buffer.from("\x05READY\x0bSocket-Type", "latin1"), len, value]))
}

interface Frame {
  flags: number
  body: Buffer
}

/** A hand-driven ZMTP peer: collects the frames it receives after the 64-byte greeting. */
class RawPeer {
  private buf = Buffer.alloc(0)
  private greeted = false
  readonly frames: Frame[] = []
  private waiters: (() => void)[] = []

  constructor(readonly socket: net.Socket) {
    socket.on("data", (chunk: Buffer) => {
      this.buf = Buffer.concat([this.buf, chunk])
      this.parse()
    })
    socket.on("error", () => {})
  }

  private parse(): void {
    if (!this.greeted) {
      if (this.buf.length < 64) return
      this.buf = this.buf.subarray(64)
      this.greeted = true
    }
    for (;;) {
      if (this.buf.length < 2) break
      const flags = this.buf[0]
      const long = flags & FLAG_LONG
      const head = long ? 9 : 2
      if (this.buf.length < head) break
      const size = long ? Number(this.buf.readBigUInt64BE(1)) : this.buf[1]
      if (this.buf.length < head + size) break
      this.frames.push({ flags, body: Buffer.from(this.buf.subarray(head, head + size)) })
      this.buf = this.buf.subarray(head + size)
    }
    for (const w of this.waiters.splice(0)) w()
  }

  /** Waits until a received frame satisfies `test` (event-driven: resolved on data). */
  async frameWhere(test: (f: Frame) => boolean): Promise<Frame> {
    for (;;) {
      const found = this.frames.find(test)
      if (found) return found
      await new Promise<void>((resolve) => this.waiters.push(resolve))
    }
  }
}

const isData = (f: Frame) => !(f.flags & FLAG_COMMAND)
const commandName = (f: Frame) => f.body.subarray(1, 1 + f.body[0]).toString("latin1")

describe("subscriptions by ZMTP version", () => {
  const cleanup: (() => void)[] = []
  afterEach(() => {
    for (const c of cleanup.splice(0)) c()
  })

  /** A raw server our SUB connects to, announcing itself as a PUB of ZMTP 3.<minor>. */
  async function rawPublisher(minor: number): Promise<{ endpoint: string; peer: Promise<RawPeer> }> {
    let accept!: (p: RawPeer) => void
    const peer = new Promise<RawPeer>((resolve) => (accept = resolve))
    const server = net.createServer((socket) => {
      socket.write(Buffer.concat([greeting(minor), ready("PUB")]))
      accept(new RawPeer(socket))
    })
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve))
    cleanup.push(() => server.close())
    return { endpoint: `tcp://127.0.0.1:${(server.address() as net.AddressInfo).port}`, peer }
  }

  it("sends SUBSCRIBE and CANCEL as commands to a 3.1 peer", async () => {
    const { endpoint, peer } = await rawPublisher(1)
    const sub = new ours.Subscriber({ linger: 0 })
    cleanup.push(() => sub.close())
    sub.connect(endpoint)
    sub.subscribe("weather")
    const raw = await peer
    const subscribe = await raw.frameWhere((f) => !!(f.flags & FLAG_COMMAND) && commandName(f) === "SUBSCRIBE")
    expect(subscribe.body).toEqual(Buffer.from("\x09SUBSCRIBEweather", "latin1"))
    sub.unsubscribe("weather")
    const cancel = await raw.frameWhere((f) => !!(f.flags & FLAG_COMMAND) && commandName(f) === "CANCEL")
    expect(cancel.body).toEqual(Buffer.from("\x06CANCELweather", "latin1"))
    expect(raw.frames.filter(isData)).toEqual([])
  })

  it("sends subscriptions as 0x01/0x00 messages to a 3.0 peer", async () => {
    const { endpoint, peer } = await rawPublisher(0)
    const sub = new ours.Subscriber({ linger: 0 })
    cleanup.push(() => sub.close())
    sub.connect(endpoint)
    sub.subscribe("weather")
    const raw = await peer
    const subscribe = await raw.frameWhere(isData)
    expect(subscribe).toEqual({ flags: 0, body: Buffer.from("\x01weather", "latin1") })
    sub.unsubscribe("weather")
    const cancel = await raw.frameWhere((f) => isData(f) && f.body[0] === 0x00)
    expect(cancel).toEqual({ flags: 0, body: Buffer.from("\x00weather", "latin1") })
    expect(raw.frames.filter((f) => f.flags & FLAG_COMMAND).map(commandName)).toEqual(["READY"])
  })

  for (const [form, minor, subscribe] of [
    ["a 3.0 peer's 0x01 message", 0, frame(0, Buffer.from("\x01A", "latin1"))],
    ["a 3.1 peer's SUBSCRIBE command", 1, frame(FLAG_COMMAND, Buffer.from("\x09SUBSCRIBEA", "latin1"))],
  ] as const) {
    it(`filters a PUB's messages by ${form}`, async () => {
      const pub = new ours.Publisher({ linger: 0 })
      cleanup.push(() => pub.close())
      await pub.bind("tcp://127.0.0.1:*")
      const port = Number((pub.lastEndpoint as string).split(":").pop())
      const socket = net.connect({ host: "127.0.0.1", port })
      cleanup.push(() => socket.destroy())
      const raw = new RawPeer(socket)
      socket.write(Buffer.concat([greeting(minor), ready("SUB"), subscribe]))
      // PUB drops what it sends before the subscription arrives; publish until one gets through.
      let sent = 0
      while (!raw.frames.some(isData)) {
        if (++sent > 100_000) throw new Error("the subscription never took effect")
        await pub.send(["B", "not for you"])
        await pub.send(["A", `${sent}`])
        await yieldToEventLoop()
      }
      await pub.send(["A", "last"])
      await raw.frameWhere((f) => isData(f) && f.body.toString() === "last")
      const data = raw.frames.filter(isData)
      // Only topic A, each as [topic (MORE), body].
      for (let i = 0; i < data.length; i += 2) {
        expect(data[i]).toEqual({ flags: FLAG_MORE, body: Buffer.from("A") })
        expect(data[i + 1].flags).toBe(0)
      }
    })
  }
})
