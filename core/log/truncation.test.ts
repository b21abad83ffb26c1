import { describe, expect, it } from 'vitest';
import { PartitionLog } from './partition-log.js';
import { RecordBatchBuilder, computeBatchCrc, readBatchHeader } from './record-batch.js';
import type { RecordCursor } from './record-cursor.js';

function thrown(fn: () => unknown): unknown {
  try {
    fn();
  } catch (error) {
    return error;
  }
  throw new Error('expected an error');
}

const value = (offset: number, tag = 0): Uint8Array => new Uint8Array(100).fill((offset + tag) & 0xff);

function encodeBatch(count: number, firstTimestamp: number): Uint8Array {
  const builder = new RecordBatchBuilder();
  const buffer = new Uint8Array(count * 150 + 100);
  builder.begin(buffer);
  for (let i = 0; i < count; i++) builder.append(null, new Uint8Array(100).fill(0xb0), undefined, firstTimestamp + i);
  return buffer.slice(0, builder.finish());
}

function offsets(cursor: RecordCursor): number[] {
  const out: number[] = [];
  while (cursor.next()) out.push(cursor.offset);
  return out;
}

const range = (from: number, to: number): number[] => Array.from({ length: to - from }, (_, i) => from + i);

describe('PartitionLog.truncateTo', () => {
  it('removes everything from a batch boundary on, and appends continue from there', () => {
    const log = new PartitionLog();
    for (let i = 0; i < 10; i++) log.append(null, value(i), undefined, i);
    log.flush();
    for (let i = 10; i < 20; i++) log.append(null, value(i), undefined, i);
    log.truncateTo(10);
    expect(log.logEndOffset).toBe(10);
    expect(log.append(null, value(10, 100), undefined, 50)).toBe(10);
    log.highWatermark = 11;
    const cursor = log.cursor();
    expect(offsets(cursor)).toEqual(range(0, 11));
    cursor.seek(10);
    cursor.next();
    expect(cursor.bytes[cursor.valueOffset]).toBe(110);
  });

  it('keeps the records below the offset of a batch cut in the middle and rewrites its header', () => {
    const log = new PartitionLog({ sealCrc: true });
    for (let i = 0; i < 10; i++) log.append(null, value(i), undefined, 100 + i);
    log.truncateTo(4);
    expect(log.logEndOffset).toBe(4);
    log.highWatermark = 4;
    const cursor = log.cursor(0, { verifyCrc: true });
    expect(offsets(cursor)).toEqual(range(0, 4));
    const header = readBatchHeader(cursor.bytes, cursor.batchPosition);
    expect(header).toMatchObject({ recordsCount: 4, lastOffsetDelta: 3, maxTimestamp: 103 });
    expect(header.crc).toBe(computeBatchCrc(cursor.bytes, cursor.batchPosition));
    expect(log.append(null, value(4, 7), undefined, 1)).toBe(4);
  });

  it('recomputes the CRC of a producer batch cut in the middle', () => {
    const log = new PartitionLog({ verifyCrc: true });
    log.appendBatch(encodeBatch(50, 1000));
    log.truncateTo(20);
    log.highWatermark = 20;
    const cursor = log.cursor(0, { verifyCrc: true });
    expect(offsets(cursor)).toEqual(range(0, 20));
    expect(cursor.checkBatchCrc()).toBe('valid');
    expect(readBatchHeader(cursor.bytes, cursor.batchPosition).maxTimestamp).toBe(1019);
  });

  it('drops later segments when truncating back into an older one', () => {
    const log = new PartitionLog({ segmentBytes: 8 * 1024 });
    for (let i = 0; i < 500; i++) log.append(null, value(i), undefined, i);
    const segments = log.segmentCount;
    expect(segments).toBeGreaterThan(4);
    log.truncateTo(123);
    expect(log.segmentCount).toBeLessThan(segments);
    expect(log.logEndOffset).toBe(123);
    for (let i = 123; i < 300; i++) expect(log.append(null, value(i, 1), undefined, i)).toBe(i);
    log.highWatermark = 300;
    const cursor = log.cursor();
    const seen = offsets(cursor);
    expect(seen).toEqual(range(0, 300));
    for (const offset of [0, 122, 123, 124, 299]) {
      cursor.seek(offset);
      cursor.next();
      expect(cursor.bytes[cursor.valueOffset]).toBe((offset + (offset >= 123 ? 1 : 0)) & 0xff);
    }
  });

  it('truncates to the log start offset, leaving an empty log', () => {
    const log = new PartitionLog({ startOffset: 5 });
    for (let i = 5; i < 50; i++) log.append(null, value(i), undefined, i);
    log.truncateTo(5);
    expect(log.logEndOffset).toBe(5);
    expect(log.cursor(5, { upTo: 'logEnd' }).next()).toBe(false);
    expect(log.append(null, value(5), undefined, 1)).toBe(5);
  });

  it('lowers the high watermark to the truncation offset', () => {
    const log = new PartitionLog();
    for (let i = 0; i < 10; i++) log.append(null, value(i), undefined, i);
    log.highWatermark = 8;
    log.truncateTo(6);
    expect(log.highWatermark).toBe(6);
  });

  it('does nothing when truncating to the log end offset', () => {
    const log = new PartitionLog();
    for (let i = 0; i < 10; i++) log.append(null, value(i), undefined, i);
    log.truncateTo(10);
    expect(log.logEndOffset).toBe(10);
    log.highWatermark = 10;
    expect(offsets(log.cursor())).toEqual(range(0, 10));
  });

  it('rejects truncation past the log end or below the log start with OFFSET_OUT_OF_RANGE', () => {
    const log = new PartitionLog({ startOffset: 3 });
    for (let i = 3; i < 10; i++) log.append(null, value(i), undefined, i);
    const error = thrown(() => log.truncateTo(11));
    expect(error).toMatchObject({ type: 'OFFSET_OUT_OF_RANGE', code: 1 });
    expect((error as Error).message).toContain('offset 11');
    expect(thrown(() => log.truncateTo(2))).toMatchObject({ type: 'OFFSET_OUT_OF_RANGE' });
    expect(log.logEndOffset).toBe(10);
  });

  it('repositions a cursor whose offset survives, and fails one whose offset is gone', () => {
    const log = new PartitionLog({ segmentBytes: 8 * 1024 });
    for (let i = 0; i < 200; i++) log.append(null, value(i), undefined, i);
    log.highWatermark = 200;
    const early = log.cursor(0);
    const late = log.cursor(0);
    for (let i = 0; i < 50; i++) early.next();
    for (let i = 0; i < 190; i++) late.next();
    log.truncateTo(100);
    for (let i = 100; i < 180; i++) log.append(null, value(i, 9), undefined, i);
    log.highWatermark = 180;
    // The early cursor finishes its batch from intact bytes, then reads the new records.
    const rest = offsets(early);
    expect(rest).toEqual(range(50, 180));
    expect(thrown(() => offsets(late))).toMatchObject({ type: 'OFFSET_OUT_OF_RANGE' });
  });
});
