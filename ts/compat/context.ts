/**
 * v5's Context: only static accessors over the default context's options, which v5-compat
 * sockets are created in. It cannot be instantiated, as in zeromq.js's legacy layer.
 */
import * as zmq from "../index.js"

export class Context {
  static setMaxThreads(value: number): void {
    zmq.context.ioThreads = value
  }

  static getMaxThreads(): number {
    return zmq.context.ioThreads
  }

  static setMaxSockets(value: number): void {
    zmq.context.maxSockets = value
  }

  static getMaxSockets(): number {
    return zmq.context.maxSockets
  }

  constructor() {
    throw new Error("Context cannot be instantiated in compatibility mode")
  }
}
