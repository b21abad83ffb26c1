/**
 * Runs one workload on one driver: sets the driver up, starts every producer and consumer as one
 * long-lived generator (in a piscina pool where the driver allows, else in this thread), reports
 * progress once a second, drains, then merges histograms and delivery checks into a Measurement.
 * Prints nothing: progress goes to the caller's callback as raw numbers.
 *
 * RPC workloads: each producer is an RPC client whose reply consumer is the measuring consumer
 * (stats slot producers + consumers + p), and each consumer is an RPC server that measures nothing.
 * A client's task ends only at STOP, so the end of sending is read from the producers' DONE words.
 */
import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { Piscina } from 'piscina';
import { getDriver } from '../drivers/index.js';
import type { Driver, DriverName, DriverSession } from '../drivers/types.js';
import type { Measurement } from '../micro/types.js';
import { createLatencyHistogram, decodeHistogram, summarizeLatency, type LatencySummary } from '../stats/latency.js';
import type { Workload } from '../workload.js';
import {
  runConsumer,
  runProducer,
  runRpcClient,
  runRpcServer,
  type ConsumerResult,
  type GeneratorPlan,
  type GeneratorTask,
  type ProducerResult,
  type RpcClientResult,
  type RpcServerResult,
} from './generator.js';
import { nowNs } from './payload.js';
import { countDeliveries } from './sequence-tracker.js';
import { createSharedState, S_DONE, S_LAT_COUNT, S_LAT_MAX_US, S_LAT_SUM_US, S_RECEIVED, S_SENT, SLOT_WORDS, StateView } from './shared-state.js';
import { topologyOf, type Topology } from './topology.js';

/** One progress sample: the last interval's figures, raw. */
export interface ProgressSample {
  readonly scenario: string;
  readonly intervalS: number;
  readonly sent: number;
  readonly bytes: number;
  /** Mean and max latency (µs, from intended send) of messages received in the interval; NaN without consumers. */
  readonly avgLatencyUs: number;
  readonly maxLatencyUs: number;
}

export interface WorkloadRunOptions {
  readonly driver?: DriverName;
  /** Overrides the workload's durationS / warmupS / rate. */
  readonly durationMs?: number;
  readonly warmupMs?: number;
  readonly rate?: number;
  readonly onProgress?: (sample: ProgressSample) => void;
  /** A driver object instead of a registered name (tests wrap a real driver to inject faults). */
  readonly driverImpl?: Driver;
}

/** How long consumers may take, after the producers stop, to receive what was sent. */
const DRAIN_TIMEOUT_MS = 5_000;
const READY_TIMEOUT_MS = 20_000;

/** The scenario id a workload gets on a driver other than its own. */
export function scenarioIdFor(w: Workload, driver: Driver): string {
  const own = w.driver ?? (w.model === 'kafka' ? 'mqlab-native' : 'mqlab-amqplib');
  if (driver.name === own) return w.id;
  if (driver.name === 'rabbitmq') return `peer.rabbitmq.${w.id.replace(/^amqp\./, '')}`;
  return `${w.id}.${driver.name}`;
}

function latencyOf(s: LatencySummary): NonNullable<Measurement['latency']> {
  return { p50_us: s.p50_us, p90_us: s.p90_us, p99_us: s.p99_us, p999_us: s.p999_us, max_us: s.max_us, mean_us: s.mean_us, hdr: s.hdr };
}

