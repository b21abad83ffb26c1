import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import { ATTR_CRC_ABSENT, BATCH_HEADER_BYTES } from './layout.js';
import {
  RecordBatchBuilder,
  computeBatchCrc,
  decodeRecordBatch,
  readBatchHeader,
  sealBatchCrc,
  validateBatch,
  type RecordHeader,
} from './record-batch.js';

const ascii = (s: string): Uint8Array => new TextEncoder().encode(s);
const hex = (b: Uint8Array): string => Buffer.from(b.buffer, b.byteOffset, b.length).toString('hex');

function thrown(fn: () => unknown): unknown {
  try {
    fn();
  } catch (error) {
    return error;
  }
  throw new Error('expected an error');
}

/**
 * Produced by kafkajs 2.2.4's RecordBatch encoder (an independent implementation of Kafka's format):
 * base offset 0, leader epoch -1, timestamps 1700000000000 and +5, no producer id, records
 * (key "k", value "v1") and (null key, value "value-2", header h=x).
 */
const KAFKAJS_GOLDEN =
  '00000000000000000000004dffffffff027b62ab330000000000010000018bcfe568000000018bcfe56805ffffffffffffffffffffffffffff' +
  '0000000212000000026b0476310022000a02010e76616c75652d320202680278';

interface KafkajsRecordInput {
  offsetDelta: number;
  timestampDelta: number;
  key: Buffer | null;
  value: Buffer | null;
  headers: Record<string, Buffer>;
}
interface KafkajsDecoded {
  records: { offset: string; timestamp: string; key: Buffer | null; value: Buffer | null; headers: Record<string, Buffer> }[];
}
interface Kafkajs {
  RecordBatch(args: Record<string, unknown>): Promise<{ buffer: Buffer }>;
  Record(args: KafkajsRecordInput): unknown;
  decode(bytes: Buffer): Promise<KafkajsDecoded>;
  long(n: number): unknown;
}

/** kafkajs's own record batch codec (a devDependency), used as an oracle. */
function kafkajs(): Kafkajs {
  const require = createRequire(import.meta.url);
  const batch = require('kafkajs/src/protocol/recordBatch/v0') as { RecordBatch: Kafkajs['RecordBatch'] };
  const record = require('kafkajs/src/protocol/recordBatch/record/v0') as Kafkajs['Record'];
  const decoder = require('kafkajs/src/protocol/recordBatch/v0/decoder') as (d: unknown) => Promise<KafkajsDecoded>;
  const Decoder = require('kafkajs/src/protocol/decoder') as new (b: Buffer) => unknown;
  const Long = require('kafkajs/src/utils/long') as { fromInt(n: number): unknown };
  return {
    RecordBatch: batch.RecordBatch,
    Record: record,
    decode: (bytes) => decoder(new Decoder(bytes)),
    long: (n) => Long.fromInt(n),
  };
}

function buildGoldenBatch(alignValues: boolean): Uint8Array {
  const builder = new RecordBatchBuilder({ alignValues });
  const buffer = new Uint8Array(256);
  builder.begin(buffer);
  expect(builder.append(ascii('k'), ascii('v1'), undefined, 1_700_000_000_000)).toBe(true);
  expect(builder.append(null, ascii('value-2'), [{ key: 'h', value: ascii('x') }], 1_700_000_000_005)).toBe(true);
  return buffer.subarray(0, builder.finish());
}

