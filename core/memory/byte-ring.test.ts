/**
 * ByteRing behaviour on one thread and across real worker threads. Waiters get a fallback poll far
 * longer than the tests' timeouts, so a lost wake-up fails a test instead of hiding behind a poll.
 */
import { Worker } from 'node:worker_threads';
import { describe, expect, it, onTestFinished } from 'vitest';
import { MqlabInternalError } from '../errors/index.js';
import { ByteRing, NO_SPACE, RING_END, type FrameHandler } from './index.js';
import { DATA_OFFSET, FRAME_HEADER_BYTES, PADDING_MARKER } from './layout.js';
import type { ConsumerWorkerData, ProducerWorkerData, SequenceReport } from './test-workers/ring-messages.js';
import { consumeSequenceAsync, fillSequenceFrame, produceSequenceAsync, sequenceLength, SequenceVerifier } from './test-workers/ring-scenarios.js';

const NO_POLL_MS = 60_000;
const producerWorkerUrl = new URL('./test-workers/ring-producer.worker.js', import.meta.url);
const consumerWorkerUrl = new URL('./test-workers/ring-consumer.worker.js', import.meta.url);

interface WorkerRun<T> {
  readonly worker: Worker;
  /** The worker's last message, or undefined when it posted none. */
  readonly result: Promise<{ readonly message: T | undefined; readonly exitCode: number }>;
}

function startWorker<T>(url: URL, workerData: ProducerWorkerData | ConsumerWorkerData, onExit?: () => void): WorkerRun<T> {
  const worker = new Worker(url, { workerData, stderr: true });
  onTestFinished(async () => {
    await worker.terminate();
  });
  let message: T | undefined;
  worker.on('message', (value: T) => {
    message = value;
  });
  worker.on('error', () => undefined);
  const result = new Promise<{ message: T | undefined; exitCode: number }>((resolve) => {
    worker.on('exit', (exitCode) => {
      onExit?.();
      resolve({ message, exitCode });
    });
  });
  return { worker, result };
}

function expectMqlabError(action: () => unknown, type: string, ...fragments: string[]): void {
  let caught: unknown;
  try {
    action();
  } catch (error) {
    caught = error;
  }
  expect(caught).toBeInstanceOf(MqlabInternalError);
  const error = caught as MqlabInternalError;
  expect(error.type).toBe(type);
  for (const fragment of fragments) expect(error.message).toContain(fragment);
}

function collect(ring: ByteRing): number[][] {
  const frames: number[][] = [];
  const handler: FrameHandler = (bytes, offset, length) => {
    frames.push(Array.from(bytes.subarray(offset, offset + length)));
  };
  while (ring.read(handler) > 0);
  return frames;
}

