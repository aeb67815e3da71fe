// A user's own module worker, dedicated or shared, that makes sockets itself
// (test/browser/ws.test.ts). Import maps do not reach workers, so it imports the bundle by its
// path. Asked { endpoint, inline }, it sends one request and posts back the reply (or the error).
import * as zmq from "/dist/browser/index.js"

async function answer({ endpoint, inline }, post) {
  try {
    const req = new zmq.Request({ context: new zmq.Context({ inline }) })
    req.connect(endpoint)
    await req.send("from a worker")
    const [reply] = await req.receive()
    req.close()
    post({ reply: new TextDecoder().decode(reply), type: reply.constructor.name })
  } catch (err) {
    post({ error: String(err) })
  }
}

// A dedicated worker is asked on itself, a shared one on each connection's port.
self.onmessage = (event) => answer(event.data, (m) => postMessage(m))
self.onconnect = (connection) => {
  const port = connection.ports[0]
  port.onmessage = (event) => answer(event.data, (m) => port.postMessage(m))
}
