// Hello World server: binds REP, answers "World" to each request.
// usage: hwserver [endpoint=tcp://*:5555] [work-ms=0]
import * as zmq from "zeromq-wasm"
import { setTimeout as sleep } from "node:timers/promises"

const [endpoint = "tcp://*:5555", work = "0"] = process.argv.slice(2)

const responder = new zmq.Reply()
await responder.bind(endpoint)
console.log(`hwserver bound to ${responder.lastEndpoint}`)

for await (const [request] of responder) {
  console.log(`Received ${request}`)
  await sleep(Number(work)) // do some 'work' (the C guide sleeps 1 s)
  await responder.send("World")
}
