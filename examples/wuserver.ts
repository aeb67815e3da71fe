// Weather update server: binds PUB, publishes random "zip temperature humidity" updates forever.
// usage: wuserver [endpoint=tcp://*:5556] [zip-range=0-99999]
import * as zmq from "zeromq-wasm"
import { setImmediate as yieldToEventLoop } from "node:timers/promises"

const [endpoint = "tcp://*:5556", range = "0-99999"] = process.argv.slice(2)
const [low, high] = range.split("-").map(Number)
const randomInt = (min: number, max: number) => min + Math.floor(Math.random() * (max - min + 1))

const publisher = new zmq.Publisher()
await publisher.bind(endpoint)
console.log(`wuserver bound to ${publisher.lastEndpoint}, zip codes ${low}-${high}`)

for (let n = 1; ; n++) {
  const zipcode = String(randomInt(low, high)).padStart(5, "0")
  const temperature = randomInt(-80, 135)
  const relhumidity = randomInt(10, 60)
  await publisher.send(`${zipcode} ${temperature} ${relhumidity}`)
  // A PUB never blocks, so give timers, I/O and Ctrl-C a turn now and then.
  if (n % 1000 === 0) await yieldToEventLoop()
}
