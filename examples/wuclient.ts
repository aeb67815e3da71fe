// Weather update client: connects SUB, filters on a zip code, averages the temperature.
// usage: wuclient [endpoint=tcp://127.0.0.1:5556] [filter="10001 "] [updates=100]
import * as zmq from "zeromq-wasm"

const [endpoint = "tcp://127.0.0.1:5556", filter = "10001 ", updates = "100"] = process.argv.slice(2)

console.log("Collecting updates from weather server...")
const subscriber = new zmq.Subscriber()
subscriber.connect(endpoint)
subscriber.subscribe(filter)

let total = 0
for (let n = 0; n < Number(updates); n++) {
  const [update] = await subscriber.receive()
  const [, temperature] = update.toString().split(" ")
  total += Number(temperature)
}
console.log(`Average temperature for zipcode '${filter}' was ${(total / Number(updates)).toFixed(1)}F`)

subscriber.close()
