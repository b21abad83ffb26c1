/**
 * A test's AMQP session on the selected target: connections and channels that record their
 * errors (an unheard 'error' would crash the worker), random names, and cleanup of every queue and
 * exchange the test declared once it finishes, whatever its outcome.
 */
import { randomBytes } from 'node:crypto';
import type { Channel, ConfirmChannel, ConsumeMessage, GetMessage, Options } from 'amqplib';
import { expect, onTestFinished, type TestContext } from 'vitest';
import type { AmqpConnection, Target } from '../targets/index.js';
import { requires } from './target.js';

export interface RecordedError {
  readonly code: number | undefined;
  readonly message: string;
}

export function codeOf(error: unknown): number | undefined {
  if (typeof error === 'object' && error !== null && 'code' in error) {
    const { code } = error;
    return typeof code === 'number' ? code : undefined;
  }
  return undefined;
}

function recorded(error: unknown): RecordedError {
  return { code: codeOf(error), message: error instanceof Error ? error.message : String(error) };
}

export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** Channels with the error they closed with, if any. */
export interface Tracked<C extends Channel> {
  readonly ch: C;
  readonly errors: RecordedError[];
  /** Resolves with the channel's close error (undefined for a clean close). */
  readonly closed: Promise<RecordedError | undefined>;
}

export interface TrackedConnection {
  readonly conn: AmqpConnection;
  readonly errors: RecordedError[];
  readonly closed: Promise<RecordedError | undefined>;
}

export class AmqpSession {
  readonly target: Target;
  readonly suffix = randomBytes(5).toString('hex');
  readonly #connections: TrackedConnection[] = [];
  readonly #queues = new Set<string>();
  readonly #exchanges = new Set<string>();

  constructor(target: Target) {
    this.target = target;
  }

  /** How long to wait before asserting that nothing (more) arrives. */
  get quietMs(): number {
    return this.target.name === 'core' ? 30 : 200;
  }

  name(label: string): string {
    return `mqlab-conf-${label}-${this.suffix}`;
  }

  async connect(): Promise<TrackedConnection> {
    const conn = await this.target.amqpConnect();
    const errors: RecordedError[] = [];
    conn.on('error', (e: unknown) => errors.push(recorded(e)));
    const closed = new Promise<RecordedError | undefined>((resolve) => {
      conn.on('close', (e: unknown) => resolve(e === undefined ? errors[0] : recorded(e)));
    });
    const tracked = { conn, errors, closed };
    this.#connections.push(tracked);
    return tracked;
  }

