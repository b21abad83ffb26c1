/**
 * The four exchange types AMQP 0-9-1 defines, as {@link ExchangeType}s over the matchers:
 * direct ({@link DirectMatcher}), fanout ({@link FanoutMatcher}), topic ({@link TopicTrie}) and
 * headers ({@link compileHeadersBinding}).
 *
 * Binding checks at bind time: every binding key must fit a shortstr (501 FRAME_ERROR, see
 * names.ts); a headers binding needs a valid x-match (406); a topic binding may be limited in its
 * `#` words (406, off by default, see {@link TopicExchangeOptions.maxHashWords}).
 */
import { AmqpError } from '../errors/amqp.js';
import { DestinationTable } from './destination-table.js';
import { DirectMatcher } from './direct-match.js';
import type { ExchangeRouter, ExchangeType } from './exchange-type.js';
import { FanoutMatcher } from './fanout-match.js';
import type { FieldTable } from './field-table.js';
import { compileHeadersBinding, headersMatch, validateHeadersBinding, type HeadersBinding } from './headers-match.js';
import { IndexedRouter } from './indexed-router.js';
import { assertShortstr } from './names.js';
import { hashWordCount, TOPIC_TRIE_DEFAULTS, TopicTrie } from './topic-trie.js';

const NO_DESTINATIONS: readonly never[] = Object.freeze([]);

function noArgumentsToCheck(): void {
  // The built-in types accept any exchange.declare arguments; the exchange layer reads its own
  // (alternate-exchange, ...).
}

class DirectRouter<D> extends IndexedRouter<D> {
  private readonly matcher = new DirectMatcher<D>();

  route(routingKey: string): readonly D[] {
    return this.matcher.match(routingKey);
  }

  protected routeOf(bindingKey: string): string {
    return bindingKey;
  }

  protected addRoute(route: string, destination: D): void {
    this.matcher.add(route, destination);
  }

  protected removeRoute(route: string, destination: D): void {
    this.matcher.remove(route, destination);
  }

  protected clearRoutes(): void {
    this.matcher.clear();
  }
}

export const directExchangeType: ExchangeType = {
  name: 'direct',
  description: 'AMQP direct exchange, as per the AMQP specification',
  validate: noArgumentsToCheck,
  validateBinding(bindingKey: string): void {
    assertShortstr('bindingKey', bindingKey);
  },
  createRouter<D>(): ExchangeRouter<D> {
    return new DirectRouter<D>();
  },
};

class FanoutRouter<D> extends IndexedRouter<D> {
  private readonly matcher = new FanoutMatcher<D>();

  route(): readonly D[] {
    return this.matcher.match();
  }

  protected routeOf(): string {
    return '';
  }

  protected addRoute(_route: string, destination: D): void {
    this.matcher.add(destination);
  }

  protected removeRoute(_route: string, destination: D): void {
    this.matcher.remove(destination);
  }

  protected clearRoutes(): void {
    this.matcher.clear();
  }
}

export const fanoutExchangeType: ExchangeType = {
  name: 'fanout',
  description: 'AMQP fanout exchange, as per the AMQP specification',
  validate: noArgumentsToCheck,
  validateBinding(bindingKey: string): void {
    assertShortstr('bindingKey', bindingKey);
  },
  createRouter<D>(): ExchangeRouter<D> {
    return new FanoutRouter<D>();
  },
};

export interface TopicExchangeOptions {
  /** Routing keys whose results each exchange caches (0: no cache). */
  readonly cacheSize?: number;
  /**
   * Reject binding keys with more than this many `#` words. RabbitMQ up to 4.2 (and the 3.10
   * oracle) accepts any number; its main branch from 2026-07 rejects more than two (R09). Off
   * (unlimited) by default.
   */
  readonly maxHashWords?: number;
}

class TopicRouter<D> extends IndexedRouter<D> {
  private readonly trie: TopicTrie<D>;

  constructor(cacheSize: number) {
    super();
    this.trie = new TopicTrie<D>({ cacheSize });
  }

  route(routingKey: string): readonly D[] {
    return this.trie.match(routingKey);
  }

  protected routeOf(bindingKey: string): string {
    return bindingKey;
  }

  protected addRoute(route: string, destination: D): void {
    this.trie.add(route, destination);
  }

  protected removeRoute(route: string, destination: D): void {
    this.trie.remove(route, destination);
  }

