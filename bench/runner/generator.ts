/**
 * The load generators: one producer loop and one consumer loop, each a long-lived task that runs
 * the whole scenario (never a task per message). The same functions run in the main thread and in
 * piscina workers (generator.worker.ts only dispatches to them).
 *
 * Producers send open loop where a rate is set: message k of a producer is due at
 * start + k / rate, carries that intended time, and is sent as soon as possible after it. A
 * producer that falls behind sends its backlog at once, so the delay shows in the latency measured
 * from the intended time (no coordinated omission). Consumers record latency from the intended and
 * from the actual send time, for messages intended inside the measured window, into HDR histograms
 * (WebAssembly build) that travel back encoded.
 *
 * RPC workloads pair the two: an RPC client runs a producer loop (requests) and a consumer loop (its
 * replies, timed from the request's intended send: round-trip latency) over one connection, in one
 * thread; an RPC server only answers, and measures nothing.
 */
import { setImmediate as yieldLoop, setTimeout as sleep } from 'node:timers/promises';
import type { ConsumerEndpoint, DriverName, MessageSink, ProducerEndpoint, RpcClientEndpoints } from '../drivers/types.js';
import { createLatencyHistogram, encodeHistogram } from '../stats/latency.js';
import { createPayload, nowNs, OFF_ACTUAL_NS, OFF_INTENDED_NS, OFF_PRODUCER, OFF_SEQUENCE, OFF_TARGET } from './payload.js';
import { SequenceTracker, type TrackerSnapshot } from './sequence-tracker.js';
import { PHASE_RUN, PHASE_STOP, S_DONE, S_LAT_COUNT, S_LAT_MAX_US, S_LAT_SUM_US, S_RECEIVED, S_SENT, SLOT_WORDS, StateView, type SharedState } from './shared-state.js';

export interface GeneratorPlan {
  readonly messageSize: number;
  readonly targets: number;
  /** msgs/s for this producer; 0 = as fast as the driver takes them. */
  readonly ratePerProducer: number;
  readonly warmupNs: number;
  readonly durationNs: number;
  /** AMQP: pause producers while more than maxInFlight deliveries are outstanding. */
  readonly flow?: { readonly maxInFlight: number; readonly copies: number };
}

export interface GeneratorTask {
  readonly role: 'producer' | 'consumer' | 'rpc-client' | 'rpc-server';
  readonly index: number;
  readonly slot: number;
  /** An RPC client's second stats slot: the one its reply consumer writes. */
  readonly replySlot?: number;
  readonly driver: DriverName;
  readonly spec: unknown;
  readonly state: SharedState;
  readonly plan: GeneratorPlan;
}

export interface ProducerResult {
  readonly role: 'producer';
  readonly index: number;
  /** Messages sent per target (the next sequence number of each stream). */
  readonly sent: number[];
  readonly sentInWindow: number;
}

export interface ConsumerResult {
  readonly role: 'consumer';
  readonly index: number;
  readonly tracker: TrackerSnapshot;
  /** Encoded HDR histograms (µs): from the intended and from the actual send time. */
  readonly intended: string;
  readonly actual: string;
  readonly received: number;
  readonly receivedInWindow: number;
}

export interface RpcClientResult {
  readonly role: 'rpc-client';
  readonly index: number;
  readonly requests: ProducerResult;
  readonly replies: ConsumerResult;
}

export interface RpcServerResult {
  readonly role: 'rpc-server';
  readonly index: number;
}

export type GeneratorResult = ProducerResult | ConsumerResult | RpcClientResult | RpcServerResult;

/** Messages a producer sends between looks at the clock and the event loop. */
const CHUNK = 1024;
/** Most messages a late producer sends before yielding, so other generators in its thread run. */
const MAX_BURST = 4096;
const pacer = new Int32Array(new SharedArrayBuffer(4));
/**
 * The shortest pause between bursts of a rated producer. Each burst goes out as one batch: waking
 * for every single due message would send batches of one. Intended times stay exact, so the pause
 * shows in latency rather than hiding it.
 */
const TICK_NS = 50_000;

async function waitForPhase(view: StateView, phase: number): Promise<void> {
  while (view.phase < phase) await sleep(1);
}

/** Sleeps until `ns` (monotonic): timers for long waits, a bounded park plus a loop turn for short. */
async function sleepUntil(ns: number): Promise<void> {
  const remainingMs = (ns - nowNs()) / 1e6;
  if (remainingMs <= 0) {
    await yieldLoop();
  } else if (remainingMs > 2) {
    await sleep(Math.floor(remainingMs - 1));
  } else {
    Atomics.wait(pacer, 0, 0, Math.min(remainingMs, 0.1));
    await yieldLoop();
  }
}

