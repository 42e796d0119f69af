/**
 * The SHA-1 of a document, as `Attachment.hash` carries it (base64 of the 20-byte digest), computed
 * synchronously wherever the validator runs: Node's native hash when the runtime has one, else this
 * module's own, for browsers, whose Web Crypto only digests asynchronously (figures in
 * scripts/PERFORMANCE.md).
 */
import { bytesToBase64 } from './base64.js';

interface NativeHash {
  createHash(algorithm: 'sha1'): { update(bytes: Uint8Array): { digest(): Uint8Array } };
}

// Found at run time, not imported: a bundler must not pull node:crypto into a browser build.
const native = (globalThis as { process?: { getBuiltinModule?: (name: string) => unknown } }).process?.getBuiltinModule?.('node:crypto') as
  NativeHash | undefined;

/** The SHA-1 of `bytes`, in base64 (the form of `Attachment.hash`). */
export function sha1Base64(bytes: Uint8Array): string {
  return bytesToBase64(native ? native.createHash('sha1').update(bytes).digest() : portableSha1(bytes));
}

/** FIPS 180-4 SHA-1 over 64-byte blocks, the last one or two padded with 0x80, zeros and the bit length. */
export function portableSha1(bytes: Uint8Array): Uint8Array {
  const length = bytes.length;
  const blocks = ((length + 8) >>> 6) + 1;
  const w = new Int32Array(80);
  const tail = new Uint8Array(128);
  const tailStart = (blocks - (length % 64 < 56 ? 1 : 2)) * 64;
  tail.set(bytes.subarray(tailStart), 0);
  tail[length - tailStart] = 0x80;
  const tailEnd = blocks * 64 - tailStart;
  const bits = length * 8;
  tail[tailEnd - 5] = Math.floor(length / 0x20000000) & 0xff;
  tail[tailEnd - 4] = bits >>> 24;
  tail[tailEnd - 3] = bits >>> 16;
  tail[tailEnd - 2] = bits >>> 8;
  tail[tailEnd - 1] = bits;
  let h0 = 0x67452301;
  let h1 = 0xefcdab89 | 0;
  let h2 = 0x98badcfe | 0;
  let h3 = 0x10325476;
  let h4 = 0xc3d2e1f0 | 0;
  for (let block = 0; block < blocks; block++) {
    const offset = block * 64;
    const source = offset < tailStart ? bytes : tail;
    const base = offset < tailStart ? offset : offset - tailStart;
    for (let i = 0; i < 16; i++) {
      const j = base + i * 4;
      w[i] = (source[j]! << 24) | (source[j + 1]! << 16) | (source[j + 2]! << 8) | source[j + 3]!;
    }
    for (let i = 16; i < 80; i++) {
      const x = w[i - 3]! ^ w[i - 8]! ^ w[i - 14]! ^ w[i - 16]!;
      w[i] = (x << 1) | (x >>> 31);
    }
    let a = h0;
    let b = h1;
    let c = h2;
    let d = h3;
    let e = h4;
    for (let i = 0; i < 80; i++) {
      const f =
        i < 20
          ? ((b & c) | (~b & d)) + 0x5a827999
          : i < 40
            ? (b ^ c ^ d) + 0x6ed9eba1
            : i < 60
              ? ((b & c) | (b & d) | (c & d)) + 0x8f1bbcdc
              : (b ^ c ^ d) + 0xca62c1d6;
      const t = (((a << 5) | (a >>> 27)) + f + e + w[i]!) | 0;
      e = d;
      d = c;
      c = (b << 30) | (b >>> 2);
      b = a;
      a = t;
    }
    h0 = (h0 + a) | 0;
    h1 = (h1 + b) | 0;
    h2 = (h2 + c) | 0;
    h3 = (h3 + d) | 0;
    h4 = (h4 + e) | 0;
  }
  const digest = new Uint8Array(20);
  const view = new DataView(digest.buffer);
  [h0, h1, h2, h3, h4].forEach((h, i) => view.setInt32(i * 4, h));
  return digest;
}
