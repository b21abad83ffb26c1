/**
 * The batches that carry one AMQP port's traffic between threads: the client thread
 * (port-transport.ts) sends calls up, the host thread (port-host.ts) sends replies and events down.
 * Each side gathers a burst of entries and posts it as one message, so a million publishes a
 * second cost a few thousand postMessage calls, not a million.
 *
 * A batch is one transferred ArrayBuffer plus two small cloned arrays:
 *
 *   buffer  |int 0|int 1|...|int n-1|body 0|body 1|...|body m|
 *            '-- float64, n = ints --''-- back to back, in entry order
 *   strs    the batch's string table: each distinct string once (an int holds its index)
 *   objs    the entries' structured values (requests, replies, properties, error records)
 *   credit  down batches only: publish bytes the host took since it last sent credit
 *
 * Entries sit in the int column back to back, kind first; an entry's grammar (its numbers, strings,
 * values and body, in that order) is fixed by its kind, in the tables below. The reader walks the
 * columns with one cursor each, so no entry carries an offset.
 *
 * Invariants: a writer's columns are reused once posted (postMessage clones the arrays
 * synchronously, and the buffer is new per batch); ints and bodies are copied once, into the
 * batch's buffer, which belongs to the receiver after the transfer: its views of it stay valid for
 * as long as it keeps them.
 */
import { Buffer } from 'node:buffer';
import type { MessagePort } from 'node:worker_threads';
import type { MessageProperties as ModelProperties } from '../../routing/index.js';
import type { TransportMessage } from './transport.js';

/**
 * Client → host entries.
 *
 * | kind          | ints after kind                          | strings               | objs                 | body |
 * |---------------|------------------------------------------|-----------------------|----------------------|------|
 * | UP_OPEN       | conn                                     |                       | name or undefined    |      |
 * | UP_REQUEST    | conn, channel                            |                       | AmqpRequest          |      |
 * | UP_PUBLISH    | conn, channel, body length               | exchange, routing key | options or undefined | yes  |
 * | UP_ACK        | conn, channel, delivery tag, multiple    |                       |                      |      |
 * | UP_NACK       | conn, channel, tag, multiple, requeue    |                       |                      |      |
 * | UP_REJECT     | conn, channel, delivery tag, requeue     |                       |                      |      |
 * | UP_CLOSE      | conn                                     |                       |                      |      |
 *
 * Booleans travel as 0 and 1.
 */
export const UP_OPEN = 1;
export const UP_REQUEST = 2;
export const UP_PUBLISH = 3;
export const UP_ACK = 4;
export const UP_NACK = 5;
export const UP_REJECT = 6;
export const UP_CLOSE = 7;

/**
 * Host → client entries.
 *
 * | kind                   | ints after kind                                         | strings                            | objs                  | body |
 * |------------------------|---------------------------------------------------------|------------------------------------|-----------------------|------|
 * | DOWN_OPENED            | conn                                                    |                                    |                       |      |
 * | DOWN_OPEN_FAILED       | conn                                                    |                                    | ErrorRecord           |      |
 * | DOWN_REPLY             | conn, channel                                           |                                    | the reply (not get-ok)|      |
 * | DOWN_REPLY_GET         | conn, channel, tag, redelivered, message count, length  | exchange, routing key              | properties            | yes  |
 * | DOWN_REPLY_ERROR       | conn, channel                                           |                                    | AmqpErrorRecord       |      |
 * | DOWN_DELIVER           | conn, channel, delivery tag, redelivered, length        | consumer tag, exchange, routing key| properties            | yes  |
 * | DOWN_RETURN            | conn, channel, reply code, length                       | reply text, exchange, routing key  | properties            | yes  |
 * | DOWN_CONFIRM           | conn, channel, delivery tag, multiple, ack              |                                    |                       |      |
 * | DOWN_CANCEL            | conn, channel                                           | consumer tag                       |                       |      |
 * | DOWN_CHANNEL_CLOSED    | conn, channel                                           |                                    | AmqpErrorRecord       |      |
 * | DOWN_CONNECTION_CLOSED | conn                                                    |                                    | AmqpErrorRecord, null |      |
 */
