// ZMTP 3.0 bytes for the tests' raw peers (RFC 23): a greeting and a READY command.

/** A 64-byte greeting offering `mechanism`, as a client or (asServer) a server. */
export function greeting(mechanism: string, asServer = false): Buffer {
  const g = Buffer.alloc(64)
  g[0] = 0xff
  g[9] = 0x7f
  g[10] = 3
  g.write(mechanism, 12, "ascii")
  g[32] = asServer ? 1 : 0
  return g
}

/** A READY command (short frame) with only a Socket-Type property. */
export function ready(type: string): Buffer {
  const body = Buffer.concat([Buffer.from("\x05READY\x0bSocket-Type", "latin1"), Buffer.from([0, 0, 0, type.length]), Buffer.from(type)])
  return Buffer.concat([Buffer.from([0x04, body.length]), body])
}
