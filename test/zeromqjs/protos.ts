// What zeromq.js's test/unit/helpers.ts gives its pattern tests (testProtos, uniqAddress), for the
// port of those tests in this folder: the transports every pattern loops over, a fresh address
// per call, and the implementations each test runs against.
import { mkdtempSync, rmSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { ourInline, ourWorker, their } from "../lib/impls.js"
import { unusedEndpoint } from "../lib/util.js"

export type Proto = "tcp" | "ipc" | "inproc"

/** Every transport, as zeromq.js's testProtos("tcp", "ipc", "inproc") with ipc and inproc. */
export const protos: Proto[] = ["tcp", "ipc", "inproc"]

/** libzmq (their) first: a test that fails for ours only is a divergence, not a bad test. Each
 *  implementation shares one context among its sockets, which inproc needs. */
export const impls = [their, ourWorker, ourInline]

let id = 0
let ipcDir: string | undefined

/**
 * A fresh address that both bind() and connect() take, as zeromq.js's uniqAddress(): a loopback
 * port the OS picked and released (nobody listens there), a path in this process's own temporary
 * directory, or a name no other test uses.
 */
export async function uniqAddress(proto: Proto): Promise<string> {
  id++
  switch (proto) {
    case "tcp":
      return unusedEndpoint()
    case "ipc":
      ipcDir ??= mkdtempSync(join(tmpdir(), "zeromqjs-"))
      return `ipc://${join(ipcDir, `ipc-${id}`)}`
    case "inproc":
      return `inproc://zeromqjs-${process.pid}-${id}`
  }
}

/** Removes the ipc paths' directory (use in afterAll). */
export function removeIpcDir() {
  if (ipcDir) rmSync(ipcDir, { recursive: true, force: true })
  ipcDir = undefined
}
