// What the soak and fault tests share: child processes that talk in lines, the prelude every
// child starts with (our package in one engine mode, memory samples after gc(), the host's
// stats), a free loopback port, and the kernel's TCP queues from `ss`.
//
// Every process whose memory a test measures is a child of its own: the vitest worker's RSS and
// heap carry whatever other tests left. Children run with --expose-gc, and every memory sample
// is taken after gc() (twice: the second collects what the first's finalizers released), so a
// figure is memory retained, not garbage waiting for a collection. gc() reaches the main thread's
// heap only: in worker mode the engine thread collects its own garbage when V8 decides to.
import { execFileSync, spawn, type ChildProcess } from "node:child_process"
import { join } from "node:path"
import { unusedPort } from "../lib/util.js"

export { RECV_BYTES, RECV_WINDOW, type HostStats } from "../../ts/host/channel/protocol.js"

export const dist = join(import.meta.dirname, "../../dist/index.js")

export type Mode = "worker" | "inline"
export const MODES: Mode[] = ["worker", "inline"]
export const MiB = 1 << 20
export const KiB = 1 << 10

/** CLOCK_MONOTONIC in ms: the same clock in every process on this machine. */
export const now = () => Number(process.hrtime.bigint()) / 1e6

/** Memory of a measured child, in MiB: samples after gc(), from `markStart()` on. */
export interface Mem {
  startMiB: number
  peakMiB: number
  endMiB: number
  growthMiB: number
  /** The main thread's heapUsed: peak minus start. */
  heapGrowthMiB: number
  /** The main thread's arrayBuffers (in worker mode: also bodies it allocated that the engine
   *  thread holds, or dropped and has not collected yet). */
  abStartMiB: number
  abPeakMiB: number
  samples: number
  /** getrusage's peak RSS over the whole process life (garbage included), for the log. */
  maxRssMiB: number
}

/**
 * The start of every child's module. With a mode: `zmq` (our package from dist/) and `ctx`, a
 * context in that mode. Always: `say(key, value)` prints "key <json>" for the parent,
 * `heard(key)` resolves on a line "key <text>" from it, `sleep`, `now()` (as above), and the
 * memory sampler (`markStart()`, `sample()`, `maybeSample()`: a sample if 50 ms have passed,
 * `memReport()`),
 * and `stats(socket)`, the host's stats of that socket's context.
 */
export const prelude = (mode: Mode | null) => `
${mode ? `import * as zmq from ${JSON.stringify(dist)}
const ctx = new zmq.Context(${mode === "inline" ? "{ inline: true }" : ""})` : ""}
import { createInterface } from "node:readline"
const say = (key, value = null) => process.stdout.write(key + " " + JSON.stringify(value) + "\\n")
const inbox = new Map(), waiters = new Map()
createInterface({ input: process.stdin }).on("line", (line) => {
  const at = line.indexOf(" ")
  const key = at < 0 ? line : line.slice(0, at), value = at < 0 ? "" : line.slice(at + 1)
  if (waiters.has(key)) { waiters.get(key)(value); waiters.delete(key) } else inbox.set(key, value)
})
const heard = (key) => inbox.has(key) ? Promise.resolve(inbox.get(key)) : new Promise((resolve) => waiters.set(key, resolve))
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms))
const now = () => Number(process.hrtime.bigint()) / 1e6
const MiB = 1 << 20
const stats = (socket) => socket.context.link.call("stats", [])
const retained = () => { globalThis.gc(); globalThis.gc(); return process.memoryUsage() }
const mem = { start: 0, peak: 0, heapStart: 0, heapPeak: 0, abStart: 0, abPeak: 0, samples: 0, last: 0 }
function sample() {
  const m = retained()
  mem.peak = Math.max(mem.peak, m.rss)
  mem.heapPeak = Math.max(mem.heapPeak, m.heapUsed)
  mem.abPeak = Math.max(mem.abPeak, m.arrayBuffers)
  mem.samples++
  mem.last = now()
  return m.rss
}
function maybeSample() { if (now() - mem.last >= 50) { sample(); return true } return false }
function markStart() {
  const m = retained()
  mem.start = mem.peak = m.rss
  mem.heapStart = mem.heapPeak = m.heapUsed
  mem.abStart = mem.abPeak = m.arrayBuffers
  mem.samples = 0
  mem.last = now()
}
function memReport() {
  const end = sample()
  return { startMiB: mem.start / MiB, peakMiB: mem.peak / MiB, endMiB: end / MiB,
    growthMiB: (mem.peak - mem.start) / MiB, heapGrowthMiB: (mem.heapPeak - mem.heapStart) / MiB,
    abStartMiB: mem.abStart / MiB, abPeakMiB: mem.abPeak / MiB, samples: mem.samples,
    maxRssMiB: process.resourceUsage().maxRSS / 1024 }
}
`

