/**
 * The records of a quorum queue's log: one Kafka record per queue command, so that the log read
 * from its start says which entries the queue holds (declared, enqueued, not settled). Entries are
 * named by the queue's sequence number, never by offset: a batch retried after a failover may reach
 * the log twice, and a reader keeps the first record of each sequence number.
 *
 * Grammar (all integers big-endian; a seq is an integer below 2^53 stored as an IEEE-754 double):
 *
 *   record   = declare | enqueue | settle | restore
 *   declare  = key: 'D'                       value: utf8 JSON { queue, arguments }
 *   restore  = key: 'R'                       value: empty (a new host began restoring the queue here)
 *   enqueue  = key: 'E' seq:f64               value: message body
 *              headers: 'exchange' utf8, 'routing-key' utf8, 'properties' utf8 JSON
 *   settle   = key: 'S'                       value: seq:f64 * n
 *
 * Property JSON tags what JSON lacks: bytes as { "$bytes": base64 }, bigints as { "$bigint": "123" }.
 */
import { Buffer } from 'node:buffer';
import { MqlabInternalError } from '../../errors/index.js';
import type { FieldTable, MessageProperties } from '../../routing/index.js';
import type { RecordHeader } from '../../log/index.js';

export const RECORD_DECLARE = 0x44; // 'D'
export const RECORD_ENQUEUE = 0x45; // 'E'
export const RECORD_SETTLE = 0x53; // 'S'
export const RECORD_RESTORE = 0x52; // 'R'

const KIND_BYTES = 1;
const SEQ_BYTES = 8;

export const HEADER_EXCHANGE = 'exchange';
export const HEADER_ROUTING_KEY = 'routing-key';
export const HEADER_PROPERTIES = 'properties';

const utf8 = new TextEncoder();
const fromUtf8 = new TextDecoder();

const DECLARE_KEY = Uint8Array.of(RECORD_DECLARE);
const SETTLE_KEY = Uint8Array.of(RECORD_SETTLE);
const RESTORE_KEY = Uint8Array.of(RECORD_RESTORE);

function jsonReplacer(_key: string, value: unknown): unknown {
  if (typeof value === 'bigint') return { $bigint: value.toString() };
  if (value instanceof Uint8Array) return { $bytes: Buffer.from(value.buffer, value.byteOffset, value.byteLength).toString('base64') };
  // Buffer's own toJSON runs before the replacer sees it: catch its output too.
  if (typeof value === 'object' && value !== null && (value as { type?: unknown }).type === 'Buffer' && Array.isArray((value as { data?: unknown }).data)) {
    return { $bytes: Buffer.from((value as { data: number[] }).data).toString('base64') };
  }
  return value;
}

function jsonReviver(_key: string, value: unknown): unknown {
  if (typeof value === 'object' && value !== null) {
    const tagged = value as { $bigint?: unknown; $bytes?: unknown };
    if (typeof tagged.$bigint === 'string') return BigInt(tagged.$bigint);
    if (typeof tagged.$bytes === 'string') return Buffer.from(tagged.$bytes, 'base64');
  }
  return value;
}

export function declareKey(): Uint8Array {
  return DECLARE_KEY;
}

export function declareValue(queue: string, args: FieldTable | undefined): Uint8Array {
  return utf8.encode(JSON.stringify({ queue, arguments: args ?? {} }, jsonReplacer));
}

export function enqueueKey(seq: number): Uint8Array {
  const key = new Uint8Array(KIND_BYTES + SEQ_BYTES);
  key[0] = RECORD_ENQUEUE;
  new DataView(key.buffer).setFloat64(KIND_BYTES, seq);
  return key;
}

export function enqueueHeaders(exchange: string, routingKey: string, properties: MessageProperties): RecordHeader[] {
  return [
    { key: HEADER_EXCHANGE, value: utf8.encode(exchange) },
    { key: HEADER_ROUTING_KEY, value: utf8.encode(routingKey) },
    { key: HEADER_PROPERTIES, value: utf8.encode(JSON.stringify(properties, jsonReplacer)) },
  ];
}

export function restoreKey(): Uint8Array {
  return RESTORE_KEY;
}

export function settleKey(): Uint8Array {
  return SETTLE_KEY;
}

export function settleValue(seqs: readonly number[]): Uint8Array {
  const value = new Uint8Array(seqs.length * SEQ_BYTES);
  const view = new DataView(value.buffer);
  for (let i = 0; i < seqs.length; i++) view.setFloat64(i * SEQ_BYTES, seqs[i]!);
  return value;
}

/** One decoded record. */
export type QuorumRecord =
  | { readonly kind: 'declare'; readonly queue: string; readonly arguments: FieldTable }
  | { readonly kind: 'enqueue'; readonly seq: number; readonly exchange: string; readonly routingKey: string; readonly properties: MessageProperties; readonly body: Uint8Array }
  | { readonly kind: 'settle'; readonly seqs: readonly number[] }
  | { readonly kind: 'restore' };

function headerText(headers: readonly RecordHeader[], name: string): string {
  const value = headers.find((h) => h.key === name)?.value;
  if (value === undefined || value === null) throw new MqlabInternalError('INTERNAL', `quorum enqueue record has no '${name}' header`);
  return fromUtf8.decode(value);
}

export function decodeQuorumRecord(key: Uint8Array | null, value: Uint8Array | null, headers: readonly RecordHeader[]): QuorumRecord {
  if (key === null || key.length < KIND_BYTES) throw new MqlabInternalError('INTERNAL', 'quorum record has no kind byte');
  const view = (bytes: Uint8Array): DataView => new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const kind = key[0]!;
  switch (kind) {
    case RECORD_DECLARE: {
      const parsed = JSON.parse(fromUtf8.decode(value ?? new Uint8Array()), jsonReviver) as { queue: string; arguments: FieldTable };
      return { kind: 'declare', queue: parsed.queue, arguments: parsed.arguments };
    }
    case RECORD_ENQUEUE: {
      if (key.length !== KIND_BYTES + SEQ_BYTES) throw new MqlabInternalError('INTERNAL', `quorum enqueue key is ${key.length} bytes, not ${KIND_BYTES + SEQ_BYTES}`);
      return {
        kind: 'enqueue',
        seq: view(key).getFloat64(KIND_BYTES),
        exchange: headerText(headers, HEADER_EXCHANGE),
        routingKey: headerText(headers, HEADER_ROUTING_KEY),
        properties: JSON.parse(headerText(headers, HEADER_PROPERTIES), jsonReviver) as MessageProperties,
        body: value ?? new Uint8Array(),
      };
    }
    case RECORD_SETTLE: {
      const bytes = value ?? new Uint8Array();
      if (bytes.length % SEQ_BYTES !== 0) throw new MqlabInternalError('INTERNAL', `quorum settle value is ${bytes.length} bytes, not a multiple of ${SEQ_BYTES}`);
      const seqs: number[] = [];
      const v = view(bytes);
      for (let at = 0; at < bytes.length; at += SEQ_BYTES) seqs.push(v.getFloat64(at));
      return { kind: 'settle', seqs };
    }
    case RECORD_RESTORE:
      return { kind: 'restore' };
    default:
      throw new MqlabInternalError('INTERNAL', `unknown quorum record kind ${kind}`);
  }
}