export const DOWN_OPENED = 1;
export const DOWN_OPEN_FAILED = 2;
export const DOWN_REPLY = 3;
export const DOWN_REPLY_GET = 4;
export const DOWN_REPLY_ERROR = 5;
export const DOWN_DELIVER = 6;
export const DOWN_RETURN = 7;
export const DOWN_CONFIRM = 8;
export const DOWN_CANCEL = 9;
export const DOWN_CHANNEL_CLOSED = 10;
export const DOWN_CONNECTION_CLOSED = 11;

/**
 * Flow control of publishes, in bytes (body plus {@link PUBLISH_OVERHEAD_BYTES}) that the client
 * has written and the host has not yet counted back:
 *
 *   0 ........ LOW_WATER ........ CREDIT_FLUSH ........ WINDOW ........>
 *              'drain' at or under                      publish returns false past it
 *
 * The host sends credit with its next batch, and flushes a batch for credit alone only once it
 * owes CREDIT_FLUSH_BYTES: a producer that hears nothing else is not woken for every batch it
 * sends. Since WINDOW - CREDIT_FLUSH >= LOW_WATER, a blocked client always gets enough credit back
 * to drain.
 */
export const WINDOW_BYTES = 4 * 1024 * 1024;
export const LOW_WATER_BYTES = 2 * 1024 * 1024;
export const CREDIT_FLUSH_BYTES = 1024 * 1024;

/**
 * What a publish costs against the client's window besides its body: the columns' share of the
 * batch and the host's work on it, so a flood of empty bodies is bounded too.
 */
export const PUBLISH_OVERHEAD_BYTES = 64;

/**
 * The shortest time between two batches of one side while traffic is steady. Every batch wakes the
 * other thread (about 20-40 µs of postMessage here, and a context switch on a busy core); a stream
 * of small bursts (a paced producer, acks trickling back) would otherwise cost a wake-up per few
 * messages. A batch after a quiet spell leaves at once.
 */
export const MIN_BATCH_INTERVAL_MS = 1;

/**
 * When a side posts its batch: at the end of the current turn (setImmediate, so the turn's other
 * writes join it), or, if the previous batch left less than {@link MIN_BATCH_INTERVAL_MS} ago, once
 * that interval is up.
 */
export class BatchPacer {
  #scheduled = false;
  #lastPost = -Infinity;

  constructor(private readonly post: () => void) {}

  get scheduled(): boolean {
    return this.#scheduled;
  }

