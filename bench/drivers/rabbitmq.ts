/**
 * The RabbitMQ peer through amqplib over TCP (MQLAB_RABBITMQ_URL, default
 * amqp://guest:guest@127.0.0.1:5672). Producers and consumers run in load-generator workers, each
 * with its own connection. When no server answers, scenarios on this driver are skipped and
 * recorded as skipped, never as passed.
 */
import amqplib from 'amqplib';
import type { AmqpWorkload, Workload } from '../workload.js';
import { amqpNames, declareTopology, deleteTopology, type AmqpNames } from './amqp-endpoints.js';
import type { RabbitmqSpec } from './rabbitmq-client.js';
import type { ConsumerEndpoint, Driver, DriverSession, ProducerEndpoint, WorkerSpec } from './types.js';

export const RABBITMQ_URL = process.env.MQLAB_RABBITMQ_URL ?? 'amqp://guest:guest@127.0.0.1:5672';

/** The server address without credentials, for results files. */
export function rabbitmqServer(url = RABBITMQ_URL): string {
  return url.replace(/\/\/[^@]*@/, '//');
}

class RabbitmqSession implements DriverSession {
  readonly targets: number;
  readonly brokerThreads = 0;

  constructor(
    readonly workload: AmqpWorkload,
    readonly names: AmqpNames,
  ) {
    this.targets = workload.publish.routingKeys.length;
  }

  openProducer(): Promise<ProducerEndpoint> {
    return Promise.reject(new Error('rabbitmq generators run in load-generator workers'));
  }

  openConsumer(): Promise<ConsumerEndpoint> {
    return Promise.reject(new Error('rabbitmq generators run in load-generator workers'));
  }

  workerSpec(role: 'producer' | 'consumer', index: number): Promise<WorkerSpec> {
    const spec: RabbitmqSpec =
      role === 'producer'
        ? { url: RABBITMQ_URL, role, routes: this.names.routes, ...(this.workload.rpc === undefined ? {} : { replyTo: this.workload.rpc.replyTo }) }
        : { url: RABBITMQ_URL, role, queue: this.names.queues[index % this.names.queues.length]!, prefetch: this.workload.prefetch, ack: this.workload.ack };
    return Promise.resolve({ spec, transfer: [] });
  }

  async close(): Promise<void> {
    const conn = await amqplib.connect(RABBITMQ_URL);
    try {
      await deleteTopology(conn, this.names);
    } finally {
      await conn.close();
    }
  }
}

export const rabbitmqDriver: Driver = {
  name: 'rabbitmq',
  model: 'amqp',
  system: 'rabbitmq',
  producersIn: 'worker',
  consumersIn: 'worker',
  async unavailable(): Promise<string | undefined> {
    let timer: NodeJS.Timeout | undefined;
    try {
      const timeout = new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error('no answer within 1 s')), 1_000);
      });
      const conn = await Promise.race([amqplib.connect(RABBITMQ_URL), timeout]);
      await conn.close();
      return undefined;
    } catch (error) {
      return `RabbitMQ not reachable at ${rabbitmqServer()}: ${error instanceof Error ? error.message : String(error)}`;
    } finally {
      clearTimeout(timer);
    }
  },
  async open(workload: Workload, runId: string): Promise<DriverSession> {
    if (workload.model !== 'amqp') throw new Error(`rabbitmq drives the amqp model, not ${workload.model}`);
    const names = amqpNames(workload, runId);
    const conn = await amqplib.connect(RABBITMQ_URL);
    try {
      await declareTopology(conn, names);
    } finally {
      await conn.close();
    }
    return new RabbitmqSession(workload, names);
  },
};
