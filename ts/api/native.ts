/**
 * What zeromq.js's classes do because they are native (N-API) objects, so that code written
 * against them sees the same here: Socket, Context, Proxy and Observer throw N-API's message
 * when called without `new` (a subclass such as Dealer is a JS class there too, and throws V8's
 * own); their constructors refuse extra arguments with the argument validator's message; they
 * are sealed before their options are assigned (Object.assign), so an unknown option and a
 * read-only one fail as they do on a sealed native object.
 */

type Constructor = abstract new (...args: never[]) => object

/**
 * Makes `native`, a plain function named as the class (V8 names the class in its messages by
 * the function's own name: "#<Socket>"), the public constructor of `impl`: same prototype,
 * and `impl` does the work (see construct()).
 */
export function nativeClass<C extends Constructor>(impl: C, native: (...args: never[]) => unknown): C {
  native.prototype = impl.prototype
  Object.defineProperty(impl.prototype, "constructor", { value: native, writable: true, configurable: true })
  return native as unknown as C
}

/** The body of a native constructor: N-API's error without `new`, else `impl` for new.target. */
export function construct(impl: Constructor, newTarget: unknown, args: unknown[]): object {
  if (!newTarget) throw new TypeError("Class constructors cannot be invoked without 'new'")
  return Reflect.construct(impl as unknown as new (...a: unknown[]) => object, args, newTarget as new () => object)
}

/** The argument validator's error for too many arguments. */
export function checkArgCount(received: number, expected: number): void {
  if (received > expected) {
    throw new TypeError(`Expected ${expected} argument${expected === 1 ? "" : "s"} but received ${received}`)
  }
}

/** Whether a value is what N-API calls an object (optional arguments may also be undefined). */
export function isObject(value: unknown): value is Record<string, unknown> {
  return (typeof value === "object" && value !== null) || typeof value === "function"
}

/**
 * Object.assign(target, options) on a sealed native object: each key is set through its
 * accessor; V8's errors for a key with no setter or no property at all, worded for the native
 * class (`#<Socket>`, `#<Context>`: zeromq.js's subclasses report their native base).
 */
export function assignOptions(target: object, options: Record<string, unknown>, className: string, skip?: string): void {
  for (const key of Object.keys(options)) {
    if (key === skip) continue
    const desc = findProperty(target, key)
    if (!desc) throw new TypeError(`Cannot add property ${key}, object is not extensible`)
    if (!desc.set && !desc.writable) {
      throw new TypeError(`Cannot set property ${key} of #<${className}> which has only a getter`)
    }
    ;(target as Record<string, unknown>)[key] = options[key]
  }
}

function findProperty(target: object, key: string): PropertyDescriptor | undefined {
  for (let o: object | null = target; o && o !== Object.prototype; o = Object.getPrototypeOf(o)) {
    const desc = Object.getOwnPropertyDescriptor(o, key)
    if (desc) return desc
  }
  return undefined
}

/** A process warning (Node's `process.emitWarning`, as zeromq.js emits them), else console.warn. */
export function warn(message: string): void {
  const proc = (globalThis as { process?: { emitWarning?(m: string): void } }).process
  if (proc?.emitWarning) proc.emitWarning(message)
  else console.warn(message)
}
