/**
 * Bytes as each runtime has them: in Node.js frames are Buffers (zeromq's API gives Buffers, and
 * takes them); in a browser, with no Buffer, plain Uint8Arrays. Everything the facade and the host
 * make bytes with goes through here, so the same code runs in both (a page that installed a
 * Buffer polyfill gets Buffers, which are Uint8Arrays too).
 */

type NodeBuffer = typeof Buffer
const NodeBuffer = (globalThis as { Buffer?: NodeBuffer }).Buffer
const encoder = new TextEncoder()

/** A view of `length` bytes of `buffer` from `offset` (no copy): a received frame. Typed as
 *  Buffer, as zeromq's API has it; a plain Uint8Array in a browser. */
export function view(buffer: ArrayBufferLike, offset = 0, length = buffer.byteLength - offset): Buffer {
  return (NodeBuffer ? NodeBuffer.from(buffer, offset, length) : new Uint8Array(buffer, offset, length)) as Buffer
}

/** A string's UTF-8 bytes, or a copy of bytes given. */
export function bytesOf(value: string | Uint8Array): Uint8Array {
  if (NodeBuffer) return NodeBuffer.from(value as string)
  return typeof value === "string" ? encoder.encode(value) : value.slice()
}

/** Whether a value is bytes the API takes where zeromq takes a Buffer. */
export function isBytes(value: unknown): value is Uint8Array {
  return NodeBuffer ? NodeBuffer.isBuffer(value) : value instanceof Uint8Array
}

/** The bytes as a string of one character per byte (a Map key that keeps every byte). */
export function latin1(bytes: Uint8Array): string {
  if (NodeBuffer) return (bytes as Buffer).toString("latin1", 0, bytes.length)
  let s = ""
  for (let i = 0; i < bytes.length; i += 8192) s += String.fromCharCode(...bytes.subarray(i, i + 8192))
  return s
}

/** A buffer of n bytes with an ArrayBuffer of its own (transferable), contents undefined. */
export function ownBuffer(n: number): Uint8Array {
  return NodeBuffer ? NodeBuffer.allocUnsafeSlow(n) : new Uint8Array(n)
}

/** A copy of bytes (as a Buffer in Node). */
export function copy(bytes: Uint8Array): Uint8Array {
  return NodeBuffer ? NodeBuffer.from(bytes) : bytes.slice()
}

/**
 * Node's setImmediate, or in a browser the same "after pending I/O, before timers clamp" turn
 * through a MessageChannel (setTimeout(0) is clamped to 4 ms once nested).
 */
export const nextTurn: (f: () => void) => void = (() => {
  const si = (globalThis as { setImmediate?: (f: () => void) => unknown }).setImmediate
  if (si) return (f: () => void) => void si(f)
  const queue: Array<() => void> = []
  const channel = new MessageChannel()
  channel.port1.onmessage = () => queue.shift()?.()
  return (f: () => void) => {
    queue.push(f)
    channel.port2.postMessage(0)
  }
})()
