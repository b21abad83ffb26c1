/**
 * Test helpers for the broker model: a sink that records every output in order, deterministic ids,
 * and body text conversions. Used by the tests beside this file; not part of the public surface.
 */
import type { AmqpError } from '../../errors/index.js';
import type { Message } from './message.js';
import type { ConnectionSink } from './sink.js';
import { VirtualHost } from './vhost.js';
import type { VirtualHostOptions } from './options.js';
import type { Channel, GetMessage } from './channel.js';
import type { Connection } from './connection.js';

export type SinkEvent =
  | {
      readonly kind: 'deliver';
      readonly channel: number;
      readonly consumerTag: string;
      readonly deliveryTag: number;
      readonly redelivered: boolean;
      readonly message: Message;
    }
  | { readonly kind: 'return'; readonly channel: number; readonly replyCode: number; readonly replyText: string; readonly message: Message }
  | { readonly kind: 'confirm'; readonly channel: number; readonly deliveryTag: number; readonly multiple: boolean; readonly ack: boolean }
  | { readonly kind: 'cancel'; readonly channel: number; readonly consumerTag: string }
  | { readonly kind: 'channelClosed'; readonly channel: number; readonly error: AmqpError }
  | { readonly kind: 'connectionClosed'; readonly error: AmqpError };

export type Delivery = Extract<SinkEvent, { kind: 'deliver' }>;

const encoder = new TextEncoder();
const decoder = new TextDecoder();

export function body(text: string): Uint8Array {
  return encoder.encode(text);
}

export function text(msg: Message): string {
  return decoder.decode(msg.body);
}

/** The body text of a basic.get answer, or undefined for get-empty. */
export function gotText(result: GetMessage | false): string | undefined {
  return result === false ? undefined : text(result.message);
}

/** Drains a queue with basic.get (no-ack) and returns the bodies. */
export function drain(ch: Channel, nowMs: number, queue: string): string[] {
  const out: string[] = [];
  for (;;) {
    const got = ch.get(nowMs, queue, { noAck: true });
    if (got === false) return out;
    out.push(text(got.message));
  }
}

export class RecordingSink implements ConnectionSink {
  readonly events: SinkEvent[] = [];

  deliver(channel: number, consumerTag: string, deliveryTag: number, redelivered: boolean, message: Message): void {
    this.events.push({ kind: 'deliver', channel, consumerTag, deliveryTag, redelivered, message });
  }

  returned(channel: number, replyCode: number, replyText: string, message: Message): void {
    this.events.push({ kind: 'return', channel, replyCode, replyText, message });
  }

  confirm(channel: number, deliveryTag: number, multiple: boolean, ack: boolean): void {
    this.events.push({ kind: 'confirm', channel, deliveryTag, multiple, ack });
  }

  consumerCancelled(channel: number, consumerTag: string): void {
    this.events.push({ kind: 'cancel', channel, consumerTag });
  }

  channelClosed(channel: number, error: AmqpError): void {
    this.events.push({ kind: 'channelClosed', channel, error });
  }

  connectionClosed(error: AmqpError): void {
    this.events.push({ kind: 'connectionClosed', error });
  }

  deliveries(consumerTag?: string): Delivery[] {
    return this.events.filter((e): e is Delivery => e.kind === 'deliver' && (consumerTag === undefined || e.consumerTag === consumerTag));
  }

  /** Delivered bodies as text, optionally for one consumer. */
  bodies(consumerTag?: string): string[] {
    return this.deliveries(consumerTag).map((d) => text(d.message));
  }

  kinds(): string[] {
    return this.events.map((e) => e.kind);
  }

  clear(): void {
    this.events.length = 0;
  }
}

/** Deterministic ids: "id1", "id2", ... */
export function counterIds(): () => string {
  let n = 0;
  return () => `id${++n}`;
}

export interface Harness {
  readonly vhost: VirtualHost;
  readonly sink: RecordingSink;
  readonly conn: Connection;
  readonly ch: Channel;
  /** Opens another connection with its own sink and channel 1. */
  client(): { sink: RecordingSink; conn: Connection; ch: Channel };
}

export function harness(options: VirtualHostOptions = {}): Harness {
  const vhost = new VirtualHost({ randomId: counterIds(), ...options });
  const client = (): { sink: RecordingSink; conn: Connection; ch: Channel } => {
    const sink = new RecordingSink();
    const conn = vhost.connect(sink);
    return { sink, conn, ch: conn.openChannel(1) };
  };
  const first = client();
  return { vhost, ...first, client };
}

/** The error a call throws (fails the test when it does not throw). */
export function thrown(fn: () => unknown): AmqpError {
  try {
    fn();
  } catch (error) {
    return error as AmqpError;
  }
  throw new Error('expected a throw');
}
