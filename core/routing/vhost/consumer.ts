/**
 * A basic.consume subscription: one queue, one channel, a consumer tag unique on the channel, and
 * its prefetch credit.
 *
 * Credit (consumer-prefetch.md): a manual-ack consumer may hold at most `prefetch` unacked
 * deliveries (0: unlimited), and all manual-ack consumers of a channel together at most the
 * channel's global prefetch (0: unlimited). A no-ack consumer is never limited.
 */
import type { FieldTable } from '../index.js';
import type { Channel } from './channel.js';
import type { Queue } from './queue.js';

export class Consumer {
  /** Unacked deliveries this consumer holds. */
  unacked = 0;
  /** False once cancelled (by basic.cancel, channel close or queue deletion). */
  active = true;

  constructor(
    readonly tag: string,
    readonly channel: Channel,
    readonly queue: Queue,
    readonly noAck: boolean,
    readonly exclusive: boolean,
    /** Per-consumer prefetch (basic.qos global=false before basic.consume); 0 is unlimited. */
    readonly prefetch: number,
    readonly args: FieldTable | undefined,
  ) {}

  /** True when a delivery now would stay within both prefetch limits. */
  canReceive(): boolean {
    if (this.noAck) return true;
    if (this.prefetch !== 0 && this.unacked >= this.prefetch) return false;
    return this.channel.hasGlobalCredit();
  }
}
