import { MessageChannel, Worker } from 'node:worker_threads';
import { describe, expect, it, onTestFinished } from 'vitest';
import { PartitionLog } from './partition-log.js';
import { expectedByte, type FollowResult, type FollowTask } from './partition-log-reader.fixture.js';
import { PartitionLogReader } from './partition-log-reader.js';
import { RecordBatchBuilder } from './record-batch.js';
import { announceSegments, pullSegmentsFrom } from './segment-port.js';

function thrown(fn: () => unknown): unknown {
  try {
    fn();
  } catch (error) {
    return error;
  }
  throw new Error('expected an error');
}

const VALUE_BYTES = 200;

function valueFor(offset: number): Uint8Array {
  const v = new Uint8Array(VALUE_BYTES);
  for (let i = 0; i < VALUE_BYTES; i++) v[i] = expectedByte(offset, i);
  return v;
}

function encodeBatch(firstOffset: number, count: number): Uint8Array {
  const builder = new RecordBatchBuilder();
  const buffer = new Uint8Array(count * (VALUE_BYTES + 40) + 100);
  builder.begin(buffer);
  for (let i = 0; i < count; i++) builder.append(null, valueFor(firstOffset + i), undefined, 1000 + i);
  return buffer.slice(0, builder.finish());
}

const pause = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

