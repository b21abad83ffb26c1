/**
 * A plugin exchange type, shipped as the example of how plugins add types: `x-consistent-hash`,
 * after RabbitMQ's rabbitmq_consistent_hash_exchange.
 *
 * Behaviour (the plugin's README and rabbit_exchange_type_consistent_hash):
 * - The binding key is a weight: an integer as a string, at least 1. Otherwise the bind fails with
 *   406 PRECONDITION_FAILED: "The binding key must be an integer: <<\"abc\">>" or "The binding key
 *   must be greater than 0".
 * - Each binding owns `weight` consecutive buckets, appended in binding order. Removing a binding
 *   removes its buckets and renumbers the later ones down, as the plugin does.
 * - A message goes to exactly one destination (none when nothing is bound): the owner of the bucket
 *   that jump consistent hashing (Lamping and Veach) picks for the hashed value among all buckets.
 *   Jump hashing moves only about 1/(n+1) of the keys when buckets are appended.
 * - The hashed value is the routing key; or, with the exchange argument `hash-header`, that
 *   header's value; or, with `hash-property`, one of message_id, correlation_id, timestamp. The two
 *   arguments are mutually exclusive (406), and other properties are refused (406 "Unsupported
 *   property: ..."). A missing header or property hashes as an empty value, so such messages all
 *   land in one bucket (the plugin hashes `undefined`).
 *
 * mqlab's hash, and so its bucket choice, is its own and deterministic across runs and threads:
 * FNV-1a (32-bit) over the value's UTF-16 code units seeds a xorshift32 generator that draws the
 * jumps. It is not RabbitMQ's (erlang:phash2 and rand's exs1024), so the same key may pick another
 * queue than RabbitMQ would; the distribution and the stability are the same.
 */
import { AmqpError } from '../errors/amqp.js';
import type { ExchangeRouter, ExchangeType, RoutingProperties } from './exchange-type.js';
import { erlangTerm, fieldValueKey, type FieldTable } from './field-table.js';
import { IndexedRouter } from './indexed-router.js';
import { assertShortstr } from './names.js';

export const CONSISTENT_HASH_EXCHANGE_TYPE = 'x-consistent-hash';

const HASH_PROPERTIES = ['message_id', 'correlation_id', 'timestamp'] as const;
type HashProperty = (typeof HASH_PROPERTIES)[number];

/** What a consistent-hash exchange hashes, from its declare arguments. */
export type HashOn =
  | { readonly kind: 'routing-key' }
  | { readonly kind: 'header'; readonly header: string }
  | { readonly kind: 'property'; readonly property: HashProperty };

const NO_DESTINATIONS: readonly never[] = Object.freeze([]);
const INTEGER = /^[+-]?[0-9]+$/;

function isHashProperty(value: string): value is HashProperty {
  return (HASH_PROPERTIES as readonly string[]).includes(value);
}

/** Reads and checks `hash-header` / `hash-property`. Throws PRECONDITION_FAILED (406). */
export function consistentHashOn(args: FieldTable | undefined): HashOn {
  const header = args?.['hash-header'];
  const property = args?.['hash-property'];
  if (header !== undefined && property !== undefined) {
    throw new AmqpError('PRECONDITION_FAILED', 'hash-header and hash-property are mutually exclusive', { method: 'exchange.declare' });
  }
  if (header !== undefined) {
    if (typeof header !== 'string') {
      throw new AmqpError('PRECONDITION_FAILED', `hash-header must be a longstr, got ${erlangTerm(header)}`, { method: 'exchange.declare' });
    }
    return { kind: 'header', header };
  }
  if (property !== undefined) {
    if (typeof property !== 'string' || !isHashProperty(property)) {
      const text = typeof property === 'string' ? property : erlangTerm(property);
      throw new AmqpError('PRECONDITION_FAILED', `Unsupported property: ${text}`, { method: 'exchange.declare' });
    }
    return { kind: 'property', property };
  }
  return { kind: 'routing-key' };
}

/** The weight a binding key stands for. Throws PRECONDITION_FAILED (406) as the plugin does. */
export function bindingWeight(bindingKey: string): number {
  if (!INTEGER.test(bindingKey)) {
    throw new AmqpError('PRECONDITION_FAILED', `The binding key must be an integer: ${erlangTerm(bindingKey)}`);
  }
  const weight = Number(bindingKey);
  if (weight < 1) throw new AmqpError('PRECONDITION_FAILED', 'The binding key must be greater than 0');
  if (!Number.isSafeInteger(weight)) {
    throw new AmqpError('PRECONDITION_FAILED', `The binding key must be at most ${Number.MAX_SAFE_INTEGER}: ${erlangTerm(bindingKey)}`);
  }
  return weight;
}

