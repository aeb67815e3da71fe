// A tour of the guide's chapter 1 on loopback: request-reply, publish-subscribe, and a
// parallel pipeline whose workers are separate processes (the compiled taskwork.js).
import * as zmq from "zeromq-wasm"
import { spawn, type ChildProcess } from "node:child_process"
import { once } from "node:events"
import { fileURLToPath } from "node:url"
import { setImmediate as yieldToEventLoop } from "node:timers/promises"

const ms = (start: number) => `${Math.round(performance.now() - start)} ms`
const randomInt = (min: number, max: number) => min + Math.floor(Math.random() * (max - min + 1))

console.log(`ØMQ ${zmq.version}\n`)

// Hello world: REQ/REP lockstep.
async function helloWorld(requests: number) {
  const start = performance.now()
  const server = new zmq.Reply()
  await server.bind("tcp://127.0.0.1:*")
  const serve = (async () => {
    for await (const [request] of server) await server.send(`World (for ${request})`)
  })()

  const client = new zmq.Request()
  client.connect(server.lastEndpoint!)
  for (let n = 0; n < requests; n++) {
    await client.send(`Hello ${n}`)
    const [reply] = await client.receive()
    console.log(`  Received ${reply}`)
  }
  client.close()
  server.close() // ends the server's for-await loop
  await serve
  console.log(`hello world: ${requests} round trips in ${ms(start)}\n`)
}

// Weather updates: PUB/SUB with a prefix filter; the client averages one zip code.
async function weather(filter: string, updates: number) {
  const start = performance.now()
  const server = new zmq.Publisher()
  await server.bind("tcp://127.0.0.1:*")
  let published = 0
  let running = true
  const publish = (async () => {
    while (running) {
      const zipcode = randomInt(10000, 10009) // ten zip codes, so one update in ten matches
      await server.send(`${zipcode} ${randomInt(-80, 135)} ${randomInt(10, 60)}`)
      if (++published % 100 === 0) await yieldToEventLoop() // let the client run
    }
  })()

  const client = new zmq.Subscriber()
  client.connect(server.lastEndpoint!)
  client.subscribe(filter)
  let total = 0
  for (let n = 0; n < updates; n++) {
    const [update] = await client.receive()
    total += Number(update.toString().split(" ")[1])
  }
  running = false
  await publish
  client.close()
  server.close()
  console.log(`weather: average temperature for zipcode '${filter}' was ` +
    `${(total / updates).toFixed(1)}F over ${updates} updates (${published} published) in ${ms(start)}\n`)
}

// Divide and conquer: ventilator -> workers -> sink, with the tour as ventilator and sink.
const taskwork = fileURLToPath(new URL("./taskwork.js", import.meta.url))

async function pipeline(workers: number, workloads: number[]) {
  const ventilator = new zmq.Push()
  await ventilator.bind("tcp://127.0.0.1:*")
  const sink = new zmq.Pull()
  await sink.bind("tcp://127.0.0.1:*")

  const children: ChildProcess[] = []
  for (let n = 0; n < workers; n++) {
    children.push(spawn(process.execPath, [taskwork, ventilator.lastEndpoint!, sink.lastEndpoint!],
      { stdio: ["ignore", "ignore", "inherit"] }))
  }

  // Readiness without sleeping: PUSH deals round-robin to the workers connected so far, so send
  // one zero-cost task per worker and see who answers; once every worker has answered one task
  // of the same round, all of them are connected to both the ventilator and the sink.
  for (let round = 1; ; round++) {
    for (let n = 0; n < workers; n++) await ventilator.send("0")
    const answered = new Set<string>()
    for (let n = 0; n < workers; n++) answered.add((await sink.receive())[0].toString())
    if (answered.size === workers) break
  }

  const start = performance.now() // the guide's "batch start"
  for (const workload of workloads) await ventilator.send(String(workload))
  for (let n = 0; n < workloads.length; n++) await sink.receive()
  const elapsed = performance.now() - start

  for (const child of children) child.kill()
  await Promise.all(children.map((child) => child.exitCode ?? once(child, "exit")))
  ventilator.close()
  sink.close()
  return elapsed
}

await helloWorld(5)
await weather("10001 ", 100)

const workloads = Array.from({ length: 100 }, () => randomInt(1, 100)) // msec, as in the guide
const cost = workloads.reduce((a, b) => a + b)
console.log(`pipeline: ${workloads.length} tasks, total expected cost ${cost} msec`)
console.log("  workers   elapsed   speedup")
let single = 0
for (const workers of [1, 2, 4]) {
  const elapsed = await pipeline(workers, workloads)
  single ||= elapsed
  console.log(`  ${String(workers).padStart(7)} ${`${Math.round(elapsed)} ms`.padStart(9)}` +
    ` ${(single / elapsed).toFixed(2).padStart(8)}x`)
}
