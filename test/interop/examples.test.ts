// Our compiled examples paired with independent libzmq programs, both ways: Python (pyzmq) and C,
// both on Debian's libzmq 4.3.4. The peers (test/interop/py/, test/interop/c/) take the same
// arguments and print the same lines, so one suite serves both.
//
//   our hwclient  ──REQ/REP──  their hwserver        their hwclient ──REQ/REP──  our hwserver
//   our wuserver  ──PUB/SUB─►  their wuclient        their wuserver ──PUB/SUB─►  our wuclient
//   their taskvent ──PUSH─► our taskwork ×2   ──PUSH─► their tasksink
//   our taskvent   ──PUSH─► their taskwork ×2 ──PUSH─► our tasksink
//   their wuserver ──PUB─► our wuproxy (XSUB ⇄ XPUB) ──► their wuclient
//   their hwclient ──REQ─► our rrbroker (ROUTER ⇄ DEALER)   ──REP─ their rrworker ×2
//   our rrclient   ──REQ─► their rrbroker (ROUTER ⇄ DEALER) ──REP─ our rrworker ×2
//   our rrclient + their hwclient ──► our / their rrbroker ──► our + their rrworker
// (The guide's rrclient is its hwclient pointed at the broker's frontend, so their hwclient
// plays it.)
//   their hwclient (×1, ×3) ──REQ─► our mtserver (ROUTER ⇄ DEALER ─inproc─ REP ×5)
//
// Clients start first and connect to a port nobody listens on yet; ZeroMQ reconnects.
import { execFileSync } from "node:child_process"
import { mkdirSync } from "node:fs"
import { createRequire } from "node:module"
import { afterEach, beforeAll, describe, expect, it } from "vitest"
import { c, example, killAll, python, ROOT, type Run } from "../lib/processes.js"
import { unusedEndpoint } from "../lib/util.js"

const PROGRAMS = ["hwserver", "hwclient", "wuserver", "wuclient", "taskvent", "taskwork", "tasksink",
  "rrworker", "rrbroker"]

beforeAll(() => {
  const tsc = createRequire(import.meta.url).resolve("typescript/bin/tsc")
  execFileSync(process.execPath, [tsc, "-p", "examples"], { cwd: ROOT, stdio: "inherit" })
  mkdirSync(`${ROOT}build/c`, { recursive: true })
  for (const name of PROGRAMS) {
    execFileSync("gcc", ["-std=c99", "-O1", "-Wall", "-Werror", "-o", `build/c/${name}`,
      `test/interop/c/${name}.c`, "-lzmq"], { cwd: ROOT, stdio: "inherit" })
  }
})

afterEach(killAll)

const lines = (text: string) => text.trim().split("\n")

it("version prints the core's version", async () => {
  const { code, stdout } = await example("version").exited
  expect(code).toBe(0)
  expect(stdout).toMatch(/^Current ØMQ version is \d+\.\d+\.\d+\n$/)
})

/** Starts a program by name: one of ours (`example`) or one of theirs (`python`, `c`). */
type Launch = (name: string, ...args: string[]) => Run

const peers: Array<[name: string, their: Launch]> = [
  ["python", python],
  ["C", c],
]

/**
 * Waits for the clients to exit while the servers (brokers, workers: they run until killed) stay
 * up. A server that exits first fails the test at once, with its stderr, instead of leaving the
 * clients waiting for the timeout.
 */
async function clientsExited(clients: Run[], servers: Run[]) {
  const early = servers.map(async (server) => {
    const { code, stderr } = await server.exited
    throw new Error(`a server exited before its clients (code ${code}): ${stderr}`)
  })
  return Promise.race([Promise.all(clients.map((client) => client.exited)), ...early])
}

/** Kills the servers and checks that this is what ended them, quietly; returns their exits. */
async function stopServers(servers: Run[]) {
  for (const server of servers) server.child.kill()
  const exits = await Promise.all(servers.map((server) => server.exited))
  for (const { signal, stderr } of exits) {
    expect(stderr).toBe("")
    expect(signal).toBe("SIGTERM")
  }
  return exits
}

