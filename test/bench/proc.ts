// What the benchmarks that spawn processes share: their --key=value arguments, and a child
// process running a module that talks in lines ("key value" out, anything in).
import { spawn } from "node:child_process"

/** The command line's --key=value arguments (a bare --key is "true"). */
export const args = new Map(process.argv.slice(2).map((arg) => {
  const [key, value = "true"] = arg.replace(/^--/, "").split("=")
  return [key, value] as const
}))

/**
 * Runs a module in a child process. `line(key)` resolves as soon as it prints "key value" (or
 * at once if it already has), `json(key)` parses that value, `tell(text)` writes a line to its
 * stdin, `signal` sends it a signal, `kill` SIGKILLs it (its exit then counts as a success).
 */
export function child(source: string, nodeArgs: string[] = []) {
  const proc = spawn(process.execPath, [...nodeArgs, "--input-type=module", "-e", source],
    { stdio: ["pipe", "pipe", "inherit"] })
  const lines = new Map<string, string>()
  const waiters = new Map<string, (value: string) => void>()
  let buffered = ""
  proc.stdout.on("data", (chunk: Buffer) => {
    buffered += chunk.toString()
    for (let nl = buffered.indexOf("\n"); nl >= 0; nl = buffered.indexOf("\n")) {
      const [key, ...rest] = buffered.slice(0, nl).split(" ")
      buffered = buffered.slice(nl + 1)
      lines.set(key, rest.join(" "))
      waiters.get(key)?.(rest.join(" "))
    }
  })
  proc.stdin.on("error", () => {}) // a killed child's stdin
  let killed = false
  const exited = new Promise<void>((resolve, reject) => proc.on("exit", (code) =>
    code === 0 || killed ? resolve() : reject(new Error(`a benchmark process exited with ${code}`))))
  const line = (key: string) => lines.has(key) ? Promise.resolve(lines.get(key)!)
    : new Promise<string>((resolve) => waiters.set(key, resolve))
  const tell = (text: string) => { proc.stdin.write(text + "\n") }
  const kill = () => { killed = true; proc.kill("SIGKILL") }
  const signal = (name: NodeJS.Signals) => proc.kill(name)
  return { line, tell, exited, kill, signal, json: async (key: string) => JSON.parse(await line(key)) }
}