  schedule(): void {
    if (this.#scheduled) return;
    this.#scheduled = true;
    const wait = this.#lastPost + MIN_BATCH_INTERVAL_MS - performance.now();
    if (wait <= 0) setImmediate(this.#run);
    else setTimeout(this.#run, wait);
  }

  readonly #run = (): void => {
    this.#scheduled = false;
    this.#lastPost = performance.now();
    this.post();
  };
}

/** One posted batch, as the receiver gets it. */
export interface PortBatch {
  /** How many numbers the int column holds, at the start of `buffer`. */
  readonly ints: number;
  /** The batch's string table: each distinct string once, in order of first use. */
  readonly strs: readonly string[];
  readonly objs: readonly unknown[];
  /** The int column (float64, native order), then the bodies. */
  readonly buffer: ArrayBuffer;
  readonly credit: number;
}

/** Initial capacity of a writer's int column; it doubles as needed and is reused. */
const INITIAL_INTS = 1024;

/** Gathers one direction's entries until the burst ends, then posts them as one batch. */
export class BatchWriter {
  readonly objs: unknown[] = [];
  /** Publish bytes taken since the previous batch (the host's side only). */
  credit = 0;
  #ints = new Float64Array(INITIAL_INTS);
  #intCount = 0;
  readonly #strs: string[] = [];
  readonly #strIndex = new Map<string, number>();
  readonly #bodies: Uint8Array[] = [];
  #bodyBytes = 0;

  get empty(): boolean {
    return this.#intCount === 0 && this.credit === 0;
  }

  /** True when entries wait, not only credit. */
  get hasEntries(): boolean {
    return this.#intCount > 0;
  }

  /** Starts an entry: its kind and connection id. */
  entry(kind: number, conn: number): void {
    this.int(kind);
    this.int(conn);
  }

  int(value: number): void {
    if (this.#intCount === this.#ints.length) {
      const grown = new Float64Array(this.#ints.length * 2);
      grown.set(this.#ints);
      this.#ints = grown;
    }
    this.#ints[this.#intCount++] = value;
  }

  flag(value: boolean): void {
    this.int(value ? 1 : 0);
  }

  /** A string, as its index in the batch's table: a routing key repeated a thousand times crosses once. */
  str(value: string): void {
    let index = this.#strIndex.get(value);
    if (index === undefined) {
      index = this.#strs.length;
      this.#strs.push(value);
      this.#strIndex.set(value, index);
    }
    this.int(index);
  }

  obj(value: unknown): void {
    this.objs.push(value);
  }

  /**
   * The last fields of a message entry (DOWN_REPLY_GET, DOWN_DELIVER, DOWN_RETURN): the body's
   * length, exchange, routing key, properties, body.
   */
  messageTail(exchange: string, routingKey: string, properties: ModelProperties, body: Uint8Array): void {
    this.int(body.length);
    this.str(exchange);
    this.str(routingKey);
    this.obj(properties);
    this.body(body);
  }

  /** Appends the body of the entry being written; it is copied when the batch is posted. */
  body(bytes: Uint8Array): void {
    this.#bodies.push(bytes);
    this.#bodyBytes += bytes.length;
  }

  /** Posts everything gathered as one message: ints and bodies copied into one transferred buffer. */
  post(port: MessagePort): void {
    const count = this.#intCount;
    const intBytes = count * Float64Array.BYTES_PER_ELEMENT;
    const buffer = new ArrayBuffer(intBytes + this.#bodyBytes);
    new Float64Array(buffer, 0, count).set(this.#ints.subarray(0, count));
    const bodies = this.#bodies;
    if (bodies.length > 0) {
      const bytes = new Uint8Array(buffer);
      let at = intBytes;
      for (let i = 0; i < bodies.length; i++) {
        const body = bodies[i]!;
        bytes.set(body, at);
        at += body.length;
      }
    }
    const batch: PortBatch = { ints: count, strs: this.#strs, objs: this.objs, buffer, credit: this.credit };
    port.postMessage(batch, [buffer]);
    this.clear();
  }

  /** Drops everything gathered (after posting, or when the port is gone). */
  clear(): void {
    this.#intCount = 0;
    this.#strs.length = 0;
    this.#strIndex.clear();
    this.objs.length = 0;
    this.#bodies.length = 0;
    this.#bodyBytes = 0;
    this.credit = 0;
  }
}

const NO_INTS = new Float64Array(0);

/** Walks a received batch's columns, one cursor per column. */
export class BatchReader {
  #ints: Float64Array = NO_INTS;
  #strs: readonly string[] = [];
  #objs: readonly unknown[] = [];
  #buffer: ArrayBuffer | null = null;
  #i = 0;
  #o = 0;
  #at = 0;

  reset(batch: PortBatch): void {
    this.#ints = new Float64Array(batch.buffer, 0, batch.ints);
    this.#strs = batch.strs;
    this.#objs = batch.objs;
    this.#buffer = batch.buffer;
    this.#i = 0;
    this.#o = 0;
    this.#at = batch.ints * Float64Array.BYTES_PER_ELEMENT;
  }

  get more(): boolean {
    return this.#i < this.#ints.length;
  }

  int(): number {
    return this.#ints[this.#i++]!;
  }

  flag(): boolean {
    return this.#ints[this.#i++] === 1;
  }

  str(): string {
    return this.#strs[this.#ints[this.#i++]!]!;
  }

  obj(): unknown {
    return this.#objs[this.#o++];
  }

  /** The next body, as a view of the batch's buffer. */
  body(length: number): Uint8Array {
    const view = new Uint8Array(this.#buffer!, this.#at, length);
    this.#at += length;
    return view;
  }

  /** The next body as a Buffer view (what amqplib's `content` is), still without a copy. */
  buffer(length: number): Buffer {
    const view = Buffer.from(this.#buffer!, this.#at, length);
    this.#at += length;
    return view;
  }

  /** What {@link BatchWriter.messageTail} wrote, as a message whose body is a Buffer view. */
  messageTail(): TransportMessage {
    const length = this.int();
    const exchange = this.str();
    const routingKey = this.str();
    const properties = this.obj() as ModelProperties;
    return { exchange, routingKey, properties, body: this.buffer(length) };
  }

  /** Lets go of the batch, so its buffer lives only as long as the views handed out. */
  release(): void {
    this.#ints = NO_INTS;
    this.#strs = [];
    this.#objs = [];
    this.#buffer = null;
  }
}
