/**
 * The few errors this layer raises itself, in zeromq.js's shape (`message`, `code`, `errno`) and
 * wording. The main entry does not export its error table (ts/api/errors.ts), and this entry may
 * reach it only through the public API, so the rows used here are repeated; the interop test
 * compares each against zeromq's.
 */
const ROWS = {
  EBADF: [9, "Socket is closed"],
  EINVAL: [22, "Invalid argument"],
  ENOTSOCK: [88, "Socket operation on non-socket"],
  ENOTSUP: [95, "Operation not supported"],
} as const

export type LegacyCode = keyof typeof ROWS

export interface LegacyError extends Error {
  code: string
  errno: number
}

export function legacyError(code: LegacyCode): LegacyError {
  const [errno, message] = ROWS[code]
  return Object.assign(new Error(message), { errno, code })
}
