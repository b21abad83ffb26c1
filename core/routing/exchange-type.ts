/**
 * What an exchange type is, modelled on RabbitMQ's rabbit_exchange_type behaviour: the built-in
 * types (direct, fanout, topic, headers) and plugin types (x-consistent-hash, ...) all implement it.
 *
 * An {@link ExchangeType} is stateless: it names the type, checks declare arguments and binding
 * arguments, and creates an {@link ExchangeRouter}, the routing state of one exchange. Checks run
 * once at the edge (declare, bind); `route` trusts what it was given. The built-in direct, fanout,
 * topic (on a cache hit) and x-consistent-hash routers allocate nothing per message.
 *
 * Binding identity is RabbitMQ's: (destination, binding key, arguments). Binding the same triple
 * twice is a no-op, and one unbind removes it. Arguments compare by {@link fieldTableKey}.
 *
 * Errors are {@link AmqpError}s with RabbitMQ's codes: an invalid binding is 406
 * PRECONDITION_FAILED (RabbitMQ's binding_invalid); invalid declare arguments are 406 too.
 */
import type { FieldTable } from './field-table.js';

/** The message properties some exchange types route on (amqplib's names). */
export interface RoutingProperties {
  readonly messageId?: string;
  readonly correlationId?: string;
  /** Seconds since the epoch, as AMQP's timestamp. */
  readonly timestamp?: number;
}

/** The routing state of one exchange: its bindings and how a message reaches destinations. */
export interface ExchangeRouter<D> {
  /**
   * Adds a binding, already checked by {@link ExchangeType.validateBinding}. False when the same
   * (destination, key, arguments) was already bound.
   */
  bind(bindingKey: string, destination: D, args?: FieldTable): boolean;
  /** Removes a binding. False when it was not bound. */
  unbind(bindingKey: string, destination: D, args?: FieldTable): boolean;
  /**
   * The destinations a message reaches, each once, in no particular order. The array may be shared
   * with later calls: do not mutate it.
   */
  route(routingKey: string, headers?: FieldTable, properties?: RoutingProperties): readonly D[];
  /** The number of bindings. */
  readonly size: number;
  /** Removes every binding (exchange.delete). */
  clear(): void;
}

export interface ExchangeType {
  /** The type name as exchange.declare carries it: `topic`, `x-consistent-hash`. */
  readonly name: string;
  readonly description: string;
  /** Checks exchange.declare arguments. Throws AmqpError (406) when they are invalid. */
  validate(args?: FieldTable): void;
  /** Checks a binding (queue.bind, exchange.bind). Throws AmqpError (406) when it is invalid. */
  validateBinding(bindingKey: string, args?: FieldTable): void;
  /** A router for one exchange of this type, declared with `args` (already validated). */
  createRouter<D>(args?: FieldTable): ExchangeRouter<D>;
}
