/** Conversions between kafkajs's message shapes and the bytes the log stores. */
import { Buffer } from 'node:buffer';
import type { RecordHeader, RecordCursor } from '../../log/index.js';
import type { IHeaders, KafkaMessage, Message } from './types.js';

export function toBytes(value: Buffer | string | null | undefined): Uint8Array | null {
  if (value === null || value === undefined) return null;
  if (typeof value === 'string') return Buffer.from(value, 'utf8');
  return value;
}

export function toRecordHeaders(headers: IHeaders | undefined): RecordHeader[] | undefined {
  if (headers === undefined) return undefined;
  const out: RecordHeader[] = [];
  for (const key of Object.keys(headers)) {
    const value = headers[key];
    if (value === undefined) continue;
    if (Array.isArray(value)) for (const v of value) out.push({ key, value: toBytes(v) });
    else out.push({ key, value: toBytes(value) });
  }
  return out;
}

/** Upper bound of a message's encoded size, for reserving its frame. */
export function messageBound(key: Uint8Array | null, value: Uint8Array | null, headers: readonly RecordHeader[] | undefined): number {
  let bytes = 48 + (key?.length ?? 0) + (value?.length ?? 0);
  if (headers !== undefined) for (const h of headers) bytes += 20 + 3 * h.key.length + (h.value?.length ?? 0);
  return bytes;
}

export function parseTimestamp(message: Message): number | undefined {
  if (message.timestamp === undefined) return undefined;
  const ts = Number(message.timestamp);
  return Number.isFinite(ts) ? ts : undefined;
}

// A Buffer view of the segment the cursor reads, rebuilt only when the cursor moves to another
// segment: Buffer#copy from it into a pooled allocation is the cheapest copy Node offers here.
let viewedBytes: Uint8Array | undefined;
let segmentView: Buffer = Buffer.alloc(0);

function copyOut(bytes: Uint8Array, offset: number, length: number): Buffer {
  if (bytes !== viewedBytes) {
    viewedBytes = bytes;
    segmentView = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length);
  }
  const out = Buffer.allocUnsafe(length);
  segmentView.copy(out, 0, offset, offset + length);
  return out;
}

/** A kafkajs KafkaMessage from the cursor's current record (this API allocates per message). */
export function messageFromCursor(c: RecordCursor): KafkaMessage {
  const headers: IHeaders = {};
  if (c.headerCount > 0) for (const h of c.headers()) {
    const value = h.value === null ? undefined : Buffer.from(h.value);
    const existing = headers[h.key];
    if (existing === undefined) headers[h.key] = value;
    else if (Array.isArray(existing)) existing.push(value ?? '');
    else headers[h.key] = [existing, value ?? ''];
  }
  const bytes = c.bytes;
  return {
    // Copies: a message outlives the cursor, and a segment's memory is reused after retention.
    key: c.keyLength < 0 ? null : copyOut(bytes, c.keyOffset, c.keyLength),
    value: c.valueLength < 0 ? null : copyOut(bytes, c.valueOffset, c.valueLength),
    timestamp: String(c.timestamp),
    attributes: 0,
    offset: String(c.offset),
    headers,
  };
}