export async function runWorkload(workload: Workload, options: WorkloadRunOptions = {}): Promise<Measurement> {
  const driver = options.driverImpl ?? getDriver(options.driver ?? workload.driver ?? (workload.model === 'kafka' ? 'mqlab-native' : 'mqlab-amqplib'));
  const id = scenarioIdFor(workload, driver);
  const rate = options.rate ?? workload.rate;
  const params = workloadParams(workload, driver, rate);
  const base = { id, target: driver.system, params, messages: 0, payloadBytes: 0, elapsedNs: 0, threads: 1 };
  if (driver.model !== workload.model) return { ...base, skipped: `driver ${driver.name} drives the ${driver.model} model, not ${workload.model}` };
  const unavailable = await driver.unavailable();
  if (unavailable !== undefined) return { ...base, skipped: unavailable };

  const topology = topologyOf(workload);
  const rpc = workload.model === 'amqp' && workload.rpc !== undefined;
  const plan: GeneratorPlan = {
    messageSize: workload.messageSize,
    targets: topology.targets,
    ratePerProducer: rate / workload.producers,
    warmupNs: (options.warmupMs ?? workload.warmupS * 1000) * 1e6,
    durationNs: (options.durationMs ?? workload.durationS * 1000) * 1e6,
    ...(workload.model === 'amqp' && workload.consumers > 0 ? { flow: { maxInFlight: workload.maxInFlight, copies: meanCopies(topology) } } : {}),
  };
  const P = workload.producers;
  const C = workload.consumers;
  const state = createSharedState(P + C + (rpc ? P : 0));
  const view = new StateView(state);
  const runId = randomUUID().slice(0, 8);
  const session = await driver.open(workload, runId);
  const workerTasks = (driver.producersIn === 'worker' ? workload.producers : 0) + (driver.consumersIn === 'worker' ? workload.consumers : 0);
  const pool =
    workerTasks === 0
      ? undefined
      : new Piscina({ filename: new URL('./generator.worker.js', import.meta.url).href, minThreads: workerTasks, maxThreads: workerTasks, idleTimeout: 1_000, concurrentTasksPerWorker: 1 });
  const producers: Promise<ProducerResult | RpcClientResult>[] = [];
  const consumers: Promise<ConsumerResult | RpcServerResult>[] = [];
  let failure: string | undefined;
  try {
    if (rpc && ((driver.producersIn === 'main' && session.openRpcClient === undefined) || (driver.consumersIn === 'main' && session.openRpcServer === undefined))) {
      return { ...base, skipped: `driver ${driver.name} does not run RPC workloads` };
    }
    const task = async (role: GeneratorTask['role'], index: number, slot: number): Promise<GeneratorTask> => {
      const side = role === 'producer' || role === 'rpc-client' ? 'producer' : 'consumer';
      const inWorker = (side === 'producer' ? driver.producersIn : driver.consumersIn) === 'worker';
      const spec = inWorker ? await session.workerSpec(side, index) : undefined;
      const replySlot = role === 'rpc-client' ? { replySlot: P + C + index } : {};
      return { role, index, slot, ...replySlot, driver: driver.name, spec: spec?.spec, state, plan, ...(spec === undefined ? {} : { transfer: spec.transfer }) };
    };
    // Consumers (or RPC servers) first, so they are attached before the first message.
    for (let c = 0; c < C; c++) {
      const t = await task(rpc ? 'rpc-server' : 'consumer', c, P + c);
      if (driver.consumersIn === 'worker') consumers.push(runInPool<ConsumerResult | RpcServerResult>(pool!, t));
      else consumers.push(rpc ? runRpcServer(() => session.openRpcServer!(c), t) : runConsumer((sink) => session.openConsumer(c, sink), t));
    }
    for (let p = 0; p < P; p++) {
      const t = await task(rpc ? 'rpc-client' : 'producer', p, p);
      if (driver.producersIn === 'worker') producers.push(runInPool<ProducerResult | RpcClientResult>(pool!, t));
      else producers.push(rpc ? runRpcClient((sink) => session.openRpcClient!(p, sink), t) : runMainProducer(session, t));
    }
    const all = [...producers, ...consumers];
    // A generator that fails must not leave the others waiting.
    const failed = Promise.race(all.map((p) => p.then(() => new Promise<never>(() => undefined)))).catch((error: unknown) => (error instanceof Error ? error : new Error(String(error))));
    const readyBy = performance.now() + READY_TIMEOUT_MS;
    const readyCount = all.length + (rpc ? P : 0);
    while (view.ready < readyCount) {
      const early = await Promise.race([failed, sleep(2).then(() => undefined)]);
      if (early !== undefined) throw early;
      if (performance.now() > readyBy) throw new Error(`generators not ready after ${READY_TIMEOUT_MS} ms (${view.ready} of ${readyCount})`);
    }
    view.start(nowNs() + 5e6);
    // An RPC client's task lasts until STOP: its requests are done when its DONE word says so.
    const sending = rpc ? producersDone(view, P, failed) : Promise.all(producers);
    await reportProgress(id, view, sending, workload.messageSize, options.onProgress);
    await sending;
    const expected = rpc ? sentBy(view, P) : sumExpected(await (Promise.all(producers) as Promise<ProducerResult[]>), topology);
    const drainBy = performance.now() + DRAIN_TIMEOUT_MS;
    while (view.sum(S_RECEIVED) < expected && performance.now() < drainBy) await sleep(5);
    view.stop();
    const finished = await Promise.all(producers);
    const answered = await Promise.all(consumers);
    const produced = finished.map((r) => (r.role === 'rpc-client' ? r.requests : r));
    const consumed = rpc ? finished.flatMap((r) => (r.role === 'rpc-client' ? [r.replies] : [])) : answered.filter((r): r is ConsumerResult => r.role === 'consumer');
    return summarize(base, workload, driver, session, plan, produced, consumed, topology, workerTasks);
  } catch (error) {
    failure = error instanceof Error ? error.message : String(error);
    view.stop();
    await Promise.allSettled([...producers, ...consumers]);
    return { ...base, error: `run failed: ${failure}` };
  } finally {
    await pool?.destroy();
    await session.close().catch(() => undefined);
  }
}

