/**
 * ipc:// over Unix domain sockets (node:net with a path). Syntax and length were checked by the
 * facade (ts/api/endpoint.ts). Three kinds of name, as in libzmq:
 *
 *   ipc://*           a fresh socket file in a fresh temporary directory; close removes both
 *   ipc://@name       Linux's abstract namespace: no file, and the kernel refuses a name in use
 *   ipc://some/path   a socket file; one already there is replaced, and close removes ours
 */
import { randomBytes } from "node:crypto"
import { lstatSync, mkdtempSync, renameSync, rmdirSync, statSync, unlinkSync } from "node:fs"
import * as net from "node:net"
import { tmpdir } from "node:os"
import { dirname, join } from "node:path"
import type { Duplex } from "node:stream"
import { listenServer } from "./server.js"
import { type Accepting, type Listener, listenErrorCode, type Transport, TransportError } from "./transport.js"
import { ZW_FRAMING } from "../zmqw.js"

const SCHEME = "ipc://"

/** Bytes a path may have: sockaddr_un's sun_path (108) less its terminating NUL. */
const MAX_PATH = 107

function isAbstract(name: string): boolean {
  return process.platform === "linux" && name.startsWith("@")
}

/** The path node:net takes: "\0name" is Linux's abstract namespace. */
function socketPath(name: string): string {
  return isAbstract(name) ? `\0${name.slice(1)}` : name
}

export const ipc: Transport = {
  connectEvent: "connect",
  framingOf: () => ZW_FRAMING.STREAM,
  messages: false,

  listen(address, accept) {
    const name = address.slice(SCHEME.length)
    if (name === "*") return listenFresh(accept)
    if (isAbstract(name)) return listenAbstract(address, name, accept)
    return listenFile(address, name, accept)
  },

  dial(address, onread): Duplex {
    return net.connect({ path: socketPath(address.slice(SCHEME.length)), onread })
  },
}

/**
 * `ipc://*`: libzmq makes "tmpXXXXXX/socket" in $TMPDIR and reports that path. Without $TMPDIR
 * libzmq uses the working directory (a relative endpoint); os.tmpdir() falls back to /tmp, so
 * the endpoint here is always absolute, e.g. ipc:///tmp/tmpAb12Cd/socket.
 */
async function listenFresh(accept: Accepting): Promise<Listener> {
  const dir = fsCall(() => mkdtempSync(join(tmpdir(), "tmp")))
  const path = join(dir, "socket")
  const removeAll = () => {
    ignoreErrors(() => unlinkSync(path))
    ignoreErrors(() => rmdirSync(dir))
  }
  let server: net.Server
  try {
    server = await listenServer({ path }, accept)
  } catch (err) {
    removeAll()
    throw err
  }
  return {
    endpoint: SCHEME + path,
    close: () => {
      server.close()
      removeAll()
    },
    unref: () => server.unref(),
  }
}

async function listenAbstract(address: string, name: string, accept: Accepting): Promise<Listener> {
  const server = await listenServer({ path: socketPath(name) }, accept)
  return { endpoint: address, close: () => server.close(), unref: () => server.unref() }
}

/**
 * A named socket file. libzmq unlinks the path before it binds, so a file left by a process that
 * died does not block a restart, and a second bind of a path in use takes it over: with zeromq
 * 6.8.0 both binds succeed and new connections reach the second.
 *
 * node:net cannot bind over an existing file, and when a listener closes it unlinks the name it
 * bound, whoever's file is there by then. So we bind a private name beside the path and rename
 * it over the path: the replacement is atomic, node:net's unlink on close misses, and close
 * removes the path only while the file there is still ours (the same inode).
 */
async function listenFile(address: string, path: string, accept: Accepting): Promise<Listener> {
  checkReplaceable(path)
  const temp = join(dirname(path), `.zmqw-${randomBytes(4).toString("hex")}`)
  if (Buffer.byteLength(temp) > MAX_PATH) {
    // No room beside the path for a private name: bind the path itself (closing then removes
    // the path even if another listener has taken it over since).
    ignoreErrors(() => unlinkSync(path))
    const server = await listenServer({ path }, accept)
    return { endpoint: address, close: () => server.close(), unref: () => server.unref() }
  }
  const server = await listenServer({ path: temp }, accept)
  let ours: { dev: number; ino: number }
  try {
    ours = fsCall(() => statSync(temp))
    fsCall(() => renameSync(temp, path))
  } catch (err) {
    server.close()
    throw err
  }
  return {
    endpoint: address,
    close: () => {
      server.close()
      // Synchronous, so that a bind of the same path right after the close cannot lose its file.
      ignoreErrors(() => {
        const now = lstatSync(path)
        if (now.dev === ours.dev && now.ino === ours.ino) unlinkSync(path)
      })
    },
    unref: () => server.unref(),
  }
}

/**
 * libzmq unlinks whatever is at the path. We replace only a socket file: a directory gives
 * EADDRINUSE as with zeromq 6.8.0, and so does a regular file or a symlink, which libzmq
 * would delete (a typo in an endpoint should not cost a file).
 */
function checkReplaceable(path: string): void {
  let isSocket: boolean
  try {
    isSocket = lstatSync(path).isSocket()
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== "ENOENT") throw toTransportError(err)
    // Nothing there. A missing directory is ENOENT for libzmq; node:net would say EACCES.
    fsCall(() => statSync(dirname(path)))
    return
  }
  if (!isSocket) throw new TransportError("EADDRINUSE", `${path} exists and is not a socket`)
}

function fsCall<T>(f: () => T): T {
  try {
    return f()
  } catch (err) {
    throw toTransportError(err)
  }
}

function toTransportError(err: unknown): TransportError {
  const e = err as NodeJS.ErrnoException
  return new TransportError(listenErrorCode(e), e.message)
}

function ignoreErrors(f: () => void): void {
  try {
    f()
  } catch {
    // already gone, or never made
  }
}
