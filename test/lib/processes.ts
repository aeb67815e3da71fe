// Child processes for the tests that pair programs: our compiled examples and Python and C peers.
import { spawn, type ChildProcess } from "node:child_process"
import { fileURLToPath } from "node:url"

export const ROOT = fileURLToPath(new URL("../../", import.meta.url))
/** Debian's python3 with python3-zmq (libzmq 4.3.4); override with $PYTHON. */
export const PYTHON = process.env.PYTHON ?? "/usr/bin/python3"

export interface Run {
  child: ChildProcess
  /** Everything written to stdout so far. */
  stdout(): string
  /** Resolves when the process exits, with its code (null if killed) and output. */
  exited: Promise<{ code: number | null; signal: string | null; stdout: string; stderr: string }>
}

const running = new Set<ChildProcess>()

export function run(command: string, args: string[]): Run {
  const child = spawn(command, args, { cwd: ROOT, stdio: ["ignore", "pipe", "pipe"] })
  running.add(child)
  let stdout = ""
  let stderr = ""
  child.stdout!.on("data", (chunk) => (stdout += chunk))
  child.stderr!.on("data", (chunk) => (stderr += chunk))
  const exited = new Promise<Awaited<Run["exited"]>>((resolve, reject) => {
    child.on("error", reject)
    child.on("close", (code, signal) => {
      running.delete(child)
      resolve({ code, signal, stdout, stderr })
    })
  })
  return { child, stdout: () => stdout, exited }
}

/** One of our compiled examples (build/examples/NAME.js). */
export const example = (name: string, ...args: string[]) =>
  run(process.execPath, [`build/examples/${name}.js`, ...args])

/** A Python libzmq peer from test/interop/py/. */
export const python = (name: string, ...args: string[]) =>
  run(PYTHON, [`test/interop/py/${name}.py`, ...args])

/** A C libzmq peer from test/interop/c/, compiled to build/c/NAME (see examples.test.ts). */
export const c = (name: string, ...args: string[]) => run(`${ROOT}build/c/${name}`, args)

/** Kills whatever is still running (use in afterEach). */
export function killAll() {
  for (const child of running) child.kill()
  running.clear()
}

export interface ModuleExit {
  code: number | null
  /** The child outlived its limit and was killed. */
  killed: boolean
  stdout: string
  stderr: string
}

/**
 * Runs `source` as an ES module in a fresh Node process (`node --input-type=module -e`), as a
 * user's script would run; kills it after `limitMs`. `onLine` sees each stdout line as it comes.
 */
export function runModule(
  source: string, onLine?: (line: string) => void, limitMs = 10_000, nodeFlags: string[] = [],
): Promise<ModuleExit> {
  return new Promise((resolve) => {
    const args = [...nodeFlags, "--input-type=module", "-e", source]
    const child = spawn(process.execPath, args, { stdio: ["ignore", "pipe", "pipe"] })
    let stdout = ""
    let stderr = ""
    let killed = false
    const timer = setTimeout(() => {
      killed = true
      child.kill("SIGKILL")
    }, limitMs)
    child.stdout.on("data", (chunk: Buffer) => {
      const lines = chunk.toString()
      stdout += lines
      for (const line of lines.split("\n").filter(Boolean)) onLine?.(line)
    })
    child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()))
    child.on("exit", (code) => {
      clearTimeout(timer)
      resolve({ code, killed, stdout, stderr })
    })
  })
}
