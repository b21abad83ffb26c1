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
const histogram = createLatencyHistogram();
let count = 0;
let done = false;
let measureFrom = -1n;
while (!done) {
  const signal = reader.signal();
  let read = false;
  while (cursor.next()) {
    read = true;
    const b = cursor.bytes;
    const view = new DataView(b.buffer, b.byteOffset + cursor.valueOffset, 16);
    const intended = view.getBigUint64(0, true);
    if (intended === 0n) {
      done = true;
      break;
    }
    if (measureFrom < 0n) measureFrom = view.getBigUint64(8, true);
    if (intended < measureFrom) continue;
    const micros = Number(process.hrtime.bigint() - intended) / 1000;
    histogram.recordValue(Math.max(1, Math.round(micros)));
    count++;
  }
  if (!read && !done) reader.wait(signal, 100);
}
const result: E2eConsumerResult = { count, histogram: encodeHistogram(histogram) };
parentPort?.postMessage(result);
