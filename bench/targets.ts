/**
 * The reference rates and targets each scenario is measured against, as data. The seed documents
 * Kafka at about 250,000 msgs/s (50 MB/s) produce and 550,000 msgs/s (110 MB/s) consume, for
 * messages of about 200 bytes (shared/seed/README.md). Ratios are taken within one run.
 */
export const SEED_RATES = {
  produce: { msgs_per_s: 250_000, MB_per_s: 50 },
  consume: { msgs_per_s: 550_000, MB_per_s: 110 },
} as const;

export interface ScenarioTarget {
  readonly id: string;
  /** Minimum msgs/s, when the issue states one. */
  readonly minMsgsPerS?: number;
  /** Another scenario of the same run this one is compared with, and the minimum ratio. */
  readonly versus?: { readonly id: string; readonly minRatio: number };
  /** The seed rate it is compared with, when any. */
  readonly seed?: keyof typeof SEED_RATES;
  /** Largest acceptable p99 latency, in microseconds. */
  readonly maxP99Us?: number;
  /** Largest acceptable median latency, in microseconds. */
  readonly maxP50Us?: number;
}

export const TARGETS: readonly ScenarioTarget[] = [
  { id: 'ring.spsc.200B', minMsgsPerS: 10_000_000, versus: { id: 'peer.postMessage.200B', minRatio: 50 } },
  { id: 'log.append.200B', minMsgsPerS: 15_000_000 },
  { id: 'log.append.batch.200B', versus: { id: 'ceiling.copy.200B', minRatio: 0.5 } },
  { id: 'log.read.200B', versus: { id: 'ceiling.copy.200B', minRatio: 1 } },
  { id: 'kafka.produce.200B', minMsgsPerS: 5_000_000, seed: 'produce' },
  { id: 'kafka.consume.200B', minMsgsPerS: 11_000_000, seed: 'consume' },
  { id: 'kafka.e2e.200B', maxP99Us: 1_000 },
  { id: 'kafka.compat.produce.200B', minMsgsPerS: 1_000_000, seed: 'produce' },
  { id: 'kafka.compat.consume.200B', minMsgsPerS: 2_200_000, seed: 'consume' },
  { id: 'kafka.produce.rf3.acksall.200B', minMsgsPerS: 1_000_000, seed: 'produce' },
  { id: 'kafka.produce.rf3.acks1.200B', seed: 'produce' },
  { id: 'kafka.failover.recovery', maxP50Us: 500_000 },
  { id: 'kafka.failover.recovery.pause', maxP50Us: 500_000 },
  { id: 'amqp.work.200B', minMsgsPerS: 2_000_000, versus: { id: 'peer.rabbitmq.work.200B', minRatio: 50 } },
  { id: 'amqp.topic.route.10k', versus: { id: 'peer.qlobber.route.10k', minRatio: 5 } },
  { id: 'amqp.rpc.200B', minMsgsPerS: 100_000 },
];

export function targetFor(id: string): ScenarioTarget | undefined {
  return TARGETS.find((t) => t.id === id);
}
