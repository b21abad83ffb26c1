/**
 * The `rabbitmq` target: a real server through the real amqplib. Firehose checks need
 * `rabbitmqctl` on this machine (trace_on / trace_off on the vhost); without it they are n/a.
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import amqplib from 'amqplib';
import type { Cluster, Kafka } from '../../core/client/kafka/index.js';
import type { AmqpConnection, Capability, Target } from './types.js';

export const DEFAULT_RABBITMQ_URL = 'amqp://guest:guest@127.0.0.1:5672';

const run = promisify(execFile);

export interface RabbitmqTargetOptions {
  readonly url?: string;
  /** Whether rabbitmqctl may toggle the firehose (default: when `rabbitmqctl status` answers). */
  readonly firehose?: boolean;
}

export class RabbitmqTarget implements Target {
  readonly name = 'rabbitmq' as const;
  readonly capabilities: ReadonlySet<Capability>;
  readonly url: string;

  constructor(options: RabbitmqTargetOptions = {}) {
    this.url = options.url ?? DEFAULT_RABBITMQ_URL;
    const caps: Capability[] = ['amqp'];
    if (options.firehose === true) caps.push('firehose');
    this.capabilities = new Set(caps);
  }

  amqpConnect(): Promise<AmqpConnection> {
    return amqplib.connect(this.url);
  }

  kafkaClient(): Promise<Kafka> {
    return Promise.reject(new Error('the rabbitmq target has no Kafka model'));
  }

  kafkaCluster(): Promise<Cluster> {
    return Promise.reject(new Error('the rabbitmq target has no Kafka model, so no replicated cluster to break'));
  }

  async version(): Promise<string> {
    const model = await amqplib.connect(this.url);
    try {
      const props = model.connection.serverProperties as Record<string, unknown>;
      const text = (value: unknown, fallback: string): string => (typeof value === 'string' ? value : fallback);
      return `${text(props['product'], 'RabbitMQ')} ${text(props['version'], 'unknown')}`;
    } finally {
      await model.close();
    }
  }

  async setTracing(enabled: boolean): Promise<void> {
    await run('rabbitmqctl', [enabled ? 'trace_on' : 'trace_off'], { timeout: 20_000 });
  }

  close(): Promise<void> {
    return Promise.resolve();
  }
}

/** Whether rabbitmqctl is usable here (for the firehose capability). */
export async function rabbitmqctlAvailable(): Promise<boolean> {
  try {
    await run('rabbitmqctl', ['status'], { timeout: 20_000 });
    return true;
  } catch {
    return false;
  }
}