export async function runProducer(endpoint: ProducerEndpoint, task: GeneratorTask): Promise<ProducerResult> {
  const { plan } = task;
  const view = new StateView(task.state);
  const slot = task.slot * SLOT_WORDS;
  const message = createPayload(plan.messageSize);
  const dv = new DataView(message.buffer);
  dv.setUint32(OFF_PRODUCER, task.index, true);
  const seq = new Uint32Array(plan.targets);
  view.markReady();
  await waitForPhase(view, PHASE_RUN);
  const start = view.startNs;
  const windowStart = start + plan.warmupNs;
  const end = windowStart + plan.durationNs;
  let sent = 0;
  let sentInWindow = 0;
  let target = 0;
  let now = nowNs();

  const flowControl = async (): Promise<void> => {
    const flow = plan.flow;
    if (flow === undefined) return;
    while (view.sum(S_SENT) * flow.copies - view.sum(S_RECEIVED) > flow.maxInFlight && nowNs() < end && view.phase !== PHASE_STOP) await sleep(1);
  };

  if (plan.ratePerProducer > 0) {
    const interval = 1e9 / plan.ratePerProducer;
    let k = 0;
    while (view.phase !== PHASE_STOP) {
      now = nowNs();
      if (now >= end) break;
      const due = Math.floor((now - start) / interval) + 1;
      let burst = 0;
      while (k < due && burst < MAX_BURST) {
        const intended = start + k * interval;
        if (intended >= end) break;
        if ((burst & 63) === 63) now = nowNs();
        dv.setUint32(OFF_TARGET, target, true);
        dv.setUint32(OFF_SEQUENCE, seq[target]!, true);
        dv.setFloat64(OFF_INTENDED_NS, intended, true);
        dv.setFloat64(OFF_ACTUAL_NS, now, true);
        if (!endpoint.append(target, message)) {
          endpoint.send();
          await endpoint.ready();
          now = nowNs();
          continue;
        }
        seq[target]!++;
        sent++;
        if (now >= windowStart) sentInWindow++;
        target = target + 1 === plan.targets ? 0 : target + 1;
        k++;
        burst++;
      }
      endpoint.send();
      view.stats[slot + S_SENT] = sent;
      await flowControl();
      await sleepUntil(Math.max(start + k * interval, now + TICK_NS));
    }
  } else {
    while (view.phase !== PHASE_STOP) {
      now = nowNs();
      if (now >= end) break;
      for (let i = 0; i < CHUNK; i++) {
        if ((i & 63) === 63) now = nowNs();
        dv.setUint32(OFF_TARGET, target, true);
        dv.setUint32(OFF_SEQUENCE, seq[target]!, true);
        dv.setFloat64(OFF_INTENDED_NS, now, true);
        dv.setFloat64(OFF_ACTUAL_NS, now, true);
        if (!endpoint.append(target, message)) {
          await endpoint.ready();
          now = nowNs();
          i--;
          continue;
        }
        seq[target]!++;
        sent++;
        if (now >= windowStart) sentInWindow++;
        target = target + 1 === plan.targets ? 0 : target + 1;
      }
      view.stats[slot + S_SENT] = sent;
      await flowControl();
      await yieldLoop();
    }
  }
  await endpoint.flush();
  view.stats[slot + S_SENT] = sent;
  view.stats[slot + S_DONE] = 1;
  return { role: 'producer', index: task.index, sent: Array.from(seq), sentInWindow };
}

