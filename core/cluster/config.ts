/**
 * The cluster's and brokers' settings: one defaults object, validated once at the edge with zod and
 * never re-checked on the hot path. Names follow Kafka's broker configs (num.partitions,
 * default.replication.factor, auto.create.topics.enable, message.max.bytes, ...) in camelCase.
 */
import { zod } from '../schema.js';
import { KafkaConfigError, MqlabError } from '../errors/index.js';
import { resolvePartitionLogOptions } from '../log/index.js';
import { partitionLogSettings } from './log-settings.js';

// This module runs on the main thread only: zod loads with it (see core/schema.ts).
const z = zod();

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
  /** group.min.session.timeout.ms and group.max.session.timeout.ms: the session timeouts a group member may ask for. */
  groupMinSessionTimeoutMs: 6_000,
  groupMaxSessionTimeoutMs: 1_800_000,
  /** group.initial.rebalance.delay.ms (0 here, as Kafka's own test brokers use, so a first join completes at once). */
  groupInitialRebalanceDelayMs: 0,
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
    groupMinSessionTimeoutMs: positiveInt,
    groupMaxSessionTimeoutMs: positiveInt,
    groupInitialRebalanceDelayMs: z.number().int().min(0),
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
  const c = parsed.data;
  const isPowerOfTwo = (n: number): boolean => (n & (n - 1)) === 0;
  for (const [name, bytes] of [['requestRingBytes', c.requestRingBytes], ['responseRingBytes', c.responseRingBytes]] as const) {
    if (!isPowerOfTwo(bytes)) throw new KafkaConfigError(`invalid cluster config ${name}: ${bytes} is not a power of two`);
  }
  // A ring's largest frame is half the ring: a produce frame of message.max.bytes must fit one.
  if (c.requestRingBytes / 2 < c.messageMaxBytes + REQUEST_FRAME_OVERHEAD) {
    throw new KafkaConfigError(`invalid cluster config requestRingBytes: ${c.requestRingBytes} cannot carry a ${c.messageMaxBytes}-byte batch (messageMaxBytes); use at least ${2 * (c.messageMaxBytes + REQUEST_FRAME_OVERHEAD)} rounded up to a power of two`);
  }
  if (c.groupMinSessionTimeoutMs > c.groupMaxSessionTimeoutMs) {
    throw new KafkaConfigError(`invalid cluster config: groupMinSessionTimeoutMs ${c.groupMinSessionTimeoutMs} exceeds groupMaxSessionTimeoutMs ${c.groupMaxSessionTimeoutMs}`);
  }
  if (parsed.data.segmentBytes < parsed.data.messageMaxBytes + 1024) {
    throw new KafkaConfigError(`segmentBytes (${parsed.data.segmentBytes}) must exceed messageMaxBytes (${parsed.data.messageMaxBytes}) so that any accepted batch fits one segment`);
  }
  // Partition logs are built in broker workers from these settings without validating them again.
  try {
    resolvePartitionLogOptions(partitionLogSettings(c));
  } catch (error) {
    throw new KafkaConfigError(`invalid cluster config: ${error instanceof MqlabError ? error.message : String(error)}`);
  }
  return c;
}

/** Framing a produce frame adds to its batch: the request header and the ring's frame header. */
const REQUEST_FRAME_OVERHEAD = 64;
