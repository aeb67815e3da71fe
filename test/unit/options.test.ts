/**
 * The TypeScript option table (ts/api/options.ts) and the C one (native/src/socket/socket.c)
 * agree: every option the facade forwards exists in the core, with the same default and the
 * same lower bound, read back through the real wasm.
 */
import { readFileSync } from "node:fs"
import { join } from "node:path"
import { describe, expect, it } from "vitest"
import { WasmCore } from "../../ts/host/abi.js"
import { encodeOption, OPTIONS } from "../../ts/api/options.js"

const wasm = readFileSync(join(import.meta.dirname, "../../wasm/zmqw.wasm"))
const core = new WasmCore(new WebAssembly.Module(wasm))
const REQ = 3
/** A socket type the row applies to: its first, or REQ for options every type has. */
const typeFor = (row: (typeof OPTIONS)[number]) => row.sockets?.[0] ?? REQ

describe("option tables", () => {
  for (const row of OPTIONS.filter((r) => !r.local && !r.transport && !r.inert && !r.absent)) {
    if (row.writeOnly || row.unreadable) {
      // libzmq cannot read these back, and neither can the core: it takes the default.
      it(`${row.name} (ZMQ option ${row.zmq}) is write only in C too, and takes the default`, () => {
        const sock = core.socketOpen(typeFor(row))
        expect(() => core.setopt(sock, row.zmq, encodeOption(row, row.default))).not.toThrow()
        core.socketClose(sock)
      })
    } else {
      it(`${row.name} (ZMQ option ${row.zmq}) has the same default in C`, () => {
        const sock = core.socketOpen(typeFor(row))
        expect(Buffer.from(core.getopt(sock, row.zmq))).toEqual(Buffer.from(encodeOption(row, row.default)))
        core.socketClose(sock)
      })
    }

    if (row.min !== undefined) {
      it(`${row.name} has the same lower bound in C`, () => {
        const sock = core.socketOpen(typeFor(row))
        expect(() => core.setopt(sock, row.zmq, encodeOption(row, row.min as number))).not.toThrow()
        expect(() => core.setopt(sock, row.zmq, encodeOption(row, (row.min as number) - 1))).toThrow(/EINVAL/)
        core.socketClose(sock)
      })
    }
  }
})