/** FNV-1a, 32 bits, over UTF-16 code units. */
export function fnv1a32(text: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  return hash >>> 0;
}

/**
 * Jump consistent hash: the bucket in [0, buckets) for a 32-bit key. The jumps are drawn from a
 * xorshift32 generator seeded by the key, each draw uniform in (0, 1).
 */
export function jumpConsistentHash(key: number, buckets: number): number {
  let state = key | 0 || 0x9e3779b9;
  let bucket = -1;
  let next = 0;
  while (next < buckets) {
    bucket = next;
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    next = Math.floor((bucket + 1) / ((state >>> 0) / 0x1_0000_0000));
  }
  return bucket;
}

class ConsistentHashRouter<D> extends IndexedRouter<D> {
  /** Bindings in binding order: each owns the buckets up to its cumulative end (exclusive). */
  private readonly owners: D[] = [];
  private readonly weights: number[] = [];
  private readonly keys: string[] = [];
  private readonly ends: number[] = [];
  private readonly results: (readonly D[])[] = [];
  private readonly hashOn: HashOn;

  constructor(hashOn: HashOn) {
    super();
    this.hashOn = hashOn;
  }

  route(routingKey: string, headers?: FieldTable, properties?: RoutingProperties): readonly D[] {
    const count = this.ends.length;
    if (count === 0) return NO_DESTINATIONS;
    const buckets = this.ends[count - 1]!;
    const bucket = jumpConsistentHash(fnv1a32(this.hashedValue(routingKey, headers, properties)), buckets);
    // The first binding whose buckets end after `bucket`.
    let lo = 0;
    let hi = count - 1;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.ends[mid]! > bucket) hi = mid;
      else lo = mid + 1;
    }
    return this.results[lo]!;
  }

  /** The number of buckets on the ring. */
  get buckets(): number {
    return this.ends.length === 0 ? 0 : this.ends[this.ends.length - 1]!;
  }

  protected routeOf(bindingKey: string): string {
    return bindingKey;
  }

  protected addRoute(route: string, destination: D): void {
    const weight = bindingWeight(route);
    this.owners.push(destination);
    this.weights.push(weight);
    this.keys.push(route);
    this.results.push(Object.freeze([destination]));
    this.ends.push(this.buckets + weight);
  }

  protected removeRoute(route: string, destination: D): void {
    const at = this.owners.findIndex((owner, i) => owner === destination && this.keys[i] === route);
    if (at < 0) return;
    this.owners.splice(at, 1);
    this.weights.splice(at, 1);
    this.keys.splice(at, 1);
    this.results.splice(at, 1);
    this.ends.length = this.owners.length;
    let end = 0;
    for (let i = 0; i < this.weights.length; i++) {
      end += this.weights[i]!;
      this.ends[i] = end;
    }
  }

  protected clearRoutes(): void {
    this.owners.length = 0;
    this.weights.length = 0;
    this.keys.length = 0;
    this.ends.length = 0;
    this.results.length = 0;
  }

  private hashedValue(routingKey: string, headers: FieldTable | undefined, properties: RoutingProperties | undefined): string {
    const on = this.hashOn;
    switch (on.kind) {
      case 'routing-key':
        return routingKey;
      case 'header': {
        const value = headers?.[on.header];
        if (value === undefined) return '';
        return typeof value === 'string' ? value : fieldValueKey(value);
      }
      case 'property':
        switch (on.property) {
          case 'message_id':
            return properties?.messageId ?? '';
          case 'correlation_id':
            return properties?.correlationId ?? '';
          case 'timestamp':
            return properties?.timestamp === undefined ? '' : String(properties.timestamp);
          default: {
            const unreachable: never = on.property;
            return unreachable;
          }
        }
      default: {
        const unreachable: never = on;
        return unreachable;
      }
    }
  }
}

export const consistentHashExchangeType: ExchangeType = {
  name: CONSISTENT_HASH_EXCHANGE_TYPE,
  description: 'Consistent Hashing Exchange',
  validate(args?: FieldTable): void {
    consistentHashOn(args);
  },
  validateBinding(bindingKey: string): void {
    assertShortstr('bindingKey', bindingKey);
    bindingWeight(bindingKey);
  },
  createRouter<D>(args?: FieldTable): ExchangeRouter<D> {
    return new ConsistentHashRouter<D>(consistentHashOn(args));
  },
};
