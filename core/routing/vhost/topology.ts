/**
 * Declaring, deleting and binding exchanges and queues: the exchange.* and queue.* methods, with
 * RabbitMQ 3.10's checks in its order (rabbit_channel, rabbit_exchange, rabbit_amqqueue,
 * rabbit_binding) and its reply texts.
 *
 * Every check runs before any state changes, so a refused method leaves the topology as it was.
 * Deletions cascade as in RabbitMQ: deleting a queue or exchange removes its bindings, and an
 * auto-delete exchange goes when it loses its last binding as a source.
 */
import type { FieldTable } from '../index.js';
import { assertShortstr, fieldTableKey } from '../index.js';
import { assertArgsEquivalent, assertFieldEquivalent, parseQueueArguments } from './args.js';
import type { Channel } from './channel.js';
import type { Connection } from './connection.js';
import {
  defaultExchangeRefused,
  inUse,
  noExchange,
  noQueue,
  notEmpty,
  preconditionFailed,
  reservedName,
  resourceLocked,
  resourceName,
  systemExchangeDeletion,
} from './errors.js';
import { Exchange, type Binding, type Destination } from './exchange.js';
import { Queue } from './queue.js';
import type { RestoredEntry } from './queue-store.js';
import { DIRECT_REPLY_PREFIX, DIRECT_REPLY_TO } from './route.js';
import type { VirtualHost } from './vhost.js';
import type { AmqpMethodName } from '../../errors/index.js';

/** exchange.declare options, as amqplib's assertExchange takes them (durable defaults to true). */
export interface AssertExchangeOptions {
  readonly durable?: boolean;
  readonly internal?: boolean;
  readonly autoDelete?: boolean;
  readonly alternateExchange?: string;
  readonly arguments?: FieldTable;
}

/** queue.declare options, as amqplib's assertQueue takes them (durable defaults to true). */
export interface AssertQueueOptions {
  readonly exclusive?: boolean;
  readonly durable?: boolean;
  readonly autoDelete?: boolean;
  readonly arguments?: FieldTable;
  readonly messageTtl?: number;
  readonly expires?: number;
  readonly deadLetterExchange?: string;
  readonly deadLetterRoutingKey?: string;
  readonly maxLength?: number;
  readonly maxPriority?: number;
  readonly overflow?: string;
  readonly queueMode?: string;
}

export interface DeleteQueueOptions {
  readonly ifUnused?: boolean;
  readonly ifEmpty?: boolean;
}

export interface DeleteExchangeOptions {
  readonly ifUnused?: boolean;
}

export interface QueueDeclareOk {
  readonly queue: string;
  readonly messageCount: number;
  readonly consumerCount: number;
}

const RESERVED_PREFIX = 'amq.';

function exchangeArguments(options: AssertExchangeOptions): FieldTable | undefined {
  if (options.alternateExchange === undefined) return options.arguments;
  return { ...options.arguments, 'alternate-exchange': options.alternateExchange };
}

/** amqplib folds its convenience options into the arguments table. */
function queueArguments(options: AssertQueueOptions): FieldTable | undefined {
  const extra: Record<string, unknown> = {};
  let any = false;
  const put = (key: string, value: unknown): void => {
    if (value === undefined) return;
    extra[key] = value;
    any = true;
  };
  put('x-expires', options.expires);
  put('x-message-ttl', options.messageTtl);
  put('x-dead-letter-exchange', options.deadLetterExchange);
  put('x-dead-letter-routing-key', options.deadLetterRoutingKey);
  put('x-max-length', options.maxLength);
  put('x-max-priority', options.maxPriority);
  put('x-overflow', options.overflow);
  put('x-queue-mode', options.queueMode);
  return any ? { ...options.arguments, ...extra } : options.arguments;
}

// ---------------------------------------------------------------------------------------------
// Exchanges

