/**
 * wss:// options, as libzmq names them (ZMQ_WSS_*): socket options the facade forwards like any
 * other, which the host keeps for the socket's transports instead of giving them to the core
 * (the core never sees TLS). One table for both sides: ts/api/options.ts has the rows.
 */
export const WSS_OPT = {
  /** Server: its private key, PEM. */
  KEY_PEM: 101,
  /** Server: its certificate (chain), PEM. */
  CERT_PEM: 102,
  /** Client: a certificate (authority) to trust, PEM; with it, only what it signed is trusted
   *  unless TRUST_SYSTEM is set too. */
  TRUST_PEM: 103,
  /** Client: the name the server's certificate must carry (default: the endpoint's host). */
  HOSTNAME: 104,
  /** Client: trust the system's authorities (with TRUST_PEM; without it they are trusted). */
  TRUST_SYSTEM: 105,
} as const

const HOST_OPTIONS = new Set<number>(Object.values(WSS_OPT))

/** Whether the host keeps this option for the transports (not the core's). */
export function isTransportOption(opt: number): boolean {
  return HOST_OPTIONS.has(opt)
}

/** A socket's wss settings as its transports get them. */
export interface TlsSettings {
  keyPem?: string
  certPem?: string
  trustPem?: string
  hostname?: string
  trustSystem?: boolean
}

const decoder = new TextDecoder()

/** Records one option's encoded value (a string's UTF-8 bytes, or an int32 for the bool) in s. */
export function setTransportOption(s: TlsSettings, opt: number, value: Uint8Array): void {
  const text = value.length ? decoder.decode(value) : undefined
  switch (opt) {
    case WSS_OPT.KEY_PEM:
      s.keyPem = text
      break
    case WSS_OPT.CERT_PEM:
      s.certPem = text
      break
    case WSS_OPT.TRUST_PEM:
      s.trustPem = text
      break
    case WSS_OPT.HOSTNAME:
      s.hostname = text
      break
    case WSS_OPT.TRUST_SYSTEM:
      s.trustSystem = new DataView(value.buffer, value.byteOffset, value.byteLength).getInt32(0, true) !== 0
      break
  }
}
