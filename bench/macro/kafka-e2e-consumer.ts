/**
 * The e2e latency consumer worker: reads a partition log (zero-copy) and records, per record,
 * now - intended send time (written by the producer in the first 8 bytes) into an HDR histogram.
 * It parks on the log's doorbell when caught up, never spinning without bound.
 */
import { parentPort, workerData, type MessagePort } from 'node:worker_threads';
import { PartitionLogReader, pullSegmentsFrom, type LogDescriptor } from '../../core/log/index.js';
import { createLatencyHistogram, encodeHistogram } from '../stats/latency.js';

export interface E2eConsumerData {
  readonly descriptor: LogDescriptor;
  readonly port: MessagePort;
  readonly skipBeforeNs: number;
}

export interface E2eConsumerResult {
  readonly count: number;
  readonly histogram: string;
}

const data = workerData as E2eConsumerData;
const reader = PartitionLogReader.attach(data.descriptor, { pullSegment: pullSegmentsFrom(data.port) });
const cursor = reader.cursor(reader.logStartOffset);
/** How long the consumer re-checks before it parks. */
const SPIN_MS = 0.3;
const histogram = createLatencyHistogram();
// Warm the WebAssembly recorder up before anything is timed: its first calls compile and tier up,
// which stalled the first measured milliseconds by up to ~13 ms.
for (let i = 0; i < 200_000; i++) histogram.recordValue(1 + (i % 5000));
histogram.reset();
let count = 0;
let done = false;
let measureFrom = -1;
// One DataView per segment, not per record: the loop allocates nothing.
let viewedBytes: Uint8Array | undefined;
let view = new DataView(new ArrayBuffer(16));
while (!done) {
  const signal = reader.signal();
  let read = false;
  let now = Number(process.hrtime.bigint());
  let sinceClock = 0;
  while (cursor.next()) {
    read = true;
    const b = cursor.bytes;
    if (b !== viewedBytes) {
      viewedBytes = b;
      view = new DataView(b.buffer as ArrayBuffer, b.byteOffset, b.byteLength);
    }
    const intended = view.getFloat64(cursor.valueOffset, true);
    if (intended === 0) {
      done = true;
      break;
    }
    if (measureFrom < 0) measureFrom = view.getFloat64(cursor.valueOffset + 8, true);
    // Re-read the clock every 64 records: a drained batch arrived together.
    if (++sinceClock === 64) {
      sinceClock = 0;
      now = Number(process.hrtime.bigint());
    }
    if (intended < measureFrom) continue;
    histogram.recordValue(Math.max(1, Math.round((now - intended) / 1000)));
    count++;
  }
  if (!read && !done) {
    // Spin briefly before parking: a parked thread takes tens of microseconds to wake here, with a
    // long tail; the spin is bounded, then the thread sleeps on the log's doorbell.
    const spinUntil = performance.now() + SPIN_MS;
    while (reader.signal() === signal && performance.now() < spinUntil);
    if (reader.signal() === signal) reader.wait(signal, 100);
  }
}
const result: E2eConsumerResult = { count, histogram: encodeHistogram(histogram) };
parentPort?.postMessage(result);
