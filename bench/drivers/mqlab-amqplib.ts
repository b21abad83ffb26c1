/**
 * mqlab's amqplib-shaped API (`mqlab/amqp`) on an isolated in-process host, one connection per
 * producer and consumer.
 *
 * Placement: main thread. The host's transport is in-process (the broker model runs in the thread
 * that created it) and the engine has no cross-thread AMQP transport yet, so generators in workers
 * could not reach it.
 */
import { connect, createAmqpHost, type AmqpHost } from '../../core/client/amqp/index.js';
import type { AmqpWorkload, Workload } from '../workload.js';
import { amqpNames, declareTopology, openAmqpConsumer, openAmqpProducer, type AmqpConnectionLike, type AmqpNames } from './amqp-endpoints.js';
import type { ConsumerEndpoint, Driver, DriverSession, MessageSink, ProducerEndpoint, WorkerSpec } from './types.js';

class MqlabAmqpSession implements DriverSession {
  readonly targets: number;
  readonly brokerThreads = 0;

  constructor(
    readonly workload: AmqpWorkload,
    readonly host: AmqpHost,
    readonly names: AmqpNames,
  ) {
    this.targets = workload.publish.routingKeys.length;
  }

  async #connect(): Promise<AmqpConnectionLike> {
    // mqlab's Connection has amqplib's methods; its types are its own, hence the narrowing cast.
    return (await connect({ host: this.host })) as unknown as AmqpConnectionLike;
  }

  async openProducer(): Promise<ProducerEndpoint> {
    return openAmqpProducer(await this.#connect(), this.names.routes);
  }

  async openConsumer(index: number, sink: MessageSink): Promise<ConsumerEndpoint> {
    const queue = this.names.queues[index % this.names.queues.length]!;
    return openAmqpConsumer(await this.#connect(), queue, this.workload.prefetch, this.workload.ack, sink);
  }

  workerSpec(): Promise<WorkerSpec> {
    return Promise.reject(new Error('mqlab-amqplib generators run in the main thread'));
  }

  close(): Promise<void> {
    this.host.close();
    return Promise.resolve();
  }
}

export const mqlabAmqplibDriver: Driver = {
  name: 'mqlab-amqplib',
  model: 'amqp',
  system: 'mqlab',
  producersIn: 'main',
  consumersIn: 'main',
  unavailable: () => Promise.resolve(undefined),
  async open(workload: Workload, runId: string): Promise<DriverSession> {
    if (workload.model !== 'amqp') throw new Error(`mqlab-amqplib drives the amqp model, not ${workload.model}`);
    const host = createAmqpHost();
    const names = amqpNames(workload, runId);
    const conn = (await connect({ host })) as unknown as AmqpConnectionLike;
    await declareTopology(conn, names);
    await conn.close();
    return new MqlabAmqpSession(workload, host, names);
  },
};
