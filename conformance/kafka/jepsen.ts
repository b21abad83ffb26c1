/**
 * The Jepsen-style workload (issue 4 §7), reusable by the F15 check and by `mqlab jepsen`: producers
 * send uniquely numbered records to a replicated topic while a nemesis kills and restarts, or pauses
 * and resumes, one broker at a time; a poller reads every partition throughout; then the run drains
 * and jepsen-checker.ts judges the history.
 *
 * Invariants the run keeps, so that what it reports is the engine's doing:
 * - One fault at a time: the next fault waits until every partition has a leader and a full ISR
 *   again. A cluster that does not heal within HEAL_TIMEOUT_MS ends the nemesis and is reported.
 * - One producer per partition, one send in flight: "send order" is the order of its sequence
 *   numbers. A send that fails after its retries is indeterminate (maybe stored); with idempotence
 *   its producer is replaced by a new one (a new producer id), as a Kafka client resets its id.
 * - The nemesis schedule and batch sizes come from the seed; thread timing does not, so a seed
 *   replays the schedule, not the interleaving.
 *
 * Nothing here prints: progress goes to `onProgress`, the result is plain data, and
 * `formatJepsenSummary` renders it.
 */
import { availableParallelism } from 'node:os';
import { ClientContext, type OpenedReader } from '../../core/client/context.js';
import { Kafka, type Cluster, type Producer } from '../../core/client/kafka/index.js';
import type { BrokerConfigInput } from '../../core/cluster/index.js';
import { readLeaderLog, readReplica } from '../support/replica-log.js';
import { checkHistory, noViolation, type CheckerResult, type FinalLog, type ReadRun, type WriteRecord } from './jepsen-checker.js';

export type JepsenAcks = -1 | 0 | 1;
export type FaultMode = 'kill' | 'pause' | 'mixed';
export type FaultKind = 'kill' | 'pause';

/** The cluster settings of a run: failures detected in tens of ms, so many faults fit a short run. */
export const JEPSEN_CLUSTER: BrokerConfigInput = { heartbeatIntervalMs: 20, brokerSessionTimeoutMs: 150, replicaLagTimeMaxMs: 1_000 };
export const JEPSEN_BROKERS = 3;

export const jepsenDefaults = {
  partitions: 3,
  replicationFactor: 3,
  minInsyncReplicas: 2,
  /** In mixed mode one fault in every killsPerPause + 1 is a pause, the rest kills. */
  killsPerPause: 3,
  progressIntervalMs: 5_000,
} as const;

const HEAL_TIMEOUT_MS = 15_000;
const DRAIN_TIMEOUT_MS = 5_000;
const STOP_TIMEOUT_MS = 30_000;
const POLL_INTERVAL_MS = 25;
/** acks=0 sends resolve without a round trip: pace them so three producers do not flood two cores. */
const ACKS0_PACE_MS = 2;
const MAX_BATCH = 4;

export interface JepsenOptions {
  readonly acks: JepsenAcks;
  readonly faults: FaultMode;
  readonly seed: number;
  /** Stop the nemesis after this many faults, or after `durationMs`, whichever comes first. */
  readonly faultCount?: number;
  readonly durationMs?: number;
  readonly partitions?: number;
  readonly onProgress?: (progress: JepsenProgress) => void;
  readonly progressIntervalMs?: number;
}

export interface JepsenProgress {
  readonly elapsedMs: number;
  readonly faults: number;
  readonly acked: number;
  readonly failed: number;
}

export interface FaultEvent {
  readonly kind: FaultKind;
  readonly broker: number;
  readonly atMs: number;
  readonly holdMs: number;
}

export interface JepsenResult extends CheckerResult {
  readonly seed: number;
  readonly acks: JepsenAcks;
  readonly faultMode: FaultMode;
  readonly faults: readonly FaultEvent[];
  readonly kills: number;
  readonly pauses: number;
  readonly partitions: number;
  readonly durationMs: number;
  /** Send failures by Kafka error type (after the client's retries). */
  readonly sendErrors: Readonly<Record<string, number>>;
  /** Why the run could not finish cleanly (the cluster did not heal, sends hung, the drain stalled). */
  readonly stalls: readonly string[];
  /** Threads (brokers + this one) on how many cores. */
  readonly threads: number;
  readonly cores: number;
  /** Whether the run shows anything acks=all with idempotence forbids (only judged for acks=-1). */
  readonly valid: boolean;
}

