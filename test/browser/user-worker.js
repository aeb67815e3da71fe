// A user's own module Web Worker that makes sockets itself (test/browser/ws.test.ts). Import maps
// do not reach workers, so it imports the bundle by its path. Asked { endpoint, inline }, it
// sends one request and posts back the reply (or the error).
import * as zmq from "/dist/browser/index.js"

onmessage = async (event) => {
  const { endpoint, inline } = event.data
  try {
    const req = new zmq.Request({ context: new zmq.Context({ inline }) })
    req.connect(endpoint)
    await req.send("from a worker")
    const [reply] = await req.receive()
    req.close()
    postMessage({ reply: new TextDecoder().decode(reply), type: reply.constructor.name })
  } catch (err) {
    postMessage({ error: String(err) })
  }
}