function runInPool<T>(pool: Piscina, t: GeneratorTask & { transfer?: readonly unknown[] }): Promise<T> {
  const { transfer, ...task } = t;
  return pool.run(task, { transferList: (transfer ?? []) as never }) as Promise<T>;
}

async function runMainProducer(session: DriverSession, t: GeneratorTask): Promise<ProducerResult> {
  const endpoint = await session.openProducer(t.index);
  try {
    return await runProducer(endpoint, t);
  } finally {
    await endpoint.close();
  }
}

function meanCopies(topology: Topology): number {
  let copies = 0;
  for (let t = 0; t < topology.targets; t++) copies += topology.copiesOf(t);
  return Math.max(1, copies / Math.max(1, topology.targets));
}

/** Deliveries owed for what the producers sent: each message once per sink it routes to. */
function sumExpected(produced: readonly ProducerResult[], topology: Topology): number {
  return produced.reduce((n, p) => n + p.sent.reduce((m, count, t) => m + count * topology.copiesOf(t), 0), 0);
}

/** Messages the first `producers` stats slots sent. */
function sentBy(view: StateView, producers: number): number {
  let n = 0;
  for (let p = 0; p < producers; p++) n += view.stats[p * SLOT_WORDS + S_SENT]!;
  return n;
}

/** Resolves once the first `producers` slots say DONE; rejects if a generator fails first. */
async function producersDone(view: StateView, producers: number, failed: Promise<Error>): Promise<void> {
  let failure: Error | undefined;
  void failed.then((error) => (failure = error));
  for (;;) {
    if (failure !== undefined) throw failure;
    let done = 0;
    for (let p = 0; p < producers; p++) done += view.stats[p * SLOT_WORDS + S_DONE]!;
    if (done === producers) return;
    await sleep(5);
  }
}

async function reportProgress(scenario: string, view: StateView, done: Promise<unknown>, messageSize: number, onProgress: WorkloadRunOptions['onProgress']): Promise<void> {
  let finished = false;
  void done.then(
    () => (finished = true),
    () => (finished = true),
  );
  let lastSent = 0;
  let lastSum = 0;
  let lastCount = 0;
  let last = performance.now();
  while (!finished) {
    const until = last + 1_000;
    while (!finished && performance.now() < until) await sleep(Math.min(20, Math.max(1, until - performance.now())));
    if (finished) break;
    const now = performance.now();
    const sent = view.sum(S_SENT);
    const sum = view.sum(S_LAT_SUM_US);
    const count = view.sum(S_LAT_COUNT);
    const max = view.max(S_LAT_MAX_US);
    view.nextEpoch();
    onProgress?.({
      scenario,
      intervalS: (now - last) / 1000,
      sent: sent - lastSent,
      bytes: (sent - lastSent) * messageSize,
      avgLatencyUs: count > lastCount ? (sum - lastSum) / (count - lastCount) : NaN,
      maxLatencyUs: count > lastCount ? max : NaN,
    });
    lastSent = sent;
    lastSum = sum;
    lastCount = count;
    last = now;
  }
}

function workloadParams(w: Workload, driver: Driver, rate: number): Measurement['params'] {
  const common = { workload: w.id, driver: driver.name, producers: w.producers, consumers: w.consumers, payload_bytes: w.messageSize, rate_msgs_per_s: rate, warmup_s: w.warmupS };
  if (w.model === 'kafka') {
    return { ...common, model: 'kafka', topics: w.topics, partitions: w.partitions, brokers: w.brokers ?? w.replicationFactor, replication_factor: w.replicationFactor, acks: String(w.acks), batch_bytes: w.batchBytes };
  }
  return { ...common, model: 'amqp', ...(w.rpc === undefined ? {} : { rpc_reply_to: w.rpc.replyTo, rpc_reply_order: w.consumers > 1 ? 'not checked (competing servers)' : 'checked' }), exchange: w.publish.exchange === '' ? '(default)' : (w.exchanges.find((e) => e.name === w.publish.exchange)?.type ?? ''), queues: w.queues.length, bindings: w.bindings.length, prefetch: w.prefetch, ack: w.ack };
}