const REQUESTS = 10
const served = (requests: number) => Array<string>(requests).fill("Received request: [Hello]")

/**
 * Clients → broker → workers, each started by its launcher (clients first, then the workers,
 * then the broker). Every client gets its replies in order; the workers together print one line
 * per request (how the broker spreads them is its business); the broker prints its endpoints.
 */
async function brokered(clients: Launch[], broker: Launch, workers: Launch[]) {
  const [frontend, backend] = [await unusedEndpoint(), await unusedEndpoint()]
  // Ours is the guide's rrclient; theirs is their hwclient (the same client, other words).
  const ours = (launch: Launch) => launch === example
  const clientRuns = clients.map((launch) => launch(ours(launch) ? "rrclient" : "hwclient", frontend, String(REQUESTS)))
  const workerRuns = workers.map((launch) => launch("rrworker", backend))
  const brokerRun = broker("rrbroker", frontend, backend)
  const exits = await clientsExited(clientRuns, [brokerRun, ...workerRuns])
  exits.forEach(({ code, stdout, stderr }, i) => {
    expect(code, stderr).toBe(0)
    const line = ours(clients[i]) ? (n: number) => `Received reply ${n} [World]` : (n: number) => `Received World ${n}`
    expect(lines(stdout)).toEqual(Array.from({ length: REQUESTS }, (_, n) => line(n)))
  })
  const [brokerExit, ...workerExits] = await stopServers([brokerRun, ...workerRuns])
  expect(brokerExit.stdout).toBe(`brokering ${frontend} to ${backend}\n`)
  expect(lines(workerExits.map(({ stdout }) => stdout).join(""))).toEqual(served(REQUESTS * clients.length))
}

/** `clients` of their hwclients at once ↔ our mtserver with 5 workers on inproc. */
async function mtserved(their: Launch, clients: number) {
  const endpoint = await unusedEndpoint()
  const clientRuns = Array.from({ length: clients }, () => their("hwclient", endpoint, String(REQUESTS)))
  const server = example("mtserver", endpoint, "5")
  for (const { code, stdout, stderr } of await clientsExited(clientRuns, [server])) {
    expect(code, stderr).toBe(0)
    expect(lines(stdout)).toEqual(Array.from({ length: REQUESTS }, (_, n) => `Received World ${n}`))
  }
  const [ours] = await stopServers([server])
  expect(lines(ours.stdout)).toEqual([`mtserver bound to ${endpoint}, 5 workers`, ...served(REQUESTS * clients)])
}

