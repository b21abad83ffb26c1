/**
 * Test fixture (remote.test.ts): a worker thread that attaches to a cluster shared by the main thread,
 * writes `count` records to a partition with the native writer, reads them back with the native
 * reader, and posts what it read.
 */
import { parentPort, workerData, type MessagePort } from 'node:worker_threads';
import { PartitionReader, PartitionWriter } from './native/index.js';
import { attachCluster } from './remote.js';

interface Job {
  readonly port: MessagePort;
  readonly topic: string;
  readonly count: number;
  readonly acks: -1 | 1;
}

const job = workerData as Job;
const ctx = await attachCluster(job.port);
try {
  const writer = await PartitionWriter.open(ctx, job.topic, 0, { acks: job.acks, batchSize: 4096 });
  for (let i = 0; i < job.count; i++) while (!writer.append(null, Buffer.from(`w${i}`))) await writer.ready();
  await writer.close();
  const reader = await PartitionReader.open(ctx, job.topic, 0, { fromOffset: 'earliest' });
  const values: string[] = [];
  while (values.length < job.count) {
    while (reader.cursor.next()) values.push(Buffer.from(reader.cursor.value()!).toString());
    if (values.length < job.count) await reader.waitForData(100);
  }
  reader.close();
  parentPort!.postMessage({ ok: true, values, acknowledged: writer.acknowledged });
} catch (error) {
  parentPort!.postMessage({ ok: false, error: error instanceof Error ? `${error.name}: ${error.message}` : String(error) });
} finally {
  await ctx.close();
}
