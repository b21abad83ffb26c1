/**
 * amqplib's ConfirmChannel: a channel in confirm mode whose publish and sendToQueue take a callback,
 * called with null on basic.ack and with Error('message nacked') on basic.nack.
 *
 * Invariants (amqplib's): publishes are numbered from 1 in call order, matching the broker's
 * sequence; each callback is called once; a basic.return for a message comes before its confirm;
 * when the channel closes, callbacks still waiting get Error('channel closed') and every later
 * waitForConfirms rejects.
 */
import type { AmqpTransportConnection } from './transport.js';
import { Channel, type ChannelOwner } from './channel.js';
import { kConfirm } from './symbols.js';
import type { ConfirmCallback, PublishOptions } from './types.js';

/** A waiting confirm: its callback, false when it has none, null once confirmed out of order. */
type Slot = ConfirmCallback | false | null;

/** Compact the window once this many confirmed slots sit before its head. */
const COMPACT_AFTER = 1024;

function acked(cb: Slot): void {
  if (cb) cb(null);
}

function nacked(cb: Slot): void {
  if (cb) cb(new Error('message nacked'));
}

export class ConfirmChannel extends Channel {
  /** The sequence number of the slot at `#head`: the lowest unconfirmed publish. */
  #lwm = 1;
  #head = 0;
  #unconfirmed: Slot[] = [];
  #closedWithUnconfirmed = false;

  /** @internal Confirm channels come from `connection.createConfirmChannel()`. */
  constructor(owner: ChannelOwner, transport: AmqpTransportConnection, ch: number) {
    super(owner, transport, ch);
    // Registered first, so callbacks fail before the application's 'close' listeners run.
    this.on('close', () => {
      const error = new Error('channel closed');
      const slots = this.#unconfirmed;
      let lost = false;
      for (let i = this.#head; i < slots.length; i++) {
        const cb = slots[i];
        if (cb !== null) lost = true;
        if (cb) cb(error);
      }
      this.#closedWithUnconfirmed = lost;
      this.#unconfirmed = [];
      this.#head = 0;
    });
  }

  override publish(exchange: string, routingKey: string, content: Buffer, options?: PublishOptions, cb?: ConfirmCallback): boolean {
    const result = super.publish(exchange, routingKey, content, options);
    this.#unconfirmed.push(cb ?? false);
    return result;
  }

  override sendToQueue(queue: string, content: Buffer, options?: PublishOptions, cb?: ConfirmCallback): boolean {
    return this.publish('', queue, content, options, cb);
  }

  /** Resolves once every publish so far is confirmed; rejects on a nack or if the channel closes. */
  waitForConfirms(): Promise<void> {
    if (this.#closedWithUnconfirmed) return Promise.reject(new Error('channel closed'));
    const awaiting: Promise<void>[] = [];
    const slots = this.#unconfirmed;
    for (let i = this.#head; i < slots.length; i++) {
      const cb = slots[i]!;
      if (cb === null) continue;
      awaiting.push(
        new Promise<void>((resolve, reject) => {
          slots[i] = (err) => {
            if (cb) cb(err);
            if (err === null) resolve();
            else reject(err);
          };
        }),
      );
    }
    return Promise.all(awaiting).then(() => undefined);
  }

  /** @internal basic.ack / basic.nack from the broker. */
  override [kConfirm](deliveryTag: number, multiple: boolean, ack: boolean): void {
    const handle = ack ? acked : nacked;
    const slots = this.#unconfirmed;
    if (multiple) {
      const start = this.#head;
      const end = start + deliveryTag - this.#lwm + 1;
      this.#head = end;
      this.#lwm = deliveryTag + 1;
      for (let i = start; i < end; i++) handle(slots[i] ?? null);
    } else if (deliveryTag === this.#lwm) {
      const cb = slots[this.#head] ?? null;
      this.#head++;
      this.#lwm++;
      while (this.#head < slots.length && slots[this.#head] === null) {
        this.#head++;
        this.#lwm++;
      }
      handle(cb);
    } else {
      const i = this.#head + deliveryTag - this.#lwm;
      const cb = slots[i] ?? null;
      slots[i] = null;
      handle(cb);
    }
    this.#compact();
  }

  #compact(): void {
    const slots = this.#unconfirmed;
    if (this.#head === 0) return;
    if (this.#head >= slots.length) {
      slots.length = 0;
      this.#head = 0;
    } else if (this.#head >= COMPACT_AFTER && this.#head * 2 >= slots.length) {
      slots.splice(0, this.#head);
      this.#head = 0;
    }
  }
}
