// The hostile TCP clients that the memory benchmark (memory.ts) and the soak test
// (test/soak/hostile.test.ts) aim at a PULL during a stream: JavaScript source for a child
// process, which defines `kinds`, one function per kind that gets a connected net.Socket. The
// invalid kinds must be closed by the PULL; the quiet ones may stay open. The caller's source
// imports `randomBytes` from node:crypto.

export const INVALID_KINDS = ["garbage", "greetingJunk", "huge2G", "huge2Gm1"]
export const QUIET_KINDS = ["greetingHang", "silent"]

export const hostileKindsSource = `
const greeting = Buffer.alloc(64)
greeting[0] = 0xff; greeting[9] = 0x7f; greeting[10] = 3; greeting[11] = 0
greeting.write("NULL", 12)
const prop = (name, value) => Buffer.concat([Buffer.from([name.length]), Buffer.from(name),
  Buffer.from([0, 0, 0, value.length]), Buffer.from(value)])
const readyBody = Buffer.concat([Buffer.from([5]), Buffer.from("READY"), prop("Socket-Type", "PUSH")])
const ready = Buffer.concat([Buffer.from([0x04, readyBody.length]), readyBody])
// A long data frame header announcing the given size, then 1 KiB of it: the PULL must refuse
// 2 GiB (over the 1 GiB - 1 cap) without allocating it, and must not allocate 2 GiB - 1 for
// a peer that sent 1 KiB.
const longFrame = (size) => { const header = Buffer.alloc(9); header[0] = 0x02; header.writeBigUInt64BE(size, 1); return header }
const kinds = {
  garbage: (s) => { s.write(randomBytes(4096)); return setInterval(() => s.write(randomBytes(1024)), 50) },
  greetingJunk: (s) => { s.write(greeting); s.write(randomBytes(4096)) },
  huge2G: (s) => { s.write(Buffer.concat([greeting, ready, longFrame(2n ** 31n), randomBytes(1024)])) },
  huge2Gm1: (s) => { s.write(Buffer.concat([greeting, ready, longFrame(2n ** 31n - 1n), randomBytes(1024)])) },
  greetingHang: (s) => { s.write(greeting) },
  silent: () => {},
}
`
