/**
 * Micro-benchmarks of core/log, one thread: the memory-copy ceiling, single-record appends, appends of
 * pre-encoded batches, and a zero-copy cursor scan. Each tinybench iteration moves BATCH messages
 * (tinybench costs ~50-70 ns per sample, so a single message per sample would measure tinybench).
 *
 * Scenarios (all 200-byte values, null keys, no headers):
 * - ceiling.copy.200B      TypedArray.set of 200-byte frames into an ordinary ArrayBuffer.
 * - ceiling.copy.200B.sab  The same into a SharedArrayBuffer, frames 8-byte aligned (the best case the
 *                          log can reach: V8 copies into shared memory 5-7x slower when misaligned).
 * - log.append.200B        PartitionLog.append, one record per call, timestamp passed by the caller
 *                          (read once per iteration, as a producer draining a ring would).
 * - log.append.200B.clock  The same with no timestamp: the log reads the clock per record (~55-75 ns).
 * - log.append.200B.crc    The same as log.append.200B with sealCrc: the CRC computed at every seal.
 * - log.append.batch.200B  PartitionLog.appendBatch of a pre-encoded 1000-record batch.
 * - log.read.200B          RecordCursor scan summing valueLength (no copy, no view) over a 1 MB log that
 *                          stays in cache, like a consumer at the tail (the ceiling's region is 200 KB).
 * - log.read.200B.cold     The same over a 21 MB log, beyond the caches: bounded by memory bandwidth.
 * Appends run against retention.bytes so memory stays bounded; segment rolls and deletions are part
 * of what is measured. `extra.storageRatio` is bytes stored per record / 200: batches, filler, index
 * entries and segment headers included, measured on a separate deterministic fill.
 */
import { Bench } from 'tinybench';
import { PartitionLog, RecordBatchBuilder, type PartitionLogOptions } from '../../core/log/index.js';
import { PAYLOAD_BYTES, type Measurement, type MicroScenarioGroup } from './types.js';

const BATCH = 1000;
const RETENTION_BYTES = 64 * 1024 * 1024;
/** Records in the deterministic fills that measure storage, and in the log the cold read scans. */
const FILL_RECORDS = 100_000;
/** Records in the log the (warm) read scenario scans: about 1 MB. */
const HOT_RECORDS = 5000;

interface Scenario {
  readonly id: string;
  /** `node` for the ceilings (TypedArray.set itself), `mqlab` for the log. */
  readonly target: 'node' | 'mqlab';
  readonly params: Readonly<Record<string, string | number | boolean>>;
  readonly setup: () => () => void;
  readonly extra?: () => Readonly<Record<string, number>>;
}

/** The id prefixes of this group's scenarios. */
export const LOG_SCENARIO_PREFIXES = ['log.', 'ceiling.'] as const;

export const runLogScenarios: MicroScenarioGroup = async (options) => {
  const results: Measurement[] = [];
  for (const scenario of logScenarios()) if (options.wants?.(scenario.id) ?? true) results.push(await measure(scenario, options.durationMs));
  return results;
};

/** A scenario as a bare iteration, for callers that time it themselves (the gate's paired runs). */
export interface LogIteration {
  readonly id: string;
  /** Messages one call of the iteration moves. */
  readonly messagesPerIteration: number;
  /** Builds the scenario's state (a log, a region) and returns one iteration over it. */
  readonly setup: () => () => void;
}

/**
 * Every scenario of this group as a bare iteration. The gate's paired runner (scripts/gate/paired-run.ts)
 * loads this from two builds into one process and alternates their iterations in short slices, so
 * that both meet the same machine at the same moment. Keep the export: a build without it is
 * measured process by process.
 */
export function logIterations(): LogIteration[] {
  return logScenarios().map((s) => ({ id: s.id, messagesPerIteration: BATCH, setup: s.setup }));
}

function logScenarios(): Scenario[] {
  const value = new Uint8Array(PAYLOAD_BYTES).fill(0x5a);
  return [
    {
      id: 'ceiling.copy.200B',
      target: 'node',
      params: { memory: 'ArrayBuffer', frameBytes: PAYLOAD_BYTES },
      setup: () => copyFrames(new Uint8Array(PAYLOAD_BYTES * BATCH), value),
    },
    {
      id: 'ceiling.copy.200B.sab',
      target: 'node',
      params: { memory: 'SharedArrayBuffer', frameBytes: PAYLOAD_BYTES, aligned: true },
      setup: () => copyFrames(new Uint8Array(new SharedArrayBuffer(PAYLOAD_BYTES * BATCH)), value),
    },
    {
      id: 'log.append.200B',
      target: 'mqlab',
      params: { timestamp: 'caller', sealCrc: false },
      setup: () => appendSingles(value, {}, true),
      extra: () => ({ storageRatio: storageRatio(singleFill(value)) }),
    },
    {
      id: 'log.append.200B.clock',
      target: 'mqlab',
      params: { timestamp: 'Date.now', sealCrc: false },
      setup: () => appendSingles(value, {}, false),
    },
    {
      id: 'log.append.200B.crc',
      target: 'mqlab',
      params: { timestamp: 'caller', sealCrc: true },
      setup: () => appendSingles(value, { sealCrc: true }, true),
    },
    {
      id: 'log.append.batch.200B',
      target: 'mqlab',
      params: { recordsPerBatch: BATCH, verifyCrc: false },
      setup: () => appendBatches(value),
      extra: () => ({ storageRatio: storageRatio(batchFill(value)) }),
    },
    {
      id: 'log.read.200B',
      target: 'mqlab',
      params: { recordsPerBatch: BATCH, copy: false, logRecords: HOT_RECORDS },
      setup: () => readScan(batchFill(value, HOT_RECORDS)),
    },
    {
      id: 'log.read.200B.cold',
      target: 'mqlab',
      params: { recordsPerBatch: BATCH, copy: false, logRecords: FILL_RECORDS },
      setup: () => readScan(batchFill(value, FILL_RECORDS)),
    },
  ];
}