describe('PartitionLogReader', () => {
  it('follows appends and segment rolls from a real worker thread', async () => {
    const log = new PartitionLog({ segmentBytes: 64 * 1024, batchSize: 4096 });
    const { port1, port2 } = new MessageChannel();
    const stopAnnouncing = announceSegments(log, port1);
    const total = 20_000;
    const task: FollowTask = { descriptor: log.describe(), port: port2, expected: total, valueBytes: VALUE_BYTES, deadlineMs: 20_000 };
    const worker = new Worker(new URL('./partition-log-reader.fixture.js', import.meta.url), { workerData: task, transferList: [port2] });
    onTestFinished(async () => {
      stopAnnouncing();
      port1.close();
      await worker.terminate();
    });
    const result = new Promise<FollowResult>((resolve, reject) => {
      worker.once('message', resolve);
      worker.once('error', reject);
    });

    let offset = 0;
    while (offset < total) {
      // Single appends into open batches, and producer batches, published every chunk.
      for (let i = 0; i < 250 && offset < total; i++) {
        if (offset % 1000 === 500 && offset + 100 <= total) {
          log.appendBatch(encodeBatch(offset, 100));
          offset += 100;
        } else {
          log.append(null, valueFor(offset), undefined, offset);
          offset++;
        }
      }
      log.highWatermark = log.logEndOffset;
      await pause(1);
    }
    log.flush();
    const r = await result;
    expect(log.segmentCount).toBeGreaterThan(50);
    expect(r).toMatchObject({ count: total, outOfOrder: 0, badValues: 0, lastOffset: total - 1 });
    expect(r.segmentsSeen).toBe(log.segmentCount);
  });

  it('reads in this thread too, up to the published high watermark', () => {
    const log = new PartitionLog({ segmentBytes: 16 * 1024 });
    const { port1, port2 } = new MessageChannel();
    onTestFinished(() => {
      port1.close();
      port2.close();
    });
    announceSegments(log, port1);
    const reader = PartitionLogReader.attach(log.describe(), { pullSegment: pullSegmentsFrom(port2) });
    for (let i = 0; i < 300; i++) log.append(null, valueFor(i), undefined, i);
    const cursor = reader.cursor(0);
    expect(cursor.next()).toBe(false);
    log.highWatermark = 120;
    expect(reader.highWatermark).toBe(120);
    let n = 0;
    while (cursor.next()) expect(cursor.offset).toBe(n++);
    expect(n).toBe(120);
    expect(thrown(() => reader.cursor(121))).toMatchObject({ type: 'OFFSET_OUT_OF_RANGE', code: 1 });
    log.highWatermark = 300;
    while (cursor.next()) expect(cursor.offset).toBe(n++);
    expect(n).toBe(300);
    expect(reader.segmentCount).toBe(log.segmentCount);
  });

  it('takes segments pushed with addSegment instead of pulled', () => {
    const log = new PartitionLog({ segmentBytes: 16 * 1024 });
    const reader = PartitionLogReader.attach(log.describe());
    log.onSegmentCreated((segment) => reader.addSegment(segment));
    for (let i = 0; i < 300; i++) log.append(null, valueFor(i), undefined, i);
    log.highWatermark = 300;
    const cursor = reader.cursor();
    let n = 0;
    while (cursor.next()) n++;
    expect(n).toBe(300);
  });

  it('waits for the next segment instead of reading past a segment it was not sent', () => {
    const log = new PartitionLog({ segmentBytes: 16 * 1024 });
    const reader = PartitionLogReader.attach(log.describe());
    const pending: Parameters<PartitionLogReader['addSegment']>[0][] = [];
    log.onSegmentCreated((segment) => pending.push(segment));
    for (let i = 0; i < 300; i++) log.append(null, valueFor(i), undefined, i);
    log.highWatermark = 300;
    const cursor = reader.cursor();
    let n = 0;
    while (cursor.next()) n++;
    expect(n).toBeGreaterThan(0);
    expect(n).toBeLessThan(300);
    for (const segment of pending) reader.addSegment(segment);
    while (cursor.next()) n++;
    expect(n).toBe(300);
  });

  it('drops segments below the log start offset and pins the ones its cursors still read', () => {
    const log = new PartitionLog({ segmentBytes: 16 * 1024, retentionBytes: 32 * 1024, retentionMs: -1 });
    const { port1, port2 } = new MessageChannel();
    onTestFinished(() => {
      port1.close();
      port2.close();
    });
    announceSegments(log, port1);
    const reader = PartitionLogReader.attach(log.describe(), { pullSegment: pullSegmentsFrom(port2) });
    for (let i = 0; i < 200; i++) log.append(null, valueFor(i), undefined, i);
    log.highWatermark = log.logEndOffset;
    const lagging = reader.cursor(0);
    expect(lagging.next()).toBe(true);
    const pinnedBuffer = lagging.bytes.buffer;
    const created: SharedArrayBuffer[] = [];
    log.onSegmentCreated((segment) => created.push(segment.buffer));
    // Many rolls and deletions later, the buffer the lagging cursor reads has not been reused.
    for (let i = 200; i < 3000; i++) {
      log.append(null, valueFor(i), undefined, i);
      if (i % 100 === 0) {
        log.highWatermark = log.logEndOffset;
        log.deleteOldSegments();
      }
    }
    expect(log.logStartOffset).toBeGreaterThan(1000);
    expect(created.length).toBeGreaterThan(10);
    expect(created.includes(pinnedBuffer as SharedArrayBuffer)).toBe(false);
    expect(lagging.bytes[lagging.valueOffset + 7]).toBe(expectedByte(0, 7));
    expect(thrown(() => {
      while (lagging.next());
    })).toMatchObject({ type: 'OFFSET_OUT_OF_RANGE' });
    expect(reader.segmentCount).toBeLessThanOrEqual(log.segmentCount + 1);
  });

  it('lets the owner reuse segment buffers once readers have moved on or closed', () => {
    const log = new PartitionLog({ segmentBytes: 16 * 1024, retentionBytes: 32 * 1024, retentionMs: -1 });
    const descriptor = log.describe();
    const reader = PartitionLogReader.attach(descriptor);
    log.onSegmentCreated((segment) => reader.addSegment(segment));
    const seen = new Set<SharedArrayBuffer>();
    let reused = false;
    log.onSegmentCreated((segment) => {
      if (seen.has(segment.buffer)) reused = true;
      seen.add(segment.buffer);
    });
    for (const s of descriptor.segments) seen.add(s.buffer);
    const cursor = reader.cursor(0);
    for (let i = 0; i < 3000; i++) {
      log.append(null, valueFor(i), undefined, i);
      if (i % 100 === 99) {
        log.highWatermark = log.logEndOffset;
        log.deleteOldSegments();
        while (cursor.next()) expect(cursor.bytes[cursor.valueOffset + 3]).toBe(expectedByte(cursor.offset, 3));
      }
    }
    expect(reused).toBe(true);
    reader.close();
  });

  it('repositions after a truncation above its position and reads the new records', () => {
    const log = new PartitionLog({ segmentBytes: 16 * 1024 });
    const reader = PartitionLogReader.attach(log.describe());
    log.onSegmentCreated((segment) => reader.addSegment(segment));
    for (let i = 0; i < 200; i++) log.append(null, valueFor(i), undefined, i);
    log.highWatermark = 150;
    const cursor = reader.cursor(0);
    let n = 0;
    while (cursor.next()) n++;
    expect(n).toBe(150);
    log.truncateTo(160);
    for (let i = 160; i < 250; i++) log.append(null, valueFor(i + 1000), undefined, i);
    log.highWatermark = 250;
    while (cursor.next()) {
      expect(cursor.offset).toBe(n);
      expect(cursor.bytes[cursor.valueOffset]).toBe(expectedByte(n >= 160 ? n + 1000 : n, 0));
      n++;
    }
    expect(n).toBe(250);
  });

  it('rejects a buffer that is not a log control block or segment', () => {
    expect(thrown(() => PartitionLogReader.attach({ control: new SharedArrayBuffer(192), segments: [], readerSlot: -1 }))).toMatchObject({
      type: 'INVALID_ARGUMENT',
    });
    const log = new PartitionLog();
    const reader = PartitionLogReader.attach(log.describe());
    expect(thrown(() => reader.addSegment({ ordinal: 5, baseOffset: 0, buffer: new SharedArrayBuffer(4096) }))).toMatchObject({ type: 'INVALID_ARGUMENT' });
  });
});
