/**
 * Micro-benchmarks of moving 200-byte messages between two threads: mqlab's ByteRing against
 * MessagePort.postMessage (one message per call, and 256 per call) and the ringbuf.js package.
 *
 * Every scenario counts what the receiving thread actually received, checks each message's sequence
 * number, times batches (never single messages) after a warm-up, and checks at the end that the
 * receiver got exactly what was sent. The scenarios run interleaved in rounds that add up to
 * ~durationMs each. Threads: the main thread plus one worker (2), whatever the core count.
 *
 *   ring.spsc.200B               producer worker -> ByteRing -> main thread (readAsync-style loop)
 *   peer.postMessage.200B        main -> MessagePort.postMessage(one 200-byte Uint8Array) -> worker
 *   peer.postMessage.batch.200B  main -> postMessage(array of 256 distinct 200-byte buffers) -> worker
 *   peer.ringbufjs.200B          producer worker -> ringbuf.js push (one per message) -> main pop
 */
import { once } from 'node:events';
import { MessageChannel, Worker } from 'node:worker_threads';
import { RingBuffer } from 'ringbuf.js';
import { ByteRing, RING_END } from '../../core/memory/index.js';
import {
  CONTROL_BYTES,
  ControlWord,
  type PortSinkAck,
  type PortSinkRequest,
  type PortSinkWorkerData,
  type RingProducerKind,
  type RingProducerReport,
  type RingProducerWorkerData,
} from './ring-messages.js';
import { MeasuredWindow, type WindowResult } from './ring-window.js';
import { PAYLOAD_BYTES, type Measurement, type MicroOptions, type MicroScenarioGroup } from './types.js';

const producerWorkerUrl = new URL('./ring-producer.worker.js', import.meta.url);
const portSinkWorkerUrl = new URL('./ring-port-sink.worker.js', import.meta.url);

/**
 * ByteRing and ringbuf.js data areas, as large as a broker's request ring: a parked event-loop
 * consumer takes a few hundred microseconds to wake, and the ring must absorb that much production.
 */
const RING_BYTES = 4 * 1024 * 1024;
/** Frames the ByteRing producer reserves between two commits. */
const COMMIT_BATCH = 64;
/** Most frames one `read` call drains: the consumer releases room every ~50 KiB. */
const READ_BATCH = 256;
/** Messages per postMessage in the batch peer. */
const POST_BATCH = 256;
/** The postMessage sink acknowledges every ACK_EVERY messages; the sender keeps 4 acks' worth in flight. */
const ACK_EVERY = 1024;
const IN_FLIGHT = 4 * ACK_EVERY;
/** ringbuf.js has no doorbell: the consumer re-checks this often before yielding to the event loop. */
const POLL_SPINS = 2000;
/** A scenario that has not finished this long after its window is a hang, not a slow run. */
const HANG_MS = 15_000;
const THREADS = 2;
/** Each scenario runs this many times, interleaved with the others. */
const ROUNDS = 2;

interface Timing {
  readonly warmupMs: number;
  readonly durationMs: number;
  readonly sampleMs: number;
}

/** Each round measures durationMs / ROUNDS after its own warm-up. */
function timingOf(options: MicroOptions): Timing {
  const durationMs = options.durationMs / ROUNDS;
  return {
    warmupMs: Math.min(500, Math.max(100, durationMs / 2)),
    durationMs,
    sampleMs: Math.max(10, durationMs / 10),
  };
}

/** One scenario's rounds as one measurement: counts and times add up, samples are kept apart. */
function mergeRounds(rounds: readonly Measurement[]): Measurement {
  const [first] = rounds;
  if (first === undefined) throw new Error('no rounds to merge');
  return {
    ...first,
    params: { ...first.params, rounds: rounds.length },
    messages: rounds.reduce((sum, round) => sum + round.messages, 0),
    payloadBytes: rounds.reduce((sum, round) => sum + round.payloadBytes, 0),
    elapsedNs: rounds.reduce((sum, round) => sum + round.elapsedNs, 0),
    samplesMsgsPerS: rounds.flatMap((round) => round.samplesMsgsPerS ?? []),
  };
}

function measurement(id: string, target: string, params: Measurement['params'], window: WindowResult): Measurement {
  return {
    id,
    target,
    params,
    messages: window.messages,
    payloadBytes: window.messages * PAYLOAD_BYTES,
    elapsedNs: window.elapsedNs,
    threads: THREADS,
    samplesMsgsPerS: window.samplesMsgsPerS,
  };
}

