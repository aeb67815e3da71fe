/**
 * The committed wasm is what the committed C builds, and its boundary is what the header says.
 */
import { execFileSync } from "node:child_process"
import { createHash } from "node:crypto"
import { mkdtempSync, readFileSync, rmSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { describe, expect, it } from "vitest"
import { ABI_EXPORTS } from "../../ts/host/abi.js"

const root = join(import.meta.dirname, "../..")
const wasmFile = join(root, "wasm/zmqw.wasm")

/** Every `ZW_EXPORT ... zw_name(` in the header, in order. */
function headerExports(): string[] {
  const header = readFileSync(join(root, "native/include/zmqw.h"), "utf8")
  return [...header.matchAll(/ZW_EXPORT [^(]*?\b(zw_[a-z_]+)\(/g)].map((m) => m[1])
}

/** Every `import_module("m"), import_name("n")` the header declares, as "m.n". */
function headerImports(): string[] {
  const header = readFileSync(join(root, "native/include/zmqw.h"), "utf8")
  return [...header.matchAll(/import_module\("([a-z_]+)"\), import_name\("([a-z_]+)"\)/g)].map((m) => `${m[1]}.${m[2]}`)
}

describe("wasm/zmqw.wasm", () => {
  it("matches its committed sha256", () => {
    const [expected] = readFileSync(`${wasmFile}.sha256`, "utf8").split(/\s+/)
    const actual = createHash("sha256").update(readFileSync(wasmFile)).digest("hex")
    expect(actual).toBe(expected)
  })

  it("is rebuilt byte for byte from native/ by scripts/build-wasm.sh", () => {
    const dir = mkdtempSync(join(tmpdir(), "zmqw-"))
    try {
      execFileSync(join(root, "scripts/build-wasm.sh"), [dir], { stdio: "pipe" })
      expect(readFileSync(join(dir, "zmqw.wasm")).equals(readFileSync(wasmFile))).toBe(true)
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  }, 120_000)

  it("exports exactly the header's functions, plus memory and emscripten's runtime", () => {
    const module = new WebAssembly.Module(readFileSync(wasmFile))
    // A standalone emscripten 3.1.6 module always adds its reactor initialiser and stack helpers.
    const runtime = new Set(["_initialize", "__errno_location", "stackSave", "stackRestore", "stackAlloc"])
    const functions = WebAssembly.Module.exports(module)
      .filter((e) => e.kind === "function" && !runtime.has(e.name))
      .map((e) => e.name)
    expect(functions.sort()).toEqual(headerExports().sort())
    expect([...ABI_EXPORTS].sort()).toEqual(headerExports().sort())
    const others = WebAssembly.Module.exports(module).filter((e) => e.kind !== "function").map((e) => e.name)
    expect(others).toContain("memory")
  })

  it("has its TypeScript constants generated from the header, up to date (ts/host/zmqw.ts)", () => {
    // The check mode of the generator: exits 1 if the committed file is not what zmqw.h gives.
    execFileSync(process.execPath, [join(root, "scripts/gen-consts.mjs"), "--check"], { stdio: "pipe" })
  })

  it("imports nothing but the header's host functions and the memory-growth notification", () => {
    const module = new WebAssembly.Module(readFileSync(wasmFile))
    const imports = WebAssembly.Module.imports(module).map((i) => `${i.module}.${i.name}`)
    expect(headerImports()).toEqual(["env.zw_host_entropy", "env.zw_host_body_read"])
    expect(imports.sort()).toEqual(["env.emscripten_notify_memory_growth", ...headerImports()].sort())
  })
})