/** xorshift32: a small seeded generator, enough for schedules. */
export class SeededRandom {
  #state: number;
  constructor(seed: number) {
    this.#state = seed >>> 0 || 0x9e37_79b9;
  }
  next(): number {
    let x = this.#state;
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    this.#state = x >>> 0;
    return this.#state / 0x1_0000_0000;
  }
  int(from: number, to: number): number {
    return from + Math.floor(this.next() * (to - from + 1));
  }
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

function valueOf(producer: number, seq: number): string {
  return `p${producer}-${seq}`;
}

function errorType(error: unknown): string {
  if (typeof error === 'object' && error !== null && 'type' in error && typeof error.type === 'string') return error.type;
  return error instanceof Error ? error.name : 'unknown';
}

/** Every partition has a live leader and every replica is back in its ISR. */
function healthy(cluster: Cluster, topic: string): boolean {
  const state = cluster.controller.metadata.topic(topic);
  return state !== undefined && state.partitions.every((p) => p.leader >= 0 && p.isr.length === p.replicas.length);
}

async function waitHealthy(cluster: Cluster, topic: string, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (!healthy(cluster, topic)) {
    if (Date.now() > deadline) return false;
    await sleep(10);
  }
  await cluster.controller.settled();
  return true;
}

/** One partition's producer: sequential sends of 1..MAX_BATCH numbered records. */
class PartitionProducer {
  readonly writes: WriteRecord[] = [];
  readonly errors = new Map<string, number>();
  #producer: Producer | undefined;
  #seq = 0;

  constructor(
    readonly index: number,
    readonly partition: number,
    readonly topic: string,
    readonly kafka: Kafka,
    readonly acks: JepsenAcks,
    readonly random: SeededRandom,
  ) {}

  async run(stopping: () => boolean): Promise<void> {
    while (!stopping()) {
      const producer = (this.#producer ??= await this.#connect());
      const n = this.random.int(1, MAX_BATCH);
      const first = this.#seq;
      this.#seq += n;
      const values = Array.from({ length: n }, (_, i) => valueOf(this.index, first + i));
      try {
        const [meta] = await producer.send({ topic: this.topic, acks: this.acks, timeout: 2_000, messages: values.map((value) => ({ value, partition: this.partition })) });
        const base = meta === undefined ? -1 : Number(meta.baseOffset ?? -1);
        values.forEach((value, i) => this.writes.push({ partition: this.partition, producer: this.index, seq: first + i, value, acked: true, offset: base < 0 ? -1 : base + i }));
      } catch (error) {
        values.forEach((value, i) => this.writes.push({ partition: this.partition, producer: this.index, seq: first + i, value, acked: false, offset: -1 }));
        const type = errorType(error);
        this.errors.set(type, (this.errors.get(type) ?? 0) + 1);
        if (this.acks === -1) {
          // Its sequence numbers now have a gap the broker will refuse: start over as a new producer.
          await producer.disconnect();
          this.#producer = undefined;
        }
      }
      if (this.acks === 0) await sleep(ACKS0_PACE_MS);
    }
    await this.#producer?.disconnect();
  }

  get acked(): number {
    let n = 0;
    for (const w of this.writes) if (w.acked) n++;
    return n;
  }

  async #connect(): Promise<Producer> {
    const producer = this.kafka.producer({ idempotent: this.acks === -1 });
    await producer.connect();
    return producer;
  }
}

/** Reads one partition from its current leader throughout the run, recording every (offset, value). */
class PartitionPoller {
  readonly runs: ReadRun[] = [];
  #opened: OpenedReader | undefined;
  #position = 0;

  constructor(
    readonly partition: number,
    readonly topic: string,
    readonly ctx: ClientContext,
  ) {}

  async run(stopping: () => boolean): Promise<void> {
    while (!stopping()) {
      try {
        await this.poll();
      } catch {
        // No leader right now, or the leader moved under the reader: open again next round.
        this.#opened?.close();
        this.#opened = undefined;
      }
      await sleep(POLL_INTERVAL_MS);
    }
    this.#opened?.close();
  }

