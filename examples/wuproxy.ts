// Weather proxy: an XSUB connected to the weather server and an XPUB bound for clients, forwarding
// updates downstream and subscriptions upstream, so clients elsewhere reach the server through it.
// usage: wuproxy [frontend=tcp://127.0.0.1:5556] [backend=tcp://*:8100]
import * as zmq from "zeromq-wasm"

const [frontendAddress = "tcp://127.0.0.1:5556", backendAddress = "tcp://*:8100"] = process.argv.slice(2)

const frontend = new zmq.XSubscriber()
frontend.connect(frontendAddress)
const backend = new zmq.XPublisher()
await backend.bind(backendAddress)
console.log(`proxying ${frontendAddress} to ${backend.lastEndpoint}`)

// Subscriptions (0x01/0x00 messages) go upstream; updates come downstream. Runs until killed.
async function forward(from: zmq.XSubscriber | zmq.XPublisher, to: zmq.XSubscriber | zmq.XPublisher) {
  for await (const message of from) await to.send(message)
}
await Promise.all([forward(frontend, backend), forward(backend, frontend)])
