/** `zeromq-wasm/v5-compat`: zeromq.js's legacy (v5) callback API over the v6 classes. */
export {}
