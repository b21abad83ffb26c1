/**
 * Defaults of the group coordinator and the offset store in one place, named after the broker
 * configs they stand for, and their validation (once, at construction).
 */
import { parseOrThrow } from '../parse-options.js';
import { randomUUID } from 'node:crypto';
import { zod } from '../../schema.js';
import { KafkaConfigError } from '../../errors/index.js';
import type { Assignor } from './assignors/types.js';
import type { GroupCompletion } from './types.js';

// This module runs on the main thread only: zod loads with it (see core/schema.ts).
const z = zod();

export const GROUP_COORDINATOR_DEFAULTS = {
  /** `group.min.session.timeout.ms` */
  minSessionTimeoutMs: 6_000,
  /** `group.max.session.timeout.ms` */
  maxSessionTimeoutMs: 1_800_000,
  /**
   * `group.initial.rebalance.delay.ms`. Kafka's broker default is 3000; an embedded coordinator
   * defaults to 0, as Kafka's own test brokers do, so a group's first join completes at once.
   */
  initialRebalanceDelayMs: 0,
  /** `group.max.size` */
  maxGroupSize: 2_147_483_647,
  /** GroupCoordinator.NewMemberJoinTimeoutMs: how long a new member's parked JoinGroup may wait. */
  newMemberJoinTimeoutMs: 300_000,
  /** The client id used in generated member ids when a JoinGroup has none. */
  defaultClientId: 'mqlab',
} as const;

export const OFFSET_STORE_DEFAULTS = {
  /** `offsets.topic.num.partitions` */
  offsetsTopicPartitions: 50,
  /** `offset.metadata.max.bytes` (compared with the metadata string's length, as Kafka does). */
  offsetMetadataMaxBytes: 4_096,
} as const;

export interface GroupCoordinatorOptions {
  readonly minSessionTimeoutMs?: number;
  readonly maxSessionTimeoutMs?: number;
  readonly initialRebalanceDelayMs?: number;
  readonly maxGroupSize?: number;
  readonly newMemberJoinTimeoutMs?: number;
  readonly defaultClientId?: string;
  /** Partition count of a topic, for server-side assignment; undefined for an unknown topic. */
  readonly partitionCount?: (topic: string) => number | undefined;
  /** Extra server-side assignors, by protocol name (they override built-ins of the same name). */
  readonly assignors?: readonly Assignor[];
  /** Source of the uuid in generated member ids (inject a counter for reproducible ids). */
  readonly generateUuid?: () => string;
  /**
   * Called with each parked request's answer, during the coordinator call that produced it; without
   * it, answers queue for `drainCompletions()`. It must not throw, and should resolve promises or
   * queue work rather than call back into the coordinator synchronously.
   */
  readonly onCompletion?: (completion: GroupCompletion) => void;
}

export interface ResolvedGroupCoordinatorOptions {
  readonly minSessionTimeoutMs: number;
  readonly maxSessionTimeoutMs: number;
  readonly initialRebalanceDelayMs: number;
  readonly maxGroupSize: number;
  readonly newMemberJoinTimeoutMs: number;
  readonly defaultClientId: string;
  readonly partitionCount: ((topic: string) => number | undefined) | undefined;
  readonly assignors: readonly Assignor[];
  readonly generateUuid: () => string;
  readonly onCompletion: ((completion: GroupCompletion) => void) | undefined;
}

export interface OffsetStoreOptions {
  readonly offsetsTopicPartitions?: number;
  readonly offsetMetadataMaxBytes?: number;
}

const INT32_MAX = 0x7fffffff;
const fn = z.custom<(...args: never[]) => unknown>((v) => typeof v === 'function', { message: 'must be a function' });
const assignorSchema = z.custom<Assignor>(
  (v) => typeof v === 'object' && v !== null && typeof (v as { name?: unknown }).name === 'string' && typeof (v as { assign?: unknown }).assign === 'function',
  { message: 'must be an assignor ({ name, assign })' },
);

const coordinatorSchema = z
  .object({
    minSessionTimeoutMs: z.number().int().min(0).max(INT32_MAX).optional(),
    maxSessionTimeoutMs: z.number().int().min(0).max(INT32_MAX).optional(),
    initialRebalanceDelayMs: z.number().int().min(0).max(INT32_MAX).optional(),
    maxGroupSize: z.number().int().min(1).max(INT32_MAX).optional(),
    newMemberJoinTimeoutMs: z.number().int().min(1).max(INT32_MAX).optional(),
    defaultClientId: z.string().optional(),
    partitionCount: fn.optional(),
    assignors: z.array(assignorSchema).optional(),
    generateUuid: fn.optional(),
    onCompletion: fn.optional(),
  })
  .strict();

const offsetStoreSchema = z
  .object({
    offsetsTopicPartitions: z.number().int().min(1).max(INT32_MAX).optional(),
    offsetMetadataMaxBytes: z.number().int().min(0).max(INT32_MAX).optional(),
  })
  .strict();

export function resolveGroupCoordinatorOptions(options?: GroupCoordinatorOptions): ResolvedGroupCoordinatorOptions {
  parseOrThrow(coordinatorSchema, options, 'group coordinator');
  const o = options ?? {};
  const d = GROUP_COORDINATOR_DEFAULTS;
  const resolved: ResolvedGroupCoordinatorOptions = {
    minSessionTimeoutMs: o.minSessionTimeoutMs ?? d.minSessionTimeoutMs,
    maxSessionTimeoutMs: o.maxSessionTimeoutMs ?? d.maxSessionTimeoutMs,
    initialRebalanceDelayMs: o.initialRebalanceDelayMs ?? d.initialRebalanceDelayMs,
    maxGroupSize: o.maxGroupSize ?? d.maxGroupSize,
    newMemberJoinTimeoutMs: o.newMemberJoinTimeoutMs ?? d.newMemberJoinTimeoutMs,
    defaultClientId: o.defaultClientId ?? d.defaultClientId,
    partitionCount: o.partitionCount,
    assignors: o.assignors ?? [],
    generateUuid: o.generateUuid ?? randomUUID,
    onCompletion: o.onCompletion,
  };
  if (resolved.minSessionTimeoutMs > resolved.maxSessionTimeoutMs) {
    throw new KafkaConfigError(
      `Invalid group coordinator options: minSessionTimeoutMs (${resolved.minSessionTimeoutMs}) exceeds maxSessionTimeoutMs (${resolved.maxSessionTimeoutMs})`,
    );
  }
  return resolved;
}

export function resolveOffsetStoreOptions(options?: OffsetStoreOptions): Required<OffsetStoreOptions> {
  const o = parseOrThrow(offsetStoreSchema, options, 'offset store');
  return {
    offsetsTopicPartitions: o.offsetsTopicPartitions ?? OFFSET_STORE_DEFAULTS.offsetsTopicPartitions,
    offsetMetadataMaxBytes: o.offsetMetadataMaxBytes ?? OFFSET_STORE_DEFAULTS.offsetMetadataMaxBytes,
  };
}
