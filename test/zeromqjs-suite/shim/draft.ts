// zeromq.js's src/draft.ts: the package's draft entry.
export * from "@IMPL@/draft"
