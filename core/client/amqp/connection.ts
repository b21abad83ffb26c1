/**
 * amqplib's ChannelModel (what `connect()` resolves to): channels by number, and the events
 * 'error' and 'close'.
 *
 * Invariants, as amqplib keeps them:
 * - A connection error from the broker emits 'error' (except 320 CONNECTION_FORCED), then closes
 *   every channel (each emits 'close', its waiting RPCs reject), then emits 'close' with the error.
 * - close() resolves when the broker has closed the connection; 'close' is emitted without error.
 * - Channel numbers are the lowest free ones, reused once a channel has fully closed.
 */
import { EventEmitter } from 'node:events';
import type { AmqpError } from '../../errors/index.js';
import { Channel } from './channel.js';
import { ConfirmChannel } from './confirm-channel.js';
import { connectionClosedError, IllegalOperationError, isFatalConnectionError } from './errors.js';
import { kCancelled, kConfirm, kConnectionClosed, kDeliver, kDrain, kOpen, kRelease, kReply, kReplyError, kReturned, kServerClosed } from './symbols.js';
import type {
  AmqpReply,
  AmqpTransport,
  AmqpTransportConnection,
  AmqpTransportListener,
  AmqpTransportOpenOptions,
  TransportMessage,
} from './transport.js';

/** RabbitMQ's default channel_max, as amqplib negotiates it. */
const CHANNEL_MAX = 2047;

/** Routes what the transport hears to the channel it is for. */
class ChannelRouter implements AmqpTransportListener {
  readonly channels: (Channel | undefined)[] = [undefined];

  constructor(private readonly connection: Connection) {}

  reply(channel: number, reply: AmqpReply): void {
    this.channels[channel]?.[kReply](reply);
  }

  replyError(channel: number, error: AmqpError): void {
    this.channels[channel]?.[kReplyError](error);
  }

  deliver(channel: number, consumerTag: string, deliveryTag: number, redelivered: boolean, message: TransportMessage): void {
    this.channels[channel]?.[kDeliver](consumerTag, deliveryTag, redelivered, message);
  }

  returned(channel: number, replyCode: number, replyText: string, message: TransportMessage): void {
    this.channels[channel]?.[kReturned](replyCode, replyText, message);
  }

  confirm(channel: number, deliveryTag: number, multiple: boolean, ack: boolean): void {
    this.channels[channel]?.[kConfirm](deliveryTag, multiple, ack);
  }

  consumerCancelled(channel: number, consumerTag: string): void {
    this.channels[channel]?.[kCancelled](consumerTag);
  }

  channelClosed(channel: number, error: AmqpError): void {
    this.channels[channel]?.[kServerClosed](error);
  }

  connectionClosed(error: AmqpError | null): void {
    this.connection[kConnectionClosed](error);
  }

  drain(channel: number): void {
    this.channels[channel]?.[kDrain]();
  }
}

const OPEN = 0;
const CLOSING = 1;
const CLOSED = 2;

export class Connection extends EventEmitter {
  readonly #router: ChannelRouter;
  #transport: AmqpTransportConnection | undefined;
  #state = OPEN;
  #stateMessage = 'Connection closing';
  readonly #closeWaiters: { resolve: () => void; reject: (error: Error) => void }[] = [];

  /** @internal Connections come from `connect()`. */
  constructor() {
    super();
    this.#router = new ChannelRouter(this);
  }

  /** @internal Opens the transport connection. */
  async [kOpen](transport: AmqpTransport, options: AmqpTransportOpenOptions): Promise<this> {
    this.#transport = await transport.open(this.#router, options);
    return this;
  }

  createChannel(): Promise<Channel> {
    return this.#openChannel(false, (transport, n) => new Channel(this, transport, n));
  }

  /** A channel in confirm mode: publish and sendToQueue take a confirm callback. */
  createConfirmChannel(): Promise<ConfirmChannel> {
    return this.#openChannel(true, (transport, n) => new ConfirmChannel(this, transport, n));
  }

  /** connection.close: channels close (unacked deliveries requeued), exclusive queues are deleted. */
  close(): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      const transport = this.#transport;
      if (this.#state !== OPEN || transport === undefined) {
        reject(new IllegalOperationError(this.#stateMessage));
        return;
      }
      this.#state = CLOSING;
      this.#closeWaiters.push({ resolve, reject });
      transport.close();
    });
  }

  /** @internal A channel has fully closed: its number is free again. */
  [kRelease](channel: number): void {
    const channels = this.#router.channels;
    channels[channel] = undefined;
    while (channels.length > 1 && channels[channels.length - 1] === undefined) channels.pop();
  }

  /** @internal connection.close from the broker (error), or close-ok of ours (null). */
  [kConnectionClosed](error: AmqpError | null): void {
    if (this.#state === CLOSED) return;
    this.#state = CLOSED;
    const closeError = error === null ? undefined : connectionClosedError(error);
    this.#stateMessage = `Connection closed (${closeError === undefined ? 'by client' : closeError.toString()})`;
    for (const waiter of this.#closeWaiters.splice(0)) waiter.resolve();
    try {
      if (error !== null && closeError !== undefined && isFatalConnectionError(error)) this.emit('error', closeError);
    } finally {
      for (const channel of [...this.#router.channels]) channel?.[kConnectionClosed]();
      this.emit('close', closeError);
    }
  }

  async #openChannel<C extends Channel>(confirm: boolean, make: (transport: AmqpTransportConnection, n: number) => C): Promise<C> {
    const transport = this.#transport;
    if (this.#state !== OPEN || transport === undefined) throw new IllegalOperationError(this.#stateMessage);
    const channels = this.#router.channels;
    let n = 1;
    while (n < channels.length && channels[n] !== undefined) n++;
    if (n > CHANNEL_MAX) throw new Error('No channels left to allocate');
    const channel = make(transport, n);
    channels[n] = channel;
    await channel[kOpen](confirm);
    return channel;
  }
}
