// zeromq.js's v5-compat entry at the package root.
export * from "@IMPL@/v5-compat"