export interface Child {
  /** Resolves with the value of the first line "key <value>" (at once if it came already);
   *  rejects if the child exits first, or after `timeoutMs`. */
  line(key: string, timeoutMs?: number): Promise<string>
  /** The same, parsed as JSON. */
  json<T = unknown>(key: string, timeoutMs?: number): Promise<T>
  /** Writes a line to the child's stdin. */
  tell(text: string): void
  /** SIGKILL. */
  kill(): void
  /** Resolves when the child has exited (for a SIGKILL: its process is gone, sockets closed). */
  exited: Promise<{ code: number | null; signal: string | null; stderr: string }>
  pid: number
}

const running = new Set<ChildProcess>()

/** Runs `source` as an ES module in a fresh Node process with --expose-gc. */
export function child(name: string, source: string, nodeArgs: string[] = []): Child {
  const proc = spawn(process.execPath, ["--expose-gc", ...nodeArgs, "--input-type=module", "-e", source],
    { stdio: ["pipe", "pipe", "pipe"] })
  running.add(proc)
  const lines = new Map<string, string>()
  const waiters = new Map<string, Array<(value: string) => void>>()
  let buffered = ""
  let stderr = ""
  let gone: string | undefined
  const failures = new Set<(err: Error) => void>()
  proc.stdout.on("data", (chunk: Buffer) => {
    buffered += chunk.toString()
    for (let nl = buffered.indexOf("\n"); nl >= 0; nl = buffered.indexOf("\n")) {
      const line = buffered.slice(0, nl)
      buffered = buffered.slice(nl + 1)
      const at = line.indexOf(" ")
      const key = at < 0 ? line : line.slice(0, at)
      const value = at < 0 ? "" : line.slice(at + 1)
      if (!lines.has(key)) lines.set(key, value)
      for (const resolve of waiters.get(key) ?? []) resolve(value)
      waiters.delete(key)
    }
  })
  proc.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()))
  proc.stdin.on("error", () => {}) // a killed child's stdin
  const exited = new Promise<{ code: number | null; signal: string | null; stderr: string }>((resolve) => {
    proc.on("exit", (code, signal) => {
      running.delete(proc)
      gone = `${name} exited (code ${code}, signal ${signal})${stderr ? `: ${stderr.trim()}` : ""}`
      for (const fail of failures) fail(new Error(gone))
      resolve({ code, signal, stderr })
    })
  })
  const line = (key: string, timeoutMs = 30_000) => {
    if (lines.has(key)) return Promise.resolve(lines.get(key)!)
    if (gone) return Promise.reject(new Error(`${gone}, before printing "${key}"`))
    return new Promise<string>((resolve, reject) => {
      const fail = (err: Error) => {
        clearTimeout(timer)
        reject(new Error(`${err.message}, before printing "${key}"`))
      }
      const timer = setTimeout(() => {
        failures.delete(fail)
        reject(new Error(`${name} did not print "${key}" within ${timeoutMs} ms${stderr ? `; stderr: ${stderr.trim()}` : ""}`))
      }, timeoutMs)
      failures.add(fail)
      const list = waiters.get(key) ?? []
      list.push((value) => {
        clearTimeout(timer)
        failures.delete(fail)
        resolve(value)
      })
      waiters.set(key, list)
    })
  }
  return {
    line,
    json: async <T>(key: string, timeoutMs?: number) => JSON.parse(await line(key, timeoutMs)) as T,
    tell: (text) => void proc.stdin.write(text + "\n"),
    kill: () => void proc.kill("SIGKILL"),
    exited,
    pid: proc.pid!,
  }
}

/** SIGKILLs every child still running (use in afterEach: a failed test leaves none behind). */
export function killChildren() {
  for (const proc of running) proc.kill("SIGKILL")
  running.clear()
}

/** A free TCP port on loopback, out of the ephemeral range (see unusedPort). */
export const freePort = unusedPort

/** Bytes queued in the kernel on the established TCP connections to or from `port`. */
export function kernelQueues(port: number): { send: number; recv: number } {
  const out = execFileSync("ss", ["-tnH", "state", "established", `( sport = :${port} or dport = :${port} )`]).toString()
  let send = 0
  let recv = 0
  for (const line of out.trim().split("\n").filter(Boolean)) {
    const [recvQ, sendQ] = line.trim().split(/\s+/).map(Number)
    recv += recvQ
    send += sendQ
  }
  return { send, recv }
}

export const fmt = (mib: number) => `${mib >= 0 ? "+" : ""}${mib.toFixed(1)} MiB`
