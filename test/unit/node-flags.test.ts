/**
 * The engine worker starts whatever flags the user's process runs with: V8 flags (--expose-gc,
 * --max-old-space-size, --stack-size), which Node refuses in a worker's execArgv, loaders
 * (--import) and --input-type. Each run is a child process that does a REQ/REP round trip in
 * worker mode (the default) and exits by itself.
 */
import { join } from "node:path"
import { describe, expect, it } from "vitest"
import { runModule } from "../lib/processes.js"

const dist = join(import.meta.dirname, "../../dist/index.js")

const roundTrip = `import * as zmq from ${JSON.stringify(dist)}
const rep = new zmq.Reply()
await rep.bind("tcp://127.0.0.1:*")
const req = new zmq.Request()
req.connect(rep.lastEndpoint)
await req.send("ping")
const [ping] = await rep.receive()
await rep.send(ping.toString() + "-pong")
const [reply] = await req.receive()
console.log(reply.toString(), typeof globalThis.gc)
req.close()
rep.close()`

const flagSets: string[][] = [
  ["--expose-gc"],
  ["--max-old-space-size=256"],
  ["--stack-size=2000"],
  ["--expose-gc", "--max-old-space-size=512", "--no-warnings"],
  ["--import=data:text/javascript,globalThis.loaded=1"],
]

describe("the engine worker under the process's Node flags", () => {
  for (const flags of flagSets) {
    it(`node ${flags.join(" ")} --input-type=module`, async () => {
      const { code, killed, stdout, stderr } = await runModule(roundTrip, undefined, 20_000, flags)
      expect(killed).toBe(false)
      expect(stderr).toBe("")
      expect(code).toBe(0)
      const gc = flags.includes("--expose-gc") ? "function" : "undefined"
      expect(stdout).toBe(`ping-pong ${gc}\n`)
    })
  }
})
