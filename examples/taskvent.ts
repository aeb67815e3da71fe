// Task ventilator: binds PUSH, sends a batch of tasks to the workers (taskwork).
// usage: taskvent [endpoint=tcp://*:5557] [sink=tcp://127.0.0.1:5558] [tasks=100]
import * as zmq from "zeromq-wasm"
import { createInterface } from "node:readline"

const [endpoint = "tcp://*:5557", sink = "tcp://127.0.0.1:5558", tasks = "100"] =
  process.argv.slice(2)

const sender = new zmq.Push()
await sender.bind(endpoint)
const sinkSender = new zmq.Push()
sinkSender.connect(sink)

// As in the guide: the workers must be up, or the first one to connect gets every task.
process.stdout.write("Press Enter when the workers are ready: ")
for await (const _ of createInterface({ input: process.stdin })) break
console.log("Sending tasks to workers...")

await sinkSender.send("0") // signals the start of the batch

let totalMsec = 0
for (let n = 0; n < Number(tasks); n++) {
  const workload = 1 + Math.floor(Math.random() * 100) // 1-100 msec
  totalMsec += workload
  await sender.send(String(workload))
}
console.log(`Total expected cost: ${totalMsec} msec`)

sender.close()
sinkSender.close()
