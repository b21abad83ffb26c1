/**
 * A client connection to the virtual host: its channels, the exclusive queues it owns, and the sink
 * its outputs go to.
 *
 * Invariants: once closed (by the client or by a connection error) it has no channels and owns no
 * queues; its exclusive queues are deleted when it closes, their consumers with them.
 */
import { MqlabInternalError, type AmqpError } from '../../errors/index.js';
import { Channel } from './channel.js';
import type { Queue } from './queue.js';
import type { ConnectionSink } from './sink.js';
import { removeQueue } from './topology.js';
import type { VirtualHost } from './vhost.js';

export interface ConnectionOptions {
  /** The connection's name, as firehose trace messages carry it. */
  readonly name?: string;
  /** The authenticated user, as firehose trace messages carry it. */
  readonly user?: string;
}

export class Connection {
  readonly channels = new Map<number, Channel>();
  readonly exclusiveQueues = new Set<Queue>();
  closed = false;

  constructor(
    readonly vhost: VirtualHost,
    readonly id: number,
    readonly sink: ConnectionSink,
    readonly name: string,
    readonly user: string,
  ) {}

  /** channel.open with the client's channel number (1..65535). */
  openChannel(channelNumber: number): Channel {
    if (this.closed) throw new MqlabInternalError('CLOSED', `connection ${this.name} is closed`);
    if (!Number.isInteger(channelNumber) || channelNumber < 1 || channelNumber > 0xffff) {
      throw new MqlabInternalError('INVALID_ARGUMENT', `channel number ${channelNumber} is not in 1..65535`);
    }
    if (this.channels.has(channelNumber)) {
      // A host bug: on the wire RabbitMQ would close the connection with 504 CHANNEL_ERROR.
      throw new MqlabInternalError('INVALID_ARGUMENT', `channel ${channelNumber} is already open`);
    }
    const channel = new Channel(this, channelNumber);
    this.channels.set(channelNumber, channel);
    return channel;
  }

  channel(channelNumber: number): Channel | undefined {
    return this.channels.get(channelNumber);
  }

  /** connection.close from the client: channels close (unacked requeued), exclusive queues go. */
  close(nowMs: number): void {
    if (this.closed) return;
    this.teardown(nowMs);
    this.vhost.flush(nowMs);
  }

  /** A connection error: everything closes and the sink hears connection.close. */
  closeWithError(error: AmqpError, nowMs: number): void {
    if (this.closed) return;
    this.teardown(nowMs);
    this.sink.connectionClosed(error);
    this.vhost.flush(nowMs);
  }

  private teardown(nowMs: number): void {
    this.closed = true;
    for (const channel of this.channels.values()) channel.teardown(nowMs);
    this.channels.clear();
    for (const queue of this.exclusiveQueues) removeQueue(this.vhost, queue, false);
    this.exclusiveQueues.clear();
    this.vhost.connections.delete(this);
  }
}
