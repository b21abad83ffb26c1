/**
 * The worker side of the mqlab-native driver.
 * - Consumers attach to partition logs from the descriptors the main thread got from the leaders,
 *   and hand every record's value to the sink straight from shared memory. When caught up they spin
 *   briefly, then park on the log's doorbell (bounded).
 * - Producers attach to the cluster the main thread shares (attachCluster) and write with the native
 *   PartitionWriter into their own request rings, as a producer in the cluster's thread does.
 */
import type { MessagePort } from 'node:worker_threads';
import type { ClientContext } from '../../core/client/context.js';
import { PartitionWriter } from '../../core/client/native/index.js';
import { attachCluster } from '../../core/client/remote.js';
import { PartitionLogReader, pullSegmentsFrom, type LogDescriptor, type RecordCursor } from '../../core/log/index.js';
import type { ConsumerEndpoint, MessageSink, ProducerEndpoint, WorkerDriver } from './types.js';

export interface NativeWriterSpec {
  /** From shareCluster() in the main thread. */
  readonly port: MessagePort;
  /** Topic and partition of each send target, by target index. */
  readonly targets: readonly { readonly topic: string; readonly partition: number }[];
  readonly acks: -1 | 0 | 1;
  readonly batchBytes: number;
}

/** A producer over native writers, one per target. */
export class NativeProducer implements ProducerEndpoint {
  #blocked: PartitionWriter | undefined;

  constructor(
    readonly writers: readonly PartitionWriter[],
    private readonly ctx?: ClientContext,
  ) {}

  static async open(ctx: ClientContext, spec: Omit<NativeWriterSpec, 'port'>, ownsContext: boolean): Promise<NativeProducer> {
    const writers: PartitionWriter[] = [];
    for (const t of spec.targets) writers.push(await PartitionWriter.open(ctx, t.topic, t.partition, { acks: spec.acks, batchSize: spec.batchBytes }));
    return new NativeProducer(writers, ownsContext ? ctx : undefined);
  }

  append(target: number, message: Uint8Array): boolean {
    const writer = this.writers[target]!;
    if (writer.append(null, message)) return true;
    this.#blocked = writer;
    return false;
  }

  async ready(): Promise<void> {
    const blocked = this.#blocked;
    this.#blocked = undefined;
    if (blocked !== undefined) await blocked.ready();
  }

  send(): void {
    for (const w of this.writers) w.send();
  }

  async flush(): Promise<void> {
    await Promise.all(this.writers.map((w) => w.flush()));
  }

  async close(): Promise<void> {
    await Promise.all(this.writers.map((w) => w.close()));
    await this.ctx?.close();
  }
}

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
  async openProducer(spec: unknown): Promise<ProducerEndpoint> {
    const writerSpec = spec as NativeWriterSpec;
    return NativeProducer.open(await attachCluster(writerSpec.port), writerSpec, true);
  },
  openConsumer(spec: unknown, sink: MessageSink): Promise<ConsumerEndpoint> {
    return Promise.resolve(new NativeReaderConsumer(spec as NativeReaderSpec, sink));
  },
};
