/**
 * The in-process transport: client connections call a {@link VirtualHost} in this thread, with
 * Date.now() as the model's clock, and the model's sink outputs reach the client through an
 * {@link OutputQueue} flushed once per burst on setImmediate. One timer, re-armed to the vhost's
 * next deadline and unref'd, runs `tick` for TTLs and x-expires.
 *
 * Invariants: the model is never called from inside a sink call (outputs are queued, and the flush
 * runs from the event loop); every reply is queued before the outputs of its method; a request
 * for a channel or connection the model has closed is dropped (the close on its way answers it).
 * A publish or an ack reads the clock only when the vhost says the time can matter
 * (VirtualHost.needsClock); otherwise it passes the last time read, which the model then ignores.
 */
import { AmqpError } from '../../errors/index.js';
import type {
  Channel as ModelChannel,
  Connection as ModelConnection,
  ConnectionSink,
  Message as ModelMessage,
  PublishOptions as ModelPublishOptions,
  VirtualHost,
} from '../../routing/index.js';
import { OutputQueue } from './output-queue.js';
import type {
  AmqpReply,
  AmqpRequest,
  AmqpTransport,
  AmqpTransportConnection,
  AmqpTransportListener,
  AmqpTransportOpenOptions,
} from './transport.js';

/** Errors the client's own encoder would raise: they close nothing and go back to the caller. */
function isEncodingError(error: unknown): error is AmqpError {
  return error instanceof AmqpError && error.type === 'FRAME_ERROR';
}

const EMPTY: Record<string, never> = Object.freeze({});

/** The largest delay setTimeout accepts without overflowing to 1 ms. */
const MAX_TIMER_MS = 2_147_483_647;

export class InProcessTransport implements AmqpTransport {
  private readonly connections = new Set<InProcessConnection>();
  private timer: NodeJS.Timeout | undefined;
  private timerAt = Infinity;
  private closed = false;
  /** The last time {@link now} read. */
  lastNow = Date.now();

  constructor(readonly vhost: VirtualHost) {}

  /** Reads the clock. */
  now(): number {
    return (this.lastNow = Date.now());
  }

  /** The time for a publish (`expiring`: with an expiration) or an ack: read only when it can matter. */
  timeFor(expiring: boolean): number {
    return expiring || this.vhost.needsClock() ? (this.lastNow = Date.now()) : this.lastNow;
  }

  open(listener: AmqpTransportListener, options: AmqpTransportOpenOptions = {}): Promise<AmqpTransportConnection> {
    if (this.closed) return Promise.reject(new AmqpError('CONNECTION_FORCED', "broker forced connection closure with reason 'shutdown'"));
    const connection = new InProcessConnection(this, listener, options);
    this.connections.add(connection);
    return Promise.resolve(connection);
  }

  /** After a model call: the next deadline may have moved earlier. */
  afterCall(): void {
    const next = this.vhost.nextDeadline();
    if (next !== undefined && next < this.timerAt) this.arm(next);
  }

  forget(connection: InProcessConnection): void {
    this.connections.delete(connection);
  }

  /** Closes every connection as a stopping RabbitMQ node does (320 CONNECTION_FORCED) and stops the timer. */
  shutdown(): void {
    if (this.closed) return;
    this.closed = true;
    const now = Date.now();
    for (const connection of [...this.connections]) {
      connection.model.closeWithError(new AmqpError('CONNECTION_FORCED', "broker forced connection closure with reason 'shutdown'"), now);
    }
    this.connections.clear();
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
    this.timerAt = Infinity;
  }

  private arm(at: number): void {
    if (this.closed) return;
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timerAt = at;
    // setTimeout takes at most 2^31 - 1 ms; a later deadline (a TTL of years) re-arms on firing.
    this.timer = setTimeout(this.fire, Math.min(MAX_TIMER_MS, Math.max(0, at - Date.now())));
    this.timer.unref();
  }

