/**
 * Routing through a real exchange: one server-named queue per destination, messages published on
 * a confirm channel (so every message is enqueued before the queues are read), then each queue
 * drained. Results are which destinations received which messages, by message label.
 */
import type { Channel, ConfirmChannel, Options } from 'amqplib';
import type { AmqpSession } from './amqp.js';
import { drain } from './amqp.js';

export type BindingArgs = Record<string, unknown>;

export interface Binding {
  readonly destination: string;
  readonly pattern: string;
  readonly args?: BindingArgs;
}

export interface Publication {
  readonly label: string;
  readonly routingKey: string;
  readonly headers?: Record<string, unknown>;
}

export interface RoutingFixture {
  readonly ch: ConfirmChannel;
  readonly exchange: string;
  /** destination → queue name */
  readonly queues: ReadonlyMap<string, string>;
  bind(b: Binding): Promise<void>;
  unbind(b: Binding): Promise<void>;
  /** Publishes, waits for confirms, and returns destination → labels received (in order). */
  route(publications: readonly Publication[]): Promise<Map<string, string[]>>;
}

export async function routingFixture(
  session: AmqpSession,
  type: string,
  destinations: readonly string[],
  exchangeOptions?: Options.AssertExchange,
): Promise<RoutingFixture> {
  const { ch } = await session.confirmChannel();
  const exchange = await session.exchange(ch, type, type, exchangeOptions);
  const queues = new Map<string, string>();
  for (const d of destinations) if (!queues.has(d)) queues.set(d, await session.serverQueue(ch));
  const queueOf = (d: string): string => {
    const q = queues.get(d);
    if (q === undefined) throw new Error(`no queue for destination ${d}`);
    return q;
  };
  return {
    ch,
    exchange,
    queues,
    bind: async (b) => {
      await ch.bindQueue(queueOf(b.destination), exchange, b.pattern, b.args);
    },
    unbind: async (b) => {
      await ch.unbindQueue(queueOf(b.destination), exchange, b.pattern, b.args);
    },
    route: (publications) => publishAndCollect(ch, exchange, queues, publications),
  };
}

export async function publishAndCollect(
  ch: ConfirmChannel,
  exchange: string,
  queues: ReadonlyMap<string, string>,
  publications: readonly Publication[],
): Promise<Map<string, string[]>> {
  for (const p of publications) {
    ch.publish(exchange, p.routingKey, Buffer.from(p.label), p.headers === undefined ? {} : { headers: p.headers });
  }
  await ch.waitForConfirms();
  return collect(ch, queues);
}

export async function collect(ch: Channel, queues: ReadonlyMap<string, string>): Promise<Map<string, string[]>> {
  const out = new Map<string, string[]>();
  for (const [destination, queue] of queues) {
    out.set(destination, (await drain(ch, queue)).map((m) => m.content.toString()));
  }
  return out;
}

/** label → sorted destinations that received it (inverting the per-queue view). */
export function byLabel(received: ReadonlyMap<string, readonly string[]>, labels: readonly string[]): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const l of labels) out[l] = [];
  for (const [destination, got] of received) for (const l of got) (out[l] ??= []).push(destination);
  for (const l of Object.keys(out)) out[l]?.sort();
  return out;
}

/** The obviously-correct topic matcher: RabbitMQ's word rules, recursively ("" is zero words). */
export function topicMatches(pattern: string, key: string): boolean {
  const p = pattern === '' ? [] : pattern.split('.');
  const k = key === '' ? [] : key.split('.');
  const go = (pi: number, ki: number): boolean => {
    if (pi === p.length) return ki === k.length;
    const word = p[pi];
    if (word === '#') return go(pi + 1, ki) || (ki < k.length && go(pi, ki + 1));
    if (ki === k.length) return false;
    return (word === '*' || word === k[ki]) && go(pi + 1, ki + 1);
  };
  return go(0, 0);
}
