// `npm run demo`'s dashboard in headless Chromium: the page subscribes over ws:// to the weather
// server, updates arrive and are charted; a zip code typed in is subscribed to; a screenshot is
// left in build/demo.png for a person to look at; the connection indicator, driven by the
// socket's Observer in the page, says connected, and once the server is gone, retrying.
import { type ChildProcess, spawn } from "node:child_process"
import { mkdirSync } from "node:fs"
import { createInterface } from "node:readline"
import { fileURLToPath } from "node:url"
import type { Browser } from "playwright-core"
import { afterAll, beforeAll, expect, it } from "vitest"
import { launch } from "./chromium.js"

const ROOT = fileURLToPath(new URL("../..", import.meta.url))
let browser: Browser
let demo: ChildProcess
let url = ""

beforeAll(async () => {
  browser = await launch()
  // Ports 0: the demo binds whatever is free and prints where its page is.
  demo = spawn(process.execPath, ["build/examples/demo.js", "0", "0", "0", "10000-10004"], { cwd: ROOT, stdio: ["ignore", "pipe", "inherit"] })
  url = await new Promise<string>((resolve, reject) => {
    demo.once("exit", (code) => reject(new Error(`demo exited with ${code}`)))
    createInterface({ input: demo.stdout! }).on("line", (line) => {
      const m = /open (http:\/\/\S+)/.exec(line)
      if (m) resolve(m[1])
    })
  })
})
afterAll(async () => {
  demo?.kill()
  await browser?.close()
})

it("subscribes from the page, charts what arrives, follows a new subscription", async () => {
  const page = await browser.newPage()
  const errors: string[] = []
  page.on("pageerror", (err) => errors.push(String(err)))
  await page.goto(url)
  await page.waitForFunction(() => (window as unknown as { demoUpdates?: number }).demoUpdates! > 20)
  await page.waitForSelector("#status.live")
  expect(await page.textContent("#status")).toBe("connected")
  expect(await page.textContent("#table")).toMatch(/10001\d* updates/)
  await page.fill("#zips", "10003")
  await page.click("button")
  // Enough updates for the chart to have drawn a line (a point every 200 ms).
  await page.waitForFunction(() => {
    const m = /^10003(\d+) updates/.exec(document.querySelector("#table")!.textContent ?? "")
    return m !== null && Number(m[1]) >= 150
  })
  expect(await page.textContent("#table")).not.toMatch(/10001/)
  mkdirSync(`${ROOT}/build`, { recursive: true })
  await page.screenshot({ path: `${ROOT}/build/demo.png` })
  // The server goes: the Observer reports the disconnect and each re-dial's interval.
  demo.kill()
  await page.waitForSelector("#status.down")
  await page.waitForFunction(() => /^disconnected, retrying in \d+ ms$/.test(document.querySelector("#status")!.textContent ?? ""))
  expect(errors).toEqual([])
  await page.close()
})
