// Child processes for the tests that pair programs: our compiled examples and Python peers.
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

/** A C libzmq peer from test/interop/c/, compiled to build/c/NAME (see examples-c.test.ts). */
export const c = (name: string, ...args: string[]) => run(`${ROOT}build/c/${name}`, args)

/** Kills whatever is still running (use in afterEach). */
export function killAll() {
  for (const child of running) child.kill()
  running.clear()
}
