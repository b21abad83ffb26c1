import { describe, expect, it } from 'vitest';
import { PartitionLog } from './partition-log.js';
import { RecordBatchBuilder, decodeRecordBatch } from './record-batch.js';
import type { RecordCursor } from './record-cursor.js';

function thrown(fn: () => unknown): unknown {
  try {
    fn();
  } catch (error) {
    return error;
  }
  throw new Error('expected an error');
}

/** A value whose bytes say which offset it belongs to. */
function valueFor(offset: number, length = 200): Uint8Array {
  const v = new Uint8Array(length);
  for (let i = 0; i < length; i++) v[i] = (offset * 31 + i) & 0xff;
  return v;
}

function encodeBatch(firstOffset: number, count: number, timestamp = 1000, valueBytes = 200): Uint8Array {
  const builder = new RecordBatchBuilder();
  const buffer = new Uint8Array(count * (valueBytes + 40) + 100);
  builder.begin(buffer);
  for (let i = 0; i < count; i++) builder.append(null, valueFor(firstOffset + i, valueBytes), undefined, timestamp + i);
  return buffer.slice(0, builder.finish());
}

/** Reads everything the cursor returns as [offset, timestamp, value checks out]. */
function drain(cursor: RecordCursor, valueBytes = 200): number[] {
  const offsets: number[] = [];
  while (cursor.next()) {
    expect(cursor.valueLength).toBe(valueBytes);
    const expected = valueFor(cursor.offset, valueBytes);
    expect(cursor.bytes[cursor.valueOffset]).toBe(expected[0]);
    expect(cursor.bytes[cursor.valueOffset + valueBytes - 1]).toBe(expected[valueBytes - 1]);
    offsets.push(cursor.offset);
  }
  return offsets;
}

const range = (from: number, to: number): number[] => Array.from({ length: to - from }, (_, i) => from + i);

