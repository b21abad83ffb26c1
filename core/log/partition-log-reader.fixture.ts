/**
 * Worker entry for partition-log-reader.test.ts: follows a log owned by the main thread and reports
 * what it read. `followLog` holds the logic; the entry only wires workerData to it.
 */
import { parentPort, workerData, type MessagePort } from 'node:worker_threads';
import type { LogDescriptor } from './descriptor.js';
import { PartitionLogReader } from './partition-log-reader.js';
import { pullSegmentsFrom } from './segment-port.js';

export interface FollowTask {
  readonly descriptor: LogDescriptor;
  readonly port: MessagePort;
  readonly expected: number;
  readonly valueBytes: number;
  readonly deadlineMs: number;
}

export interface FollowResult {
  readonly count: number;
  readonly outOfOrder: number;
  readonly badValues: number;
  readonly lastOffset: number;
  readonly segmentsSeen: number;
}

/** The value the test writes at `offset`: byte i is (offset * 31 + i) & 0xff. */
export function expectedByte(offset: number, i: number): number {
  return (offset * 31 + i) & 0xff;
}

export function followLog(task: FollowTask): FollowResult {
  const reader = PartitionLogReader.attach(task.descriptor, { pullSegment: pullSegmentsFrom(task.port) });
  const cursor = reader.cursor(0);
  const segments = new Set<number>();
  const deadline = Date.now() + task.deadlineMs;
  let count = 0;
  let outOfOrder = 0;
  let badValues = 0;
  let last = -1;
  while (count < task.expected && Date.now() < deadline) {
    const signal = reader.signal();
    let progressed = false;
    while (cursor.next()) {
      progressed = true;
      const o = cursor.offset;
      if (o !== last + 1) outOfOrder++;
      last = o;
      const b = cursor.bytes;
      const v = cursor.valueOffset;
      const n = task.valueBytes;
      if (cursor.valueLength !== n || b[v] !== expectedByte(o, 0) || b[v + n - 1] !== expectedByte(o, n - 1)) badValues++;
      segments.add(cursor.segmentOrdinal);
      count++;
    }
    if (!progressed) reader.wait(signal, 20);
  }
  reader.close();
  return { count, outOfOrder, badValues, lastOffset: last, segmentsSeen: segments.size };
}

if (parentPort !== null && workerData !== null) parentPort.postMessage(followLog(workerData as FollowTask));
