/**
 * Synthetic, deterministic results files for the report's tests: any number of scenarios, each with
 * a reference, an HDR histogram and a time series, optionally with hostile names. Built through the
 * real results schema and the real histogram encoder, so they are exactly what bench writes.
 */
import { resultsSchema, type Results, type Scenario } from '../bench/results.js';
import { createLatencyHistogram, summarizeLatency } from '../bench/stats/latency.js';
import type { Matrix } from './matrix.js';
import { seededRandom } from './stats.js';

export const HOSTILE_NAME = '</script><img src=x onerror="alert(1)">&<!--';

export interface SyntheticOptions {
  readonly scenarios: number;
  readonly seed?: number;
  /** Multiplies every rate, to make a baseline that differs. */
  readonly scale?: number;
  /** Name the first scenario, its target and a param with HOSTILE_NAME. */
  readonly hostile?: boolean;
  /** Samples per scenario. */
  readonly samples?: number;
}

export function syntheticResults(options: SyntheticOptions): Results {
  const random = seededRandom(options.seed ?? 7);
  const scale = options.scale ?? 1;
  const sampleCount = options.samples ?? 200;
  const scenarios: Scenario[] = [];
  for (let i = 0; i < options.scenarios; i++) {
    const hostile = options.hostile === true && i === 0;
    const id = hostile ? HOSTILE_NAME : i === 1 ? 'kafka.produce.200B' : i === 2 ? 'kafka.consume.200B' : `synthetic.${i}.200B`;
    const rate = (1e5 + random() * 2e7) * scale;
    const h = createLatencyHistogram();
    for (let k = 0; k < 2000; k++) h.recordValue(Math.max(1, Math.round(20 + 200 * -Math.log(1 - random() * 0.9999))));
    const latency = summarizeLatency(h);
    h.destroy();
    const samples = Array.from({ length: sampleCount }, () => rate * (0.9 + 0.2 * random()));
    const seed = i === 1 ? { name: 'seed.produce', msgs_per_s: 250_000 } : i === 2 ? { name: 'seed.consume', msgs_per_s: 550_000 } : { name: `peer.${i}`, msgs_per_s: rate / 3 };
    scenarios.push({
      id,
      target: hostile ? HOSTILE_NAME : 'mqlab',
      params: hostile ? { [HOSTILE_NAME]: HOSTILE_NAME, payload_bytes: 200 } : { payload_bytes: 200, index: i },
      throughput: { msgs_per_s: rate, MB_per_s: (rate * 200) / 1e6 },
      threads: 2,
      cores: 2,
      messages: Math.round(rate),
      elapsed_ns: 1e9,
      samples_msgs_per_s: samples,
      latency: { p50_us: latency.p50_us, p90_us: latency.p90_us, p99_us: latency.p99_us, p999_us: latency.p999_us, max_us: latency.max_us, mean_us: latency.mean_us, hdr: latency.hdr },
      reference: { ...seed, ratio: rate / seed.msgs_per_s },
      status: 'ok',
      ...(hostile ? { extra: { [HOSTILE_NAME]: 1 } } : {}),
    });
  }
  return resultsSchema.parse({
    schema: 1,
    created: '2026-01-01T00:00:00.000Z',
    suite: options.hostile === true ? HOSTILE_NAME : 'synthetic',
    env: { node: 'v20.20.2', v8: '11.3', cpu: options.hostile === true ? HOSTILE_NAME : 'Synthetic CPU', cores: 2, os: 'linux', commit: 'synthetic' },
    scenarios,
  });
}

export function syntheticMatrices(hostile = false): Matrix[] {
  const checks = (target: string): Matrix['checks'] => [
    { id: 'amqp.queue.requeue-order', title: 'requeued message returns to its original position', status: 'pass', message: '', duration_ms: 12 },
    { id: 'kafka.acks-all.no-loss', title: 'acks=all loses no acknowledged record', status: target === 'rabbitmq' ? 'n/a' : 'pass', message: target === 'rabbitmq' ? 'Kafka model only' : '', duration_ms: 40 },
    { id: hostile ? HOSTILE_NAME : 'amqp.exchange.headers', title: hostile ? HOSTILE_NAME : 'headers exchange matches x-match=all', status: target === 'core' ? 'fail' : 'pass', message: hostile ? HOSTILE_NAME : 'expected 3 deliveries, got 2', duration_ms: 5 },
  ];
  return [
    { target: 'core', version: 'synthetic', checks: checks('core') },
    { target: 'rabbitmq', version: '3.13.7', checks: checks('rabbitmq').slice(0, 2) },
  ];
}