describe('PartitionLog', () => {
  it('gives single appends consecutive offsets and reads them back with their timestamps', () => {
    const log = new PartitionLog();
    for (let i = 0; i < 50; i++) expect(log.append(null, valueFor(i), undefined, 5000 + i)).toBe(i);
    log.highWatermark = log.logEndOffset;
    const cursor = log.cursor();
    for (let i = 0; i < 50; i++) {
      expect(cursor.next()).toBe(true);
      expect(cursor.offset).toBe(i);
      expect(cursor.timestamp).toBe(5000 + i);
      expect(cursor.keyLength).toBe(-1);
      expect(cursor.key()).toBeNull();
      expect(Array.from(cursor.value()!)).toEqual(Array.from(valueFor(i)));
    }
    expect(cursor.next()).toBe(false);
  });

  it('reads keys, null values and headers of single appends', () => {
    const log = new PartitionLog();
    log.append(new TextEncoder().encode('key'), null, [{ key: 'trace', value: new Uint8Array([1, 2]) }, { key: 'empty', value: null }], 1);
    log.highWatermark = 1;
    const cursor = log.cursor();
    expect(cursor.next()).toBe(true);
    expect(Buffer.from(cursor.key()!).toString()).toBe('key');
    expect(cursor.valueLength).toBe(-1);
    expect(cursor.value()).toBeNull();
    expect(cursor.headerCount).toBe(2);
    expect(cursor.firstHeader()).toBe(true);
    expect(cursor.headerKeyLength).toBe(5);
    expect(Array.from(cursor.bytes.subarray(cursor.headerValueOffset, cursor.headerValueOffset + cursor.headerValueLength))).toEqual([1, 2]);
    expect(cursor.nextHeader()).toBe(true);
    expect(cursor.headerValueLength).toBe(-1);
    expect(cursor.nextHeader()).toBe(false);
    expect(cursor.headers().map((h) => [h.key, h.value === null ? null : Array.from(h.value)])).toEqual([
      ['trace', [1, 2]],
      ['empty', null],
    ]);
  });

  it('stamps records appended without a timestamp with the configured clock', () => {
    const log = new PartitionLog({ now: () => 123_456 });
    log.append(null, valueFor(0));
    log.highWatermark = 1;
    const cursor = log.cursor();
    cursor.next();
    expect(cursor.timestamp).toBe(123_456);
  });

  it('appends a producer batch with one base offset and keeps its records and CRC intact', () => {
    const log = new PartitionLog({ verifyCrc: true, leaderEpoch: 7 });
    expect(log.appendBatch(encodeBatch(0, 100))).toBe(0);
    expect(log.appendBatch(encodeBatch(100, 100))).toBe(100);
    expect(log.logEndOffset).toBe(200);
    log.highWatermark = 200;
    const cursor = log.cursor(0, { verifyCrc: true });
    expect(drain(cursor)).toEqual(range(0, 200));
    expect(cursor.checkBatchCrc()).toBe('valid');
    const stored = decodeRecordBatch(cursor.bytes, cursor.batchPosition);
    expect(stored.header).toMatchObject({ baseOffset: 100, partitionLeaderEpoch: 7, recordsCount: 100 });
  });

  it('appends a batch given as a range of a larger buffer', () => {
    const batch = encodeBatch(0, 10);
    const framed = new Uint8Array(batch.length + 13);
    framed.set(batch, 5);
    const log = new PartitionLog();
    log.appendBatch(framed, 5, batch.length);
    log.highWatermark = 10;
    expect(drain(log.cursor())).toEqual(range(0, 10));
  });

  it('interleaves single appends and batches in offset order', () => {
    const log = new PartitionLog({ batchSize: 2048 });
    let offset = 0;
    for (let round = 0; round < 20; round++) {
      for (let i = 0; i < 7; i++) expect(log.append(null, valueFor(offset), undefined, offset)).toBe(offset++);
      expect(log.appendBatch(encodeBatch(offset, 13))).toBe(offset);
      offset += 13;
    }
    log.highWatermark = log.logEndOffset;
    expect(drain(log.cursor())).toEqual(range(0, offset));
  });

  it('seals the open batch at batchSize bytes or batchMaxRecords records', () => {
    const log = new PartitionLog({ batchSize: 1000, batchMaxRecords: 3 });
    for (let i = 0; i < 10; i++) log.append(null, valueFor(i, 10), undefined, i);
    log.flush();
    log.highWatermark = 10;
    const cursor = log.cursor();
    const batchSizes: number[] = [];
    let lastBase = -1;
    while (cursor.next()) {
      if (cursor.batchBaseOffset !== lastBase) batchSizes.push(0);
      lastBase = cursor.batchBaseOffset;
      batchSizes[batchSizes.length - 1]!++;
    }
    expect(batchSizes).toEqual([3, 3, 3, 1]);
  });

  it('rolls to new segments when full and reads across them', () => {
    const log = new PartitionLog({ segmentBytes: 64 * 1024 });
    for (let i = 0; i < 700; i++) {
      if (i % 100 === 50) log.appendBatch(encodeBatch(i, 1));
      else log.append(null, valueFor(i), undefined, i);
    }
    expect(log.segmentCount).toBeGreaterThan(2);
    log.highWatermark = log.logEndOffset;
    expect(drain(log.cursor())).toEqual(range(0, 700));
  });

  it('seeks to every offset through the sparse index, across segments and batches', () => {
    const log = new PartitionLog({ segmentBytes: 32 * 1024, indexIntervalBytes: 1024, batchSize: 3000 });
    for (let i = 0; i < 300; i++) {
      if (i % 40 === 0) {
        log.appendBatch(encodeBatch(i, 20));
        i += 19;
      } else {
        log.append(null, valueFor(i), undefined, i);
      }
    }
    log.highWatermark = log.logEndOffset;
    expect(log.stats().indexBytes).toBeGreaterThan(0);
    const cursor = log.cursor();
    for (let offset = 0; offset < 300; offset++) {
      cursor.seek(offset);
      expect(cursor.position).toBe(offset);
      expect(cursor.next()).toBe(true);
      expect(cursor.offset).toBe(offset);
      expect(cursor.bytes[cursor.valueOffset]).toBe(valueFor(offset)[0]);
    }
    cursor.seek(300);
    expect(cursor.next()).toBe(false);
  });

  it('throws OFFSET_OUT_OF_RANGE for a seek below the log start or past the end', () => {
    const log = new PartitionLog({ startOffset: 10 });
    log.append(null, valueFor(10), undefined, 1);
    log.highWatermark = 11;
    expect(thrown(() => log.cursor(9))).toMatchObject({ type: 'OFFSET_OUT_OF_RANGE', code: 1 });
    expect(thrown(() => log.cursor(12))).toMatchObject({ type: 'OFFSET_OUT_OF_RANGE', code: 1 });
    expect(thrown(() => log.cursor(10.5))).toMatchObject({ type: 'OFFSET_OUT_OF_RANGE' });
    expect(log.cursor(11).next()).toBe(false);
  });

  it('reads only below the high watermark by default, and to the log end when asked', () => {
    const log = new PartitionLog();
    for (let i = 0; i < 10; i++) log.append(null, valueFor(i), undefined, i);
    log.highWatermark = 4;
    expect(drain(log.cursor())).toEqual(range(0, 4));
    expect(drain(log.cursor(0, { upTo: 'logEnd' }))).toEqual(range(0, 10));
  });

  it('lets a cursor follow appends into the open batch, through its seal, and into new batches', () => {
    const log = new PartitionLog({ batchSize: 1500 });
    const cursor = log.cursor(0, { upTo: 'logEnd' });
    const seen: number[] = [];
    for (let i = 0; i < 40; i++) {
      log.append(null, valueFor(i), undefined, i);
      seen.push(...drain(cursor));
      if (i % 9 === 0) log.flush();
    }
    expect(seen).toEqual(range(0, 40));
  });

  it('only moves the high watermark forward, and never past the log end', () => {
    const log = new PartitionLog();
    log.append(null, valueFor(0), undefined, 0);
    log.highWatermark = 1;
    expect(thrown(() => (log.highWatermark = 2))).toMatchObject({ type: 'INVALID_ARGUMENT' });
    expect(thrown(() => (log.highWatermark = 0))).toMatchObject({ type: 'INVALID_ARGUMENT' });
  });

  it('marks batches sealed from single appends as having no CRC unless sealCrc is set', () => {
    for (const sealCrc of [false, true]) {
      const log = new PartitionLog({ sealCrc });
      log.append(null, valueFor(0), undefined, 0);
      log.flush();
      log.highWatermark = 1;
      const cursor = log.cursor(0, { verifyCrc: true });
      expect(cursor.next()).toBe(true);
      expect(cursor.checkBatchCrc()).toBe(sealCrc ? 'valid' : 'absent');
    }
  });

  it('reports an open batch as open to checkBatchCrc', () => {
    const log = new PartitionLog();
    log.append(null, valueFor(0), undefined, 0);
    log.highWatermark = 1;
    const cursor = log.cursor();
    cursor.next();
    expect(cursor.checkBatchCrc()).toBe('open');
  });

  it('stores a 200-byte record in at most 1.1x its payload, batched or single', () => {
    for (const batched of [true, false]) {
      const log = new PartitionLog();
      const batch = encodeBatch(0, 1000);
      for (let i = 0; i < 20_000; i++) {
        if (batched) {
          if (i % 1000 === 0) log.appendBatch(batch);
        } else {
          log.append(null, valueFor(i), undefined, 1000 + (i >> 8));
        }
      }
      log.flush();
      const s = log.stats();
      expect((s.batchBytes + s.indexBytes + s.headerBytes) / 20_000).toBeLessThanOrEqual(220);
    }
  });
});