for (const [name, their] of peers) {
  describe(`examples ↔ ${name} libzmq`, () => {
    it(`our hwclient ↔ ${name} hwserver`, async () => {
      const endpoint = await unusedEndpoint()
      const client = example("hwclient", endpoint, "10")
      const server = their("hwserver", endpoint, "10")
      const [ours, theirs] = await Promise.all([client.exited, server.exited])
      expect(ours.code, ours.stderr).toBe(0)
      expect(theirs.code, theirs.stderr).toBe(0)
      expect(lines(ours.stdout).filter((line) => line.startsWith("Received World"))).toHaveLength(10)
      expect(lines(theirs.stdout).filter((line) => line === "Received Hello")).toHaveLength(10)
    })

    it(`${name} hwclient ↔ our hwserver`, async () => {
      const endpoint = await unusedEndpoint()
      const client = their("hwclient", endpoint, "10")
      const server = example("hwserver", endpoint)
      const theirs = await client.exited
      expect(theirs.code, theirs.stderr).toBe(0)
      expect(lines(theirs.stdout)).toEqual(Array.from({ length: 10 }, (_, n) => `Received World ${n}`))
      server.child.kill()
      const ours = await server.exited
      expect(lines(ours.stdout).filter((line) => line === "Received Hello")).toHaveLength(10)
    })

    it(`our wuserver → ${name} wuclient`, async () => {
      const endpoint = await unusedEndpoint()
      const client = their("wuclient", endpoint, "10001 ", "50")
      const server = example("wuserver", endpoint, "10000-10009")
      const theirs = await client.exited
      expect(theirs.code, theirs.stderr).toBe(0)
      expect(theirs.stdout).toMatch(/^Average temperature for zipcode '10001 ' was -?\d+\.\dF\n$/)
      server.child.kill()
      expect((await server.exited).stderr).toBe("")
    })

    it(`${name} wuserver → our wuclient`, async () => {
      const endpoint = await unusedEndpoint()
      const client = example("wuclient", endpoint, "10001 ", "50")
      const server = their("wuserver", endpoint, "10000-10009")
      const ours = await client.exited
      expect(ours.code, ours.stderr).toBe(0)
      expect(lines(ours.stdout).at(-1)).toMatch(/^Average temperature for zipcode '10001 ' was -?\d+\.\dF$/)
      server.child.kill()
      await server.exited
    })

    it(`${name} wuserver → our wuproxy → ${name} wuclient`, async () => {
      const [frontend, backend] = [await unusedEndpoint(), await unusedEndpoint()]
      const server = their("wuserver", frontend, "10000-10009")
      const proxy = example("wuproxy", frontend, backend)
      const client = their("wuclient", backend, "10001 ", "50")
      const theirs = await client.exited
      expect(theirs.code, theirs.stderr).toBe(0)
      expect(theirs.stdout).toMatch(/^Average temperature for zipcode '10001 ' was -?\d+\.\dF\n$/)
      proxy.child.kill()
      server.child.kill()
      const ours = await proxy.exited
      expect(ours.stdout).toBe(`proxying ${frontend} to ${backend}\n`)
      expect(ours.stderr).toBe("")
    })

    /** Kills the workers (they run until killed) and checks they did all the tasks together. */
    async function tasksDone(workers: Run[], tasks: number) {
      for (const worker of workers) worker.child.kill()
      const done = await Promise.all(workers.map((worker) => worker.exited))
      // Each worker prints one dot per task.
      expect(done.map(({ stdout }) => stdout.length).reduce((a, b) => a + b)).toBe(tasks)
    }

    it(`${name} taskvent → our taskwork ×2 → ${name} tasksink`, async () => {
      const [ventilator, sink] = [await unusedEndpoint(), await unusedEndpoint()]
      const workers = [example("taskwork", ventilator, sink), example("taskwork", ventilator, sink)]
      const collector = their("tasksink", sink, "20")
      const sender = their("taskvent", ventilator, sink, "20")
      const [sent, collected] = await Promise.all([sender.exited, collector.exited])
      expect(sent.code, sent.stderr).toBe(0)
      expect(sent.stdout).toBe("sent 20\n")
      expect(collected.code, collected.stderr).toBe(0)
      expect(collected.stdout).toMatch(/^Total elapsed time: \d+ msec\n$/)
      await tasksDone(workers, 20)
    })

    it(`our taskvent → ${name} taskwork ×2 → our tasksink`, async () => {
      const [ventilator, sink] = [await unusedEndpoint(), await unusedEndpoint()]
      const workers = [their("taskwork", ventilator, sink), their("taskwork", ventilator, sink)]
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
      await tasksDone(workers, 20)
    })

    it(`${name} hwclient → our rrbroker → ${name} rrworker ×2`, () =>
      brokered([their], example, [their, their]))

    it(`our rrclient → ${name} rrbroker → our rrworker ×2`, () =>
      brokered([example], their, [example, example]))

    it(`our rrclient and ${name} hwclient → our rrbroker → our and ${name} rrworker`, () =>
      brokered([example, their], example, [example, their]))

    it(`our rrclient and ${name} hwclient → ${name} rrbroker → our and ${name} rrworker`, () =>
      brokered([example, their], their, [example, their]))

    it(`${name} hwclient → our mtserver`, () => mtserved(their, 1))

    it(`${name} hwclient ×3 at once → our mtserver`, () => mtserved(their, 3))
  })
}
