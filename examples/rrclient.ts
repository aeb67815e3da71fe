// Request-reply client: connects REQ to the broker's frontend (rrbroker), sends "Hello", waits for
// "World", N times. It neither knows nor cares how many workers are behind the broker.
// usage: rrclient [frontend=tcp://127.0.0.1:5559] [requests=10]
import * as zmq from "zeromq-wasm"

const [frontend = "tcp://127.0.0.1:5559", requests = "10"] = process.argv.slice(2)

const requester = new zmq.Request()
requester.connect(frontend)

for (let n = 0; n < Number(requests); n++) {
  await requester.send("Hello")
  const [reply] = await requester.receive()
  console.log(`Received reply ${n} [${reply}]`)
}

requester.close()