  async poll(): Promise<void> {
    if (this.#opened !== undefined && !this.ctx.isCurrent(this.#opened, this.topic, this.partition)) {
      this.#opened.close();
      this.#opened = undefined;
    }
    if (this.#opened === undefined) {
      const meta = await this.ctx.topic(this.topic, false, true);
      this.#opened = await this.ctx.openReader(meta, this.partition);
    }
    const reader = this.#opened.reader;
    if (reader.highWatermark <= this.#position) return;
    const cursor = reader.cursor(Math.max(this.#position, reader.logStartOffset));
    const from = cursor.position;
    const values: string[] = [];
    while (cursor.next()) {
      const value = cursor.value();
      values.push(value === null ? '' : Buffer.from(value).toString());
    }
    if (values.length === 0) return;
    this.runs.push({ source: `a poll of broker ${this.#opened.brokerId}`, partition: this.partition, from, values });
    this.#position = from + values.length;
  }
}

/** The nemesis schedule: fault kinds in a seeded order. */
function schedule(mode: FaultMode, count: number, random: SeededRandom): FaultKind[] {
  const kinds: FaultKind[] = Array.from({ length: count }, (_, i) => {
    switch (mode) {
      case 'kill':
        return 'kill';
      case 'pause':
        return 'pause';
      case 'mixed':
        return i % (jepsenDefaults.killsPerPause + 1) === jepsenDefaults.killsPerPause ? 'pause' : 'kill';
      default: {
        const unknown: never = mode;
        throw new Error(`unknown fault mode ${String(unknown)}`);
      }
    }
  });
  for (let i = kinds.length - 1; i > 0; i--) {
    const j = random.int(0, i);
    [kinds[i], kinds[j]] = [kinds[j]!, kinds[i]!];
  }
  return kinds;
}

/**
 * Runs the workload on `cluster` (at least three brokers, settings like JEPSEN_CLUSTER), which the
 * caller owns and closes. Resolves with the checked history.
 */
export async function runJepsen(cluster: Cluster, options: JepsenOptions): Promise<JepsenResult> {
  if (options.faultCount === undefined && options.durationMs === undefined) throw new Error('runJepsen needs faultCount or durationMs');
  const started = performance.now();
  const elapsed = (): number => Math.round(performance.now() - started);
  const random = new SeededRandom(options.seed);
  const partitions = options.partitions ?? jepsenDefaults.partitions;
  const topic = `jepsen-${options.seed}-${Date.now().toString(36)}`;
  await cluster.controller.createTopics([
    {
      topic,
      numPartitions: partitions,
      replicationFactor: jepsenDefaults.replicationFactor,
      configEntries: [{ name: 'min.insync.replicas', value: String(jepsenDefaults.minInsyncReplicas) }],
    },
  ]);
  await cluster.controller.settled();

  const kafka = new Kafka({ clientId: 'mqlab-jepsen', cluster, retry: { retries: 200, initialRetryTime: 10, maxRetryTime: 100 } });
  const producers = Array.from({ length: partitions }, (_, p) => new PartitionProducer(p, p, topic, kafka, options.acks, new SeededRandom(options.seed + 7919 * (p + 1))));
  const pollCtx = new ClientContext(cluster);
  const pollers = Array.from({ length: partitions }, (_, p) => new PartitionPoller(p, topic, pollCtx));
  let producing = true;
  let polling = true;
  const producing$ = producers.map((w) => w.run(() => !producing));
  const polling$ = pollers.map((r) => r.run(() => !polling));

  const stalls: string[] = [];
  const faults: FaultEvent[] = [];
  const progress = (): JepsenProgress => ({
    elapsedMs: elapsed(),
    faults: faults.length,
    acked: producers.reduce((n, w) => n + w.acked, 0),
    failed: producers.reduce((n, w) => n + w.writes.length, 0) - producers.reduce((n, w) => n + w.acked, 0),
  });
  const ticker = options.onProgress === undefined ? undefined : setInterval(() => options.onProgress?.(progress()), options.progressIntervalMs ?? jepsenDefaults.progressIntervalMs);

  try {
    const plannedCount = options.faultCount ?? Number.MAX_SAFE_INTEGER;
    const plan = schedule(options.faults, Math.min(plannedCount, 100_000), random);
    const endAt = options.durationMs === undefined ? Infinity : started + options.durationMs;
    for (const kind of plan) {
      if (performance.now() >= endAt) break;
      if (!(await waitHealthy(cluster, topic, HEAL_TIMEOUT_MS))) {
        stalls.push(`the cluster did not heal within ${HEAL_TIMEOUT_MS} ms after fault ${faults.length}: ${describe(cluster, topic)}`);
        break;
      }
      await sleep(random.int(0, 100));
      const broker = cluster.brokers[random.int(0, cluster.brokers.length - 1)]!;
      const atMs = elapsed();
      if (kind === 'kill') {
        const holdMs = random.int(20, 200);
        await cluster.kill(broker);
        faults.push({ kind, broker, atMs, holdMs });
        await sleep(holdMs);
        await cluster.restart(broker);
      } else {
        // Some pauses end before the session timeout (no failover), most after it.
        const holdMs = random.int(50, 400);
        cluster.pause(broker);
        faults.push({ kind, broker, atMs, holdMs });
        await sleep(holdMs);
        cluster.resume(broker);
      }
    }
    if (stalls.length === 0 && !(await waitHealthy(cluster, topic, HEAL_TIMEOUT_MS))) {
      stalls.push(`the cluster did not heal within ${HEAL_TIMEOUT_MS} ms after the last fault: ${describe(cluster, topic)}`);
    }
    // A last stretch of writes on the healed cluster, then stop.
    await sleep(200);
  } finally {
    producing = false;
    if (ticker !== undefined) clearInterval(ticker);
  }
  if (!(await settledWithin(Promise.all(producing$), STOP_TIMEOUT_MS))) stalls.push(`producers did not stop within ${STOP_TIMEOUT_MS} ms (a send hung)`);
  polling = false;
  await settledWithin(Promise.all(polling$), STOP_TIMEOUT_MS);
  await pollCtx.close();

  const drained = await drain(cluster, topic);
  stalls.push(...drained.stalls);
  const writes = producers.flatMap((w) => w.writes);
  const checked = checkHistory({ writes, final: drained.final, observed: [...pollers.flatMap((r) => r.runs), ...drained.replicas] });
  const sendErrors: Record<string, number> = {};
  for (const w of producers) for (const [type, n] of w.errors) sendErrors[type] = (sendErrors[type] ?? 0) + n;
  return {
    ...checked,
    seed: options.seed,
    acks: options.acks,
    faultMode: options.faults,
    faults,
    kills: faults.filter((f) => f.kind === 'kill').length,
    pauses: faults.filter((f) => f.kind === 'pause').length,
    partitions,
    durationMs: elapsed(),
    sendErrors,
    stalls,
    threads: cluster.brokers.length + 1,
    cores: availableParallelism(),
    valid: noViolation(checked) && stalls.length === 0,
  };
}

function describe(cluster: Cluster, topic: string): string {
  const state = cluster.controller.metadata.topic(topic);
  return (state?.partitions ?? []).map((p) => `p${p.partition} leader ${p.leader} epoch ${p.leaderEpoch} isr [${p.isr.join(',')}]`).join('; ');
}

async function settledWithin(promise: Promise<unknown>, ms: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<boolean>((resolve) => {
    timer = setTimeout(() => resolve(false), ms);
  });
  try {
    return await Promise.race([promise.then(() => true), timeout]);
  } finally {
    clearTimeout(timer);
  }
}

interface Drained {
  readonly final: FinalLog[];
  readonly replicas: ReadRun[];
  readonly stalls: string[];
}

/**
 * Waits (one bounded wait for all partitions) until every replica has the leader's whole log and
 * knows it is committed, then reads each leader's whole log and every follower's committed part.
 * A partition that does not get there is reported as a stall, and read as it is.
 */
async function drain(cluster: Cluster, topic: string): Promise<Drained> {
  const state = cluster.controller.metadata.topic(topic);
  if (state === undefined) throw new Error(`topic ${topic} vanished`);
  const offsetsOf = (id: number, partition: number): Promise<{ logStartOffset: number; logEndOffset: number; highWatermark: number }> => {
    const handle = cluster.broker(id);
    if (handle === undefined) return Promise.reject(new Error(`broker ${id} is not running`));
    return handle.call('partitionOffsets', { topicId: state.id, partition });
  };
  const drained = async (p: (typeof state.partitions)[number]): Promise<boolean> => {
    try {
      const leaderEnd = (await offsetsOf(p.leader, p.partition)).logEndOffset;
      for (const id of p.replicas) {
        const o = await offsetsOf(id, p.partition);
        if (o.logEndOffset !== leaderEnd || o.highWatermark !== leaderEnd) return false;
      }
      return true;
    } catch {
      return false;
    }
  };
  const deadline = Date.now() + DRAIN_TIMEOUT_MS;
  let pending = [...state.partitions];
  while (pending.length > 0 && Date.now() < deadline) {
    const done = await Promise.all(pending.map(drained));
    pending = pending.filter((_, i) => !done[i]);
    if (pending.length > 0) await sleep(20);
  }
  const stalls: string[] = [];
  for (const p of pending) {
    const views = await Promise.all(p.replicas.map(async (id) => `${id}${id === p.leader ? ' (leader)' : ''} ${JSON.stringify(await offsetsOf(id, p.partition).catch(() => 'down'))}`));
    stalls.push(`partition ${p.partition} did not drain within ${DRAIN_TIMEOUT_MS} ms: ${views.join(', ')}`);
  }
  const final: FinalLog[] = [];
  const replicas: ReadRun[] = [];
  for (const p of state.partitions) {
    const log = await readLeaderLog(cluster, p.leader, state.id, p.partition);
    final.push({ source: `the final log of leader ${p.leader}`, partition: p.partition, from: log.logStartOffset, highWatermark: log.highWatermark, values: log.values });
    for (const id of p.replicas) {
      if (id === p.leader) continue;
      const o = await offsetsOf(id, p.partition);
      replicas.push({ source: `replica ${id}'s log`, partition: p.partition, from: o.logStartOffset, values: await readReplica(cluster, id, state.id, p.partition) });
    }
  }
  return { final, replicas, stalls };
}

const ACKS_NAME: Record<JepsenAcks, string> = { [-1]: 'all', 0: '0', 1: '1' };

export function acksName(acks: JepsenAcks): string {
  return ACKS_NAME[acks];
}

/** One line of figures (the matrix message and the soak's last line). */
export function formatJepsenLine(r: JepsenResult): string {
  return (
    `acks=${acksName(r.acks)}: ${r.faults.length} faults (${r.kills} kills, ${r.pauses} pauses), ${r.acked} acked of ${r.attempted} sent, ` +
    `lost ${r.lost}, duplicated ${r.duplicated}, reordered ${r.reordered}, inconsistent ${r.inconsistent}, unexpected ${r.unexpected}, ` +
    `unreadable (acked, above the HW) ${r.unreadable}, indeterminate ${r.indeterminate}, ${(r.durationMs / 1000).toFixed(1)} s, seed ${r.seed}`
  );
}

/** The full summary for a terminal: figures, what Kafka allows for this acks, examples, stalls. */
export function formatJepsenSummary(r: JepsenResult): string {
  const lines = [`jepsen ${formatJepsenLine(r)}`, `  ${r.threads} threads (${r.threads - 1} brokers + main) on ${r.cores} cores, ${r.partitions} partitions, RF 3, min.insync.replicas 2`];
  if (r.acks === -1) lines.push(`  acks=all + idempotence: ${r.valid ? 'no violation' : 'VIOLATION'}`);
  else lines.push(`  acks=${acksName(r.acks)}: Kafka allows acknowledged records to be lost here (and duplicates without idempotence); reported, not judged`);
  const errors = Object.entries(r.sendErrors);
  if (errors.length > 0) lines.push(`  failed sends: ${errors.map(([t, n]) => `${t} ${n}`).join(', ')}`);
  for (const e of r.examples.slice(0, 12)) lines.push(`  ${e}`);
  for (const s of r.stalls) lines.push(`  stall: ${s}`);
  return lines.join('\n');
}
