/**
 * The checker of the Jepsen-style run: a pure function from what the clients did and saw to the
 * anomalies Jepsen's queue and Kafka checkers name. No cluster, no clock, no printing.
 *
 * - lost: an acknowledged record that is not in the leader's final log at all.
 * - unreadable: an acknowledged record that is in the final log, but only above the high watermark,
 *   where no consumer may read it.
 * - duplicated: a value present more than once in the final log.
 * - reordered: within a partition, a producer's record read after one it sent later.
 * - inconsistent: a (partition, offset) seen with two different values anywhere: a poll during the
 *   run, a replica's log at the end, the offset an acknowledgement named, or the final log.
 * - unexpected: a value in the log that no producer ever sent (to that partition).
 *
 * Aborted reads (Jepsen's kafka workload) have no counterpart: mqlab has no transactions.
 */

/** One record a producer sent: acknowledged, or failed (it may or may not be in the log). */
export interface WriteRecord {
  readonly partition: number;
  readonly producer: number;
  readonly seq: number;
  readonly value: string;
  readonly acked: boolean;
  /** The offset the acknowledgement named; -1 when none did (acks=0, or the send failed). */
  readonly offset: number;
}

/** Values read from one partition at consecutive offsets, starting at `from`. */
export interface ReadRun {
  readonly source: string;
  readonly partition: number;
  readonly from: number;
  readonly values: readonly string[];
}

/** A leader's whole log after the drain: consumers may read the offsets below `highWatermark`. */
export interface FinalLog extends ReadRun {
  readonly highWatermark: number;
}

export interface CheckerInput {
  readonly writes: readonly WriteRecord[];
  /** Per partition, the leader's whole log after the drain (log start to log end). */
  readonly final: readonly FinalLog[];
  /** Everything else that was read: polls during the run, each replica's log at the end. */
  readonly observed: readonly ReadRun[];
}

export interface CheckerResult {
  readonly attempted: number;
  readonly acked: number;
  /** Sends that failed: their records may or may not have been stored. */
  readonly indeterminate: number;
  /** Records in the final logs, and how many of them sit above the high watermark. */
  readonly read: number;
  readonly aboveHighWatermark: number;
  readonly lost: number;
  readonly duplicated: number;
  readonly reordered: number;
  readonly inconsistent: number;
  readonly unexpected: number;
  readonly unreadable: number;
  /** A few of each anomaly, for the report. */
  readonly examples: readonly string[];
}

const MAX_EXAMPLES_PER_KIND = 3;

export function checkHistory(input: CheckerInput): CheckerResult {
  const examples: string[] = [];
  const note = (kind: string, counter: { n: number }, text: string): void => {
    counter.n++;
    if (counter.n <= MAX_EXAMPLES_PER_KIND) examples.push(`${kind}: ${text}`);
  };
  const sent = new Map<string, WriteRecord>();
  for (const w of input.writes) sent.set(w.value, w);

  // The final log: counts per value, order per producer, offsets per partition.
  const copies = new Map<string, number>();
  const readable = new Set<string>();
  let above = 0;
  const known = new Map<number, Map<number, string>>();
  const unexpected = { n: 0 };
  const reordered = { n: 0 };
  let read = 0;
  for (const run of input.final) {
    const offsets = known.get(run.partition) ?? new Map<number, string>();
    known.set(run.partition, offsets);
    const lastSeq = new Map<number, number>();
    run.values.forEach((value, i) => {
      read++;
      const offset = run.from + i;
      offsets.set(offset, value);
      copies.set(value, (copies.get(value) ?? 0) + 1);
      if (offset < run.highWatermark) readable.add(value);
      else above++;
      const w = sent.get(value);
      if (w === undefined || w.partition !== run.partition) {
        note('unexpected', unexpected, `${JSON.stringify(value)} at ${run.partition}:${offset}`);
        return;
      }
      const before = lastSeq.get(w.producer);
      if (before !== undefined && w.seq < before) note('reordered', reordered, `${value} at ${run.partition}:${offset} after seq ${before}`);
      if (before === undefined || w.seq > before) lastSeq.set(w.producer, w.seq);
    });
  }

  const lost = { n: 0 };
  const unreadable = { n: 0 };
  const duplicated = { n: 0 };
  let acked = 0;
  for (const w of input.writes) {
    if (!w.acked) continue;
    acked++;
    if ((copies.get(w.value) ?? 0) === 0) note('lost', lost, `${w.value} (acknowledged at ${w.partition}:${w.offset})`);
    else if (!readable.has(w.value)) note('unreadable', unreadable, `${w.value} is in the log above the high watermark`);
  }
  for (const [value, n] of copies) if (n > 1) note('duplicated', duplicated, `${value} read ${n} times`);

  // Offsets: every other view must agree with the final log wherever both have the offset, and
  // nothing seen during the run may have vanished from below the final log end.
  const inconsistent = { n: 0 };
  const conflicts = new Set<string>();
  const disagree = (partition: number, offset: number, value: string, source: string): void => {
    const offsets = known.get(partition);
    const final = offsets?.get(offset);
    if (final === value) return;
    const key = `${partition}:${offset}`;
    if (conflicts.has(key)) return;
    conflicts.add(key);
    note('inconsistent', inconsistent, `${key} holds ${final === undefined ? 'nothing readable' : JSON.stringify(final)} but ${source} saw ${JSON.stringify(value)}`);
  };
  for (const run of input.observed) run.values.forEach((value, i) => disagree(run.partition, run.from + i, value, run.source));
  for (const w of input.writes) {
    // An acknowledged record missing from the log is counted as lost already.
    if (w.acked && w.offset >= 0 && (copies.get(w.value) ?? 0) > 0) disagree(w.partition, w.offset, w.value, 'its acknowledgement');
  }

  return {
    attempted: input.writes.length,
    acked,
    indeterminate: input.writes.length - acked,
    read,
    aboveHighWatermark: above,
    lost: lost.n,
    duplicated: duplicated.n,
    reordered: reordered.n,
    inconsistent: inconsistent.n,
    unexpected: unexpected.n,
    unreadable: unreadable.n,
    examples,
  };
}

/** True when nothing acks=all with idempotence forbids happened. */
export function noViolation(result: CheckerResult): boolean {
  return result.lost + result.duplicated + result.reordered + result.inconsistent + result.unexpected + result.unreadable === 0;
}