describe('ByteRing on one thread', () => {
  it('frames of varying sizes keep their order and content over many laps, and never straddle the end', () => {
    const capacity = 4096;
    const maxLength = 300;
    const ring = ByteRing.create(capacity, { pollIntervalMs: NO_POLL_MS });
    const verifier = new SequenceVerifier(maxLength);
    let written = 0;
    let bytesWritten = 0;
    for (let round = 0; bytesWritten < 300 * capacity; round++) {
      const burst = 1 + (round % 13);
      for (let i = 0; i < burst; i++) {
        const length = sequenceLength(written, maxLength);
        const offset = ring.reserve(length);
        if (offset === NO_SPACE) break;
        fillSequenceFrame(ring.data, offset, written, length);
        written++;
        bytesWritten += length;
      }
      ring.commit();
      ring.read(verifier.onFrame, 1 + (round % 7));
    }
    while (ring.read(verifier.onFrame) > 0);
    expect(verifier.errors, verifier.firstError).toBe(0);
    expect(verifier.frames).toBe(written);
    expect(verifier.maxEnd).toBeLessThanOrEqual(capacity);
  });

  it('a frame that does not fit the rest of the lap starts at offset 0 after a padding marker', () => {
    const ring = ByteRing.create(256);
    expect(ring.reserve(100)).toBe(FRAME_HEADER_BYTES);
    expect(ring.reserve(100)).toBe(112 + FRAME_HEADER_BYTES);
    ring.commit();
    expect(collect(ring)).toHaveLength(2);
    // 224 bytes of the lap used, 32 left: a 48-byte frame needs 56.
    expect(ring.reserve(48)).toBe(FRAME_HEADER_BYTES);
    expect(ring.dataWords[224 / 4]).toBe(PADDING_MARKER);
    ring.data.fill(9, FRAME_HEADER_BYTES, FRAME_HEADER_BYTES + 48);
    ring.commit();
    expect(collect(ring)).toEqual([new Array<number>(48).fill(9)]);
    expect(ring.usedBytes).toBe(0);
  });

  it('reserved frames stay invisible until commit publishes the whole batch', () => {
    const ring = ByteRing.create(1024);
    for (let i = 0; i < 3; i++) ring.data[ring.reserve(1)] = i;
    expect(ring.read(() => undefined)).toBe(0);
    expect(ring.usedBytes).toBe(0);
    ring.commit();
    expect(collect(ring)).toEqual([[0], [1], [2]]);
  });

  it('the handler gets the ring’s own bytes with the frame’s offset and length', () => {
    const ring = ByteRing.create(1024);
    expect(ring.tryWrite(Uint8Array.of(1, 2, 3))).toBe(true);
    const seen: [Uint8Array, number, number][] = [];
    ring.read((bytes, offset, length) => seen.push([bytes, offset, length]));
    expect(seen).toEqual([[ring.data, FRAME_HEADER_BYTES, 3]]);
    expect(ring.data.byteOffset).toBe(DATA_OFFSET);
  });

  it('read stops after maxFrames and releases only what it delivered', () => {
    const ring = ByteRing.create(1024);
    for (let i = 0; i < 5; i++) ring.tryWrite(Uint8Array.of(i));
    const got: number[] = [];
    expect(ring.read((bytes, offset) => got.push(bytes[offset] ?? -1), 2)).toBe(2);
    expect(ring.usedBytes).toBe(3 * 16);
    expect(ring.read((bytes, offset) => got.push(bytes[offset] ?? -1))).toBe(3);
    expect(got).toEqual([0, 1, 2, 3, 4]);
  });

  it('a full ring rejects tryWrite, write times out with RING_FULL, and nothing is overwritten', () => {
    const ring = ByteRing.create(1024, { spinMicros: 10 });
    const frames: number[] = [];
    for (let i = 0; ring.tryWrite(new Uint8Array(40).fill(i)); i++) frames.push(i);
    expect(frames.length).toBe(Math.floor(1024 / 48));
    expect(ring.reserve(40)).toBe(NO_SPACE);
    expect(ring.tryWrite(new Uint8Array(40).fill(99))).toBe(false);
    expectMqlabError(() => ring.write(new Uint8Array(40).fill(99), 20), 'RING_FULL', '40-byte frame', '20 ms', 'of 1024 bytes');
    expect(ring.waitForSpace(40, 10)).toBe(false);
    expect(collect(ring)).toEqual(frames.map((i) => new Array<number>(40).fill(i)));
    ring.write(new Uint8Array(40).fill(7), 20);
    expect(collect(ring)).toEqual([new Array<number>(40).fill(7)]);
  });

  it('a frame above the max frame size throws FRAME_TOO_LARGE naming the size and the limit', () => {
    const ring = ByteRing.create(4096, { maxFrameBytes: 1000 });
    expect(ring.maxFrameBytes).toBe(1000);
    expectMqlabError(() => ring.reserve(1001), 'FRAME_TOO_LARGE', '1001 bytes', '1000 bytes');
    expectMqlabError(() => ring.tryWrite(new Uint8Array(5000)), 'FRAME_TOO_LARGE', '5000 bytes', '1000 bytes');
    expectMqlabError(() => ring.write(new Uint8Array(1001)), 'FRAME_TOO_LARGE', '1001 bytes');
    expectMqlabError(() => ring.reserve(-1), 'INVALID_ARGUMENT', '-1');
    expect(ring.usedBytes).toBe(0);
    ring.tryWrite(new Uint8Array(1000).fill(5));
    expect(collect(ring)).toEqual([new Array<number>(1000).fill(5)]);
  });

  it('the default max frame size is the largest frame that always fits, half the ring', () => {
    const ring = ByteRing.create(256);
    expect(ring.maxFrameBytes).toBe(128 - FRAME_HEADER_BYTES);
    for (let lap = 0; lap < 40; lap++) {
      const length = lap % 2 === 0 ? ring.maxFrameBytes : 8 * (lap % 9);
      expect(ring.tryWrite(new Uint8Array(length).fill(lap))).toBe(true);
      expect(collect(ring)).toEqual([new Array<number>(length).fill(lap)]);
    }
    expectMqlabError(() => ByteRing.create(256, { maxFrameBytes: 121 }), 'INVALID_ARGUMENT', 'maxFrameBytes', '121', '120');
  });

  it('after an orderly close the consumer reads every frame, then RING_END', async () => {
    const ring = ByteRing.create(1024);
    ring.tryWrite(Uint8Array.of(1));
    ring.data[ring.reserve(1)] = 2;
    ring.closeProducer();
    expect(ring.producerStatus).toBe('closed');
    expect(ring.waitForData(0)).toBe(true);
    expect(collect(ring)).toEqual([[1], [2]]);
    expect(ring.read(() => undefined)).toBe(RING_END);
    expect(ring.waitForData(1000)).toBe(true);
    expect(await ring.readAsync(() => undefined)).toBe(RING_END);
    expectMqlabError(() => ring.tryWrite(Uint8Array.of(3)), 'CLOSED');
  });

  it('waiting for data times out with false, and readAsync with 0, when nothing is committed (NaN or negative: at once)', async () => {
    const ring = ByteRing.create(1024, { spinMicros: 10 });
    ring.reserve(8);
    expect(ring.waitForData(15)).toBe(false);
    expect(await ring.waitForDataAsync(15)).toBe(false);
    expect(await ring.readAsync(() => undefined, 10, 15)).toBe(0);
    expect(ring.waitForData(Number.NaN)).toBe(false);
    expect(await ring.waitForDataAsync(-1)).toBe(false);
  });

  it('a producer finding the ring full gets PEER_DEAD once the consumer is marked dead, CLOSED once it closed', () => {
    const dead = ByteRing.create(256, { spinMicros: 10 });
    while (dead.tryWrite(new Uint8Array(24)));
    dead.markConsumerDead();
    expect(dead.consumerStatus).toBe('dead');
    expectMqlabError(() => dead.write(new Uint8Array(24), 1000), 'PEER_DEAD', 'consumer is dead');
    expectMqlabError(() => dead.reserve(24), 'PEER_DEAD');

    const closed = ByteRing.create(256, { spinMicros: 10 });
    while (closed.tryWrite(new Uint8Array(24)));
    closed.closeConsumer();
    expectMqlabError(() => closed.waitForSpace(24, 1000), 'CLOSED', 'consumer closed');
  });

  it('attach rejects a buffer that is not a ring, and create a capacity that is not a power of two', () => {
    expectMqlabError(() => ByteRing.attach(new SharedArrayBuffer(4096)), 'INVALID_ARGUMENT', 'not a ByteRing');
    expectMqlabError(() => ByteRing.attach(new ArrayBuffer(4096) as unknown as SharedArrayBuffer), 'INVALID_ARGUMENT', 'ArrayBuffer of 4096 bytes');
    expectMqlabError(() => ByteRing.create(1000), 'INVALID_ARGUMENT', '1000', 'power of two');
    expectMqlabError(() => ByteRing.create(1024, { spinMicros: -1 }), 'INVALID_ARGUMENT', 'spinMicros');
    const ring = ByteRing.create(1024);
    const other = ByteRing.attach(ring.buffer);
    expect([other.capacity, other.maxFrameBytes]).toEqual([1024, ring.maxFrameBytes]);
  });
});