export function declareExchange(vhost: VirtualHost, name: string, type: string, options: AssertExchangeOptions = {}): { exchange: string } {
  assertShortstr('exchange', name);
  assertShortstr('type', type);
  const exchangeType = vhost.options.exchangeTypes.lookup(type);
  if (name === '') throw defaultExchangeRefused('exchange.declare');
  const durable = options.durable ?? true;
  const autoDelete = options.autoDelete ?? false;
  const internal = options.internal ?? false;
  const args = exchangeArguments(options);
  const existing = vhost.exchanges.get(name);
  const method = 'exchange.declare';
  if (existing !== undefined) {
    assertFieldEquivalent('exchange', name, vhost.name, 'type', existing.type.name, exchangeType.name, method);
    assertFieldEquivalent('exchange', name, vhost.name, 'durable', existing.durable, durable, method);
    assertFieldEquivalent('exchange', name, vhost.name, 'auto_delete', existing.autoDelete, autoDelete, method);
    assertFieldEquivalent('exchange', name, vhost.name, 'internal', existing.internal, internal, method);
    assertArgsEquivalent('exchange', name, vhost.name, existing.args, args, method);
    return { exchange: name };
  }
  if (name.startsWith(RESERVED_PREFIX)) throw reservedName('exchange', name, method);
  exchangeType.validate(args);
  vhost.exchanges.set(name, new Exchange(name, exchangeType, durable, autoDelete, internal, args));
  return { exchange: name };
}

export function checkExchange(vhost: VirtualHost, name: string): Exchange {
  assertShortstr('exchange', name);
  if (name === '') throw defaultExchangeRefused('exchange.declare');
  const exchange = vhost.exchanges.get(name);
  if (exchange === undefined) throw noExchange(name, vhost.name, 'exchange.declare');
  return exchange;
}

export function deleteExchange(vhost: VirtualHost, name: string, options: DeleteExchangeOptions = {}): void {
  assertShortstr('exchange', name);
  if (name === '') throw defaultExchangeRefused('exchange.delete');
  if (name.startsWith(RESERVED_PREFIX)) throw systemExchangeDeletion(name, vhost.name);
  const exchange = vhost.exchanges.get(name);
  if (exchange === undefined) return;
  if (options.ifUnused === true && exchange.outgoing.size > 0) throw inUse('exchange', name, vhost.name, 'exchange.delete');
  removeExchange(vhost, exchange);
}

/** Deletes an exchange and its bindings (both ends), then auto-deletes sources left unbound. */
export function removeExchange(vhost: VirtualHost, exchange: Exchange): void {
  exchange.deleted = true;
  vhost.exchanges.delete(exchange.name);
  for (const binding of exchange.outgoing) binding.destination.incoming.delete(binding);
  exchange.outgoing.clear();
  exchange.router.clear();
  const sources = unbindIncoming(exchange);
  for (const source of sources) maybeAutoDeleteExchange(vhost, source);
}

function unbindIncoming(destination: Destination): Exchange[] {
  const sources: Exchange[] = [];
  for (const binding of destination.incoming) {
    binding.source.router.unbind(binding.key, destination, binding.args);
    binding.source.outgoing.delete(binding);
    sources.push(binding.source);
  }
  destination.incoming.clear();
  return sources;
}

function maybeAutoDeleteExchange(vhost: VirtualHost, exchange: Exchange): void {
  if (exchange.autoDelete && !exchange.deleted && exchange.outgoing.size === 0) removeExchange(vhost, exchange);
}

// ---------------------------------------------------------------------------------------------
// Bindings

function findBinding(destination: Destination, source: Exchange, key: string, argsKey: string): Binding | undefined {
  for (const binding of destination.incoming) {
    if (binding.source === source && binding.key === key && binding.argsKey === argsKey) return binding;
  }
  return undefined;
}

function bindingSource(vhost: VirtualHost, source: string, method: AmqpMethodName): Exchange {
  const exchange = vhost.exchanges.get(source);
  if (exchange === undefined) throw noExchange(source, vhost.name, method);
  return exchange;
}

