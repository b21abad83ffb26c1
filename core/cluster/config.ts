/**
 * The cluster's and brokers' settings: one defaults object, validated once at the edge with zod and
 * never re-checked on the hot path. Names follow Kafka's broker configs (num.partitions,
 * default.replication.factor, auto.create.topics.enable, message.max.bytes, ...) in camelCase.
 */
import { z } from 'zod';
import { KafkaConfigError } from '../errors/index.js';

export const brokerDefaults = {
  /** num.partitions: partitions of an auto-created topic. */
  numPartitions: 1,
  /** default.replication.factor: replicas of an auto-created topic. */
  defaultReplicationFactor: 1,
  /** auto.create.topics.enable */
  autoCreateTopics: true,
  /** message.max.bytes: the largest record batch a broker accepts (Kafka's default). */
  messageMaxBytes: 1_048_588,
  /** log.segment.bytes, scaled to memory: each segment is one SharedArrayBuffer. */
  segmentBytes: 8 * 1024 * 1024,
  /** log.retention.bytes per partition; -1 keeps everything. */
  retentionBytes: -1,
  /** log.retention.ms; -1 keeps everything. */
  retentionMs: 7 * 24 * 60 * 60 * 1000,
  /** min.insync.replicas */
  minInsyncReplicas: 1,
  /** replica.lag.time.max.ms */
  replicaLagTimeMaxMs: 30_000,
  /** unclean.leader.election.enable */
  uncleanLeaderElection: false,
  /** How often a broker beats, and how long the controller waits before it declares the broker dead. */
  heartbeatIntervalMs: 50,
  brokerSessionTimeoutMs: 300,
  /** The ring each client connection gets to each broker, per direction. */
  requestRingBytes: 4 * 1024 * 1024,
  responseRingBytes: 256 * 1024,
  /** The seed's default cap on the replication factor. */
  maxReplicationFactor: 10,
  /** Partitions of the internal __consumer_offsets topic (offsets.topic.num.partitions). */
  offsetsTopicNumPartitions: 50,
} as const;

export type BrokerConfig = { -readonly [K in keyof typeof brokerDefaults]: (typeof brokerDefaults)[K] extends boolean ? boolean : number };

const positiveInt = z.number().int().positive();

const brokerConfigSchema = z
  .object({
    numPartitions: positiveInt,
    defaultReplicationFactor: positiveInt,
    autoCreateTopics: z.boolean(),
    messageMaxBytes: positiveInt,
    segmentBytes: positiveInt.min(64 * 1024),
    retentionBytes: z.number().int().min(-1),
    retentionMs: z.number().int().min(-1),
    minInsyncReplicas: positiveInt,
    replicaLagTimeMaxMs: positiveInt,
    uncleanLeaderElection: z.boolean(),
    heartbeatIntervalMs: positiveInt,
    brokerSessionTimeoutMs: positiveInt,
    requestRingBytes: positiveInt.min(64 * 1024),
    responseRingBytes: positiveInt.min(4 * 1024),
    maxReplicationFactor: positiveInt,
    offsetsTopicNumPartitions: positiveInt,
  })
  .strict();

export type BrokerConfigInput = Partial<BrokerConfig>;

/** Merges user settings over the defaults and validates the result once. */
export function resolveBrokerConfig(input: BrokerConfigInput = {}): BrokerConfig {
  const parsed = brokerConfigSchema.safeParse({ ...brokerDefaults, ...input });
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const where = issue?.path.join('.') ?? '?';
    throw new KafkaConfigError(`invalid cluster config ${where}: ${issue?.message ?? 'invalid'}`);
  }
  if (parsed.data.segmentBytes < parsed.data.messageMaxBytes + 1024) {
    throw new KafkaConfigError(`segmentBytes (${parsed.data.segmentBytes}) must exceed messageMaxBytes (${parsed.data.messageMaxBytes}) so that any accepted batch fits one segment`);
  }
  return parsed.data;
}