describe('RecordBatchBuilder', () => {
  it('encodes the same bytes as kafkajs for the golden batch (golden bytes)', () => {
    expect(hex(buildGoldenBatch(false))).toBe(KAFKAJS_GOLDEN);
  });

  it('decodes the golden batch into its records', () => {
    const batch = decodeRecordBatch(Buffer.from(KAFKAJS_GOLDEN, 'hex'));
    expect(batch.header).toMatchObject({
      baseOffset: 0,
      batchLength: 77,
      partitionLeaderEpoch: -1,
      magic: 2,
      crc: 0x7b62ab33,
      attributes: 0,
      lastOffsetDelta: 1,
      baseTimestamp: 1_700_000_000_000,
      maxTimestamp: 1_700_000_000_005,
      producerId: -1,
      producerEpoch: -1,
      baseSequence: -1,
      recordsCount: 2,
    });
    const [first, second] = batch.records;
    expect(first).toMatchObject({ offset: 0, timestamp: 1_700_000_000_000, headers: [] });
    expect(Buffer.from(first!.key!).toString()).toBe('k');
    expect(Buffer.from(first!.value!).toString()).toBe('v1');
    expect(second).toMatchObject({ offset: 1, timestamp: 1_700_000_000_005, key: null });
    expect(Buffer.from(second!.value!).toString()).toBe('value-2');
    expect(second!.headers.map((h) => [h.key, Buffer.from(h.value!).toString()])).toEqual([['h', 'x']]);
    expect(computeBatchCrc(Buffer.from(KAFKAJS_GOLDEN, 'hex'))).toBe(0x7b62ab33);
  });

  it('round-trips records of every shape through encode and decode', () => {
    const builder = new RecordBatchBuilder();
    const buffer = new Uint8Array(1 << 20);
    builder.begin(buffer, 0, buffer.length, { producerId: 42, producerEpoch: 3, baseSequence: 7, partitionLeaderEpoch: 9 });
    const inputs: { key: Uint8Array | null; value: Uint8Array | null; headers?: RecordHeader[]; timestamp: number }[] = [];
    const base = 1_700_000_000_000;
    for (let i = 0; i < 300; i++) {
      const valueBytes = (i * 37) % 700;
      const value = i % 29 === 0 ? null : Uint8Array.from({ length: valueBytes }, (_, j) => (i + j) & 0xff);
      const key = i % 3 === 0 ? null : ascii(`key-${i}`);
      const headers = i % 5 === 0 ? [{ key: `h${i}`, value: i % 10 === 0 ? null : ascii(`v${i}`) }, { key: 'é-ü', value: ascii('') }] : undefined;
      // Timestamps go back and forth, and once far past the fast path's 2^30 ms range.
      const timestamp = i === 150 ? base + 2 ** 31 : base + ((i * 7919) % 1000) - 500;
      inputs.push({ key, value, timestamp, ...(headers ? { headers } : {}) });
      expect(builder.append(key, value, headers, timestamp)).toBe(true);
    }
    const length = builder.finish();
    const decoded = decodeRecordBatch(buffer, 0);
    expect(decoded.length).toBe(length);
    expect(decoded.header).toMatchObject({ producerId: 42, producerEpoch: 3, baseSequence: 7, partitionLeaderEpoch: 9, recordsCount: 300 });
    expect(decoded.header.maxTimestamp).toBe(Math.max(...inputs.map((r) => r.timestamp)));
    expect(computeBatchCrc(buffer)).toBe(decoded.header.crc);
    decoded.records.forEach((record, i) => {
      const input = inputs[i]!;
      expect(record.offset).toBe(i);
      expect(record.timestamp).toBe(input.timestamp);
      expect(record.key === null ? null : hex(record.key)).toBe(input.key === null ? null : hex(input.key));
      expect(record.value === null ? null : hex(record.value)).toBe(input.value === null ? null : hex(input.value));
      expect(record.headers.map((h) => [h.key, h.value === null ? null : hex(h.value)])).toEqual(
        (input.headers ?? []).map((h) => [h.key, h.value === null ? null : hex(h.value)]),
      );
    });
  });

  it('places each value of 64+ bytes at its source address mod 8, in ordinary and shared memory', () => {
    const source = new Uint8Array(4096).fill(1);
    for (const buffer of [new Uint8Array(1 << 16), new Uint8Array(new SharedArrayBuffer(1 << 16), 3)]) {
      const builder = new RecordBatchBuilder();
      builder.begin(buffer);
      for (let misalign = 0; misalign < 8; misalign++) {
        const value = source.subarray(misalign, misalign + 100 + misalign * 13);
        expect(builder.append(misalign % 2 ? ascii('abc') : null, value, undefined, misalign)).toBe(true);
      }
      builder.finish();
      const records = decodeRecordBatch(buffer).records;
      records.forEach((record, misalign) => {
        expect((record.value!.byteOffset - misalign) & 7).toBe(0);
        expect(record.value!.length).toBe(100 + misalign * 13);
      });
    }
  });

  it('writes batches that kafkajs decodes, aligned (longer varints) or not', async () => {
    const kjs = kafkajs();
    for (const alignValues of [true, false]) {
      const builder = new RecordBatchBuilder({ alignValues });
      const buffer = new Uint8Array(1 << 16);
      builder.begin(buffer, 5);
      for (let i = 0; i < 20; i++) builder.append(i % 2 ? ascii(`k${i}`) : null, new Uint8Array(64 + i * 9).fill(i), [{ key: 'n', value: ascii(String(i)) }], 1000 + i);
      const length = builder.finish();
      const decoded = await kjs.decode(Buffer.from(buffer.subarray(5, 5 + length)));
      expect(decoded.records).toHaveLength(20);
      decoded.records.forEach((record, i) => {
        expect(record.offset).toBe(String(i));
        expect(record.timestamp).toBe(String(1000 + i));
        expect(record.value?.length).toBe(64 + i * 9);
        expect(record.value?.[0]).toBe(i);
        expect(record.key === null ? null : record.key.toString()).toBe(i % 2 ? `k${i}` : null);
        expect(record.headers.n?.toString()).toBe(String(i));
      });
    }
  });

  it('decodes batches that kafkajs encodes, with a valid CRC', async () => {
    const kjs = kafkajs();
    const records = Array.from({ length: 10 }, (_, i) =>
      kjs.Record({ offsetDelta: i, timestampDelta: i * 3, key: i % 2 ? Buffer.from(`k${i}`) : null, value: Buffer.alloc(50 + i, i), headers: { a: Buffer.from('b') } }),
    );
    const encoded = await kjs.RecordBatch({
      firstOffset: kjs.long(0),
      firstTimestamp: 5000,
      maxTimestamp: 5027,
      lastOffsetDelta: 9,
      records,
    });
    const bytes = new Uint8Array(encoded.buffer);
    expect(validateBatch(bytes, 0, bytes.length, 1 << 20, true)).toBe(10);
    const decoded = decodeRecordBatch(bytes);
    expect(decoded.records.map((r) => r.timestamp)).toEqual(Array.from({ length: 10 }, (_, i) => 5000 + i * 3));
    expect(decoded.records.map((r) => r.value?.length)).toEqual(Array.from({ length: 10 }, (_, i) => 50 + i));
  });

  it('refuses a record that does not fit, writing nothing, and lowers the limit with limit()', () => {
    const builder = new RecordBatchBuilder();
    const buffer = new Uint8Array(1000);
    builder.begin(buffer, 0, 1000);
    builder.limit(400, 1000);
    const value = new Uint8Array(150);
    expect(builder.append(null, value, undefined, 1)).toBe(true);
    expect(builder.append(null, value, undefined, 1)).toBe(true);
    const before = builder.size;
    expect(builder.append(null, value, undefined, 1)).toBe(false);
    expect(builder.size).toBe(before);
    expect(builder.count).toBe(2);
    expect(builder.lastRecordBytes).toBeGreaterThan(150);
    expect(decodeRecordBatch(buffer.subarray(0, builder.finish())).records).toHaveLength(2);
  });

  it('lets the first record use the whole region even past the soft limit', () => {
    const builder = new RecordBatchBuilder();
    const buffer = new Uint8Array(1000);
    builder.begin(buffer);
    builder.limit(100, 10);
    expect(builder.append(null, new Uint8Array(500), undefined, 1)).toBe(true);
    expect(builder.append(null, new Uint8Array(1), undefined, 1)).toBe(false);
  });

  it('stops at maxRecords', () => {
    const builder = new RecordBatchBuilder();
    builder.begin(new Uint8Array(1000));
    builder.limit(1000, 2);
    expect(builder.append(null, null, undefined, 1)).toBe(true);
    expect(builder.append(null, null, undefined, 1)).toBe(true);
    expect(builder.append(null, null, undefined, 1)).toBe(false);
  });

  it('rejects a timestamp that is not an integer >= -1 with INVALID_TIMESTAMP', () => {
    const builder = new RecordBatchBuilder();
    builder.begin(new Uint8Array(1000));
    for (const bad of [1.5, -2, Number.NaN]) {
      expect(thrown(() => builder.append(null, null, undefined, bad))).toMatchObject({ type: 'INVALID_TIMESTAMP', code: 32 });
    }
    expect(builder.count).toBe(0);
  });

  it('refuses to finish an empty batch', () => {
    const builder = new RecordBatchBuilder();
    builder.begin(new Uint8Array(1000));
    expect(thrown(() => builder.finish())).toMatchObject({ type: 'INVALID_ARGUMENT' });
  });

  it('marks a batch finished without a CRC, and sealBatchCrc adds it later', () => {
    const builder = new RecordBatchBuilder();
    const buffer = new Uint8Array(1000);
    builder.begin(buffer);
    builder.append(null, ascii('x'), undefined, 1);
    const length = builder.finish(false);
    const header = readBatchHeader(buffer);
    expect(header.crc).toBe(0);
    expect(header.attributes & ATTR_CRC_ABSENT).toBe(ATTR_CRC_ABSENT);
    expect(validateBatch(buffer, 0, length, 1 << 20, true)).toBe(1);
    sealBatchCrc(buffer);
    expect(readBatchHeader(buffer).attributes & ATTR_CRC_ABSENT).toBe(0);
    expect(readBatchHeader(buffer).crc).toBe(computeBatchCrc(buffer));
    expect(validateBatch(buffer, 0, length, 1 << 20, true)).toBe(1);
  });
});

