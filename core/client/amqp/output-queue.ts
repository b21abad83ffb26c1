/**
 * One connection's outputs waiting to reach the client: replies, deliveries, returns, confirms,
 * cancels and closes, in broker order. The broker's sink calls append; one flush per burst hands
 * them to the listener. Four columns of plain arrays, reused from burst to burst, so a delivery
 * costs four array stores and no allocation:
 *
 *   metas   kind (bits 0-3) | flag (bit 4) | ack (bit 5) | channel (bits 8-23), a small integer
 *   nums    delivery tag, reply code or confirm tag
 *   strs    consumer tag or reply text
 *   refs    the message, reply or error the entry carries, or null
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

const KIND_MASK = 0xf;
/** redelivered, or confirm's multiple. */
const FLAG_BIT = 0x10;
/** confirm's ack. */
const ACK_BIT = 0x20;
const CHANNEL_SHIFT = 8;

export class OutputQueue {
  private readonly metas: number[] = [];
  private readonly nums: number[] = [];
  private readonly strs: string[] = [];
  private readonly refs: (TransportMessage | AmqpReply | AmqpError | null)[] = [];
  /** Entries appended. */
  length = 0;
  /** The next entry to hand on. */
  private head = 0;

  get empty(): boolean {
    return this.head === this.length;
  }

  private push(kind: number, channel: number, num: number, flag: boolean, ack: boolean, str: string, ref: TransportMessage | AmqpReply | AmqpError | null): number {
    const i = this.length++;
    this.metas[i] = kind | (flag ? FLAG_BIT : 0) | (ack ? ACK_BIT : 0) | (channel << CHANNEL_SHIFT);
    this.nums[i] = num;
    this.strs[i] = str;
    this.refs[i] = ref;
    return i;
  }

  /** Reserves the slot of a reply; fill it with {@link setReply} / {@link setReplyError}, or leave it empty. */
  reserveReply(channel: number): number {
    return this.push(OUT_NONE, channel, 0, false, false, '', null);
  }

  setReply(slot: number, reply: AmqpReply): void {
    this.metas[slot] = (this.metas[slot]! & ~KIND_MASK) | OUT_REPLY;
    this.refs[slot] = reply;
  }

  setReplyError(slot: number, error: AmqpError): void {
    this.metas[slot] = (this.metas[slot]! & ~KIND_MASK) | OUT_REPLY_ERROR;
    this.refs[slot] = error;
  }

  deliver(channel: number, consumerTag: string, deliveryTag: number, redelivered: boolean, msg: TransportMessage): void {
    const i = this.length++;
    this.metas[i] = OUT_DELIVER | (redelivered ? FLAG_BIT : 0) | (channel << CHANNEL_SHIFT);
    this.nums[i] = deliveryTag;
    this.strs[i] = consumerTag;
    this.refs[i] = msg;
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
    this.push(OUT_CHANNEL_CLOSED, channel, 0, false, false, '', error);
  }

  connectionClosed(error: AmqpError | null): void {
    this.push(OUT_CONNECTION_CLOSED, 0, 0, false, false, '', error);
  }

  /**
   * Hands entries to the listener, including those appended meanwhile (a consumer's ack may make
   * the next delivery). Stops after a reply when more follow, so the awaiting code runs before the
   * reply's outputs, as it would with a network in between: returns true when entries remain. If
   * the listener throws, the entries after the failing one stay queued.
   */
  drain(listener: AmqpTransportListener): boolean {
    const metas = this.metas;
    const refs = this.refs;
    while (this.head < this.length) {
      const i = this.head++;
      const meta = metas[i]!;
      const channel = meta >>> CHANNEL_SHIFT;
      const ref = refs[i]!;
      refs[i] = null;
      switch (meta & KIND_MASK) {
        case OUT_NONE:
          break;
        case OUT_REPLY:
          listener.reply(channel, ref as AmqpReply);
          if (this.head < this.length) return true;
          break;
        case OUT_REPLY_ERROR:
          listener.replyError(channel, ref as AmqpError);
          if (this.head < this.length) return true;
          break;
        case OUT_DELIVER:
          listener.deliver(channel, this.strs[i]!, this.nums[i]!, (meta & FLAG_BIT) !== 0, ref as TransportMessage);
          break;
        case OUT_RETURN:
          listener.returned(channel, this.nums[i]!, this.strs[i]!, ref as TransportMessage);
          break;
        case OUT_CONFIRM:
          listener.confirm(channel, this.nums[i]!, (meta & FLAG_BIT) !== 0, (meta & ACK_BIT) !== 0);
          break;
        case OUT_CANCEL:
          listener.consumerCancelled(channel, this.strs[i]!);
          break;
        case OUT_CHANNEL_CLOSED:
          listener.channelClosed(channel, ref as AmqpError);
          break;
        case OUT_CONNECTION_CLOSED:
          listener.connectionClosed(ref as AmqpError | null);
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