describe('PartitionLog bad input', () => {
  /** A log with committed data, and a check that the data is still all there and readable. */
  function committedLog(): { log: PartitionLog; check: () => void } {
    const log = new PartitionLog({ segmentBytes: 64 * 1024, verifyCrc: true });
    log.appendBatch(encodeBatch(0, 50));
    for (let i = 50; i < 60; i++) log.append(null, valueFor(i), undefined, i);
    log.highWatermark = 60;
    return {
      log,
      check: () => {
        expect(log.logEndOffset).toBe(60);
        expect(drain(log.cursor(0, { upTo: 'logEnd' }))).toEqual(range(0, 60));
        expect(log.append(null, valueFor(60), undefined, 60)).toBe(60);
        log.highWatermark = 61;
        expect(drain(log.cursor(55))).toEqual(range(55, 61));
      },
    };
  }

  it('rejects a single record over max.message.bytes with MESSAGE_TOO_LARGE and loses nothing', () => {
    const { log, check } = committedLog();
    expect(thrown(() => log.append(null, new Uint8Array(70_000)))).toMatchObject({ type: 'MESSAGE_TOO_LARGE', code: 10 });
    check();
  });

  it('rejects a batch over max.message.bytes with MESSAGE_TOO_LARGE and loses nothing', () => {
    const log = new PartitionLog({ maxMessageBytes: 5000 });
    log.append(null, valueFor(0), undefined, 0);
    expect(thrown(() => log.appendBatch(encodeBatch(1, 30)))).toMatchObject({ type: 'MESSAGE_TOO_LARGE' });
    expect(log.logEndOffset).toBe(1);
    expect(log.appendBatch(encodeBatch(1, 10))).toBe(1);
  });

  it('rejects malformed batches with CORRUPT_MESSAGE and loses nothing', () => {
    const { log, check } = committedLog();
    const mangles: ((b: Uint8Array) => void)[] = [
      (b) => (b[16] = 0),
      (b) => (b[11] = b[11]! + 1),
      (b) => (b[60] = 0xff),
      (b) => (b[100] = b[100]! ^ 0x55),
    ];
    for (const mangle of mangles) {
      const batch = encodeBatch(60, 5);
      mangle(batch);
      expect(thrown(() => log.appendBatch(batch))).toMatchObject({ type: 'CORRUPT_MESSAGE', code: 2 });
    }
    expect(thrown(() => log.appendBatch(new Uint8Array(30)))).toMatchObject({ type: 'CORRUPT_MESSAGE' });
    check();
  });

  it('rejects a bad timestamp with INVALID_TIMESTAMP and loses nothing', () => {
    const { log, check } = committedLog();
    expect(thrown(() => log.append(null, valueFor(60), undefined, -5))).toMatchObject({ type: 'INVALID_TIMESTAMP' });
    log.flush();
    expect(thrown(() => log.append(null, valueFor(60), undefined, 0.5))).toMatchObject({ type: 'INVALID_TIMESTAMP' });
    log.flush();
    check();
  });

  it('keeps a batch with garbage records from reaching the batches around it', () => {
    const log = new PartitionLog();
    log.appendBatch(encodeBatch(0, 5));
    const bad = encodeBatch(5, 5);
    bad[61] = 0xfe; // the first record's length becomes 8191 bytes: past the end of its batch
    bad[62] = 0xff;
    log.appendBatch(bad);
    log.appendBatch(encodeBatch(10, 5));
    log.highWatermark = 15;
    const cursor = log.cursor();
    for (let i = 0; i < 5; i++) expect(cursor.next()).toBe(true);
    expect(thrown(() => cursor.next())).toMatchObject({ type: 'CORRUPT_MESSAGE' });
    expect(drain(log.cursor(10))).toEqual(range(10, 15));
  });

  it('validates options once, naming the bad one', () => {
    const error = thrown(() => new PartitionLog({ segmentBytes: 100 }));
    expect(error).toMatchObject({ type: 'INVALID_CONFIG' });
    expect((error as Error).message).toContain('segmentBytes');
    expect(thrown(() => new PartitionLog({ segmentBytes: 64 * 1024, maxMessageBytes: 1_000_000 }))).toMatchObject({ type: 'INVALID_CONFIG' });
  });
});