  async #first(): Promise<AmqpConnection> {
    const existing = this.#connections[0];
    if (existing !== undefined) return existing.conn;
    return (await this.connect()).conn;
  }

  #track<C extends Channel>(ch: C): Tracked<C> {
    const errors: RecordedError[] = [];
    ch.on('error', (e: unknown) => errors.push(recorded(e)));
    const closed = new Promise<RecordedError | undefined>((resolve) => {
      ch.on('close', () => resolve(errors[0]));
    });
    return { ch, errors, closed };
  }

  async channel(conn?: AmqpConnection): Promise<Tracked<Channel>> {
    return this.#track(await (conn ?? (await this.#first())).createChannel());
  }

  async confirmChannel(conn?: AmqpConnection): Promise<Tracked<ConfirmChannel>> {
    return this.#track(await (conn ?? (await this.#first())).createConfirmChannel());
  }

  /** Declares a queue this session deletes afterwards. */
  async queue(ch: Channel, label: string, options?: Options.AssertQueue): Promise<string> {
    const name = this.name(label);
    this.#queues.add(name);
    await ch.assertQueue(name, options);
    return name;
  }

  /** A server-named exclusive queue (gone with its connection). */
  async serverQueue(ch: Channel, options?: Options.AssertQueue): Promise<string> {
    const ok = await ch.assertQueue('', { exclusive: true, ...options });
    return ok.queue;
  }

  async exchange(ch: Channel, label: string, type: string, options?: Options.AssertExchange): Promise<string> {
    const name = this.name(label);
    this.#exchanges.add(name);
    await ch.assertExchange(name, type, { durable: false, ...options });
    return name;
  }

  /** Remembers a name for cleanup without declaring it. */
  owns(kind: 'queue' | 'exchange', name: string): string {
    (kind === 'queue' ? this.#queues : this.#exchanges).add(name);
    return name;
  }

  async cleanup(): Promise<void> {
    let cleaner: AmqpConnection | undefined;
    try {
      cleaner = await this.target.amqpConnect();
      cleaner.on('error', () => undefined);
      let ch = await cleaner.createChannel();
      ch.on('error', () => undefined);
      for (const [kind, names] of [['queue', this.#queues], ['exchange', this.#exchanges]] as const) {
        for (const name of names) {
          try {
            if (kind === 'queue') await ch.deleteQueue(name);
            else await ch.deleteExchange(name);
          } catch {
            ch = await cleaner.createChannel();
            ch.on('error', () => undefined);
          }
        }
      }
    } finally {
      for (const { conn } of this.#connections) {
        try {
          await conn.close();
        } catch {
          // already closed by the broker
        }
      }
      try {
        await cleaner?.close();
      } catch {
        // already closed
      }
    }
  }
}

/** A session on the file's target, cleaned up when the test finishes; n/a without amqp. */
export function amqpSession(ctx: TestContext): AmqpSession {
  const target = requires(ctx, 'amqp');
  const session = new AmqpSession(target);
  onTestFinished(() => session.cleanup());
  return session;
}

/** Every ready message of a queue by basic.get (no-ack), in order. */
export async function drain(ch: Channel, queue: string): Promise<GetMessage[]> {
  const out: GetMessage[] = [];
  for (;;) {
    const msg = await ch.get(queue, { noAck: true });
    if (msg === false) return out;
    out.push(msg);
  }
}

export const bodies = (messages: readonly { content: Buffer }[]): string[] => messages.map((m) => m.content.toString());

/** A consumer's deliveries, with a way to wait for the next few. */
export class Inbox {
  readonly messages: ConsumeMessage[] = [];
  cancelled = false;
  #waiters: { count: number; resolve: () => void }[] = [];

  readonly onMessage = (msg: ConsumeMessage | null): void => {
    if (msg === null) {
      this.cancelled = true;
      return;
    }
    this.messages.push(msg);
    this.#waiters = this.#waiters.filter((w) => {
      if (this.messages.length >= w.count) w.resolve();
      return this.messages.length < w.count;
    });
  };

  /** Resolves once `count` messages in total have arrived (rejects after `ms`). */
  async until(count: number, ms = 5000): Promise<ConsumeMessage[]> {
    if (this.messages.length < count) {
      await withTimeout(
        new Promise<void>((resolve) => this.#waiters.push({ count, resolve })),
        ms,
        `waiting for ${count} deliveries, have ${this.messages.length}`,
      );
    }
    return this.messages;
  }
}

export async function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms ${what}`)), ms);
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/** Asserts that an RPC promise rejects with the AMQP reply code. */
export async function expectCode(promise: Promise<unknown>, code: number): Promise<RecordedError> {
  try {
    await promise;
  } catch (error) {
    const r = recorded(error);
    expect(r.code, r.message).toBe(code);
    return r;
  }
  throw new Error(`expected reply code ${code}, but the operation succeeded`);
}

/** Asserts that the channel closes with the reply code (for asynchronous errors such as publish). */
export async function expectClosedWith(closed: Promise<RecordedError | undefined>, code: number): Promise<RecordedError> {
  const error = await withTimeout(closed, 5000, `waiting for close ${code}`);
  expect(error?.code, error?.message).toBe(code);
  return error ?? { code: undefined, message: '' };
}
