/**
 * MessageLike → parts for a batch, as zeromq.js converts them: bytes are taken as they are
 * (copied once, into the batch), strings are encoded as UTF-8 straight into the batch, numbers
 * are sent as their decimal text, null as an empty frame, `[]` as nothing at all.
 */
export type MessageLike = ArrayBufferView | ArrayBuffer | SharedArrayBuffer | string | number | null

const EMPTY = new Uint8Array(0)

function toPart(value: unknown): Uint8Array | string {
  if (typeof value === "string") return value
  if (value === null) return EMPTY
  // A Buffer or Uint8Array as it is (a view of it would be an allocation per send).
  if (value instanceof Uint8Array) return value
  if (ArrayBuffer.isView(value)) {
    // zeromq.js takes typed arrays' bytes but refuses a DataView (N-API's plain error).
    if (value instanceof DataView) throw new Error("Invalid argument")
    return new Uint8Array(value.buffer, value.byteOffset, value.byteLength)
  }
  if (value instanceof ArrayBuffer) return new Uint8Array(value)
  // zeromq.js sends anything else as its string form (a SharedArrayBuffer, a boolean, a
  // nested array, undefined inside an array too), and a Symbol fails as its conversion does.
  return `${value as string}`
}

/** The frames of a message; holes in a sparse array are frames of "undefined", as zeromq.js's. */
export function toParts(message: MessageLike | MessageLike[]): (Uint8Array | string)[] {
  if (!Array.isArray(message)) return [toPart(message)]
  const parts = new Array<Uint8Array | string>(message.length)
  for (let i = 0; i < message.length; i++) parts[i] = toPart(message[i])
  return parts
}
