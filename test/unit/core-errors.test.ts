/**
 * A core error reaches the user with its own code, errno and zeromq.js's wording: every zw_err
 * the core can return maps to the libzmq errno of the same name (ts/host/host.ts toErrorInfo),
 * and one of them is shown end to end, from the core through a host to the facade's error.
 *
 * No public call reaches a core error other than EINVAL today (the facade checks closed sockets
 * and option values first, the host checks handles), so the end-to-end case makes the host and
 * the core disagree about a dialer.
 */
import { readFileSync } from "node:fs"
import { join } from "node:path"
import { describe, expect, it } from "vitest"
import { zmqError } from "../../ts/api/errors.js"
import { CoreError, type DialerId, type SocketId, WasmCore, ZwErr } from "../../ts/host/abi.js"
import type { ErrorInfo, Port, ToFacade, ToHost } from "../../ts/host/channel/protocol.js"
import { Host, toErrorInfo } from "../../ts/host/host.js"
import { transports } from "../../ts/platform/node/engine.js"

const wasm = readFileSync(join(import.meta.dirname, "../../wasm/zmqw.wasm"))
const PUSH = 8

/** zeromq.js's code, errno (Linux, libzmq) and message for each zw_err. */
const EXPECTED: Record<string, [errno: number, message: string]> = {
  EINVAL: [22, "Invalid argument"],
  EAGAIN: [11, "Operation was not possible or timed out"],
  EFSM: [156384763, "Operation cannot be accomplished in current state"],
  ENOTSOCK: [88, "Socket operation on non-socket"],
  ENOENT: [2, "No such endpoint"],
  ENOMEM: [12, "Cannot allocate memory"],
  ENOTSUP: [95, "Operation not supported"],
  EMSGSIZE: [90, "Message too long"],
  EPROTO: [71, "Protocol error"],
  EADDRINUSE: [98, "Address already in use"],
  EHOSTUNREACH: [113, "Host unreachable"],
}

/** What the facade makes of an error answer (ts/api/link.ts). */
const userError = (info: ErrorInfo) => zmqError(info.code, { address: info.address })

describe("core errors", () => {
  it("every zw_err has an expected zeromq.js error", () => {
    expect(Object.keys(EXPECTED).sort()).toEqual(ZwErr.filter((name) => name !== "OK").sort())
  })

  for (const [name, [errno, message]] of Object.entries(EXPECTED)) {
    it(`${name} from the core reaches the user as ${name} (errno ${errno})`, () => {
      const info = toErrorInfo(new CoreError("zw_test", name as (typeof ZwErr)[number]), "tcp://x:1")
      const err = userError(info)
      expect({ code: err.code, errno: err.errno, message: err.message, address: err.address }).toEqual({
        code: name,
        errno,
        message,
        address: "tcp://x:1",
      })
    })
  }

  it("ENOENT from zw_disconnect travels through a host as ENOENT, not EINVAL", async () => {
    const core = new WasmCore(new WebAssembly.Module(wasm))
    const connect = core.connect.bind(core)
    let dialer: DialerId | undefined
    core.connect = (sock: SocketId) => (dialer = connect(sock))

    const answers = new Map<number, (op: Extract<ToFacade, { t: "ret" }>) => void>()
    const facadeEnd: Port<ToFacade, ToHost> = { post: () => {}, onmessage: undefined }
    const hostEnd: Port<ToHost, ToFacade> = {
      post: (ops) => {
        for (const op of ops) if (op.t === "ret") answers.get(op.id)?.(op)
      },
      onmessage: undefined,
    }
    new Host(core, hostEnd, { unrefHandles: true, transferBodies: false, transports })
    facadeEnd.post = (ops) => hostEnd.onmessage?.(ops)
    let nextId = 1
    const call = (m: "open" | "connect" | "disconnect", a: unknown[]) => {
      const id = nextId++
      const answer = new Promise<Extract<ToFacade, { t: "ret" }>>((resolve) => answers.set(id, resolve))
      facadeEnd.post([{ t: "call", id, m, a }], [])
      return answer
    }

    // A directory that does not exist: the dial fails at once, nothing goes on the network.
    const address = "ipc:///nonexistent-zmqw-dir/peer"
    expect((await call("open", [1, PUSH])).e).toBeUndefined()
    expect((await call("connect", [1, address])).e).toBeUndefined()
    // The core forgets the dialer behind the host's back; the host still lists it.
    core.disconnect(dialer!)
    const ret = await call("disconnect", [1, address])
    expect(ret.e?.code).toBe("ENOENT")
    const err = userError(ret.e!)
    expect({ code: err.code, errno: err.errno, message: err.message, address: err.address }).toEqual({
      code: "ENOENT",
      errno: 2,
      message: "No such endpoint",
      address,
    })
  })
})
