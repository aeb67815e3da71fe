/**
 * ipc:// (Unix domain sockets) between ours (worker and inline) and theirs (zeromq 6.8.0,
 * libzmq 4.3.5), each binding and each connecting, and ipc's own rules checked against theirs:
 * `ipc://*`, Linux abstract names, a file left by a dead process, a path bound twice, removal
 * of our socket file, and the endpoint errors. Abstract names meet libzmq's only from libuv 1.48
 * (Node.js 22) on; before, we refuse them, and only that refusal is tested — so `npm test` runs
 * this file once more under Node 22 there (scripts/test-abstract-ipc.sh).
 *
 *   REQ ──"ping n"──► REP        PUSH ──"n" × 100──► PULL
 *   REQ ◄──"pong n"── REP
 */
import { spawn } from "node:child_process"
import { randomBytes } from "node:crypto"
import { existsSync, lstatSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { afterAll, afterEach, describe, expect, it } from "vitest"
import type * as zmq from "zeromq"
import { closeCreated, ourImpls, pairings, their } from "../lib/impls.js"
import { text } from "../lib/util.js"

afterEach(closeCreated)

const dir = mkdtempSync(join(tmpdir(), "zmqw-ipc-"))
afterAll(() => rmSync(dir, { recursive: true, force: true }))

let count = 0
/** A fresh socket path in this file's temporary directory. */
const freshPath = () => join(dir, `s${++count}`)
/** A fresh abstract name (no file anywhere). */
const freshAbstract = () => `ipc://@zmqw-test-${randomBytes(6).toString("hex")}`

/** Linux abstract names as libzmq makes them (exact length) need libuv 1.48 (Node.js 22). */
const [uvMajor, uvMinor] = process.versions.uv.split(".").map(Number)
const exactAbstract = process.platform === "linux" && (uvMajor > 1 || (uvMajor === 1 && uvMinor >= 48))
const paddedAbstract = process.platform === "linux" && !exactAbstract

const isSocketFile = (path: string) => existsSync(path) && lstatSync(path).isSocket()

/** An error's zeromq.js fields, for comparing ours with theirs. */
async function failure(f: () => unknown) {
  try {
    await f()
  } catch (e) {
    const err = e as { code?: string; errno?: number; message: string; address?: string }
    return { code: err.code, errno: err.errno, message: err.message, address: err.address }
  }
  return "no error"
}

/** The PUSH's messages arrive at the PULL (over whatever they are connected by). */
async function pushPull(push: zmq.Push, pull: zmq.Pull, body = "m") {
  await push.send(body)
  return text(await pull.receive())
}

/** A process that listens on path and is killed with SIGKILL: its socket file stays behind. */
async function leaveStaleFile(path: string) {
  const child = spawn(process.execPath, [
    "-e",
    `require("node:net").createServer().listen(process.argv[1], () => console.log("listening"))`,
    path,
  ])
  await new Promise<void>((resolve) => child.stdout.once("data", () => resolve()))
  const exited = new Promise((resolve) => child.once("exit", resolve))
  child.kill("SIGKILL")
  await exited
}

for (const [binder, connecter] of pairings) {
  describe(`${binder.name} binds ipc, ${connecter.name} connects`, () => {
    it("REQ/REP exchange in lockstep", async () => {
      const address = `ipc://${freshPath()}`
      const rep = binder.socket("Reply")
      await rep.bind(address)
      const req = connecter.socket("Request")
      req.connect(address)
      for (let n = 0; n < 3; n++) {
        await req.send(`ping ${n}`)
        expect(text(await rep.receive())).toEqual([`ping ${n}`])
        await rep.send(`pong ${n}`)
        expect(text(await req.receive())).toEqual([`pong ${n}`])
      }
    })

    it("PUSH/PULL delivers 100 messages in order", async () => {
      const address = `ipc://${freshPath()}`
      const pull = binder.socket("Pull")
      await pull.bind(address)
      const push = connecter.socket("Push")
      push.connect(address)
      for (let n = 0; n < 100; n++) await push.send(`${n}`)
      for (let n = 0; n < 100; n++) expect(text(await pull.receive())).toEqual([`${n}`])
    })
  })
}

for (const ours of ourImpls) {
  describe(`ipc rules (${ours.name})`, () => {
    it("ipc://* binds a fresh socket file in the temp directory, reported in lastEndpoint", async () => {
      const pull = ours.socket("Pull")
      await pull.bind("ipc://*")
      const endpoint = pull.lastEndpoint!
      // libzmq's shape: $TMPDIR/tmpXXXXXX/socket.
      expect(endpoint).toMatch(new RegExp(`^ipc://${tmpdir()}/tmp[A-Za-z0-9]{6}/socket$`))
      const path = endpoint.slice("ipc://".length)
      expect(isSocketFile(path)).toBe(true)
      const push = their.socket("Push")
      push.connect(endpoint)
      expect(await pushPull(push, pull)).toEqual(["m"])
      await pull.unbind(endpoint)
      expect(existsSync(path)).toBe(false)
      expect(existsSync(join(path, ".."))).toBe(false)
    })

    it.runIf(exactAbstract)("binds and connects Linux abstract names (@name), no file", async () => {
      const ourName = freshAbstract()
      const pull = ours.socket("Pull")
      await pull.bind(ourName)
      expect(pull.lastEndpoint).toBe(ourName)
      const theirPush = their.socket("Push")
      theirPush.connect(ourName)
      expect(await pushPull(theirPush, pull, "to ours")).toEqual(["to ours"])

      const theirName = freshAbstract()
      const theirPull = their.socket("Pull")
      await theirPull.bind(theirName)
      const push = ours.socket("Push")
      push.connect(theirName)
      expect(await pushPull(push, theirPull, "to theirs")).toEqual(["to theirs"])
    })

    it.runIf(exactAbstract)("an abstract name in use gives EADDRINUSE, as zeromq", async () => {
      for (const first of [ours, their]) {
        const address = freshAbstract()
        await first.socket("Pull").bind(address)
        const expected = await failure(() => their.socket("Pull").bind(address))
        expect(expected).toEqual({ code: "EADDRINUSE", errno: 98, message: "Address already in use", address })
        expect(await failure(() => ours.socket("Pull").bind(address))).toEqual(expected)
      }
    })

    it.runIf(paddedAbstract)("refuses abstract names where Node.js pads them (libuv < 1.48)", async () => {
      const address = freshAbstract()
      const refused = { code: "ENOTSUP", errno: 95, address }
      expect(await failure(() => ours.socket("Pull").bind(address))).toMatchObject(refused)
      expect(await failure(() => ours.socket("Push").connect(address))).toMatchObject(refused)
    })

    it("replaces a socket file left by a process that died", async () => {
      const path = freshPath()
      await leaveStaleFile(path)
      expect(isSocketFile(path)).toBe(true)
      const pull = ours.socket("Pull")
      await pull.bind(`ipc://${path}`)
      const push = their.socket("Push")
      push.connect(`ipc://${path}`)
      expect(await pushPull(push, pull)).toEqual(["m"])
    })

    it("a second bind of a path in use takes it over, as zeromq; closing the first keeps the file", async () => {
      for (const first of [their, ours]) {
        const address = `ipc://${freshPath()}`
        const a = first.socket("Pull")
        await a.bind(address)
        // libzmq unlinks the path before it binds: theirs accepts the second bind too.
        const b = ours.socket("Pull")
        await b.bind(address)
        const push = their.socket("Push")
        push.connect(address)
        expect(await pushPull(push, b, "to the second")).toEqual(["to the second"])
        if (first !== their) {
          // Our first listener's close must not remove the second's file. The close is done
          // once a later op of the same context is answered (ops reach the host in order).
          a.close()
          await first.socket("Pull").bind("ipc://*")
          expect(isSocketFile(address.slice("ipc://".length))).toBe(true)
          const late = their.socket("Push")
          late.connect(address)
          expect(await pushPull(late, b, "after the close")).toEqual(["after the close"])
        }
      }
    })

    it("unbind and close remove our socket file, at any path length", async () => {
      // The longest path (107 bytes) leaves no room for the private name bound beside it first.
      const deep = join(dir, "d".repeat(107 - Buffer.byteLength(dir) - 3))
      mkdirSync(deep, { recursive: true })
      for (const path of [freshPath(), join(deep, `${++count % 10}`)]) {
        const pull = ours.socket("Pull")
        await pull.bind(`ipc://${path}`)
        expect(isSocketFile(path)).toBe(true)
        const push = their.socket("Push")
        push.connect(`ipc://${path}`)
        expect(await pushPull(push, pull)).toEqual(["m"])
        await pull.unbind(`ipc://${path}`)
        expect(existsSync(path)).toBe(false)

        await pull.bind(`ipc://${path}`)
        expect(isSocketFile(path)).toBe(true)
        pull.close()
        await ours.socket("Pull").bind("ipc://*") // answered after the close (ops in order)
        expect(existsSync(path)).toBe(false)
      }
    })

    it("a directory at the path gives EADDRINUSE, as zeromq; so does a regular file", async () => {
      const path = freshPath()
      mkdirSync(path)
      const address = `ipc://${path}`
      const expected = await failure(() => their.socket("Pull").bind(address))
      expect(expected).toEqual({ code: "EADDRINUSE", errno: 98, message: "Address already in use", address })
      expect(await failure(() => ours.socket("Pull").bind(address))).toEqual(expected)
      // libzmq would delete a regular file there; we refuse to (a typo should not cost a file).
      const file = freshPath()
      writeFileSync(file, "data")
      expect(await failure(() => ours.socket("Pull").bind(`ipc://${file}`))).toMatchObject({ code: "EADDRINUSE" })
      expect(lstatSync(file).isFile()).toBe(true)
    })

    it("endpoint errors match zeromq's, for bind and connect", async () => {
      const bad = [
        "ipc://", // empty path: EINVAL
        "ipc://@", // abstract, no name: EINVAL
        `ipc:///${"x".repeat(107)}`, // 108 bytes: ENAMETOOLONG
        `ipc://@${"a".repeat(107)}`, // 108 bytes with the "@": ENAMETOOLONG
        `ipc:///${"é".repeat(54)}`, // 54 characters, 109 bytes: ENAMETOOLONG
      ]
      for (const address of bad) {
        const expected = await failure(() => their.socket("Pull").connect(address))
        expect(expected).not.toBe("no error")
        expect(await failure(() => ours.socket("Pull").connect(address))).toEqual(expected)
        expect(await failure(() => their.socket("Pull").bind(address))).toEqual(expected)
        expect(await failure(() => ours.socket("Pull").bind(address))).toEqual(expected)
      }
      // 107 bytes is the most a path may have: connecting is fine (nobody listens there).
      const longest = `ipc:///${"é".repeat(53)}`
      expect(await failure(() => their.socket("Pull").connect(longest))).toBe("no error")
      expect(await failure(() => ours.socket("Pull").connect(longest))).toBe("no error")
      // Errors from the file system at bind: no such directory, not a directory.
      const file = freshPath()
      writeFileSync(file, "")
      for (const address of [`ipc://${dir}/no-such-dir/s`, `ipc://${file}/s`]) {
        const expected = await failure(() => their.socket("Pull").bind(address))
        expect(expected).not.toBe("no error")
        expect(await failure(() => ours.socket("Pull").bind(address))).toEqual(expected)
      }
    })
  })
}

describe("capability", () => {
  it("says ipc is supported, as zeromq's does", async () => {
    const ours = await import("../../dist/index.js")
    const theirs = await import("zeromq")
    expect(ours.capability.ipc).toBe(true)
    expect(ours.capability.ipc).toBe(theirs.capability.ipc)
  })
})
