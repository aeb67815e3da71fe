// Our compiled examples paired with C programs linked with Debian's libzmq (4.3.4), both ways.
//
//   our hwclient  ──REQ/REP──  C hwserver           C hwclient ──REQ/REP──  our hwserver
//   our wuserver  ──PUB/SUB─►  C wuclient           C wuserver ──PUB/SUB─►  our wuclient
//   C taskvent   ──PUSH─► our taskwork ×2 ──PUSH─► C tasksink
//   our taskvent ──PUSH─► C taskwork ×2   ──PUSH─► our tasksink
//
// The C peers (test/interop/c/) take the same arguments and print the same lines as the Python
// ones (test/interop/py/), so the assertions are those of examples.test.ts.
// Clients start first and connect to a port nobody listens on yet; ZeroMQ reconnects.
import { execFileSync } from "node:child_process"
import { mkdirSync } from "node:fs"
import { createRequire } from "node:module"
import { afterEach, beforeAll, describe, expect, it } from "vitest"
import { c, example, killAll, ROOT } from "../lib/processes.js"
import { unusedEndpoint } from "../lib/util.js"

const PEERS = ["hwserver", "hwclient", "wuserver", "wuclient", "taskvent", "taskwork", "tasksink"]

beforeAll(() => {
  const tsc = createRequire(import.meta.url).resolve("typescript/bin/tsc")
  execFileSync(process.execPath, [tsc, "-p", "examples"], { cwd: ROOT, stdio: "inherit" })
  mkdirSync(`${ROOT}build/c`, { recursive: true })
  for (const name of PEERS) {
    execFileSync("gcc", ["-std=c99", "-O1", "-Wall", "-Werror", "-o", `build/c/${name}`,
      `test/interop/c/${name}.c`, "-lzmq"], { cwd: ROOT, stdio: "inherit" })
  }
})

afterEach(killAll)

const lines = (text: string) => text.trim().split("\n")

describe("examples ↔ C libzmq", () => {
  it("our hwclient ↔ C hwserver", async () => {
    const endpoint = await unusedEndpoint()
    const client = example("hwclient", endpoint, "10")
    const server = c("hwserver", endpoint, "10")
    const [ours, theirs] = await Promise.all([client.exited, server.exited])
    expect(ours.code, ours.stderr).toBe(0)
    expect(theirs.code, theirs.stderr).toBe(0)
    expect(lines(ours.stdout).filter((line) => line.startsWith("Received World"))).toHaveLength(10)
    expect(lines(theirs.stdout).filter((line) => line === "Received Hello")).toHaveLength(10)
  })

  it("C hwclient ↔ our hwserver", async () => {
    const endpoint = await unusedEndpoint()
    const client = c("hwclient", endpoint, "10")
    const server = example("hwserver", endpoint)
    const theirs = await client.exited
    expect(theirs.code, theirs.stderr).toBe(0)
    expect(lines(theirs.stdout)).toEqual(Array.from({ length: 10 }, (_, n) => `Received World ${n}`))
    server.child.kill()
    const ours = await server.exited
    expect(lines(ours.stdout).filter((line) => line === "Received Hello")).toHaveLength(10)
  })

  it("our wuserver → C wuclient", async () => {
    const endpoint = await unusedEndpoint()
    const client = c("wuclient", endpoint, "10001 ", "50")
    const server = example("wuserver", endpoint, "10000-10009")
    const theirs = await client.exited
    expect(theirs.code, theirs.stderr).toBe(0)
    expect(theirs.stdout).toMatch(/^Average temperature for zipcode '10001 ' was -?\d+\.\dF\n$/)
    server.child.kill()
    expect((await server.exited).stderr).toBe("")
  })

  it("C wuserver → our wuclient", async () => {
    const endpoint = await unusedEndpoint()
    const client = example("wuclient", endpoint, "10001 ", "50")
    const server = c("wuserver", endpoint, "10000-10009")
    const ours = await client.exited
    expect(ours.code, ours.stderr).toBe(0)
    expect(lines(ours.stdout).at(-1)).toMatch(/^Average temperature for zipcode '10001 ' was -?\d+\.\dF$/)
    server.child.kill()
    await server.exited
  })

  it("C taskvent → our taskwork ×2 → C tasksink", async () => {
    const [ventilator, sink] = [await unusedEndpoint(), await unusedEndpoint()]
    const workers = [example("taskwork", ventilator, sink), example("taskwork", ventilator, sink)]
    const collector = c("tasksink", sink, "20")
    const sender = c("taskvent", ventilator, sink, "20")
    const [sent, collected] = await Promise.all([sender.exited, collector.exited])
    expect(sent.code, sent.stderr).toBe(0)
    expect(sent.stdout).toBe("sent 20\n")
    expect(collected.code, collected.stderr).toBe(0)
    expect(collected.stdout).toMatch(/^Total elapsed time: \d+ msec\n$/)
    for (const worker of workers) worker.child.kill()
    const done = await Promise.all(workers.map((worker) => worker.exited))
    // Each worker prints one dot per task: together they did all twenty.
    expect(done.map(({ stdout }) => stdout.length).reduce((a, b) => a + b)).toBe(20)
  })

  it("our taskvent → C taskwork ×2 → our tasksink", async () => {
    const [ventilator, sink] = [await unusedEndpoint(), await unusedEndpoint()]
    const workers = [c("taskwork", ventilator, sink), c("taskwork", ventilator, sink)]
    const collector = example("tasksink", sink, "20")
    // Our taskvent waits for Enter; its stdin is /dev/null here, so the end of input lets it go
    // at once (a binding PUSH holds the tasks until a worker connects).
    const sender = example("taskvent", ventilator, sink, "20")
    const [sent, collected] = await Promise.all([sender.exited, collector.exited])
    expect(sent.code, sent.stderr).toBe(0)
    expect(sent.stdout).toMatch(
      /^Press Enter when the workers are ready: Sending tasks to workers\.\.\.\nTotal expected cost: \d+ msec\n$/)
    expect(collected.code, collected.stderr).toBe(0)
    expect(collected.stdout).toMatch(/^\.{9}:\.{9}:\nTotal elapsed time: \d+ msec\n$/)
    for (const worker of workers) worker.child.kill()
    const done = await Promise.all(workers.map((worker) => worker.exited))
    expect(done.map(({ signal }) => signal)).toEqual(["SIGTERM", "SIGTERM"])
    // Each C worker prints one dot per task (flushed at once): together they did all twenty.
    expect(done.map(({ stdout }) => stdout.length).reduce((a, b) => a + b)).toBe(20)
  })
})