function summarize(
  base: Measurement,
  workload: Workload,
  driver: Driver,
  session: DriverSession,
  plan: GeneratorPlan,
  produced: readonly ProducerResult[],
  consumed: readonly ConsumerResult[],
  topology: Topology,
  workerTasks: number,
): Measurement {
  const seconds = plan.durationNs / 1e9;
  const sentInWindow = produced.reduce((n, p) => n + p.sentInWindow, 0);
  const sentTotal = produced.reduce((n, p) => n + p.sent.reduce((a, b) => a + b, 0), 0);
  const receivedInWindow = consumed.reduce((n, c) => n + c.receivedInWindow, 0);
  const copies = meanCopies(topology);
  // With consumers, a scenario moves only what is delivered: the lower of the two rates counts.
  const messages = workload.consumers > 0 && topology.sinks.length > 0 ? Math.min(sentInWindow, Math.round(receivedInWindow / copies)) : sentInWindow;
  const sent: number[] = [];
  for (const p of produced) p.sent.forEach((n, t) => (sent[p.index * topology.targets + t] = n));
  const delivery = { lost: 0, duplicated: 0, reordered: 0 };
  let unexpected = 0;
  for (const sink of topology.sinks) {
    const snapshots = consumed.filter((c) => topology.sinkOf(c.index) === sink).map((c) => c.tracker);
    const counts = countDeliveries(snapshots, sent, (stream) => topology.receives(sink, stream));
    delivery.lost += counts.lost;
    delivery.duplicated += counts.duplicated;
    delivery.reordered += counts.reordered;
    unexpected += counts.unexpected;
  }
  // Competing RPC servers answer in no defined order: a client matches replies by correlation id.
  const replyOrderUndefined = workload.model === 'amqp' && workload.rpc !== undefined && workload.consumers > 1;
  if (replyOrderUndefined) delivery.reordered = 0;
  let latency: Measurement['latency'];
  let latencyActual: Measurement['latency'];
  if (consumed.length > 0) {
    const intended = createLatencyHistogram();
    const actual = createLatencyHistogram();
    for (const c of consumed) {
      for (const [into, encoded] of [[intended, c.intended], [actual, c.actual]] as const) {
        const h = decodeHistogram(encoded);
        into.add(h);
        h.destroy();
      }
    }
    if (intended.totalCount > 0) latency = latencyOf(summarizeLatency(intended));
    if (actual.totalCount > 0) latencyActual = latencyOf(summarizeLatency(actual));
    intended.destroy();
    actual.destroy();
  }
  const problems: string[] = [];
  if (delivery.lost > 0) problems.push(`${delivery.lost} lost`);
  if (delivery.duplicated > 0) problems.push(`${delivery.duplicated} duplicated`);
  if (delivery.reordered > 0) problems.push(`${delivery.reordered} reordered`);
  if (unexpected > 0) problems.push(`${unexpected} misrouted`);
  if (workload.consumers > 0 && topology.sinks.length > 0 && consumed.every((c) => c.received === 0) && sentTotal > 0) problems.push('nothing delivered');
  return {
    ...base,
    messages,
    payloadBytes: messages * workload.messageSize,
    elapsedNs: plan.durationNs,
    threads: 1 + workerTasks + session.brokerThreads,
    extra: {
      sent_msgs_per_s: sentInWindow / seconds,
      delivered_msgs_per_s: receivedInWindow / seconds,
      sent_total: sentTotal,
      generator_workers: workerTasks,
      broker_threads: session.brokerThreads,
      ...(unexpected > 0 ? { misrouted: unexpected } : {}),
    },
    ...(latency === undefined ? {} : { latency }),
    ...(latencyActual === undefined ? {} : { latencyActual }),
    ...(workload.consumers > 0 ? { delivery } : {}),
    ...(problems.length === 0 ? {} : { error: `delivery check failed: ${problems.join(', ')} (driver ${driver.name})` }),
  };
}
