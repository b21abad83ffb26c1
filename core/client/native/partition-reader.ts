/**
 * The native fast consumer for one partition: a RecordCursor over the leader's segments in shared
 * memory, up to the published high watermark. No copy, no object per record: `cursor` is a
 * flyweight whose offsets and lengths point into `cursor.bytes`.
 *
 *   const reader = await PartitionReader.open(ctx, 'events', 0, { fromOffset: 'earliest' });
 *   for (;;) {
 *     while (reader.cursor.next()) handle(reader.cursor.bytes, reader.cursor.valueOffset, reader.cursor.valueLength);
 *     await reader.waitForData(100);
 *   }
 */
import { KafkaProtocolError } from '../../errors/index.js';
import type { RecordCursor } from '../../log/index.js';
import type { ClientContext, OpenedReader } from '../context.js';

export interface PartitionReaderOptions {
  /** Where to start: an offset, or the log start ('earliest') or the high watermark ('latest'). */
  readonly fromOffset?: number | 'earliest' | 'latest';
}

export class PartitionReader {
  readonly cursor: RecordCursor;
  readonly #opened: OpenedReader;
  #closed = false;

  private constructor(opened: OpenedReader, cursor: RecordCursor) {
    this.#opened = opened;
    this.cursor = cursor;
  }

  static async open(ctx: ClientContext, topicName: string, partition: number, options: PartitionReaderOptions = {}): Promise<PartitionReader> {
    const topic = await ctx.topic(topicName, true);
    const opened = await ctx.openReader(topic, partition);
    const reader = opened.reader;
    const from = options.fromOffset ?? 'earliest';
    let offset: number;
    if (from === 'earliest') offset = reader.logStartOffset;
    else if (from === 'latest') offset = reader.highWatermark;
    else offset = from;
    try {
      return new PartitionReader(opened, reader.cursor(offset));
    } catch (error) {
      opened.close();
      throw error;
    }
  }

  get highWatermark(): number {
    return this.#opened.reader.highWatermark;
  }

  get logStartOffset(): number {
    return this.#opened.reader.logStartOffset;
  }

  /** Offset of the next record the cursor returns. */
  get position(): number {
    return this.cursor.position;
  }

  seek(offset: number): void {
    this.cursor.seek(offset);
  }

  /**
   * Resolves true when records past the cursor may be readable, false after `timeoutMs` without
   * any. Read the cursor dry before waiting.
   */
  async waitForData(timeoutMs: number): Promise<boolean> {
    if (this.#closed) throw new KafkaProtocolError('UNKNOWN_SERVER_ERROR', 'the reader is closed');
    const reader = this.#opened.reader;
    const signal = reader.signal();
    if (reader.highWatermark > this.cursor.position) return true;
    const result = await reader.waitAsync(signal, timeoutMs);
    return result !== 'timed-out' || reader.highWatermark > this.cursor.position;
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#opened.close();
  }
}
