/**
 * One connection's outputs waiting to reach the client: replies, deliveries, returns, confirms,
 * cancels and closes, in broker order. The broker's sink calls append; one flush per burst hands
 * them to the listener. Columns of plain arrays, reused from burst to burst, so a delivery costs a
 * few array stores and no allocation.
 *
 * Invariants: entries leave in the order they were appended; a reply slot is reserved before the
 * method runs, so the reply precedes every output the method caused; a flush drops its references
 * to messages and errors once it has handed them on.
 */
import type { AmqpError } from '../../errors/index.js';
import type { AmqpReply, AmqpTransportListener, TransportMessage } from './transport.js';

/** Entry kinds. */
export const OUT_NONE = 0;
export const OUT_REPLY = 1;
export const OUT_REPLY_ERROR = 2;
export const OUT_DELIVER = 3;
export const OUT_RETURN = 4;
export const OUT_CONFIRM = 5;
export const OUT_CANCEL = 6;
export const OUT_CHANNEL_CLOSED = 7;
export const OUT_CONNECTION_CLOSED = 8;

export class OutputQueue {
  private readonly kinds: number[] = [];
  private readonly channels: number[] = [];
  /** Delivery tag, reply code or confirm tag. */
  private readonly nums: number[] = [];
  /** redelivered, or confirm's multiple. */
  private readonly flags: boolean[] = [];
  /** confirm's ack. */
  private readonly acks: boolean[] = [];
  /** Consumer tag or reply text. */
  private readonly strs: string[] = [];
  private readonly msgs: (TransportMessage | null)[] = [];
  private readonly replies: (AmqpReply | null)[] = [];
  private readonly errors: (AmqpError | null)[] = [];
  /** Entries appended. */
  length = 0;
  /** The next entry to hand on. */
  private head = 0;

  get empty(): boolean {
    return this.head === this.length;
  }

  private push(kind: number, channel: number, num: number, flag: boolean, ack: boolean, str: string, msg: TransportMessage | null): number {
    const i = this.length++;
    this.kinds[i] = kind;
    this.channels[i] = channel;
    this.nums[i] = num;
    this.flags[i] = flag;
    this.acks[i] = ack;
    this.strs[i] = str;
    this.msgs[i] = msg;
    this.replies[i] = null;
    this.errors[i] = null;
    return i;
  }

  /** Reserves the slot of a reply; fill it with {@link setReply} / {@link setReplyError}, or leave it empty. */
  reserveReply(channel: number): number {
    return this.push(OUT_NONE, channel, 0, false, false, '', null);
  }

  setReply(slot: number, reply: AmqpReply): void {
    this.kinds[slot] = OUT_REPLY;
    this.replies[slot] = reply;
  }

  setReplyError(slot: number, error: AmqpError): void {
    this.kinds[slot] = OUT_REPLY_ERROR;
    this.errors[slot] = error;
  }

  deliver(channel: number, consumerTag: string, deliveryTag: number, redelivered: boolean, msg: TransportMessage): void {
    this.push(OUT_DELIVER, channel, deliveryTag, redelivered, false, consumerTag, msg);
  }

  returned(channel: number, replyCode: number, replyText: string, msg: TransportMessage): void {
    this.push(OUT_RETURN, channel, replyCode, false, false, replyText, msg);
  }

  confirm(channel: number, deliveryTag: number, multiple: boolean, ack: boolean): void {
    this.push(OUT_CONFIRM, channel, deliveryTag, multiple, ack, '', null);
  }

  cancelled(channel: number, consumerTag: string): void {
    this.push(OUT_CANCEL, channel, 0, false, false, consumerTag, null);
  }

  channelClosed(channel: number, error: AmqpError): void {
    const i = this.push(OUT_CHANNEL_CLOSED, channel, 0, false, false, '', null);
    this.errors[i] = error;
  }

  connectionClosed(error: AmqpError | null): void {
    const i = this.push(OUT_CONNECTION_CLOSED, 0, 0, false, false, '', null);
    this.errors[i] = error;
  }

  /**
   * Hands entries to the listener, including those appended meanwhile (a consumer's ack may make
   * the next delivery). Stops after a reply when more follow, so the awaiting code runs before the
   * reply's outputs, as it would with a network in between: returns true when entries remain. If
   * the listener throws, the entries after the failing one stay queued.
   */
  drain(listener: AmqpTransportListener): boolean {
    while (this.head < this.length) {
      const i = this.head++;
      const kind = this.kinds[i]!;
      const channel = this.channels[i]!;
      const msg = this.msgs[i]!;
      const error = this.errors[i] ?? null;
      const reply = this.replies[i] ?? null;
      this.msgs[i] = null;
      this.errors[i] = null;
      this.replies[i] = null;
      switch (kind) {
        case OUT_NONE:
          break;
        case OUT_REPLY:
          listener.reply(channel, reply!);
          if (this.head < this.length) return true;
          break;
        case OUT_REPLY_ERROR:
          listener.replyError(channel, error!);
          if (this.head < this.length) return true;
          break;
        case OUT_DELIVER:
          listener.deliver(channel, this.strs[i]!, this.nums[i]!, this.flags[i]!, msg);
          break;
        case OUT_RETURN:
          listener.returned(channel, this.nums[i]!, this.strs[i]!, msg);
          break;
        case OUT_CONFIRM:
          listener.confirm(channel, this.nums[i]!, this.flags[i]!, this.acks[i]!);
          break;
        case OUT_CANCEL:
          listener.consumerCancelled(channel, this.strs[i]!);
          break;
        case OUT_CHANNEL_CLOSED:
          listener.channelClosed(channel, error!);
          break;
        case OUT_CONNECTION_CLOSED:
          listener.connectionClosed(error);
          break;
        default:
          break;
      }
    }
    this.head = 0;
    this.length = 0;
    return false;
  }
}
