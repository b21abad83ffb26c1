/**
 * Dead-lettering (docs/dlx.md, rabbit_dead_letter): the message a queue republishes to its
 * dead-letter exchange, and the cycle rule.
 *
 * The dead-lettered message is a new {@link Message} sharing the body. Its headers get:
 * - `x-death`: one entry per (queue, reason), newest first: {count, reason, queue, time, exchange,
 *   routing-keys, original-expiration?}. A second death for the same queue and reason increments
 *   that entry's count and moves it to the front (its other fields stay as first recorded).
 * - `x-first-death-queue/-reason/-exchange`, set once; `x-last-death-*` on every death (3.13+,
 *   optional: the 3.10 oracle has none).
 * The expiration property is removed (kept as original-expiration), so the message does not expire
 * again on its own TTL. With a dead-letter routing key the message is routed with that key alone and
 * its CC header is removed; otherwise with its original keys. BCC never reaches a delivered message.
 *
 * Cycles: a message dead-lettered for `expired` or `maxlen` that would reach a queue it already died
 * in, with no `rejected` death in between, is dropped for that queue (a fully automatic cycle).
 * Rejections are never treated as cycles: a client decided.
 */
import type { FieldTable } from '../index.js';
import { Message } from './message.js';
import type { MessageProperties } from './message.js';
import type { DeathReason } from './queue.js';

export interface DeadLetterSettings {
  readonly exchange: string;
  readonly routingKey: string | undefined;
  readonly lastDeathHeaders: boolean;
}

function isTable(value: unknown): value is FieldTable {
  return value !== null && typeof value === 'object' && !Array.isArray(value) && !(value instanceof Uint8Array);
}

/** The message a queue publishes to its dead-letter exchange. */
export function deadLetteredMessage(
  msg: Message,
  reason: DeathReason,
  queueName: string,
  settings: DeadLetterSettings,
  nowMs: number,
): Message {
  const props = msg.properties;
  const headers: Record<string, unknown> = { ...props.headers };
  delete headers.BCC;
  if (settings.routingKey !== undefined) delete headers.CC;

  const previous = headers['x-death'];
  const deaths = Array.isArray(previous) ? (previous as unknown[]) : [];
  let entry: FieldTable | undefined;
  const others: unknown[] = [];
  for (const death of deaths) {
    if (entry === undefined && isTable(death) && death.queue === queueName && death.reason === reason) {
      const count = typeof death.count === 'number' ? death.count : 0;
      entry = { ...death, count: count + 1 };
    } else {
      others.push(death);
    }
  }
  if (entry === undefined) {
    const fresh: Record<string, unknown> = {
      count: 1,
      reason,
      queue: queueName,
      time: { '!': 'timestamp', value: Math.floor(nowMs / 1000) },
      exchange: msg.exchange,
      'routing-keys': msg.visibleRoutingKeys,
    };
    if (props.expiration !== undefined) fresh['original-expiration'] = props.expiration;
    entry = fresh;
  }
  headers['x-death'] = [entry, ...others];
  if (headers['x-first-death-reason'] === undefined) {
    headers['x-first-death-exchange'] = msg.exchange;
    headers['x-first-death-queue'] = queueName;
    headers['x-first-death-reason'] = reason;
  }
  if (settings.lastDeathHeaders) {
    headers['x-last-death-exchange'] = msg.exchange;
    headers['x-last-death-queue'] = queueName;
    headers['x-last-death-reason'] = reason;
  }

  const kept: { -readonly [K in keyof MessageProperties]: MessageProperties[K] } = { ...props, headers };
  delete kept.expiration;
  const properties: MessageProperties = kept;
  const override = settings.routingKey;
  return new Message(
    msg.stats,
    settings.exchange,
    override ?? msg.routingKey,
    override === undefined ? msg.extraKeys : null,
    override === undefined ? msg.ccCount : 0,
    properties,
    msg.body,
    -1,
  );
}

/**
 * True when dead-lettering `msg` (already carrying its new x-death entry) into `queueName` closes a
 * fully automatic cycle, which RabbitMQ drops.
 */
export function isDeadLetterCycle(msg: Message, reason: DeathReason, queueName: string): boolean {
  if (reason === 'rejected') return false;
  const deaths = msg.properties.headers?.['x-death'];
  if (!Array.isArray(deaths)) return false;
  for (const death of deaths as unknown[]) {
    if (!isTable(death)) return false;
    if (death.reason === 'rejected') return false;
    if (death.queue === queueName) return true;
  }
  return false;
}