async function measure(scenario: Scenario, durationMs: number): Promise<Measurement> {
  const iteration = scenario.setup();
  const bench = new Bench({ time: durationMs, warmupTime: Math.min(200, durationMs / 4), retainSamples: true });
  bench.add(scenario.id, iteration);
  await bench.run();
  const task = bench.getTask(scenario.id);
  const result = task?.result;
  if (result === undefined || !('latency' in result)) throw new Error(`scenario ${scenario.id} produced no result`);
  const samplesMs = result.latency.samples ?? [];
  const runs = samplesMs.length;
  // Sum of the timed iterations (tinybench's totalTime): warm-up and tinybench's own work excluded.
  const elapsedNs = result.totalTime * 1e6;
  const messages = runs * BATCH;
  return {
    id: scenario.id,
    target: scenario.target,
    params: { ...scenario.params, messagesPerIteration: BATCH, payloadBytes: PAYLOAD_BYTES },
    messages,
    payloadBytes: messages * PAYLOAD_BYTES,
    elapsedNs,
    threads: 1,
    samplesMsgsPerS: samplesMs.map((ms) => (ms > 0 ? (BATCH * 1000) / ms : 0)),
    ...(scenario.extra ? { extra: scenario.extra() } : {}),
  };
}

function copyFrames(region: Uint8Array, frame: Uint8Array): () => void {
  return () => {
    for (let i = 0, p = 0; i < BATCH; i++, p += PAYLOAD_BYTES) region.set(frame, p);
  };
}

function appendSingles(value: Uint8Array, options: Partial<PartitionLogOptions>, callerTimestamp: boolean): () => void {
  const log = new PartitionLog({ retentionBytes: RETENTION_BYTES, retentionMs: -1, ...options });
  return () => {
    if (callerTimestamp) {
      const now = Date.now();
      for (let i = 0; i < BATCH; i++) log.append(null, value, undefined, now);
    } else {
      for (let i = 0; i < BATCH; i++) log.append(null, value);
    }
    log.highWatermark = log.logEndOffset;
    log.deleteOldSegments();
  };
}

function encodeBatch(value: Uint8Array): Uint8Array {
  const buffer = new Uint8Array(BATCH * (PAYLOAD_BYTES + 32) + 64);
  const builder = new RecordBatchBuilder();
  builder.begin(buffer);
  const now = Date.now();
  for (let i = 0; i < BATCH; i++) builder.append(null, value, undefined, now);
  return buffer.subarray(0, builder.finish());
}

function appendBatches(value: Uint8Array): () => void {
  const batch = encodeBatch(value);
  const log = new PartitionLog({ retentionBytes: RETENTION_BYTES, retentionMs: -1 });
  return () => {
    log.appendBatch(batch);
    log.highWatermark = log.logEndOffset;
    log.deleteOldSegments();
  };
}

function readScan(log: PartitionLog): () => void {
  const cursor = log.cursor(0);
  let sink = 0;
  return () => {
    let total = 0;
    for (let i = 0; i < BATCH; i++) {
      if (!cursor.next()) {
        cursor.seek(0);
        cursor.next();
      }
      total += cursor.valueLength;
    }
    sink ^= total;
    if (sink === -1) throw new Error('unreachable: keeps the scan observable');
  };
}

function singleFill(value: Uint8Array): PartitionLog {
  const log = new PartitionLog();
  const now = Date.now();
  for (let i = 0; i < FILL_RECORDS; i++) log.append(null, value, undefined, now + (i >> 10));
  log.flush();
  log.highWatermark = log.logEndOffset;
  return log;
}

function batchFill(value: Uint8Array, records = FILL_RECORDS): PartitionLog {
  const batch = encodeBatch(value);
  const log = new PartitionLog();
  for (let i = 0; i < records / BATCH; i++) log.appendBatch(batch);
  log.highWatermark = log.logEndOffset;
  return log;
}

/** Bytes stored per record (batches, filler, index entries, segment headers) over the payload size. */
function storageRatio(log: PartitionLog): number {
  const s = log.stats();
  const records = log.logEndOffset - log.logStartOffset;
  return (s.batchBytes + s.indexBytes + s.headerBytes) / records / PAYLOAD_BYTES;
}
