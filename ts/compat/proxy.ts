/**
 * v5's zmq.proxy(frontend, backend, capture): forwards messages between two legacy sockets,
 * both ways, for the pairs v5 allowed, in that order. Each socket's received messages go
 * straight to the other socket's send queue instead of its "message" event, and the next one
 * is received only once the other socket took this one, so a slow side pushes back through the
 * high-water marks as libzmq's zmq_proxy does.
 *
 * This forwards over the compat sockets' own loops (flow.ts) because the v6 layer has no Proxy
 * yet; with one, proxy() can hand it the two v6 sockets instead and keep the pair table.
 *
 * Capture: one direction only, the messages going the way the data flows (not XPUB's
 * subscriptions, nor a ROUTER's requests), as zeromq.js's v5 layer captures. For ROUTER/DEALER
 * the replies are captured without their envelope.
 */
import type * as zmq from "../index.js"
import { plumbingOf, type Socket } from "./socket.js"

type Frames = zmq.Message[]

interface Pair {
  /** The side whose received messages are captured. */
  readonly captured: "frontend" | "backend"
  readonly strip?: (frames: Frames) => Frames
}

/** A reply from DEALER to ROUTER is [routing ids..., "", body...]: the capture gets the body.
 *  Without a delimiter (DEALER clients) only the routing id goes. */
function withoutEnvelope(frames: Frames): Frames {
  const delimiter = frames.findIndex((frame) => frame.length === 0)
  return frames.slice(delimiter >= 0 ? delimiter + 1 : 1)
}

const PAIRS: Readonly<Record<string, Pair>> = {
  // PUSH/PULL: the one side that receives is the one whose messages flow on.
  "push/pull": { captured: "backend" },
  "pull/push": { captured: "frontend" },
  "xpub/xsub": { captured: "backend" },
  "router/dealer": { captured: "backend", strip: withoutEnvelope },
  "xrep/xreq": { captured: "backend", strip: withoutEnvelope },
}

export function proxy(frontend: Socket, backend: Socket, capture?: Socket): void {
  const pair = PAIRS[`${frontend.type}/${backend.type}`]
  if (!pair) throw new Error("This socket type order is not supported in compatibility mode")
  forward(frontend, backend, pair.captured === "frontend" ? capture : undefined, pair.strip)
  forward(backend, frontend, pair.captured === "backend" ? capture : undefined, pair.strip)
}

function forward(from: Socket, to: Socket, capture: Socket | undefined, strip?: (frames: Frames) => Frames): void {
  const source = plumbingOf(from)
  if (!source.canReceive) return // PUSH: nothing comes this way
  const target = plumbingOf(to)
  source.redirect((frames) => {
    // The capture socket never holds the proxy up: it queues, and a PUB drops at its HWM.
    if (capture) capture.send(strip ? strip(frames) : frames)
    return target.deliver(frames)
  })
}
