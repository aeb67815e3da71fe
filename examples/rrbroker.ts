// Request-reply broker: a ROUTER bound for clients (rrclient) and a DEALER bound for workers
// (rrworker), shuttling whole multipart messages both ways, so either side can grow without the
// other knowing. The ROUTER prefixes each request with its client's routing id; the workers' REP
// sockets send that envelope back with the reply, and the ROUTER routes the reply by it.
// usage: rrbroker [frontend=tcp://*:5559] [backend=tcp://*:5560]
import * as zmq from "zeromq-wasm"

const [frontendAddress = "tcp://*:5559", backendAddress = "tcp://*:5560"] = process.argv.slice(2)

const frontend = new zmq.Router()
await frontend.bind(frontendAddress)
const backend = new zmq.Dealer()
await backend.bind(backendAddress)
console.log(`brokering ${frontend.lastEndpoint} to ${backend.lastEndpoint}`)

// Requests go to the workers, replies to the clients; runs until killed. The guide polls both
// sockets in one loop; here each direction waits on its own, so a request waiting in send() for
// a worker to connect does not hold up the replies.
async function forward(from: zmq.Router | zmq.Dealer, to: zmq.Router | zmq.Dealer) {
  for await (const message of from) await to.send(message)
}
await Promise.all([forward(frontend, backend), forward(backend, frontend)])
