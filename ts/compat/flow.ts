/**
 * The two loops that turn the v6 socket's promises into v5's callbacks and events.
 *
 * v5 sockets read by themselves: from creation on, every received message is handed to a sink
 * (the socket's "message" event, or a proxy); while paused, what arrives is held and handed
 * over, in order, on resume. Sends are queued and given to the v6 socket one at a time,
 * because a v6 socket takes one waiting send at a time (EBUSY otherwise) and order matters.
 *
 * Each loop clears `running` in the same step as it ends (a finally inside the loop, not a
 * promise callback later), so a resume() from any later callback starts it again.
 */
import type * as zmq from "../index.js"

type Frames = zmq.Message[]

/** What the loops ask of their socket. */
export interface FlowState {
  closed(): boolean
  paused(): boolean
}

/** Where received messages go; a sink that returns a promise is waited for (backpressure). */
export type Sink = (frames: Frames) => void | Promise<void>

export class Inbound {
  /** Received while paused; handed over before anything newer. */
  private readonly held: Frames[] = []
  private running = false

  constructor(
    private readonly state: FlowState,
    private readonly receive: () => Promise<Frames>,
    public sink: Sink,
    /** A receive error while open. Returns whether to keep reading (on the next turn). */
    private readonly failed: (err: unknown) => boolean,
  ) {}

  /** Starts reading, if not already (again after resume()). */
  start(): void {
    if (this.running) return
    this.running = true
    void this.run()
  }

  private async run(): Promise<void> {
    try {
      while (!this.state.closed() && !this.state.paused()) {
        let frames = this.held.shift()
        if (!frames) {
          try {
            frames = await this.receive()
          } catch (err) {
            if (this.state.closed()) return // close() fails the waiting receive: not an error
            if (!this.failed(err)) return
            // Read on, but after the event loop has turned: with receiveTimeout 0 every receive
            // fails at once, and a loop of microtasks would starve everything else.
            await new Promise((resolve) => setImmediate(resolve))
            continue
          }
          if (this.state.closed()) return
          // Paused while we waited: hold it. (Nothing else is held then: what is held is
          // handed over before the loop receives again.)
          if (this.state.paused()) {
            this.held.push(frames)
            return
          }
        }
        await this.sink(frames)
      }
    } finally {
      this.running = false
    }
  }
}

/** Called once a queued message is sent (no argument) or failed. */
export type Done = (err?: Error) => void

export class Outbound {
  private readonly queue: Array<{ frames: zmq.MessageLike[]; done: Done }> = []
  private running = false
  /** The send the v6 socket is working on, settled (never rejected) when it is answered. */
  inFlight: Promise<void> | undefined

  constructor(
    private readonly state: FlowState,
    private readonly send: (frames: zmq.MessageLike[]) => Promise<void>,
  ) {}

  add(frames: zmq.MessageLike[], done: Done): void {
    this.queue.push({ frames, done })
    this.flush()
  }

  /** close(): what is still queued is dropped without callbacks, as zeromq.js's v5 layer does. */
  drop(): void {
    this.queue.length = 0
  }

  /** Sends what is queued, unless paused or already sending. */
  flush(): void {
    if (this.running || this.state.paused()) return
    this.running = true
    void this.run()
  }

  private async run(): Promise<void> {
    try {
      while (!this.state.paused()) {
        const next = this.queue.shift()
        if (!next) return
        let failure: Error | undefined
        const sending = this.send(next.frames).catch((err: Error) => void (failure = err))
        this.inFlight = sending
        await sending
        this.inFlight = undefined
        // A callback that throws must not stop the queue: it runs in a tick of its own.
        process.nextTick(() => (failure ? next.done(failure) : next.done()))
      }
    } finally {
      this.running = false
    }
  }
}
