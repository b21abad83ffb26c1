/**
 * The worker side of the mqlab-native driver: attaches to partition logs from the descriptors the
 * main thread got from the leaders, and hands every record's value to the sink straight from shared
 * memory. When caught up it spins briefly, then parks on the log's doorbell (bounded).
 */
import type { MessagePort } from 'node:worker_threads';
import { PartitionLogReader, pullSegmentsFrom, type LogDescriptor, type RecordCursor } from '../../core/log/index.js';
import type { ConsumerEndpoint, MessageSink, ProducerEndpoint, WorkerDriver } from './types.js';

export interface NativeReaderSpec {
  readonly readers: readonly { readonly descriptor: LogDescriptor; readonly port: MessagePort }[];
}

/** How long a caught-up consumer re-checks before it parks: a wake-up costs tens of µs here. */
const SPIN_MS = 0.3;

class NativeReaderConsumer implements ConsumerEndpoint {
  readonly #readers: PartitionLogReader[];
  readonly #cursors: RecordCursor[];
  readonly #ports: MessagePort[];

  constructor(
    spec: NativeReaderSpec,
    readonly sink: MessageSink,
  ) {
    this.#readers = spec.readers.map((r) => PartitionLogReader.attach(r.descriptor, { pullSegment: pullSegmentsFrom(r.port) }));
    this.#cursors = this.#readers.map((r) => r.cursor(r.logStartOffset));
    this.#ports = spec.readers.map((r) => r.port);
  }

  poll(): number {
    let n = 0;
    for (const c of this.#cursors) {
      while (c.next()) {
        this.sink(c.bytes, c.valueOffset, c.valueLength);
        n++;
      }
    }
    return n;
  }

  idle(maxMs: number): Promise<void> {
    const reader = this.#readers[0];
    if (reader === undefined) return new Promise((resolve) => setTimeout(resolve, maxMs));
    const signal = reader.signal();
    const spinUntil = performance.now() + SPIN_MS;
    while (performance.now() < spinUntil) if (this.#hasMore()) return Promise.resolve();
    // With several partitions, park on the first one's doorbell only briefly.
    if (!this.#hasMore()) reader.wait(signal, this.#readers.length === 1 ? maxMs : Math.min(1, maxMs));
    return Promise.resolve();
  }

  #hasMore(): boolean {
    for (let i = 0; i < this.#readers.length; i++) if (this.#readers[i]!.highWatermark > this.#cursors[i]!.position) return true;
    return false;
  }

  close(): Promise<void> {
    for (const r of this.#readers) r.close();
    for (const p of this.#ports) p.close();
    return Promise.resolve();
  }
}

export const mqlabNativeWorkerDriver: WorkerDriver = {
  openProducer(): Promise<ProducerEndpoint> {
    return Promise.reject(new Error('mqlab-native producers run in the main thread'));
  },
  openConsumer(spec: unknown, sink: MessageSink): Promise<ConsumerEndpoint> {
    return Promise.resolve(new NativeReaderConsumer(spec as NativeReaderSpec, sink));
  },
};
