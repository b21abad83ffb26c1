/**
 * A ByteRing's settings: one defaults object, validated once with zod when a ring is created or
 * attached, never re-checked on the hot path. The capacity and max frame size live in the shared
 * header (both sides must agree); the waiting settings are each side's own.
 */
import { MqlabInternalError } from '../errors/index.js';
import { lazy, zod } from '../schema.js';
import { FRAME_HEADER_BYTES, MAX_CAPACITY, MIN_CAPACITY } from './layout.js';

export const byteRingDefaults = {
  /** Largest payload of one frame; by default the most the ring can always take (half of it). */
  maxFrameBytes: undefined as number | undefined,
  /**
   * How long a waiter re-checks before it parks. A parked worker takes ~13 µs to wake and a parked
   * event loop (waitAsync) far longer, so a peer that is only between two batches is met spinning.
   */
  spinMicros: 50,
  /**
   * After waking a parked peer, how long this side spins for it before parking in turn. On the
   * 2-core bench machine a parked worker took 60 µs (median; 170 µs p90) to run again and a parked
   * event loop 145 µs (240 µs p90); a side that parks meanwhile makes both take turns to sleep.
   */
  peerWakeMicros: 250,
  /** Longest single park before a waiter re-checks on its own (the fallback poll). */
  pollIntervalMs: 50,
  /** How long `write` waits for room before it throws RING_FULL. */
  writeTimeoutMs: 5000,
};

export interface ByteRingOptions {
  readonly maxFrameBytes?: number;
  readonly spinMicros?: number;
  readonly peerWakeMicros?: number;
  readonly pollIntervalMs?: number;
  readonly writeTimeoutMs?: number;
}

/** What attach() accepts: the shared settings come from the header. */
export type ByteRingAttachOptions = Omit<ByteRingOptions, 'maxFrameBytes'>;

export interface ResolvedWaitOptions {
  readonly spinMicros: number;
  readonly peerWakeMicros: number;
  readonly pollIntervalMs: number;
  readonly writeTimeoutMs: number;
}

const waitSchema = lazy(() => {
  const z = zod();
  return z
    .object({
      spinMicros: z.number().min(0).max(1_000_000),
      peerWakeMicros: z.number().min(0).max(1_000_000),
      pollIntervalMs: z.number().positive(),
      writeTimeoutMs: z.number().min(0),
    })
    .strict();
});

const DEFAULT_WAIT: ResolvedWaitOptions = {
  spinMicros: byteRingDefaults.spinMicros,
  peerWakeMicros: byteRingDefaults.peerWakeMicros,
  pollIntervalMs: byteRingDefaults.pollIntervalMs,
  writeTimeoutMs: byteRingDefaults.writeTimeoutMs,
};

function invalid(what: string, detail: string): MqlabInternalError {
  return new MqlabInternalError('INVALID_ARGUMENT', `invalid ByteRing option ${what}: ${detail}`);
}

export function resolveWaitOptions(input: ByteRingAttachOptions = {}): ResolvedWaitOptions {
  // The defaults are valid by construction: no schema (and no zod) for a ring opened without options.
  if (Object.keys(input).length === 0) return DEFAULT_WAIT;
  const parsed = waitSchema().safeParse({
    spinMicros: input.spinMicros ?? byteRingDefaults.spinMicros,
    peerWakeMicros: input.peerWakeMicros ?? byteRingDefaults.peerWakeMicros,
    pollIntervalMs: input.pollIntervalMs ?? byteRingDefaults.pollIntervalMs,
    writeTimeoutMs: input.writeTimeoutMs ?? byteRingDefaults.writeTimeoutMs,
  });
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw invalid(issue?.path.join('.') ?? '?', issue?.message ?? 'invalid');
  }
  return parsed.data;
}

/** The largest payload that always fits: a frame plus the worst padding before it fills the ring. */
export function largestMaxFrameBytes(capacity: number): number {
  return capacity / 2 - FRAME_HEADER_BYTES;
}

export function validateCapacity(capacity: number): void {
  if (!Number.isInteger(capacity) || capacity < MIN_CAPACITY || capacity > MAX_CAPACITY || (capacity & (capacity - 1)) !== 0) {
    throw invalid('capacity', `${capacity} must be a power of two from ${MIN_CAPACITY} to ${MAX_CAPACITY} bytes`);
  }
}

export function resolveMaxFrameBytes(capacity: number, maxFrameBytes: number | undefined): number {
  const limit = largestMaxFrameBytes(capacity);
  if (maxFrameBytes === undefined) return limit;
  if (!Number.isInteger(maxFrameBytes) || maxFrameBytes < 0 || maxFrameBytes > limit) {
    throw invalid('maxFrameBytes', `${maxFrameBytes} must be an integer from 0 to ${limit} (half the ${capacity}-byte capacity less the ${FRAME_HEADER_BYTES}-byte frame header)`);
  }
  return maxFrameBytes;
}
