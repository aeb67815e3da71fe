/**
 * `zeromq-wasm/draft`: zeromq.js's draft entry. libzmq's draft socket types (Server, Client,
 * Radio, Dish, Gather, Scatter, Datagram) are not in this build yet, so `capability.draft` is
 * false and this entry has nothing to export. Unlike zeromq.js built without drafts it does not
 * throw on import: code that imports it and checks `capability.draft` first (as zeromq.js's own
 * tests do) keeps working.
 */
export {}