export async function runConsumer(open: (sink: MessageSink) => Promise<ConsumerEndpoint>, task: GeneratorTask): Promise<ConsumerResult> {
  const view = new StateView(task.state);
  const slot = task.slot * SLOT_WORDS;
  const intendedHist = createLatencyHistogram();
  const actualHist = createLatencyHistogram();
  // Warm the WebAssembly recorder before anything is timed: its first calls compile and tier up.
  for (let i = 0; i < 50_000; i++) {
    intendedHist.recordValue(1 + (i % 5000));
    actualHist.recordValue(1 + (i % 5000));
  }
  intendedHist.reset();
  actualHist.reset();
  const tracker = new SequenceTracker(task.plan.targets);
  let windowStart = Infinity;
  let windowEnd = Infinity;
  let received = 0;
  let receivedInWindow = 0;
  let latSum = 0;
  let latCount = 0;
  let latMax = 0;
  let polling = false;
  let sinceClock = 0;
  let now = nowNs();
  let viewed: ArrayBufferLike | undefined;
  let dv: DataView<ArrayBufferLike> = new DataView(new ArrayBuffer(32));

  const learnWindow = (): void => {
    if (view.phase < PHASE_RUN) return;
    windowStart = view.startNs + task.plan.warmupNs;
    windowEnd = windowStart + task.plan.durationNs;
  };

  const sink: MessageSink = (bytes, offset) => {
    if (bytes.buffer !== viewed) {
      viewed = bytes.buffer;
      dv = new DataView(bytes.buffer);
    }
    // A pull drains a batch that arrived together: one clock read per 64 records. A push
    // callback may come at any time: read the clock each time.
    if (!polling || ++sinceClock === 64) {
      sinceClock = 0;
      now = nowNs();
    }
    if (windowStart === Infinity) learnWindow();
    const at = bytes.byteOffset + offset;
    tracker.record(dv.getUint32(at + OFF_PRODUCER, true), dv.getUint32(at + OFF_TARGET, true), dv.getUint32(at + OFF_SEQUENCE, true));
    received++;
    if (now >= windowStart && now < windowEnd) receivedInWindow++;
    const intended = dv.getFloat64(at + OFF_INTENDED_NS, true);
    if (intended >= windowStart && intended < windowEnd) {
      const us = Math.max(1, Math.round((now - intended) / 1000));
      intendedHist.recordValue(us);
      actualHist.recordValue(Math.max(1, Math.round((now - dv.getFloat64(at + OFF_ACTUAL_NS, true)) / 1000)));
      latSum += us;
      latCount++;
      if (us > latMax) latMax = us;
    }
  };

  const endpoint = await open(sink);
  view.markReady();
  let epoch = view.epoch;
  try {
    while (view.phase !== PHASE_STOP) {
      polling = true;
      now = nowNs();
      sinceClock = 0;
      const n = endpoint.poll();
      polling = false;
      if (view.epoch !== epoch) {
        epoch = view.epoch;
        latMax = 0;
      }
      const s = view.stats;
      s[slot + S_RECEIVED] = received;
      s[slot + S_LAT_SUM_US] = latSum;
      s[slot + S_LAT_COUNT] = latCount;
      s[slot + S_LAT_MAX_US] = latMax;
      if (n === 0) await endpoint.idle(10);
    }
  } finally {
    await endpoint.close();
  }
  const result: ConsumerResult = {
    role: 'consumer',
    index: task.index,
    tracker: tracker.snapshot(),
    intended: encodeHistogram(intendedHist),
    actual: encodeHistogram(actualHist),
    received,
    receivedInWindow,
  };
  intendedHist.destroy();
  actualHist.destroy();
  return result;
}

/**
 * One RPC client: its reply consumer opens the connection (the sink must exist first), then the
 * producer loop sends requests through it. The connection closes with the reply consumer, at STOP.
 */
export async function runRpcClient(open: (sink: MessageSink) => Promise<RpcClientEndpoints>, task: GeneratorTask): Promise<RpcClientResult> {
  if (task.replySlot === undefined) throw new Error('an rpc-client task needs a replySlot');
  let opened!: (requests: ProducerEndpoint) => void;
  let failed!: (error: unknown) => void;
  const requestsEndpoint = new Promise<ProducerEndpoint>((resolve, reject) => {
    opened = resolve;
    failed = reject;
  });
  const openReplies = async (sink: MessageSink): Promise<ConsumerEndpoint> => {
    try {
      const client = await open(sink);
      opened(client.requests);
      return client.replies;
    } catch (error) {
      failed(error);
      throw error;
    }
  };
  const replies = runConsumer(openReplies, { ...task, role: 'consumer', slot: task.replySlot });
  const requests = requestsEndpoint.then((endpoint) => runProducer(endpoint, task));
  const [sent, received] = await Promise.all([requests, replies]);
  return { role: 'rpc-client', index: task.index, requests: sent, replies: received };
}

/** One RPC server: answers requests until STOP. */
export async function runRpcServer(open: () => Promise<ConsumerEndpoint>, task: GeneratorTask): Promise<RpcServerResult> {
  const view = new StateView(task.state);
  const endpoint = await open();
  view.markReady();
  try {
    while (view.phase !== PHASE_STOP) if (endpoint.poll() === 0) await endpoint.idle(10);
  } finally {
    await endpoint.close();
  }
  return { role: 'rpc-server', index: task.index };
}