describe('ByteRing across worker threads', () => {
  const FRAMES = 1_000_000;
  const MAX_LENGTH = 256;

  it('a million frames reach the main thread (waitAsync) from a producer worker (Atomics.wait) intact and in order', async () => {
    const ring = ByteRing.create(64 * 1024, { pollIntervalMs: NO_POLL_MS });
    const producer = startWorker<{ produced: number }>(producerWorkerUrl, {
      buffer: ring.buffer,
      role: 'sequence',
      frames: FRAMES,
      maxLength: MAX_LENGTH,
      batch: 16,
      pollIntervalMs: NO_POLL_MS,
    });
    const report = await consumeSequenceAsync(ring, new SequenceVerifier(MAX_LENGTH));
    expect(report.errors, report.firstError).toBe(0);
    expect(report).toMatchObject({ frames: FRAMES, ended: true });
    expect(await producer.result).toEqual({ message: { produced: FRAMES }, exitCode: 0 });
  });

  it('a million frames reach a consumer worker (Atomics.wait) from the main thread (waitAsync for room) intact and in order', async () => {
    const ring = ByteRing.create(64 * 1024, { pollIntervalMs: NO_POLL_MS });
    const consumer = startWorker<SequenceReport>(consumerWorkerUrl, { buffer: ring.buffer, maxLength: MAX_LENGTH, pollIntervalMs: NO_POLL_MS });
    // Let the consumer park on the data doorbell before the first frame arrives.
    await new Promise((resolve) => setTimeout(resolve, 50));
    await produceSequenceAsync(ring, FRAMES, MAX_LENGTH, 32);
    const { message, exitCode } = await consumer.result;
    expect(exitCode).toBe(0);
    expect(message?.errors, message?.firstError).toBe(0);
    expect(message).toMatchObject({ frames: FRAMES, ended: true });
  });

  for (const role of ['die-by-exit', 'die-by-throw'] as const) {
    it(`a producer worker that dies mid-frame (${role}) leaves every committed frame readable, none partial, then PEER_DEAD`, async () => {
      const committed = 5000;
      const ring = ByteRing.create(1024 * 1024, { pollIntervalMs: NO_POLL_MS });
      const producer = startWorker<never>(
        producerWorkerUrl,
        { buffer: ring.buffer, role, frames: committed, maxLength: MAX_LENGTH, batch: 1, pollIntervalMs: NO_POLL_MS },
        () => ring.markProducerDead(),
      );
      const verifier = new SequenceVerifier(MAX_LENGTH);
      await expect(consumeSequenceAsync(ring, verifier)).rejects.toMatchObject({ type: 'PEER_DEAD', name: 'MqlabInternalError' });
      const { exitCode } = await producer.result;
      expect(exitCode).not.toBe(0);
      expect(ring.producerStatus).toBe('dead');
      expect(verifier.errors, verifier.firstError).toBe(0);
      expect(verifier.frames).toBe(committed);
      expectMqlabError(() => ring.read(verifier.onFrame), 'PEER_DEAD', 'producer died');
      expectMqlabError(() => ring.waitForData(1000), 'PEER_DEAD');
    });
  }

  it('a worker whose only work is a parked waitForDataAsync stays alive until the frame arrives', async () => {
    // Node does not count a pending Atomics.waitAsync as work; without a hold the worker would exit
    // with code 13 (unsettled top-level await) before the frame is written.
    const ring = ByteRing.create(1024, { pollIntervalMs: NO_POLL_MS });
    const waiter = startWorker<{ ready: boolean }>(new URL('./test-workers/ring-await.worker.js', import.meta.url), {
      buffer: ring.buffer,
      maxLength: 0,
      pollIntervalMs: NO_POLL_MS,
    });
    await new Promise((resolve) => setTimeout(resolve, 300));
    ring.write(new Uint8Array([1, 2, 3]));
    expect(await waiter.result).toEqual({ message: { ready: true }, exitCode: 0 });
  });

  it('a consumer parked in waitAsync learns of a producer death without any frame', async () => {
    const ring = ByteRing.create(1024, { pollIntervalMs: NO_POLL_MS });
    const waiting = ring.waitForDataAsync(10_000);
    setTimeout(() => ring.markProducerDead(), 20);
    await expect(waiting).rejects.toMatchObject({ type: 'PEER_DEAD' });
  });
});