describe('validateBatch', () => {
  const good = (): Uint8Array => Uint8Array.from(Buffer.from(KAFKAJS_GOLDEN, 'hex'));
  const cases: [string, (b: Uint8Array) => Uint8Array, string][] = [
    ['a batch shorter than its header', (b) => b.subarray(0, 40), 'CORRUPT_MESSAGE'],
    ['a batchLength that disagrees with the bytes', (b) => (b[11] = 0x4c, b), 'CORRUPT_MESSAGE'],
    ['an unknown magic', (b) => (b[16] = 1, b), 'CORRUPT_MESSAGE'],
    ['a compressed batch', (b) => (b[22] = 1, b), 'CORRUPT_MESSAGE'],
    ['a zero record count', (b) => (b.fill(0, 57, 61), b), 'CORRUPT_MESSAGE'],
    ['a lastOffsetDelta that disagrees with the count', (b) => (b[26] = 5, b), 'CORRUPT_MESSAGE'],
    ['a CRC that does not match', (b) => (b[70] = b[70]! ^ 1, b), 'CORRUPT_MESSAGE'],
  ];
  for (const [what, mangle, type] of cases) {
    it(`rejects ${what}`, () => {
      const b = mangle(good());
      expect(thrown(() => validateBatch(b, 0, b.length, 1 << 20, true))).toMatchObject({ type, code: 2 });
    });
  }

  it('rejects a batch over max.message.bytes with MESSAGE_TOO_LARGE', () => {
    const b = good();
    expect(thrown(() => validateBatch(b, 0, b.length, b.length - 1, false))).toMatchObject({ type: 'MESSAGE_TOO_LARGE', code: 10 });
  });

  it('checks the CRC only when asked', () => {
    const b = good();
    b[BATCH_HEADER_BYTES + 3] = b[BATCH_HEADER_BYTES + 3]! ^ 0xff;
    expect(validateBatch(b, 0, b.length, 1 << 20, false)).toBe(2);
  });
});
