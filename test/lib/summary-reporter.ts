// Ends a vitest run with the plain closing line any CI reads: "vitest: N passed, N failed".
import type { Reporter } from "vitest/reporters"

interface Task {
  type: string
  mode?: string
  result?: { state?: string }
  tasks?: Task[]
}

function count(tasks: Task[], totals: { passed: number; failed: number; skipped: number }): void {
  for (const task of tasks) {
    if (task.tasks) count(task.tasks, totals)
    if (task.type !== "test") continue
    const state = task.result?.state
    if (state === "pass") totals.passed++
    else if (state === "fail") totals.failed++
    else totals.skipped++
  }
}

export default class SummaryReporter implements Reporter {
  onFinished(files: Task[] = [], errors: unknown[] = []): void {
    const totals = { passed: 0, failed: 0, skipped: 0 }
    count(files, totals)
    // An error outside any test (a crash in a hook or a stray rejection) fails the run too.
    const failed = totals.failed + errors.length
    console.log(`vitest: ${totals.passed} passed, ${failed} failed, ${totals.skipped} skipped`)
  }
}
