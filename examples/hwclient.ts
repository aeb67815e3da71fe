// Hello World client: connects REQ, sends "Hello", waits for "World", N times.
// usage: hwclient [endpoint=tcp://127.0.0.1:5555] [requests=10]
import * as zmq from "zeromq-wasm"

const [endpoint = "tcp://127.0.0.1:5555", requests = "10"] = process.argv.slice(2)

console.log("Connecting to hello world server...")
const requester = new zmq.Request()
requester.connect(endpoint)

for (let n = 0; n < Number(requests); n++) {
  console.log(`Sending Hello ${n}...`)
  await requester.send("Hello")
  const [reply] = await requester.receive()
  console.log(`Received ${reply} ${n}`)
}

requester.close()
