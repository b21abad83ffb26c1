/**
 * Who should receive what, computed from the workload alone (never asked of the broker under test),
 * so delivery checks compare the broker with the model's rules:
 * - Kafka: a target is a partition; all consumers form one group (sink 0), which must see every
 *   message once.
 * - AMQP: a target is a routing key; consumer c reads queue c mod queues; a queue is a sink and
 *   must see every message routed to it once. Queues without a consumer are not checked.
 * - AMQP RPC: the measured receivers are the clients' reply consumers, not the servers; reply
 *   consumer p is sink p and must see the reply to every request of client p once, and no other.
 *
 * A stream is one (producer, target) pair: stream = producer * targets + target.
 */
import type { AmqpWorkload, Workload } from '../workload.js';

export interface Topology {
  readonly targets: number;
  /** The sink each measuring consumer belongs to. */
  sinkOf(consumer: number): number;
  /** How many sinks must receive each message sent to `target`. */
  copiesOf(target: number): number;
  /** Whether `sink` must receive the messages of `stream`. */
  receives(sink: number, stream: number): boolean;
  /** Sinks that have consumers. */
  readonly sinks: readonly number[];
}

/** RabbitMQ's topic match: `*` is exactly one word, `#` zero or more. */
export function topicMatches(pattern: string, key: string): boolean {
  const p = pattern.split('.');
  const k = key.split('.');
  const match = (i: number, j: number): boolean => {
    if (i === p.length) return j === k.length;
    const word = p[i]!;
    if (word === '#') {
      for (let n = j; n <= k.length; n++) if (match(i + 1, n)) return true;
      return false;
    }
    if (j === k.length) return false;
    return (word === '*' || word === k[j]) && match(i + 1, j + 1);
  };
  return match(0, 0);
}

/** Queue indexes an AMQP publish with `routingKey` reaches. */
export function amqpQueuesFor(w: AmqpWorkload, routingKey: string): number[] {
  const ex = w.publish.exchange;
  if (ex === '') {
    const q = w.queues.findIndex((queue) => queue.name === routingKey);
    return q < 0 ? [] : [q];
  }
  const type = w.exchanges.find((e) => e.name === ex)?.type;
  const out = new Set<number>();
  for (const b of w.bindings) {
    if (b.exchange !== ex) continue;
    let hit: boolean;
    switch (type) {
      case 'fanout':
        hit = true;
        break;
      case 'direct':
        hit = b.key === routingKey;
        break;
      case 'topic':
        hit = topicMatches(b.key, routingKey);
        break;
      case undefined:
        hit = false;
        break;
      default: {
        const never: never = type;
        throw new Error(`unknown exchange type ${String(never)}`);
      }
    }
    if (hit) out.add(w.queues.findIndex((q) => q.name === b.queue));
  }
  return [...out].filter((q) => q >= 0).sort((a, b) => a - b);
}

export function topologyOf(w: Workload): Topology {
  if (w.model === 'kafka') {
    const targets = w.topics * w.partitions;
    const copies = w.consumers > 0 ? 1 : 0;
    return { targets, sinkOf: () => 0, copiesOf: () => copies, receives: () => true, sinks: copies === 1 ? [0] : [] };
  }
  const targets = w.publish.routingKeys.length;
  if (w.rpc !== undefined) {
    return {
      targets,
      sinkOf: (client) => client,
      copiesOf: () => 1,
      receives: (sink, stream) => Math.floor(stream / targets) === sink,
      sinks: Array.from({ length: w.producers }, (_, p) => p),
    };
  }
  const consumed = new Set<number>();
  for (let c = 0; c < w.consumers; c++) consumed.add(c % w.queues.length);
  const routes = w.publish.routingKeys.map((key) => amqpQueuesFor(w, key).filter((q) => consumed.has(q)));
  return {
    targets,
    sinkOf: (c) => c % w.queues.length,
    copiesOf: (t) => routes[t]?.length ?? 0,
    receives: (sink, stream) => routes[stream % targets]?.includes(sink) ?? false,
    sinks: [...consumed].sort((a, b) => a - b),
  };
}
