/**
 * The package's typings accept every program written against zeromq's: test/types/usage.ts,
 * which uses the whole public API of the main and v5-compat entries, type-checks with
 * "zmq-under-test" mapped to zeromq@6.8.0 (so the program is right) and to this package's
 * dist/types (so ours take it).
 */
import { execFileSync } from "node:child_process"
import { mkdtempSync, rmSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { describe, expect, it } from "vitest"

const root = join(import.meta.dirname, "../..")
const tsc = join(root, "node_modules/typescript/bin/tsc")

function check(mapping: Record<string, string[]>): string {
  const dir = mkdtempSync(join(tmpdir(), "typings-"))
  try {
    const config = join(dir, "tsconfig.json")
    writeFileSync(config, JSON.stringify({
      compilerOptions: {
        target: "ES2022", module: "NodeNext", moduleResolution: "NodeNext", strict: true, noEmit: true,
        skipLibCheck: true, types: ["node"], typeRoots: [join(root, "node_modules/@types")],
        baseUrl: root, paths: mapping,
      },
      files: [join(root, "test/types/usage.ts")],
    }))
    try {
      execFileSync(process.execPath, [tsc, "-p", config], { encoding: "utf8" })
      return ""
    } catch (err) {
      return (err as { stdout: string }).stdout
    }
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
}

describe("typings", () => {
  it("the program is right for zeromq's typings", () => {
    expect(check({
      "zmq-under-test": ["node_modules/zeromq/lib/index.d.ts"],
      "zmq-under-test/v5-compat": ["node_modules/zeromq/v5-compat.d.ts"],
    })).toBe("")
  })

  it("and ours accept it", () => {
    expect(check({
      "zmq-under-test": ["dist/types/index.d.ts"],
      "zmq-under-test/v5-compat": ["dist/types/v5-compat.d.ts"],
    })).toBe("")
  })
}, 120_000)
