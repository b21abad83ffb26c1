/**
 * kafkajs's instrumentation events: `client.on(client.events.X, listener)` returns a function that
 * removes the listener; each event is `{ id, type, timestamp, payload }`.
 */
import type { InstrumentationEvent } from './types.js';

type Listener = (event: InstrumentationEvent<unknown>) => void;

let nextEventId = 0;

export class InstrumentationEmitter<Events extends Record<string, string>> {
  readonly #listeners = new Map<string, Set<Listener>>();

  constructor(readonly events: Events) {}

  on(eventName: Events[keyof Events], listener: (event: InstrumentationEvent<never>) => void): () => void {
    if (!Object.values(this.events).includes(eventName)) {
      throw new TypeError(`Event name should be one of ${Object.values(this.events).join(', ')}, got ${String(eventName)}`);
    }
    const set = this.#listeners.get(eventName) ?? new Set<Listener>();
    set.add(listener as Listener);
    this.#listeners.set(eventName, set);
    return () => set.delete(listener as Listener);
  }

  hasListeners(eventName: Events[keyof Events]): boolean {
    return (this.#listeners.get(eventName)?.size ?? 0) > 0;
  }

  emit<T>(eventName: Events[keyof Events], payload: T): void {
    const set = this.#listeners.get(eventName);
    if (set === undefined || set.size === 0) return;
    nextEventId += 1;
    const event: InstrumentationEvent<T> = { id: nextEventId, type: eventName, timestamp: Date.now(), payload };
    for (const listener of set) listener(event);
  }
}

export const PRODUCER_EVENTS = {
  CONNECT: 'producer.connect',
  DISCONNECT: 'producer.disconnect',
  REQUEST: 'producer.network.request',
  REQUEST_TIMEOUT: 'producer.network.request_timeout',
  REQUEST_QUEUE_SIZE: 'producer.network.request_queue_size',
} as const;

export const CONSUMER_EVENTS = {
  HEARTBEAT: 'consumer.heartbeat',
  COMMIT_OFFSETS: 'consumer.commit_offsets',
  GROUP_JOIN: 'consumer.group_join',
  FETCH_START: 'consumer.fetch_start',
  FETCH: 'consumer.fetch',
  START_BATCH_PROCESS: 'consumer.start_batch_process',
  END_BATCH_PROCESS: 'consumer.end_batch_process',
  CONNECT: 'consumer.connect',
  DISCONNECT: 'consumer.disconnect',
  STOP: 'consumer.stop',
  CRASH: 'consumer.crash',
  REBALANCING: 'consumer.rebalancing',
  RECEIVED_UNSUBSCRIBED_TOPICS: 'consumer.received_unsubscribed_topics',
  REQUEST: 'consumer.network.request',
  REQUEST_TIMEOUT: 'consumer.network.request_timeout',
  REQUEST_QUEUE_SIZE: 'consumer.network.request_queue_size',
} as const;

export const ADMIN_EVENTS = {
  CONNECT: 'admin.connect',
  DISCONNECT: 'admin.disconnect',
  REQUEST: 'admin.network.request',
  REQUEST_TIMEOUT: 'admin.network.request_timeout',
  REQUEST_QUEUE_SIZE: 'admin.network.request_queue_size',
} as const;
