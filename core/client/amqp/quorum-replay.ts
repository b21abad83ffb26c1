/**
 * Restoring a quorum queue from its log: the log is read from its start, a queue's last declare
 * record gives its arguments, enqueue records its entries (the first copy of each sequence number:
 * a round retried after a failover may have reached the log twice), and settle records take
 * entries out. What remains are the committed, unsettled entries, in sequence order.
 *
 * Invariant: the replay reads only committed records. It first commits a restore record with
 * acks=all and reads up to it; everything before a committed record is committed, whatever the
 * leader's high watermark said when the replay began.
 */
import { KafkaProtocolError, MqlabInternalError } from '../../errors/index.js';
import { parseExpiration, type FieldTable } from '../../routing/index.js';
import type { ClientContext } from '../context.js';
import { PartitionWriter } from '../native/index.js';
import { decodeQuorumRecord, restoreKey, type QuorumRecord } from './quorum-record.js';

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

export function ttlOf(expiration: string | undefined): number {
  if (expiration === undefined) return -1;
  try {
    return parseExpiration(expiration);
  } catch {
    return -1;
  }
}

type EnqueueRecord = Extract<QuorumRecord, { kind: 'enqueue' }>;

/** A quorum queue's log folded: its last declare, and its unsettled entries by sequence number, in order. */
export interface QueueReplay {
  readonly queue: string;
  readonly args: FieldTable;
  readonly entries: Map<number, EnqueueRecord>;
}

/** How long one replay attempt waits for the reader to see the high watermark pass the restore record. */
const REPLAY_CATCH_UP_MS = 2_000;
const REPLAY_POLL_MS = 5;

/**
 * Reads a quorum queue's log from its start up to a restore record this replay commits first with
 * acks=all. A leader elected by a failover may hold committed records above its high watermark
 * (here until the next append, see the report on issue 4 §8); once the restore record is committed,
 * everything before it is below the high watermark, on any leader.
 */
export async function replayQueueLog(ctx: ClientContext, topic: string, requestTimeoutMs: number): Promise<QueueReplay | undefined> {
  const writer = await PartitionWriter.open(ctx, topic, 0, { acks: -1, timeoutMs: requestTimeoutMs });
  let barrier: number;
  try {
    if (!writer.append(restoreKey(), null)) {
      await writer.ready();
      writer.append(restoreKey(), null);
    }
    await writer.flush();
    barrier = writer.lastOffset;
  } finally {
    void writer.close().catch(() => undefined);
  }
  const opened = await ctx.openReader(await ctx.topic(topic, false, true), 0);
  let declared: { queue: string; args: FieldTable } | undefined;
  const entries = new Map<number, EnqueueRecord>();
  const settled = new Set<number>();
  try {
    const reader = opened.reader;
    const deadline = Date.now() + REPLAY_CATCH_UP_MS;
    while (reader.highWatermark <= barrier) {
      if (!ctx.isCurrent(opened, topic, 0)) throw new KafkaProtocolError('NOT_LEADER_OR_FOLLOWER', `The leader of topic '${topic}' changed during its replay`);
      if (Date.now() > deadline) throw new MqlabInternalError('TIMEOUT', `the high watermark of '${topic}' stayed at ${reader.highWatermark}, not past the restore record at ${barrier}`, true);
      await sleep(REPLAY_POLL_MS);
    }
    const cursor = reader.cursor(reader.logStartOffset, {});
    while (cursor.position < barrier && cursor.next()) {
      const value = cursor.value();
      // The cursor's views point into the leader's segment: keep a copy of each body.
      const record = decodeQuorumRecord(cursor.key(), value === null ? null : value.slice(), cursor.headers());
      switch (record.kind) {
        case 'declare':
          declared = { queue: record.queue, args: record.arguments };
          break;
        case 'enqueue':
          // A round retried after a failover may have reached the log twice: the first copy counts.
          if (!entries.has(record.seq) && !settled.has(record.seq)) entries.set(record.seq, record);
          break;
        case 'settle':
          for (const seq of record.seqs) {
            entries.delete(seq);
            settled.add(seq);
          }
          break;
        case 'restore':
          break;
        default: {
          const never: never = record;
          throw new TypeError(`unknown quorum record ${JSON.stringify(never)}`);
        }
      }
    }
  } finally {
    opened.close();
  }
  if (declared === undefined) return undefined;
  const ordered = new Map([...entries].sort((a, b) => a[0] - b[0]));
  return { queue: declared.queue, args: declared.args, entries: ordered };
}
