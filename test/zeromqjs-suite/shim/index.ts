// zeromq.js's src/index.ts, as its tests import it: the package under test.
export * from "@IMPL@"