function mismatch(scenario: string, what: string, got: number, expected: number): Error {
  return new Error(`${scenario}: ${what} ${got}, expected ${expected}`);
}

function yieldToEventLoop(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

/** Checks the sequence number in each frame's first word; counts frames. */
class FrameCheck {
  next = 0;
  errors = 0;

  constructor(private readonly words: Int32Array) {}

  readonly onFrame = (_bytes: Uint8Array, offset: number, length: number): void => {
    if (this.words[offset >> 2] !== this.next || length !== PAYLOAD_BYTES) this.errors++;
    this.next++;
  };
}

interface ProducerRun {
  readonly worker: Worker;
  readonly control: Int32Array;
  readonly report: Promise<RingProducerReport>;
}

async function startProducer(kind: RingProducerKind, buffer: SharedArrayBuffer, onExit: () => void): Promise<ProducerRun> {
  const control = new SharedArrayBuffer(CONTROL_BYTES);
  const workerData: RingProducerWorkerData = { kind, buffer, control, payloadBytes: PAYLOAD_BYTES, batch: COMMIT_BATCH };
  const worker = new Worker(producerWorkerUrl, { workerData });
  const report = new Promise<RingProducerReport>((resolve, reject) => {
    worker.once('message', resolve);
    worker.once('error', reject);
    worker.once('exit', (code) => {
      onExit();
      reject(new Error(`${kind} producer exited with code ${code} before reporting`));
    });
  });
  report.catch(() => undefined);
  await once(worker, 'online');
  return { worker, control: new Int32Array(control), report };
}

async function measureByteRing(timing: Timing): Promise<Measurement> {
  const ring = ByteRing.create(RING_BYTES);
  const producer = await startProducer('byte-ring', ring.buffer, () => ring.markProducerDead());
  try {
    const check = new FrameCheck(ring.dataWords);
    const window = new MeasuredWindow(performance.now(), timing.warmupMs, timing.durationMs, timing.sampleMs);
    for (;;) {
      const frames = ring.read(check.onFrame, READ_BATCH);
      if (frames === RING_END) break;
      if (!window.done && window.observe(performance.now(), check.next)) Atomics.store(producer.control, ControlWord.STOP, 1);
      if (frames === 0 && !(await ring.waitForDataAsync(HANG_MS))) throw new Error(`ring.spsc.200B: stalled after ${check.next} frames`);
    }
    const { produced } = await producer.report;
    if (check.next !== produced) throw mismatch('ring.spsc.200B', 'frames received', check.next, produced);
    if (check.errors !== 0) throw mismatch('ring.spsc.200B', 'frames out of sequence', check.errors, 0);
    return measurement('ring.spsc.200B', 'mqlab', { payloadBytes: PAYLOAD_BYTES, ringBytes: RING_BYTES, commitBatch: COMMIT_BATCH, direction: 'worker->main' }, window.result());
  } finally {
    await producer.worker.terminate();
  }
}

async function measureRingbuf(timing: Timing): Promise<Measurement> {
  const buffer = RingBuffer.getStorageForCapacity(RING_BYTES, Uint8Array);
  const ring = new RingBuffer(buffer, Uint8Array);
  const producer = await startProducer('ringbuf.js', buffer, () => undefined);
  try {
    const staging = new Uint8Array(POST_BATCH * PAYLOAD_BYTES);
    const stagingWords = new Int32Array(staging.buffer);
    const window = new MeasuredWindow(performance.now(), timing.warmupMs, timing.durationMs, timing.sampleMs);
    const control = producer.control;
    const giveUpAt = performance.now() + timing.warmupMs + timing.durationMs + HANG_MS;
    let received = 0;
    let errors = 0;
    for (let idle = 0; ; ) {
      const available = ring.availableRead();
      const bytes = Math.min(available - (available % PAYLOAD_BYTES), staging.length);
      if (bytes > 0) {
        ring.pop(staging, bytes);
        for (let at = 0; at < bytes; at += PAYLOAD_BYTES) {
          if (stagingWords[at >> 2] !== received) errors++;
          received++;
        }
        idle = 0;
      } else if (Atomics.load(control, ControlWord.DONE) === 1 && received === Atomics.load(control, ControlWord.PRODUCED)) {
        break;
      } else if (++idle > POLL_SPINS) {
        if (performance.now() > giveUpAt) throw new Error(`peer.ringbufjs.200B: stalled after ${received} messages`);
        await yieldToEventLoop();
      }
      if (!window.done && window.observe(performance.now(), received)) Atomics.store(control, ControlWord.STOP, 1);
    }
    const { produced } = await producer.report;
    if (received !== produced) throw mismatch('peer.ringbufjs.200B', 'messages received', received, produced);
    if (errors !== 0) throw mismatch('peer.ringbufjs.200B', 'messages out of sequence', errors, 0);
    return measurement('peer.ringbufjs.200B', 'ringbuf.js', { payloadBytes: PAYLOAD_BYTES, ringBytes: RING_BYTES, pushPerMessage: true, direction: 'worker->main' }, window.result());
  } finally {
    await producer.worker.terminate();
  }
}

/** Sends numbered 200-byte messages, `perPost` per postMessage, keeping IN_FLIGHT unacknowledged. */
async function measurePostMessage(timing: Timing, perPost: number): Promise<Measurement> {
  const id = perPost === 1 ? 'peer.postMessage.200B' : 'peer.postMessage.batch.200B';
  const { port1, port2 } = new MessageChannel();
  const workerData: PortSinkWorkerData = { port: port2, ackEvery: ACK_EVERY };
  const worker = new Worker(portSinkWorkerUrl, { workerData, transferList: [port2] });
  try {
    await once(worker, 'online');
    const messages = Array.from({ length: perPost }, () => new Uint8Array(PAYLOAD_BYTES).fill(0x5a));
    const window = new MeasuredWindow(performance.now(), timing.warmupMs, timing.durationMs, timing.sampleMs);
    let last: PortSinkAck = { received: 0, errors: 0, flushed: false };
    let wake: (() => void) | undefined;
    port1.on('message', (ack: PortSinkAck) => {
      last = ack;
      window.observe(performance.now(), ack.received);
      wake?.();
    });
    const nextAck = (): Promise<void> =>
      new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`${id}: no acknowledgement in ${HANG_MS} ms`)), HANG_MS);
        wake = () => {
          clearTimeout(timer);
          wake = undefined;
          resolve();
        };
      });
    let sent = 0;
    while (!window.done) {
      while (sent - last.received < IN_FLIGHT) {
        for (const message of messages) {
          message[0] = sent & 0xff;
          message[1] = (sent >>> 8) & 0xff;
          message[2] = (sent >>> 16) & 0xff;
          message[3] = (sent >>> 24) & 0xff;
          sent++;
        }
        const request: PortSinkRequest = perPost === 1 ? (messages[0] ?? new Uint8Array(0)) : messages;
        port1.postMessage(request);
      }
      await nextAck();
    }
    const flush: PortSinkRequest = { kind: 'flush' };
    port1.postMessage(flush);
    while (!last.flushed) await nextAck();
    port1.close();
    if (last.received !== sent) throw mismatch(id, 'messages received', last.received, sent);
    if (last.errors !== 0) throw mismatch(id, 'messages out of sequence', last.errors, 0);
    return measurement(id, 'node', { payloadBytes: PAYLOAD_BYTES, messagesPerPost: perPost, inFlight: IN_FLIGHT, direction: 'main->worker' }, window.result());
  } finally {
    await worker.terminate();
  }
}

/**
 * Runs the four scenarios ROUNDS times, interleaved (A B C D A B C D), so that load that comes and
 * goes on a shared machine weighs on mqlab and its peers alike and their ratios stay honest.
 */
export const runRingScenarios: MicroScenarioGroup = async (options) => {
  const timing = timingOf(options);
  const scenarios = [
    { id: 'ring.spsc.200B', measure: () => measureByteRing(timing) },
    { id: 'peer.postMessage.200B', measure: () => measurePostMessage(timing, 1) },
    { id: 'peer.postMessage.batch.200B', measure: () => measurePostMessage(timing, POST_BATCH) },
    { id: 'peer.ringbufjs.200B', measure: () => measureRingbuf(timing) },
  ].filter((s) => options.wants?.(s.id) ?? true);
  const rounds: Measurement[][] = scenarios.map(() => []);
  for (let round = 0; round < ROUNDS; round++) {
    for (const [index, scenario] of scenarios.entries()) rounds[index]?.push(await scenario.measure());
  }
  return rounds.map(mergeRounds);
};
