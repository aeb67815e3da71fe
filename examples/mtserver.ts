// Multithreaded Hello World server, as the guide's mtserver: a ROUTER bound for clients (hwclient),
// a DEALER bound to inproc://workers, a proxy between them, and a pool of REP workers connected
// to inproc://workers. The guide's workers are threads; ours are loops in this process, on the
// one Context that inproc:// needs, so while one worker "works" (awaits) the others serve.
// usage: mtserver [endpoint=tcp://*:5555] [workers=5] [work-ms=0]
import * as zmq from "zeromq-wasm"
import { setTimeout as sleep } from "node:timers/promises"

const [endpoint = "tcp://*:5555", workerCount = "5", work = "0"] = process.argv.slice(2)

const clients = new zmq.Router()
await clients.bind(endpoint)
const workers = new zmq.Dealer()
await workers.bind("inproc://workers")
console.log(`mtserver bound to ${clients.lastEndpoint}, ${workerCount} workers`)

async function worker() {
  const receiver = new zmq.Reply()
  receiver.connect("inproc://workers")
  for await (const [request] of receiver) {
    console.log(`Received request: [${request}]`)
    await sleep(Number(work)) // do some 'work' (the C guide sleeps 1 s)
    await receiver.send("World")
  }
}

// The queue proxy, one loop per direction (as in rrbroker); runs until killed.
async function forward(from: zmq.Router | zmq.Dealer, to: zmq.Router | zmq.Dealer) {
  for await (const message of from) await to.send(message)
}
await Promise.all([
  ...Array.from({ length: Number(workerCount) }, worker),
  forward(clients, workers),
  forward(workers, clients),
])
