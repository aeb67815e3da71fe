// zeromq.js's internal src/errors.ts helper its tests use (a type guard, not package API).
export interface FullError extends Error {
  code?: string
  errno?: number
  address?: string
}
export function isFullError(err: unknown): err is FullError {
  return err instanceof Error
}
