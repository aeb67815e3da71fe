// Request-reply worker: connects REP to the broker's backend (rrbroker), answers "World" to each
// request; runs until killed. Start several: the broker's DEALER load-balances over them, and REP
// hands back the envelope the broker's ROUTER put on each request, so replies find their client.
// usage: rrworker [backend=tcp://127.0.0.1:5560] [work-ms=0]
import * as zmq from "zeromq-wasm"
import { setTimeout as sleep } from "node:timers/promises"

const [backend = "tcp://127.0.0.1:5560", work = "0"] = process.argv.slice(2)

const responder = new zmq.Reply()
responder.connect(backend)

for await (const [request] of responder) {
  console.log(`Received request: [${request}]`)
  await sleep(Number(work)) // do some 'work' (the C guide sleeps 1 s)
  await responder.send("World")
}
