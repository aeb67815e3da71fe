import { fileURLToPath } from "node:url"
import { defineConfig } from "vitest/config"

// Tests run against the built package (dist/): a worker entry must be JavaScript.
// Nothing is ever run twice (vitest's default): a test that would need it is a bug in the test
// or in the library.
export default defineConfig({
  // The repository root: test paths and the reporter below are relative to it.
  root: fileURLToPath(new URL("..", import.meta.url)),
  test: {
    include: ["test/**/*.test.ts"],
    pool: "forks",
    reporters: ["default", "./test/lib/summary-reporter.ts"],
    testTimeout: 30_000,
    hookTimeout: 60_000,
  },
})
