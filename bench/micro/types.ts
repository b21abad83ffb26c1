/**
 * What a micro-benchmark scenario hands back: raw counts and nanoseconds, never formatted text.
 * bench/results.ts turns a Measurement into a scenario entry of results.json.
 */
export type ParamValue = string | number | boolean;

export interface Measurement {
  /** Scenario id from the issue, for example `ring.spsc.200B`. */
  readonly id: string;
  /** What was measured: `mqlab`, or the peer's name (`node`, `ringbuf.js`, ...). */
  readonly target: string;
  readonly params: Readonly<Record<string, ParamValue>>;
  /** Messages moved in the measured window (warm-up excluded). */
  readonly messages: number;
  /** Payload bytes moved in the measured window. */
  readonly payloadBytes: number;
  /** Wall time of the measured window. */
  readonly elapsedNs: number;
  /** Threads that ran the scenario (the main thread included). */
  readonly threads: number;
  /** Throughput of each sample (msgs/s), for confidence intervals; optional. */
  readonly samplesMsgsPerS?: readonly number[];
  /** Extra figures a scenario wants on record (for example bytes stored per record). */
  readonly extra?: Readonly<Record<string, number>>;
  /** Latency percentiles in microseconds with the encoded HDR histogram (bench/stats/latency.ts). */
  readonly latency?: {
    readonly p50_us: number;
    readonly p90_us: number;
    readonly p99_us: number;
    readonly p999_us: number;
    readonly max_us: number;
    readonly mean_us: number;
    readonly hdr: string;
  };
  /** Latency from the actual send time (the main `latency` counts from the intended send time). */
  readonly latencyActual?: Measurement['latency'];
  /** Delivery checks from payload sequence numbers; any non-zero count fails the scenario. */
  readonly delivery?: { readonly lost: number; readonly duplicated: number; readonly reordered: number };
  /** Set when the scenario failed (delivery check, error); the figures are kept for inspection. */
  readonly error?: string;
  /** Why the scenario did not run here (for example, its peer is unreachable). Never a pass. */
  readonly skipped?: string;
  /** Offered rate against achieved rate and p99, from a max-sustainable-rate search. */
  readonly curve?: readonly CurvePoint[];
}

export interface CurvePoint {
  readonly rate_msgs_per_s: number;
  readonly msgs_per_s: number;
  readonly p99_us: number;
  readonly ok: boolean;
}

export interface MicroOptions {
  /** Measured time per scenario, in milliseconds. */
  readonly durationMs: number;
  /** Which scenario ids to measure (default: all); a group skips the rest rather than filtering after. */
  readonly wants?: (id: string) => boolean;
}

export type MicroScenarioGroup = (options: MicroOptions) => Promise<Measurement[]>;

/** Every payload in the micro suite. */
export const PAYLOAD_BYTES = 200;
