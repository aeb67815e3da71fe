// A user's own module SharedWorker that makes sockets itself (test/browser/ws.test.ts), as
// user-worker.js does from a dedicated one: asked { endpoint, inline } on a port, it sends one
// request and posts back the reply (or the error) on that port.
import * as zmq from "/dist/browser/index.js"

onconnect = (connection) => {
  const port = connection.ports[0]
  port.onmessage = async (event) => {
    const { endpoint, inline } = event.data
    try {
      const req = new zmq.Request({ context: new zmq.Context({ inline }) })
      req.connect(endpoint)
      await req.send("from a shared worker")
      const [reply] = await req.receive()
      req.close()
      port.postMessage({ reply: new TextDecoder().decode(reply), type: reply.constructor.name })
    } catch (err) {
      port.postMessage({ error: String(err) })
    }
  }
}
