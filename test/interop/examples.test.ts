// Our compiled examples paired with Python libzmq programs (pyzmq, libzmq 4.3.4), both ways.
//
//   our hwclient  ──REQ/REP──  python hwserver      python hwclient ──REQ/REP──  our hwserver
//   our wuserver  ──PUB/SUB─►  python wuclient      python wuserver ──PUB/SUB─►  our wuclient
//   python taskvent ──PUSH─► our taskwork ×2 ──PUSH─► python tasksink
//
// Clients start first and connect to a port nobody listens on yet; ZeroMQ reconnects.
import { execFileSync } from "node:child_process"
import { createRequire } from "node:module"
import { afterEach, beforeAll, describe, expect, it } from "vitest"
import { example, killAll, python, ROOT } from "../lib/processes.js"
import { unusedEndpoint } from "../lib/util.js"

beforeAll(() => {
  const tsc = createRequire(import.meta.url).resolve("typescript/bin/tsc")
  execFileSync(process.execPath, [tsc, "-p", "examples"], { cwd: ROOT, stdio: "inherit" })
})

afterEach(killAll)

const lines = (text: string) => text.trim().split("\n")

describe("examples ↔ python libzmq", () => {
  it("version prints the core's version", async () => {
    const { code, stdout } = await example("version").exited
    expect(code).toBe(0)
    expect(stdout).toMatch(/^Current ØMQ version is \d+\.\d+\.\d+\n$/)
  })

  it("our hwclient ↔ python hwserver", async () => {
    const endpoint = await unusedEndpoint()
    const client = example("hwclient", endpoint, "10")
    const server = python("hwserver", endpoint, "10")
    const [ours, theirs] = await Promise.all([client.exited, server.exited])
    expect(ours.code, ours.stderr).toBe(0)
    expect(theirs.code, theirs.stderr).toBe(0)
    expect(lines(ours.stdout).filter((line) => line.startsWith("Received World"))).toHaveLength(10)
    expect(lines(theirs.stdout).filter((line) => line === "Received Hello")).toHaveLength(10)
  })

  it("python hwclient ↔ our hwserver", async () => {
    const endpoint = await unusedEndpoint()
    const client = python("hwclient", endpoint, "10")
    const server = example("hwserver", endpoint)
    const theirs = await client.exited
    expect(theirs.code, theirs.stderr).toBe(0)
    expect(lines(theirs.stdout)).toEqual(Array.from({ length: 10 }, (_, n) => `Received World ${n}`))
    server.child.kill()
    const ours = await server.exited
    expect(lines(ours.stdout).filter((line) => line === "Received Hello")).toHaveLength(10)
  })

  it("our wuserver → python wuclient", async () => {
    const endpoint = await unusedEndpoint()
    const client = python("wuclient", endpoint, "10001 ", "50")
    const server = example("wuserver", endpoint, "10000-10009")
    const theirs = await client.exited
    expect(theirs.code, theirs.stderr).toBe(0)
    expect(theirs.stdout).toMatch(/^Average temperature for zipcode '10001 ' was -?\d+\.\dF\n$/)
    server.child.kill()
    expect((await server.exited).stderr).toBe("")
  })

  it("python wuserver → our wuclient", async () => {
    const endpoint = await unusedEndpoint()
    const client = example("wuclient", endpoint, "10001 ", "50")
    const server = python("wuserver", endpoint, "10000-10009")
    const ours = await client.exited
    expect(ours.code, ours.stderr).toBe(0)
    expect(lines(ours.stdout).at(-1)).toMatch(/^Average temperature for zipcode '10001 ' was -?\d+\.\dF$/)
    server.child.kill()
    await server.exited
  })

  it("python taskvent → our taskwork ×2 → python tasksink", async () => {
    const [ventilator, sink] = [await unusedEndpoint(), await unusedEndpoint()]
    const workers = [example("taskwork", ventilator, sink), example("taskwork", ventilator, sink)]
    const collector = python("tasksink", sink, "20")
    const sender = python("taskvent", ventilator, sink, "20")
    const [sent, collected] = await Promise.all([sender.exited, collector.exited])
    expect(sent.code, sent.stderr).toBe(0)
    expect(collected.code, collected.stderr).toBe(0)
    expect(collected.stdout).toMatch(/^Total elapsed time: \d+ msec\n$/)
    for (const worker of workers) worker.child.kill()
    const done = await Promise.all(workers.map((worker) => worker.exited))
    // Each worker prints one dot per task: together they did all twenty.
    expect(done.map(({ stdout }) => stdout.length).reduce((a, b) => a + b)).toBe(20)
  })
})