  private readonly fire = (): void => {
    this.timer = undefined;
    this.timerAt = Infinity;
    const next = this.vhost.tick(this.now());
    if (next !== undefined) this.arm(next);
  };
}

/** One client connection: the model connection, and the sink that queues its outputs. */
class InProcessConnection implements AmqpTransportConnection, ConnectionSink {
  readonly model: ModelConnection;
  private readonly out = new OutputQueue();
  private scheduled = false;
  /** Model channels by number, looked up once: an entry is stale once its channel is closed. */
  private readonly channels: (ModelChannel | undefined)[] = [];

  constructor(
    private readonly transport: InProcessTransport,
    private readonly listener: AmqpTransportListener,
    options: AmqpTransportOpenOptions,
  ) {
    this.model = transport.vhost.connect(this, options.name === undefined ? {} : { name: options.name });
  }

  // -------------------------------------------------------------------------------------------
  // Client → broker

  request(channel: number, request: AmqpRequest): void {
    const model = this.model;
    if (model.closed) return;
    const out = this.out;
    if (request.method === 'openChannel') {
      model.openChannel(channel);
      out.setReply(out.reserveReply(channel), EMPTY);
      this.schedule();
      return;
    }
    const ch = this.channel(channel);
    if (ch === undefined) {
      // Closed by the broker meanwhile: only the client's own close still gets its close-ok.
      if (request.method === 'closeChannel') {
        out.setReply(out.reserveReply(channel), EMPTY);
        this.schedule();
      }
      return;
    }
    const slot = out.reserveReply(channel);
    try {
      out.setReply(slot, call(ch, this.transport.now(), request));
    } catch (error) {
      if (isEncodingError(error)) out.setReplyError(slot, error);
      else if (!(error instanceof AmqpError)) throw error;
      // Otherwise the model has closed the channel or the connection and told the sink.
    }
    this.transport.afterCall();
    this.schedule();
  }

  /** Always true: the model takes the message in this call, so nothing waits in a buffer. */
  publish(channel: number, exchange: string, routingKey: string, content: Uint8Array, options: ModelPublishOptions | undefined): boolean {
    const ch = this.channel(channel);
    if (ch === undefined) return true;
    try {
      ch.publish(this.transport.timeFor(options?.expiration !== undefined), exchange, routingKey, content, options);
    } catch (error) {
      if (isEncodingError(error) || !(error instanceof AmqpError)) throw error;
    }
    this.transport.afterCall();
    return true;
  }

  ack(channel: number, deliveryTag: number, multiple: boolean): void {
    const ch = this.channel(channel);
    if (ch === undefined) return;
    try {
      ch.ack(this.transport.timeFor(false), deliveryTag, multiple);
    } catch (error) {
      if (!(error instanceof AmqpError)) throw error;
    }
  }

  nack(channel: number, deliveryTag: number, multiple: boolean, requeue: boolean): void {
    const ch = this.channel(channel);
    if (ch === undefined) return;
    try {
      ch.nack(this.transport.now(), deliveryTag, multiple, requeue);
    } catch (error) {
      if (!(error instanceof AmqpError)) throw error;
    }
    this.transport.afterCall();
  }

  reject(channel: number, deliveryTag: number, requeue: boolean): void {
    const ch = this.channel(channel);
    if (ch === undefined) return;
    try {
      ch.reject(this.transport.now(), deliveryTag, requeue);
    } catch (error) {
      if (!(error instanceof AmqpError)) throw error;
    }
    this.transport.afterCall();
  }

  close(): void {
    if (this.model.closed) return;
    this.model.close(this.transport.now());
    this.transport.forget(this);
    this.out.connectionClosed(null);
    this.transport.afterCall();
    this.schedule();
  }

  /** The open model channel numbered `channel`, or undefined. */
  private channel(channel: number): ModelChannel | undefined {
    const cached = this.channels[channel];
    if (cached !== undefined && !cached.closed) return cached;
    const ch = this.model.channels.get(channel);
    if (ch !== undefined || cached !== undefined) this.channels[channel] = ch;
    return ch;
  }