function addBinding(source: Exchange, destination: Destination, key: string, args: FieldTable | undefined): void {
  source.type.validateBinding(key, args);
  if (!source.router.bind(key, destination, args)) return;
  const binding: Binding = { source, destination, key, args, argsKey: fieldTableKey(args) };
  source.outgoing.add(binding);
  destination.incoming.add(binding);
}

function removeBinding(vhost: VirtualHost, binding: Binding): void {
  binding.source.router.unbind(binding.key, binding.destination, binding.args);
  binding.source.outgoing.delete(binding);
  binding.destination.incoming.delete(binding);
  maybeAutoDeleteExchange(vhost, binding.source);
}

export function bindQueue(
  vhost: VirtualHost,
  channel: Channel,
  queueName: string,
  source: string,
  key: string,
  args: FieldTable | undefined,
): void {
  const method = 'queue.bind';
  const { exchange, queue } = queueBindingEnds(vhost, channel, queueName, source, key, method);
  checkExclusiveAccess(vhost, queue, channel.connection, method);
  addBinding(exchange, queue, key, args);
}

/**
 * What queue.bind and queue.unbind check alike, in RabbitMQ's order: name lengths, the queue name
 * ("" is the channel's last declared queue), the default exchange, the source and the queue.
 */
function queueBindingEnds(vhost: VirtualHost, channel: Channel, queueName: string, source: string, key: string, method: 'queue.bind' | 'queue.unbind'): { exchange: ReturnType<typeof bindingSource>; queue: Queue } {
  assertShortstr('queue', queueName);
  assertShortstr('exchange', source);
  assertShortstr('bindingKey', key);
  const name = channel.resolveQueueName(queueName, method);
  if (source === '') throw defaultExchangeRefused(method);
  const exchange = bindingSource(vhost, source, method);
  const queue = vhost.queues.get(name);
  if (queue === undefined) throw noQueue(name, vhost.name, method);
  return { exchange, queue };
}

export function unbindQueue(
  vhost: VirtualHost,
  channel: Channel,
  queueName: string,
  source: string,
  key: string,
  args: FieldTable | undefined,
): void {
  const method = 'queue.unbind';
  const { exchange, queue } = queueBindingEnds(vhost, channel, queueName, source, key, method);
  const binding = findBinding(queue, exchange, key, fieldTableKey(args));
  if (binding === undefined) return; // RabbitMQ 3.10: unbinding what is not bound succeeds
  checkExclusiveAccess(vhost, queue, channel.connection, method);
  removeBinding(vhost, binding);
}

export function bindExchange(vhost: VirtualHost, destination: string, source: string, key: string, args: FieldTable | undefined): void {
  const method = 'exchange.bind';
  assertShortstr('exchange', destination);
  assertShortstr('exchange', source);
  assertShortstr('bindingKey', key);
  if (destination === '' || source === '') throw defaultExchangeRefused(method);
  const from = bindingSource(vhost, source, method);
  const to = bindingSource(vhost, destination, method);
  addBinding(from, to, key, args);
}

export function unbindExchange(vhost: VirtualHost, destination: string, source: string, key: string, args: FieldTable | undefined): void {
  const method = 'exchange.unbind';
  assertShortstr('exchange', destination);
  assertShortstr('exchange', source);
  assertShortstr('bindingKey', key);
  if (destination === '' || source === '') throw defaultExchangeRefused(method);
  const from = bindingSource(vhost, source, method);
  const to = bindingSource(vhost, destination, method);
  const binding = findBinding(to, from, key, fieldTableKey(args));
  if (binding !== undefined) removeBinding(vhost, binding);
}

// ---------------------------------------------------------------------------------------------
// Queues

/**
 * RabbitMQ's check_exclusive_access in lax mode: an exclusive queue is usable only from its owner
 * connection (405 RESOURCE_LOCKED otherwise). Publishing to it is allowed from anywhere.
 */
