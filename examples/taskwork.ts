// Task worker: connects PULL to the ventilator and PUSH to the sink;
// each task is a workload in msec, done by sleeping.
// usage: taskwork [ventilator=tcp://127.0.0.1:5557] [sink=tcp://127.0.0.1:5558]
import * as zmq from "zeromq-wasm"
import { setTimeout as sleep } from "node:timers/promises"

const [ventilator = "tcp://127.0.0.1:5557", sink = "tcp://127.0.0.1:5558"] = process.argv.slice(2)

const receiver = new zmq.Pull()
receiver.connect(ventilator)
const sender = new zmq.Push()
sender.connect(sink)

for await (const [task] of receiver) {
  process.stdout.write(".") // show progress
  await sleep(Number(task)) // do the work
  // The guide's sinks ignore the result body; our pid lets the tour tell its workers apart.
  await sender.send(String(process.pid))
}
