/**
 * When the engine worker dies, everything waiting on it fails with ETERM ("Context was
 * terminated", the worker's error as `cause`) instead of hanging, later calls on the context's
 * sockets fail the same way, nothing is thrown inside an event handler, and the process exits by
 * itself. Each case runs in a child process, kills its worker for real, and checks the child's
 * report and how it ended; a child that hangs is killed and fails the test.
 *
 *   pull.receive()          pending: nothing will arrive
 *   push.send("blocked")    pending: the PUSH (HWM 1, no peer) holds one message already
 *   rep.bind(...)           pending: the op never reached the worker
 *   lingering.close()       a closed socket with a message it can never deliver (linger -1)
 *        ── worker dies ──► all three reject, the linger no longer holds the process;
 *                           later calls throw (as calls on a closed socket do, synchronously)
 */
import { type ModuleExit, runModule } from "../lib/processes.js"
import { join } from "node:path"
import { describe, expect, it } from "vitest"

const dist = join(import.meta.dirname, "../../dist/index.js")

const CHILD = `
import * as net from "node:net"
import * as zmq from ${JSON.stringify(dist)}

const context = new zmq.Context()
const kill = KILL
const outcome = (what, promise) =>
  promise.then(
    () => ({ what, resolved: true }),
    (e) => ({ what, code: e.code, errno: e.errno, message: e.message, cause: String(e.cause) }),
  )
const thrown = (what, f) => {
  try {
    f()
    return { what, resolved: true }
  } catch (e) {
    return { what, code: e.code, errno: e.errno, message: e.message, cause: String(e.cause) }
  }
}

// A port nobody listens on: the PUSH keeps redialing, its messages stay queued.
const server = net.createServer()
await new Promise((resolve) => server.listen(0, "127.0.0.1", resolve))
const nobody = "tcp://127.0.0.1:" + server.address().port
await new Promise((resolve) => server.close(resolve))

const pull = new zmq.Pull({ context })
await pull.bind("tcp://127.0.0.1:*")
const push = new zmq.Push({ context, sendHighWaterMark: 1 })
push.connect(nobody)
await push.send("queued")
if (push.writable) throw new Error("the PUSH should be at its high-water mark")
const lingering = new zmq.Push({ context, linger: -1 })
lingering.connect(nobody)
await lingering.send("never delivered")
lingering.close()

const rep = new zmq.Reply({ context })
const waiting = [
  outcome("receive", pull.receive()),
  outcome("send", push.send("blocked")),
  outcome("bind", rep.bind("tcp://127.0.0.1:*")),
]
// Before the bind's op is flushed (end of this job), so the worker never answers it.
kill(context.link.thread)
const report = await Promise.all(waiting)
report.push(thrown("send after", () => push.send("later")))
report.push(thrown("receive after", () => pull.receive()))
report.push(thrown("connect after", () => pull.connect(nobody)))
report.push(thrown("socket made after", () => new zmq.Pull({ context }).receive()))
console.log(JSON.stringify(report))
// Nothing is closed: the process must exit by itself.
`

function runChild(kill: string, limitMs = 10_000): Promise<ModuleExit> {
  return runModule(CHILD.replace("KILL", kill), undefined, limitMs)
}

const ETERM = { code: "ETERM", errno: 156384765, message: "Context was terminated" }

const deaths = [
  {
    name: "fails (an exception in the host, which reports it as fatal and stops)",
    // An engine bug: the host iterates what the channel gives it, and null is not iterable.
    kill: "(worker) => worker.postMessage(null)",
    cause: /the engine failed: ops is not iterable/,
  },
  {
    name: "is terminated (an exit nobody asked the link for)",
    kill: "(worker) => worker.terminate()",
    cause: /exited with code 1/,
  },
]

describe("engine worker death", () => {
  for (const death of deaths) {
    it(`when the worker ${death.name}, every waiter and every later call fails with ETERM`, async () => {
      const exit = await runChild(death.kill)
      expect(exit).toMatchObject({ killed: false, code: 0, stderr: "" })
      const report = JSON.parse(exit.stdout) as Array<{ what: string; cause: string }>
      expect(report.map((r) => r.what)).toEqual([
        "receive",
        "send",
        "bind",
        "send after",
        "receive after",
        "connect after",
        "socket made after",
      ])
      for (const entry of report) {
        expect(entry).toMatchObject(ETERM)
        expect(entry.cause).toMatch(death.cause)
      }
    })
  }
})
