/**
 * kafka.failover.recovery: the time from a partition leader's failure to the first write the new
 * leader acknowledges (acks=all, RF=3, min.insync.replicas=2), over repeated failures, with the
 * cluster's default heartbeat settings.
 *
 * Two ways to fail, one scenario each:
 * - `kill`: the leader's thread is terminated; the controller learns it from the thread's exit, as a
 *   Kafka controller learns of a broker whose connection drops.
 * - `pause`: the leader's thread stalls whole; only the missing heartbeat tells the controller
 *   (brokerSessionTimeoutMs), as with a GC pause or a hung process.
 *
 * The writer is the native PartitionWriter: after a failure it looks up the leader again and retries
 * every millisecond, so the figure is the cluster's recovery, not a client's backoff. Between rounds
 * the failed broker comes back and the ISR is whole again before the next failure.
 */
import { performance } from 'node:perf_hooks';
import { startCluster, type Cluster } from '../../core/index.js';
import { ClientContext } from '../../core/internal.js';
import { PartitionWriter } from '../../core/client/native/index.js';
import { createLatencyHistogram, initHistograms, summarizeLatency } from '../stats/latency.js';
import type { Measurement } from '../micro/types.js';

export type FailureMode = 'kill' | 'pause';

export interface FailoverOptions {
  readonly mode: FailureMode;
  /** Failures measured. */
  readonly rounds: number;
}

const TOPIC = 'failover';
const VALUE = new Uint8Array(200);

export async function kafkaFailoverRecovery(options: FailoverOptions): Promise<Measurement> {
  initHistograms();
  const histogram = createLatencyHistogram();
  const cluster = await startCluster({ brokers: 3 });
  const ctx = new ClientContext(cluster);
  const started = performance.now();
  let writes = 0;
  try {
    await cluster.controller.createTopics([{ topic: TOPIC, numPartitions: 1, replicationFactor: 3, configEntries: [{ name: 'min.insync.replicas', value: '2' }] }]);
    await cluster.controller.settled();
    for (let round = 0; round < options.rounds; round++) {
      await writeOnce(ctx);
      const victim = leaderOf(cluster);
      const failedAt = performance.now();
      if (options.mode === 'kill') await cluster.kill(victim);
      else cluster.pause(victim);
      writes += await writeUntilAcknowledged(ctx, cluster, victim);
      histogram.recordValue(Math.max(1, Math.round((performance.now() - failedAt) * 1000)));
      if (options.mode === 'kill') await cluster.restart(victim);
      else cluster.resume(victim);
      await waitForFullIsr(cluster);
    }
    const elapsedNs = (performance.now() - started) * 1e6;
    const { p50_us, p90_us, p99_us, p999_us, max_us, mean_us, hdr } = summarizeLatency(histogram);
    return {
      id: options.mode === 'kill' ? 'kafka.failover.recovery' : 'kafka.failover.recovery.pause',
      target: 'mqlab',
      params: { brokers: 3, replicationFactor: 3, minInsyncReplicas: 2, acks: 'all', failure: options.mode, rounds: options.rounds, heartbeatIntervalMs: cluster.config.heartbeatIntervalMs, brokerSessionTimeoutMs: cluster.config.brokerSessionTimeoutMs },
      messages: writes,
      payloadBytes: writes * VALUE.length,
      elapsedNs,
      threads: 4,
      latency: { p50_us, p90_us, p99_us, p999_us, max_us, mean_us, hdr },
    };
  } finally {
    histogram.destroy();
    await ctx.close();
    await cluster.close();
  }
}

function leaderOf(cluster: Cluster): number {
  return cluster.controller.metadata.topic(TOPIC)!.partitions[0]!.leader;
}

async function writeOnce(ctx: ClientContext): Promise<void> {
  const writer = await PartitionWriter.open(ctx, TOPIC, 0, { acks: -1 });
  try {
    writer.append(null, VALUE);
    await writer.flush();
  } finally {
    await writer.close().catch(() => undefined);
  }
}

/** Retries a one-record acks=all write on whoever leads now until one is acknowledged by a new leader. Returns the attempts. */
async function writeUntilAcknowledged(ctx: ClientContext, cluster: Cluster, victim: number): Promise<number> {
  for (let attempts = 1; ; attempts++) {
    const leader = leaderOf(cluster);
    if (leader >= 0 && leader !== victim) {
      try {
        ctx.forget(TOPIC);
        await writeOnce(ctx);
        return attempts;
      } catch {
        // Not there yet (the new leader is still being installed, or the ISR is short): try again.
      }
    }
    await new Promise((resolve) => setTimeout(resolve, 1));
  }
}

async function waitForFullIsr(cluster: Cluster): Promise<void> {
  const deadline = performance.now() + 10_000;
  while (cluster.controller.metadata.topic(TOPIC)!.partitions[0]!.isr.length < 3) {
    if (performance.now() > deadline) throw new Error('the ISR did not recover within 10 s');
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}
