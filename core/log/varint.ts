/**
 * Kafka's zigzag varints (protobuf style): a signed value v is mapped to z = 2v (v >= 0) or -2v - 1
 * (v < 0), then written 7 bits at a time, low group first, with the top bit of each byte set when
 * more bytes follow. A varint (int32) takes at most 5 bytes, a varlong (int64) at most 10.
 *
 * Writers take the exact byte count to use: a count above the minimal one writes a longer, still valid
 * encoding (0x80 continuation bytes), which every Kafka decoder accepts. The record encoder uses that
 * to line values up in memory without adding any field (see record-batch.ts).
 *
 * Offsets and timestamps are JS numbers (exact integers up to 2^53); varlongs use float arithmetic.
 */
import { corruptMessage } from './errors.js';
import { MAX_VARINT_BYTES, MAX_VARLONG_BYTES } from './layout.js';

/** Zigzag of an integer (any safe integer). */
export function zigzag(v: number): number {
  return v >= 0 ? v * 2 : -v * 2 - 1;
}

/** Bytes of the minimal encoding of an unsigned z < 2^35. */
export function sizeOfUnsignedVarint(z: number): number {
  return z < 0x80 ? 1 : z < 0x4000 ? 2 : z < 0x20_0000 ? 3 : z < 0x1000_0000 ? 4 : 5;
}

/** Bytes of the minimal encoding of an unsigned z < 2^64 (exact below 2^53). */
export function sizeOfUnsignedVarlong(z: number): number {
  let n = 1;
  while (z >= 0x80) {
    z = Math.floor(z / 0x80);
    n++;
  }
  return n;
}

/** Writes unsigned z (< 2^32) in exactly n bytes at p; returns the position after it. */
export function writeUnsignedVarint(b: Uint8Array, p: number, z: number, n: number): number {
  for (let i = 1; i < n; i++) {
    b[p++] = (z & 0x7f) | 0x80;
    z >>>= 7;
  }
  b[p] = z;
  return p + 1;
}

/** Writes unsigned z (< 2^53) in exactly n bytes at p with float arithmetic; returns the position after it. */
export function writeUnsignedVarlong(b: Uint8Array, p: number, z: number, n: number): number {
  for (let i = 1; i < n; i++) {
    b[p++] = (z % 0x80) | 0x80;
    z = Math.floor(z / 0x80);
  }
  b[p] = z;
  return p + 1;
}

/**
 * Sequential reader of varints over a byte range, for the cold paths (decoding for tools and tests,
 * truncation, seeks). The cursor inlines its own copy of the hot cases.
 */
export class VarintReader {
  bytes: Uint8Array;
  pos: number;

  constructor(bytes: Uint8Array, pos = 0) {
    this.bytes = bytes;
    this.pos = pos;
  }

  /** A zigzag varint (int32). Throws CORRUPT_MESSAGE on more than 5 bytes. */
  varint(): number {
    const b = this.bytes;
    let p = this.pos;
    let z = 0;
    for (let shift = 0; ; shift += 7) {
      if (shift >= MAX_VARINT_BYTES * 7) throw corruptMessage(`varint longer than ${MAX_VARINT_BYTES} bytes at ${this.pos}`);
      const x = b[p++] ?? 0;
      z |= (x & 0x7f) << shift;
      if (x < 0x80) break;
    }
    this.pos = p;
    return (z >>> 1) ^ -(z & 1);
  }

  /** A zigzag varlong (int64, exact below 2^53). Throws CORRUPT_MESSAGE on more than 10 bytes. */
  varlong(): number {
    const b = this.bytes;
    let p = this.pos;
    let z = 0;
    let scale = 1;
    for (let i = 0; ; i++) {
      if (i >= MAX_VARLONG_BYTES) throw corruptMessage(`varlong longer than ${MAX_VARLONG_BYTES} bytes at ${this.pos}`);
      const x = b[p++] ?? 0;
      z += (x & 0x7f) * scale;
      scale *= 0x80;
      if (x < 0x80) break;
    }
    this.pos = p;
    return z % 2 === 0 ? z / 2 : -(z + 1) / 2;
  }
}
