import { describe, expect, it } from 'vitest';
import { PartitionLog } from './partition-log.js';

function thrown(fn: () => unknown): unknown {
  try {
    fn();
  } catch (error) {
    return error;
  }
  throw new Error('expected an error');
}

const value = (offset: number): Uint8Array => new Uint8Array(200).fill(offset & 0xff);

/** A log of small segments holding `count` records stamped `timestamp(offset)`, all committed. */
function filledLog(count: number, options: ConstructorParameters<typeof PartitionLog>[0], timestamp = (o: number) => o): PartitionLog {
  const log = new PartitionLog({ segmentBytes: 16 * 1024, ...options });
  for (let i = 0; i < count; i++) log.append(null, value(i), undefined, timestamp(i));
  log.highWatermark = log.logEndOffset;
  return log;
}

describe('PartitionLog retention', () => {
  it('deletes the oldest whole segments beyond retention.bytes and moves the log start offset', () => {
    const log = filledLog(1000, { retentionBytes: 50 * 1024, retentionMs: -1 });
    const before = log.segmentCount;
    const deleted = log.deleteOldSegments();
    expect(deleted).toBeGreaterThan(0);
    expect(log.segmentCount).toBe(before - deleted);
    expect(log.size).toBeLessThan(50 * 1024 + 16 * 1024);
    expect(log.size).toBeGreaterThanOrEqual(50 * 1024);
    expect(log.logStartOffset).toBeGreaterThan(0);
    const cursor = log.cursor();
    expect(cursor.next()).toBe(true);
    expect(cursor.offset).toBe(log.logStartOffset);
    expect(cursor.bytes[cursor.valueOffset]).toBe(log.logStartOffset & 0xff);
  });

  it('deletes segments whose newest record is older than retention.ms', () => {
    let now = 10_000;
    const log = filledLog(1000, { retentionMs: 1000, now: () => now }, (o) => (o < 500 ? 1000 : 9000));
    expect(log.deleteOldSegments()).toBeGreaterThan(0);
    // Every segment left holds a record from 9000, or is the one that straddles the change.
    expect(log.logStartOffset).toBeGreaterThan(300);
    expect(log.logStartOffset).toBeLessThanOrEqual(500);
    now = 100_000;
    log.deleteOldSegments();
    expect(log.segmentCount).toBe(1);
    expect(log.deleteOldSegments(now)).toBe(0);
  });

  it('never deletes the active segment', () => {
    const log = filledLog(1000, { retentionBytes: 0, retentionMs: 0 });
    log.deleteOldSegments(Number.MAX_SAFE_INTEGER);
    expect(log.segmentCount).toBe(1);
    expect(log.logEndOffset).toBe(1000);
    log.append(null, value(1000), undefined, 1);
    expect(log.logEndOffset).toBe(1001);
  });

  it('never deletes records at or above the high watermark', () => {
    const log = new PartitionLog({ segmentBytes: 16 * 1024, retentionBytes: 0, retentionMs: -1 });
    for (let i = 0; i < 1000; i++) log.append(null, value(i), undefined, i);
    expect(log.deleteOldSegments()).toBe(0);
    log.highWatermark = 100;
    log.deleteOldSegments();
    expect(log.logStartOffset).toBeLessThanOrEqual(99);
    const cursor = log.cursor(99);
    expect(cursor.next()).toBe(true);
    expect(cursor.offset).toBe(99);
  });

  it('keeps everything with the default retention', () => {
    const log = filledLog(1000, {}, () => Date.now());
    expect(log.deleteOldSegments()).toBe(0);
    expect(log.logStartOffset).toBe(0);
  });

  it('gives OFFSET_OUT_OF_RANGE to a cursor that falls below the log start offset', () => {
    const log = filledLog(1000, { retentionBytes: 20 * 1024, retentionMs: -1 });
    const lagging = log.cursor(0);
    expect(lagging.next()).toBe(true);
    log.deleteOldSegments();
    expect(thrown(() => log.cursor(0))).toMatchObject({ type: 'OFFSET_OUT_OF_RANGE', code: 1 });
    expect(thrown(() => {
      while (lagging.next());
    })).toMatchObject({ type: 'OFFSET_OUT_OF_RANGE' });
  });

  it('reuses deleted segments for new ones without disturbing what cursors read', () => {
    const log = new PartitionLog({ segmentBytes: 16 * 1024, retentionBytes: 40 * 1024, retentionMs: -1 });
    const cursor = log.cursor(0, { upTo: 'logEnd' });
    let next = 0;
    for (let i = 0; i < 5000; i++) {
      log.append(null, value(i), undefined, i);
      if (i % 50 === 49) {
        log.highWatermark = log.logEndOffset;
        log.deleteOldSegments();
        while (cursor.next()) {
          expect(cursor.offset).toBe(next++);
          expect(cursor.bytes[cursor.valueOffset]).toBe(cursor.offset & 0xff);
          expect(cursor.bytes[cursor.valueOffset + 199]).toBe(cursor.offset & 0xff);
        }
      }
    }
    expect(next).toBe(5000);
    // A cursor left behind pins its segment: it reads intact bytes until it is told it fell behind.
    const lagging = log.cursor(log.logStartOffset);
    expect(lagging.next()).toBe(true);
    const lagged = lagging.offset;
    for (let i = 5000; i < 8000; i++) log.append(null, value(i), undefined, i);
    log.highWatermark = log.logEndOffset;
    log.deleteOldSegments();
    expect(lagging.bytes[lagging.valueOffset + 100]).toBe(lagged & 0xff);
  });
});
