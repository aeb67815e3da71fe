// Prints the version of the ØMQ core.
import * as zmq from "zeromq-wasm"

console.log(`Current ØMQ version is ${zmq.version}`)
