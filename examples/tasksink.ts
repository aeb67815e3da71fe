// Task sink: binds PULL, waits for the batch start, then collects the workers' results.
// usage: tasksink [endpoint=tcp://*:5558] [tasks=100]
import * as zmq from "zeromq-wasm"

const [endpoint = "tcp://*:5558", tasks = "100"] = process.argv.slice(2)

const receiver = new zmq.Pull()
await receiver.bind(endpoint)

await receiver.receive() // the batch start, from the ventilator
const start = performance.now()

for (let n = 1; n <= Number(tasks); n++) {
  await receiver.receive()
  process.stdout.write(n % 10 === 0 ? ":" : ".")
}
console.log(`\nTotal elapsed time: ${Math.round(performance.now() - start)} msec`)

receiver.close()
