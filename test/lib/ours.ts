// The one place the tests import our library from: the built package (a worker entry must be
// JavaScript, so the tests run against dist/, see DESIGN.md section 3).
export * from "../../dist/index.js"