  // -------------------------------------------------------------------------------------------
  // Broker → client (ConnectionSink): queue, flush later.

  deliver(channel: number, consumerTag: string, deliveryTag: number, redelivered: boolean, message: ModelMessage): void {
    this.out.deliver(channel, consumerTag, deliveryTag, redelivered, message);
    if (!this.scheduled) this.schedule();
  }

  returned(channel: number, replyCode: number, replyText: string, message: ModelMessage): void {
    this.out.returned(channel, replyCode, replyText, message);
    this.schedule();
  }

  confirm(channel: number, deliveryTag: number, multiple: boolean, ack: boolean): void {
    this.out.confirm(channel, deliveryTag, multiple, ack);
    if (!this.scheduled) this.schedule();
  }

  consumerCancelled(channel: number, consumerTag: string): void {
    this.out.cancelled(channel, consumerTag);
    this.schedule();
  }

  channelClosed(channel: number, error: AmqpError): void {
    this.out.channelClosed(channel, error);
    this.schedule();
  }

  connectionClosed(error: AmqpError): void {
    this.transport.forget(this);
    this.out.connectionClosed(error);
    this.schedule();
  }

  private schedule(): void {
    if (this.scheduled) return;
    this.scheduled = true;
    setImmediate(this.flush);
  }

  /** One burst: everything queued, and what the listener's callbacks add meanwhile. */
  private readonly flush = (): void => {
    let more = true;
    try {
      more = this.out.drain(this.listener);
    } finally {
      this.scheduled = false;
      if (more) this.schedule();
    }
  };
}

/** Runs one RPC on the model channel and returns its reply. */
function call(ch: ModelChannel, now: number, request: AmqpRequest): AmqpReply {
  switch (request.method) {
    case 'openChannel':
      return EMPTY;
    case 'closeChannel':
      ch.close(now);
      return EMPTY;
    case 'confirmSelect':
      return ch.confirmSelect(now);
    case 'assertExchange': {
      const [exchange, type, options] = request.args;
      return ch.assertExchange(now, exchange, type, options);
    }
    case 'checkExchange':
      ch.checkExchange(now, request.args[0]);
      return EMPTY;
    case 'deleteExchange':
      return ch.deleteExchange(now, request.args[0], request.args[1]);
    case 'bindExchange': {
      const [destination, source, pattern, args] = request.args;
      return ch.bindExchange(now, destination, source, pattern, args);
    }
    case 'unbindExchange': {
      const [destination, source, pattern, args] = request.args;
      return ch.unbindExchange(now, destination, source, pattern, args);
    }
    case 'assertQueue':
      return ch.assertQueue(now, request.args[0], request.args[1]);
    case 'checkQueue':
      return ch.checkQueue(now, request.args[0]);
    case 'deleteQueue':
      return ch.deleteQueue(now, request.args[0], request.args[1]);
    case 'purgeQueue':
      return ch.purgeQueue(now, request.args[0]);
    case 'bindQueue': {
      const [queue, source, pattern, args] = request.args;
      return ch.bindQueue(now, queue, source, pattern, args);
    }
    case 'unbindQueue': {
      const [queue, source, pattern, args] = request.args;
      return ch.unbindQueue(now, queue, source, pattern, args);
    }
    case 'consume':
      return ch.consume(now, request.args[0], request.args[1]);
    case 'cancel':
      return ch.cancel(now, request.args[0]);
    case 'get':
      return ch.get(now, request.args[0], request.args[1]);
    case 'qos':
      return ch.qos(now, request.args[0], request.args[1]);
    case 'recover':
      return ch.recover(now);
    default: {
      const never: never = request;
      throw new TypeError(`unknown AMQP request ${JSON.stringify(never)}`);
    }
  }
}
