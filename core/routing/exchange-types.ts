/**
 * The registry of exchange types by name, as RabbitMQ's rabbit_registry holds them: the built-in
 * direct, fanout, headers and topic, and plugin types registered by name (the seed's "custom
 * exchange types through plugins"), such as {@link consistentHashExchangeType}.
 *
 * exchange.declare with a type nobody registered fails with 406 PRECONDITION_FAILED
 * "unknown exchange type 'foo'", a channel error: RabbitMQ changed this from 503 COMMAND_INVALID (a
 * connection error) in rabbitmq-server#11214 (May 2024, backported to 3.12.x and 3.13.x). Older
 * servers, the 3.10 oracle among them, still answer 503; `unknownType` selects that behaviour.
 *
 * Invariant: a name maps to at most one type; registering a taken name fails.
 */
import { AmqpError } from '../errors/amqp.js';
import { MqlabInternalError } from '../errors/base.js';
import { BUILTIN_EXCHANGE_TYPES, createTopicExchangeType, type TopicExchangeOptions } from './builtin-exchange-types.js';
import type { ExchangeType } from './exchange-type.js';
import { fitsShortstr } from './names.js';

export interface ExchangeTypeRegistryOptions {
  /** Plugin types to register beside the built-in ones. */
  readonly plugins?: readonly ExchangeType[];
  /** Options for the built-in topic type. */
  readonly topic?: TopicExchangeOptions;
  /** The reply to an unknown type: RabbitMQ 3.12.x/3.13+ (default) or older servers. */
  readonly unknownType?: 'PRECONDITION_FAILED' | 'COMMAND_INVALID';
}

export class ExchangeTypeRegistry {
  private readonly types = new Map<string, ExchangeType>();
  private readonly unknownType: 'PRECONDITION_FAILED' | 'COMMAND_INVALID';

  constructor(options: ExchangeTypeRegistryOptions = {}) {
    this.unknownType = options.unknownType ?? 'PRECONDITION_FAILED';
    for (const type of BUILTIN_EXCHANGE_TYPES) {
      this.register(type.name === 'topic' && options.topic !== undefined ? createTopicExchangeType(options.topic) : type);
    }
    for (const plugin of options.plugins ?? []) this.register(plugin);
  }

  /** Adds a type under its name. Throws INVALID_ARGUMENT when the name is taken or unusable. */
  register(type: ExchangeType): void {
    if (type.name === '' || !fitsShortstr(type.name)) {
      throw new MqlabInternalError('INVALID_ARGUMENT', `exchange type name '${type.name}' must be 1 to 255 bytes`);
    }
    if (this.types.has(type.name)) {
      throw new MqlabInternalError('INVALID_ARGUMENT', `exchange type '${type.name}' is already registered`);
    }
    this.types.set(type.name, type);
  }

  /** Removes a type (a plugin being disabled). Exchanges already declared keep their routers. */
  unregister(name: string): boolean {
    return this.types.delete(name);
  }

  has(name: string): boolean {
    return this.types.has(name);
  }

  get(name: string): ExchangeType | undefined {
    return this.types.get(name);
  }

  /** The type exchange.declare names, or the AMQP error RabbitMQ answers for an unknown one. */
  lookup(name: string): ExchangeType {
    const type = this.types.get(name);
    if (type !== undefined) return type;
    throw new AmqpError(this.unknownType, `unknown exchange type '${name}'`, { method: 'exchange.declare' });
  }

  /** Registered type names, in registration order. */
  names(): string[] {
    return [...this.types.keys()];
  }
}