  protected clearRoutes(): void {
    this.trie.clear();
  }
}

/** A topic exchange type with its own options (the registry's default has none set). */
export function createTopicExchangeType(options: TopicExchangeOptions = {}): ExchangeType {
  const cacheSize = options.cacheSize ?? TOPIC_TRIE_DEFAULTS.cacheSize;
  const maxHashWords = options.maxHashWords;
  return {
    name: 'topic',
    description: 'AMQP topic exchange, as per the AMQP specification',
    validate: noArgumentsToCheck,
    validateBinding(bindingKey: string): void {
      assertShortstr('bindingKey', bindingKey);
      if (maxHashWords === undefined) return;
      const hashes = hashWordCount(bindingKey);
      if (hashes > maxHashWords) {
        throw new AmqpError(
          'PRECONDITION_FAILED',
          `binding key '${bindingKey}' has ${hashes} '#' wildcard words; at most ${maxHashWords} are allowed`,
        );
      }
    },
    createRouter<D>(): ExchangeRouter<D> {
      return new TopicRouter<D>(cacheSize);
    },
  };
}

export const topicExchangeType: ExchangeType = createTopicExchangeType();

/** Headers bindings in arrays indexed alike; a swap-remove keeps them dense. */
class HeadersRouter<D> extends IndexedRouter<D> {
  private readonly destinations = new DestinationTable<D>();
  private readonly ids: number[] = [];
  private readonly argsKeys: string[] = [];
  private readonly compiled: HeadersBinding[] = [];
  /** destination -> canonical arguments -> index in the arrays */
  private readonly positions = new Map<D, Map<string, number>>();

  route(_routingKey: string, headers?: FieldTable): readonly D[] {
    const table = this.destinations;
    table.beginPass();
    let out: D[] | undefined;
    for (let i = 0; i < this.compiled.length; i++) {
      const id = this.ids[i]!;
      if (table.seenInPass(id) || !headersMatch(this.compiled[i]!, headers)) continue;
      table.firstInPass(id);
      (out ??= []).push(table.value(id));
    }
    return out ?? NO_DESTINATIONS;
  }

  protected routeOf(_bindingKey: string, argsKey: string): string {
    return argsKey;
  }

  protected addRoute(route: string, destination: D, _bindingKey: string, args: FieldTable | undefined): void {
    let byArgs = this.positions.get(destination);
    if (byArgs === undefined) {
      byArgs = new Map();
      this.positions.set(destination, byArgs);
    }
    byArgs.set(route, this.compiled.length);
    this.compiled.push(compileHeadersBinding(args));
    this.ids.push(this.destinations.acquire(destination));
    this.argsKeys.push(route);
  }

  protected removeRoute(route: string, destination: D): void {
    const byArgs = this.positions.get(destination);
    const at = byArgs?.get(route);
    if (byArgs === undefined || at === undefined) return;
    const id = this.ids[at]!;
    const last = this.compiled.length - 1;
    if (at !== last) {
      const movedId = this.ids[last]!;
      const movedArgs = this.argsKeys[last]!;
      this.ids[at] = movedId;
      this.argsKeys[at] = movedArgs;
      this.compiled[at] = this.compiled[last]!;
      this.positions.get(this.destinations.value(movedId))?.set(movedArgs, at);
    }
    this.ids.pop();
    this.argsKeys.pop();
    this.compiled.pop();
    byArgs.delete(route);
    if (byArgs.size === 0) this.positions.delete(destination);
    this.destinations.release(id);
  }

  protected clearRoutes(): void {
    this.destinations.clear();
    this.ids.length = 0;
    this.argsKeys.length = 0;
    this.compiled.length = 0;
    this.positions.clear();
  }
}

export const headersExchangeType: ExchangeType = {
  name: 'headers',
  description: 'AMQP headers exchange, as per the AMQP specification',
  validate: noArgumentsToCheck,
  validateBinding(bindingKey: string, args?: FieldTable): void {
    assertShortstr('bindingKey', bindingKey);
    validateHeadersBinding(args);
  },
  createRouter<D>(): ExchangeRouter<D> {
    return new HeadersRouter<D>();
  },
};

/** The built-in types, in the order RabbitMQ lists them. */
export const BUILTIN_EXCHANGE_TYPES: readonly ExchangeType[] = Object.freeze([
  directExchangeType,
  fanoutExchangeType,
  headersExchangeType,
  topicExchangeType,
]);