export function checkExclusiveAccess(vhost: VirtualHost, queue: Queue, connection: Connection, method: AmqpMethodName): void {
  if (queue.owner !== null && queue.owner !== connection) throw resourceLocked(queue.name, vhost.name, method);
}

/** queue.declare of the direct reply-to pseudo-queue: it "exists" while its consumer does. */
function declareReplyQueue(vhost: VirtualHost, name: string, method: AmqpMethodName): QueueDeclareOk {
  if (name === DIRECT_REPLY_TO || vhost.replyTargets.has(name.slice(DIRECT_REPLY_PREFIX.length))) {
    return { queue: name, messageCount: 0, consumerCount: 1 };
  }
  throw noQueue(name, vhost.name, method);
}

function isReplyQueueName(name: string): boolean {
  return name === DIRECT_REPLY_TO || name.startsWith(DIRECT_REPLY_PREFIX);
}

export function declareQueue(vhost: VirtualHost, channel: Channel, nowMs: number, queueName: string, options: AssertQueueOptions = {}): QueueDeclareOk {
  const method = 'queue.declare';
  assertShortstr('queue', queueName);
  if (isReplyQueueName(queueName)) return declareReplyQueue(vhost, queueName, method);
  const connection = channel.connection;
  const exclusive = options.exclusive === true;
  // rabbit_channel: an exclusive queue is never durable, whatever the client asked.
  const durable = (options.durable ?? true) && !exclusive;
  const autoDelete = options.autoDelete === true;
  let name = queueName;
  if (name === '') name = `amq.gen-${vhost.options.randomId()}`;
  else if (name.startsWith(RESERVED_PREFIX)) throw reservedName('queue', name, method);
  const args = queueArguments(options);
  const existing = vhost.queues.get(name);
  if (existing !== undefined) {
    if (existing.owner !== (exclusive ? connection : null)) throw resourceLocked(name, vhost.name, method);
    assertFieldEquivalent('queue', name, vhost.name, 'durable', existing.durable, durable, method);
    assertFieldEquivalent('queue', name, vhost.name, 'auto_delete', existing.autoDelete, autoDelete, method);
    assertArgsEquivalent('queue', name, vhost.name, existing.args, args, method);
    existing.lastUsedMs = nowMs;
    existing.dropExpired(nowMs);
    channel.lastQueue = name;
    return { queue: name, messageCount: existing.messageCount, consumerCount: existing.consumerCount };
  }
  const settings = parseQueueArguments(args, name, vhost.name);
  if (settings.queueType === 'quorum') {
    if (settings.maxPriority >= 0) {
      throw preconditionFailed(`invalid arg 'x-max-priority' for ${resourceName('queue', name, vhost.name)} of queue type rabbit_quorum_queue`, method);
    }
    const property = autoDelete ? 'auto-delete' : exclusive ? 'exclusive-owner' : !durable ? 'non-durable' : undefined;
    if (property !== undefined) {
      throw preconditionFailed(`invalid property '${property}' for ${resourceName('queue', name, vhost.name)}`, method);
    }
  }
  const owner = exclusive ? connection : null;
  const queue = new Queue(vhost, name, durable, autoDelete, owner, args, settings, nowMs);
  if (settings.queueType === 'quorum') queue.store = vhost.options.quorumQueueStore?.open(vhost, queue) ?? null;
  vhost.queues.set(name, queue);
  if (queue.readsClock) vhost.clockQueues++;
  if (owner !== null) owner.exclusiveQueues.add(queue);
  channel.lastQueue = name;
  return { queue: name, messageCount: 0, consumerCount: 0 };
}

/**
 * Brings back a durable queue its store kept (a new host over the same cluster): declared with
 * `args`, owned by no connection, holding `entries` as committed ready entries. Nothing happens
 * when a queue of that name exists already.
 */
