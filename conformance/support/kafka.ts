/** A test's Kafka session on the selected target: n/a without the kafka capability. */
import { randomBytes } from 'node:crypto';
import { onTestFinished, type TestContext } from 'vitest';
import type { Consumer, ConsumerConfig, Kafka, Producer, ProducerConfig } from '../../core/client/kafka/index.js';
import { requires } from './target.js';

export interface KafkaSession {
  readonly kafka: Kafka;
  topic(label: string): string;
  producer(config?: ProducerConfig): Promise<Producer>;
  createTopic(topic: string, numPartitions: number): Promise<void>;
  /** A connected consumer with fast group timing (heartbeat 100 ms), disconnected when the test ends. */
  consumer(config: Partial<ConsumerConfig> & { readonly groupId: string }): Promise<Consumer>;
  /** The group's committed offsets of `topic`, by partition. */
  committed(groupId: string, topic: string): Promise<string[]>;
}

export async function kafkaSession(ctx: TestContext, options?: { readonly brokers?: number; readonly autoCreateTopics?: boolean }): Promise<KafkaSession> {
  const target = requires(ctx, 'kafka');
  const kafka = await target.kafkaClient(options);
  const suffix = randomBytes(5).toString('hex');
  const admin = kafka.admin();
  await admin.connect();
  onTestFinished(() => admin.disconnect());
  return {
    kafka,
    topic: (label) => `conf-${label}-${suffix}`,
    async producer(config?: ProducerConfig): Promise<Producer> {
      const producer = kafka.producer(config);
      await producer.connect();
      onTestFinished(() => producer.disconnect());
      return producer;
    },
    async createTopic(topic, numPartitions): Promise<void> {
      await admin.createTopics({ topics: [{ topic, numPartitions }] });
    },
    async consumer(config): Promise<Consumer> {
      const consumer = kafka.consumer({ heartbeatInterval: 100, sessionTimeout: 6_000, maxWaitTimeInMs: 100, ...config });
      await consumer.connect();
      onTestFinished(() => consumer.disconnect());
      return consumer;
    },
    async committed(groupId, topic): Promise<string[]> {
      const [t] = await admin.fetchOffsets({ groupId, topics: [topic] });
      return (t?.partitions ?? []).sort((a, b) => a.partition - b.partition).map((p) => p.offset);
    },
  };
}

/** The rejection's fields, for toMatchObject on Kafka error codes. */
export async function rejection(promise: Promise<unknown>): Promise<Record<string, unknown>> {
  try {
    await promise;
  } catch (error) {
    return typeof error === 'object' && error !== null ? (error as Record<string, unknown>) : { message: String(error) };
  }
  throw new Error('expected a rejection, but the operation succeeded');
}
