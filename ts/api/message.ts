/**
 * MessageLike → parts for a batch, as zeromq.js converts them: bytes are taken as they are
 * (copied once, into the batch), strings are encoded as UTF-8 straight into the batch, numbers
 * are sent as their decimal text, null as an empty frame.
 */
export type MessageLike = ArrayBufferView | ArrayBuffer | SharedArrayBuffer | string | number | null

const EMPTY = new Uint8Array(0)

function toPart(value: MessageLike): Uint8Array | string {
  if (typeof value === "string") return value
  if (value === null) return EMPTY
  if (typeof value === "number") return String(value)
  // A Buffer or Uint8Array as it is (a view of it would be an allocation per send).
  if (value instanceof Uint8Array) return value
  if (ArrayBuffer.isView(value)) return new Uint8Array(value.buffer, value.byteOffset, value.byteLength)
  if (value instanceof ArrayBuffer || (typeof SharedArrayBuffer !== "undefined" && value instanceof SharedArrayBuffer)) {
    return new Uint8Array(value)
  }
  // zeromq.js sends anything else as its string form; keep that behaviour.
  return String(value)
}

export function toParts(message: MessageLike | MessageLike[]): (Uint8Array | string)[] {
  return Array.isArray(message) ? message.map(toPart) : [toPart(message)]
}