export function restoreQueue(vhost: VirtualHost, name: string, args: FieldTable | undefined, entries: readonly RestoredEntry[], nowMs: number): void {
  if (vhost.queues.has(name)) return;
  const settings = parseQueueArguments(args, name, vhost.name);
  const queue = new Queue(vhost, name, true, false, null, args, settings, nowMs);
  queue.restore(entries, nowMs);
  if (settings.queueType === 'quorum') queue.store = vhost.options.quorumQueueStore?.open(vhost, queue) ?? null;
  vhost.queues.set(name, queue);
  if (queue.readsClock) vhost.clockQueues++;
}

export function checkQueue(vhost: VirtualHost, channel: Channel, nowMs: number, queueName: string): QueueDeclareOk {
  const method = 'queue.declare';
  assertShortstr('queue', queueName);
  if (isReplyQueueName(queueName)) return declareReplyQueue(vhost, queueName, method);
  const name = channel.resolveQueueName(queueName, method);
  const queue = vhost.queues.get(name);
  if (queue === undefined) throw noQueue(name, vhost.name, method);
  checkExclusiveAccess(vhost, queue, channel.connection, method);
  queue.lastUsedMs = nowMs;
  queue.dropExpired(nowMs);
  channel.lastQueue = name;
  return { queue: name, messageCount: queue.messageCount, consumerCount: queue.consumerCount };
}

export function deleteQueue(vhost: VirtualHost, channel: Channel, nowMs: number, queueName: string, options: DeleteQueueOptions = {}): { messageCount: number } {
  const method = 'queue.delete';
  assertShortstr('queue', queueName);
  const name = channel.resolveQueueName(queueName, method);
  const queue = vhost.queues.get(name);
  if (queue === undefined) return { messageCount: 0 }; // RabbitMQ 3.10: deleting a missing queue succeeds
  checkExclusiveAccess(vhost, queue, channel.connection, method);
  queue.dropExpired(nowMs);
  if (options.ifEmpty === true && queue.messageCount > 0) throw notEmpty(name, vhost.name);
  if (options.ifUnused === true && queue.consumerCount > 0) throw inUse('queue', name, vhost.name, method);
  const messageCount = queue.messageCount;
  removeQueue(vhost, queue, true);
  return { messageCount };
}

export function purgeQueue(vhost: VirtualHost, channel: Channel, nowMs: number, queueName: string): { messageCount: number } {
  const method = 'queue.purge';
  assertShortstr('queue', queueName);
  const name = channel.resolveQueueName(queueName, method);
  const queue = vhost.queues.get(name);
  if (queue === undefined) throw noQueue(name, vhost.name, method);
  checkExclusiveAccess(vhost, queue, channel.connection, method);
  queue.dropExpired(nowMs);
  return { messageCount: queue.purge() };
}

/**
 * Deletes a queue: its consumers are cancelled (the sink hears basic.cancel when `notify`), its
 * ready messages dropped (never dead-lettered), its bindings removed. Unacked deliveries stay with
 * their channels: they can still be acked; requeued, they are dropped.
 */
export function removeQueue(vhost: VirtualHost, queue: Queue, notify: boolean): void {
  if (queue.deleted) return;
  queue.deleted = true;
  vhost.queues.delete(queue.name);
  if (queue.readsClock) vhost.clockQueues--;
  queue.owner?.exclusiveQueues.delete(queue);
  const consumers = queue.consumers.splice(0);
  for (const consumer of consumers) {
    consumer.active = false;
    const channel = consumer.channel;
    channel.consumers.delete(consumer.tag);
    if (notify && !channel.closed) channel.connection.sink.consumerCancelled(channel.number, consumer.tag);
  }
  queue.closeStore();
  vhost.releaseConfirms();
  queue.purge();
  const sources = unbindIncoming(queue);
  for (const source of sources) maybeAutoDeleteExchange(vhost, source);
  vhost.forgetTimers(queue);
}
