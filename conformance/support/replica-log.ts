/**
 * Reads one replica's records from its own broker (not through the leader): up to that replica's
 * high watermark as a consumer would, or a leader's whole log as a follower would. Free of vitest,
 * so the soak command uses it too.
 */
import { ClientContext } from '../../core/client/context.js';
import type { Cluster } from '../../core/client/kafka/index.js';
import { decodeRecordBatch, type PartitionLogReader } from '../../core/log/index.js';

/** Runs `read` on a reader of one replica's own log, closing it afterwards. */
async function withReplicaReader<T>(cluster: Cluster, brokerId: number, topicId: number, partition: number, read: (reader: PartitionLogReader) => T): Promise<T> {
  const ctx = new ClientContext(cluster);
  try {
    const opened = await ctx.openReplicaReader(brokerId, topicId, partition);
    return read(opened.reader);
  } finally {
    await ctx.close();
  }
}

/** The values of one replica's records, offset by offset from its log start, up to what its reader shows. */
export function readReplica(cluster: Cluster, brokerId: number, topicId: number, partition: number): Promise<string[]> {
  return withReplicaReader(cluster, brokerId, topicId, partition, (reader) => {
    const cursor = reader.cursor(reader.logStartOffset, {});
    const values: string[] = [];
    while (cursor.next()) {
      const value = cursor.value();
      values.push(value === null ? '' : Buffer.from(value).toString());
    }
    return values;
  });
}

/** A replica's whole log as its owner published it: values from the log start to the log end. */
export interface ReplicaLog {
  readonly logStartOffset: number;
  readonly highWatermark: number;
  readonly values: readonly string[];
}

/**
 * Every record of a leader's log, including those above its high watermark that no consumer may
 * read yet: whole batches as a follower fetches them, decoded. (A follower does not publish its log
 * end for fetching, so use it on leaders.)
 */
export function readLeaderLog(cluster: Cluster, brokerId: number, topicId: number, partition: number): Promise<ReplicaLog> {
  return withReplicaReader(cluster, brokerId, topicId, partition, (reader) => {
    const logStartOffset = reader.logStartOffset;
    const highWatermark = reader.highWatermark;
    const values: string[] = [];
    const sink = (bytes: Uint8Array, start: number): void => {
      for (const record of decodeRecordBatch(bytes, start).records) values.push(record.value === null ? '' : Buffer.from(record.value).toString());
    };
    let from = logStartOffset;
    for (;;) {
      const next = reader.fetchBatches(from, 1 << 20, sink);
      if (next === from) break;
      from = next;
    }
    return { logStartOffset, highWatermark, values };
  });
}
