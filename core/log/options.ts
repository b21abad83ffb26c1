/**
 * PartitionLog options: one defaults object, validated once at construction (never on the hot path).
 * Names follow Kafka's topic configs in camelCase (segment.bytes -> segmentBytes, ...).
 */
import { coarseNow } from './clock.js';
import { lazy, zod } from '../schema.js';
import { invalidConfig } from './errors.js';
import {
  BATCH_HEADER_BYTES,
  DEFAULT_MAX_MESSAGE_BYTES,
  MAX_FILLER_BYTES,
  MIN_INDEX_SPACING,
  MIN_SEGMENT_BYTES,
  SEGMENT_HEADER_BYTES,
  INDEX_ENTRY_BYTES,
} from './layout.js';

export const partitionLogDefaults = {
  /** segment.bytes: size of each segment SharedArrayBuffer. */
  segmentBytes: 8 * 1024 * 1024,
  /** index.interval.bytes: bytes of batches between two sparse index entries. */
  indexIntervalBytes: 4096,
  /**
   * max.message.bytes: largest batch (or single record with its batch header) accepted. Left unset,
   * it is lowered to what one segment holds when segments are smaller than that.
   */
  maxMessageBytes: DEFAULT_MAX_MESSAGE_BYTES,
  /** Single appends go into an open batch that is sealed at this many bytes (Kafka's batch.size)... */
  batchSize: 16_384,
  /** ...or this many records. */
  batchMaxRecords: 1000,
  /** retention.bytes: -1 keeps everything. */
  retentionBytes: -1,
  /** retention.ms: 7 days; -1 keeps everything. */
  retentionMs: 604_800_000,
  /** appendBatch checks the CRC of batches that carry one (costs ~1 ns per byte). */
  verifyCrc: false,
  /** Compute the CRC when sealing a batch of single appends (costs ~1 ns per byte; see partition-log.ts). */
  sealCrc: false,
  /** Written into partitionLeaderEpoch of every stored batch. */
  leaderEpoch: 0,
  /** Offset of the first record of a new, empty log. */
  startOffset: 0,
} as const;

export interface PartitionLogOptions {
  readonly segmentBytes: number;
  readonly indexIntervalBytes: number;
  readonly maxMessageBytes: number;
  readonly batchSize: number;
  readonly batchMaxRecords: number;
  readonly retentionBytes: number;
  readonly retentionMs: number;
  readonly verifyCrc: boolean;
  readonly sealCrc: boolean;
  readonly leaderEpoch: number;
  readonly startOffset: number;
  /** Clock for records appended without a timestamp and for retention by age (default coarseNow, see clock.ts). */
  readonly now: () => number;
}

const schema = lazy(() => {
  const z = zod();
  return z
  .object({
    segmentBytes: z.number().int().min(MIN_SEGMENT_BYTES).max(0x7fff_fff8).multipleOf(8),
    indexIntervalBytes: z.number().int().min(0),
    maxMessageBytes: z.number().int().min(BATCH_HEADER_BYTES + 8),
    batchSize: z.number().int().min(1),
    batchMaxRecords: z.number().int().min(1).max(0x7fff_fffe),
    retentionBytes: z.number().int().min(-1),
    retentionMs: z.number().int().min(-1),
    verifyCrc: z.boolean(),
    sealCrc: z.boolean(),
    leaderEpoch: z.number().int().min(-1).max(0x7fff_ffff),
    startOffset: z.number().int().min(0).max(Number.MAX_SAFE_INTEGER),
  })
  .strict();
});

/** Merges `options` over the defaults and validates them; throws INVALID_CONFIG naming every problem. */
export function resolvePartitionLogOptions(options: Partial<PartitionLogOptions> = {}): PartitionLogOptions {
  const { now, ...rest } = options;
  const merged = { ...partitionLogDefaults, ...rest };
  if (options.maxMessageBytes === undefined && Number.isInteger(merged.segmentBytes) && merged.segmentBytes >= MIN_SEGMENT_BYTES) {
    const room = segmentDataCapacity(merged.segmentBytes, merged.indexIntervalBytes) - MAX_FILLER_BYTES;
    merged.maxMessageBytes = Math.min(partitionLogDefaults.maxMessageBytes, room);
  }
  const parsed = schema().safeParse(merged);
  if (!parsed.success) throw invalidConfig(zod().prettifyError(parsed.error).replace(/\n/g, '; '));
  if (now !== undefined && typeof now !== 'function') throw invalidConfig('now must be a function returning milliseconds');
  const resolved: PartitionLogOptions = { ...parsed.data, now: now ?? coarseNow };
  const capacity = segmentDataCapacity(resolved.segmentBytes, resolved.indexIntervalBytes);
  if (resolved.maxMessageBytes + MAX_FILLER_BYTES > capacity) {
    throw invalidConfig(
      `maxMessageBytes ${resolved.maxMessageBytes} does not fit in a segment of ${resolved.segmentBytes} bytes (room for ${capacity - MAX_FILLER_BYTES})`,
    );
  }
  return resolved;
}

/** Index entries a segment reserves: one per index interval (at least MIN_INDEX_SPACING bytes apart). */
export function indexCapacity(segmentBytes: number, indexIntervalBytes: number): number {
  return Math.floor((segmentBytes - SEGMENT_HEADER_BYTES) / Math.max(indexIntervalBytes, MIN_INDEX_SPACING)) + 1;
}

/** Bytes left for batches once the segment header and index are reserved. */
export function segmentDataCapacity(segmentBytes: number, indexIntervalBytes: number): number {
  return segmentBytes - SEGMENT_HEADER_BYTES - indexCapacity(segmentBytes, indexIntervalBytes) * INDEX_ENTRY_BYTES;
}
