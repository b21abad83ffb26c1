/**
 * An AMQP broker in another thread, reached over a MessagePort that its host shares
 * (`host.share()`, port-host.ts):
 *
 *   // the host's thread
 *   const port = host.share();
 *   new Worker(file, { workerData: { port }, transferList: [port] });
 *   // the worker
 *   const host = attachAmqpHost(workerData.port);
 *   const conn = await connect({ host });
 *
 * Calls are gathered per burst and posted as one batch (port-batch.ts), bodies copied once into a
 * transferred buffer; what the broker sends back arrives the same way, and a delivered message's
 * `content` is a view of its batch's buffer, valid for as long as the application keeps it.
 *
 * Invariants:
 * - Calls leave in call order and the host applies them in that order; events reach the listener in
 *   broker order, through an {@link OutputQueue} per connection, so an RPC's reply is handed on
 *   before the outputs its method caused, in a turn of its own (as in-process).
 * - Flow control: publishes the host has not yet taken are bounded by a window in bytes
 *   (port-batch.ts). Past it, publish returns false (the message is still sent), and each channel
 *   that saw false hears `drain` once the host's credit brings the window under its low-water mark.
 * - Errors cross as records and are rebuilt as {@link AmqpError}, so `code` and `type` survive.
 * - The port is ref'd only while a connection is open or opening. When it closes (the host's thread
 *   ended, or {@link RemoteAmqpHost.close}), every connection hears 320 CONNECTION_FORCED.
 */
import type { MessagePort } from 'node:worker_threads';
import { AmqpError, errorFromRecord, type ErrorRecord } from '../../errors/index.js';
import { assertShortstr, type PublishOptions as ModelPublishOptions } from '../../routing/index.js';
import { OutputQueue } from './output-queue.js';
import {
  BatchPacer,
  BatchReader,
  BatchWriter,
  DOWN_CANCEL,
  DOWN_CHANNEL_CLOSED,
  DOWN_CONFIRM,
  DOWN_CONNECTION_CLOSED,
  DOWN_DELIVER,
  DOWN_OPEN_FAILED,
  DOWN_OPENED,
  DOWN_REPLY,
  DOWN_REPLY_ERROR,
  DOWN_REPLY_GET,
  DOWN_RETURN,
  LOW_WATER_BYTES,
  PUBLISH_OVERHEAD_BYTES,
  UP_ACK,
  UP_CLOSE,
  UP_NACK,
  UP_OPEN,
  UP_PUBLISH,
  UP_REJECT,
  UP_REQUEST,
  WINDOW_BYTES,
  type PortBatch,
} from './port-batch.js';
import type {
  AmqpEndpoint,
  AmqpReply,
  AmqpRequest,
  AmqpTransport,
  AmqpTransportConnection,
  AmqpTransportListener,
  AmqpTransportOpenOptions,
} from './transport.js';

/** A host in another thread, for `connect({ host })`. */
export class RemoteAmqpHost implements AmqpEndpoint {
  readonly transport: AmqpTransport;
  readonly #client: PortClient;

  /** @internal Remote hosts come from `attachAmqpHost(port)`. */
  constructor(port: MessagePort) {
    this.#client = new PortClient(port);
    this.transport = this.#client;
  }

  /** The host's own thread waits for its host to be ready before it opens a connection. */
  ready(): Promise<void> {
    return Promise.resolve();
  }

  /**
   * Closes the port. The host closes the connections opened through it (unacked deliveries are
   * requeued); any still open here hear 320 CONNECTION_FORCED.
   */
  close(): void {
    this.#client.close();
  }
}

/** A host that another thread shares: pass the port its `share()` returned. */
export function attachAmqpHost(port: MessagePort): RemoteAmqpHost {
  return new RemoteAmqpHost(port);
}

function amqpErrorOf(record: ErrorRecord): AmqpError {
  const error = errorFromRecord(record);
  return error instanceof AmqpError ? error : new AmqpError('INTERNAL_ERROR', error.message);
}

function portClosedError(): AmqpError {
  return new AmqpError('CONNECTION_FORCED', "broker forced connection closure with reason 'the port to the broker's thread closed'");
}

interface Opening {
  readonly connection: RemoteConnection;
  readonly resolve: (connection: AmqpTransportConnection) => void;
  readonly reject: (error: Error) => void;
}

class PortClient implements AmqpTransport {
  readonly out = new BatchWriter();
  readonly #in = new BatchReader();
  readonly #connections = new Map<number, RemoteConnection>();
  readonly #opening = new Map<number, Opening>();
  /** Connections with a channel whose publish returned false. */
  readonly #blocked = new Set<RemoteConnection>();
  /** Connections the batch being read queued entries for. */
  readonly #touched: RemoteConnection[] = [];
  /** Publish bytes written that the host has not counted back. */
  #inFlight = 0;
  #nextId = 1;
  readonly #pacer = new BatchPacer(() => this.#flush());
  #closed = false;

  constructor(private readonly port: MessagePort) {
    port.on('message', this.#onBatch);
    port.once('close', this.#onClose);
    port.unref();
  }

  open(listener: AmqpTransportListener, options: AmqpTransportOpenOptions = {}): Promise<AmqpTransportConnection> {
    if (this.#closed) return Promise.reject(portClosedError());
    const id = this.#nextId++;
    const connection = new RemoteConnection(this, id, listener);
    if (this.#connections.size + this.#opening.size === 0) this.port.ref();
    this.out.entry(UP_OPEN, id);
    this.out.obj(options.name);
    this.schedule();
    return new Promise((resolve, reject) => this.#opening.set(id, { connection, resolve, reject }));
  }

  schedule(): void {
    if (!this.#closed) this.#pacer.schedule();
  }

  /** A publish of `bytes` was written: false when the window is now full. */
  published(connection: RemoteConnection, channel: number, bytes: number): boolean {
    this.#inFlight += bytes;
    this.schedule();
    if (this.#inFlight <= WINDOW_BYTES) return true;
    connection.blocked.add(channel);
    this.#blocked.add(connection);
    return false;
  }

  close(): void {
    if (this.#closed) return;
    this.#flush();
    this.port.close();
  }

  #flush(): void {
    if (this.#closed || this.out.empty) return;
    this.out.post(this.port);
  }

  readonly #onBatch = (batch: PortBatch): void => {
    const r = this.#in;
    r.reset(batch);
    try {
      while (r.more) this.#entry(r);
    } finally {
      r.release();
    }
    this.#inFlight -= batch.credit;
    if (this.#blocked.size > 0 && this.#inFlight <= LOW_WATER_BYTES) this.#drained();
    const touched = this.#touched;
    for (let i = 0; i < touched.length; i++) touched[i]!.flush();
    touched.length = 0;
  };

  #entry(r: BatchReader): void {
    const kind = r.int();
    const id = r.int();
    const connection = this.#connections.get(id);
    const out = connection?.queue;
    switch (kind) {
      case DOWN_OPENED: {
        const opening = this.#opening.get(id);
        if (opening === undefined) return;
        this.#opening.delete(id);
        this.#connections.set(id, opening.connection);
        opening.resolve(opening.connection);
        return;
      }
      case DOWN_OPEN_FAILED: {
        const error = amqpErrorOf(r.obj() as ErrorRecord);
        const opening = this.#opening.get(id);
        if (opening === undefined) return;
        this.#opening.delete(id);
        this.#unrefIfIdle();
        opening.reject(error);
        return;
      }
      case DOWN_REPLY: {
        const channel = r.int();
        const reply = r.obj() as AmqpReply;
        if (out !== undefined) out.setReply(out.reserveReply(channel), reply);
        break;
      }
      case DOWN_REPLY_GET: {
        const channel = r.int();
        const deliveryTag = r.int();
        const redelivered = r.flag();
        const messageCount = r.int();
        const message = r.messageTail();
        const { exchange, routingKey } = message;
        out?.setReply(out.reserveReply(channel), { fields: { deliveryTag, redelivered, exchange, routingKey, messageCount }, message });
        break;
      }
      case DOWN_REPLY_ERROR: {
        const channel = r.int();
        const error = amqpErrorOf(r.obj() as ErrorRecord);
        if (out !== undefined) out.setReplyError(out.reserveReply(channel), error);
        break;
      }
      case DOWN_DELIVER: {
        const channel = r.int();
        const deliveryTag = r.int();
        const redelivered = r.flag();
        const consumerTag = r.str();
        out?.deliver(channel, consumerTag, deliveryTag, redelivered, r.messageTail());
        break;
      }
      case DOWN_RETURN: {
        const channel = r.int();
        const replyCode = r.int();
        const replyText = r.str();
        out?.returned(channel, replyCode, replyText, r.messageTail());
        break;
      }
      case DOWN_CONFIRM: {
        const channel = r.int();
        const deliveryTag = r.int();
        const multiple = r.flag();
        const ack = r.flag();
        out?.confirm(channel, deliveryTag, multiple, ack);
        break;
      }
      case DOWN_CANCEL: {
        const channel = r.int();
        const consumerTag = r.str();
        out?.cancelled(channel, consumerTag);
        break;
      }
      case DOWN_CHANNEL_CLOSED: {
        const channel = r.int();
        const error = amqpErrorOf(r.obj() as ErrorRecord);
        out?.channelClosed(channel, error);
        break;
      }
      case DOWN_CONNECTION_CLOSED: {
        const record = r.obj() as ErrorRecord | null;
        if (connection === undefined) return;
        this.#ended(connection);
        connection.queue.connectionClosed(record === null ? null : amqpErrorOf(record));
        break;
      }
      default:
        throw new TypeError(`unknown AMQP port entry kind ${kind}`);
    }
    if (connection !== undefined && !connection.touched) {
      connection.touched = true;
      this.#touched.push(connection);
    }
  }

  /** The connection has heard its close: later calls on it are dropped. */
  #ended(connection: RemoteConnection): void {
    connection.closed = true;
    this.#connections.delete(connection.id);
    this.#blocked.delete(connection);
    this.#unrefIfIdle();
  }

  #unrefIfIdle(): void {
    if (this.#connections.size + this.#opening.size === 0 && !this.#closed) this.port.unref();
  }

  #drained(): void {
    const blocked = [...this.#blocked];
    this.#blocked.clear();
    for (const connection of blocked) connection.drained();
  }

  readonly #onClose = (): void => {
    this.#closed = true;
    this.out.clear();
    const error = portClosedError();
    for (const opening of this.#opening.values()) opening.reject(error);
    this.#opening.clear();
    for (const connection of [...this.#connections.values()]) {
      this.#ended(connection);
      connection.queue.connectionClosed(error);
      connection.flush();
    }
  };
}

/** One connection through the port: calls are written up, and what comes down is queued for its listener. */
class RemoteConnection implements AmqpTransportConnection {
  readonly queue = new OutputQueue();
  /** Channels whose publish returned false since the last drain. */
  readonly blocked = new Set<number>();
  /** Queued in the batch being read. */
  touched = false;
  closed = false;
  readonly #out: BatchWriter;
  #scheduled = false;

  constructor(
    private readonly client: PortClient,
    readonly id: number,
    private readonly listener: AmqpTransportListener,
  ) {
    this.#out = client.out;
  }

  request(channel: number, request: AmqpRequest): void {
    if (this.closed) return;
    this.#out.entry(UP_REQUEST, this.id);
    this.#out.int(channel);
    this.#out.obj(request);
    this.client.schedule();
  }

  publish(channel: number, exchange: string, routingKey: string, content: Uint8Array, options: ModelPublishOptions | undefined): boolean {
    if (this.closed) return true;
    // The encoding checks the broker would make, made here so that they throw to the publisher.
    assertShortstr('exchange', exchange);
    assertShortstr('routingKey', routingKey);
    const out = this.#out;
    out.entry(UP_PUBLISH, this.id);
    out.int(channel);
    out.int(content.length);
    out.str(exchange);
    out.str(routingKey);
    out.obj(options);
    out.body(content);
    return this.client.published(this, channel, content.length + PUBLISH_OVERHEAD_BYTES);
  }

  ack(channel: number, deliveryTag: number, multiple: boolean): void {
    if (this.closed) return;
    this.#out.entry(UP_ACK, this.id);
    this.#out.int(channel);
    this.#out.int(deliveryTag);
    this.#out.flag(multiple);
    this.client.schedule();
  }

  nack(channel: number, deliveryTag: number, multiple: boolean, requeue: boolean): void {
    if (this.closed) return;
    this.#out.entry(UP_NACK, this.id);
    this.#out.int(channel);
    this.#out.int(deliveryTag);
    this.#out.flag(multiple);
    this.#out.flag(requeue);
    this.client.schedule();
  }

  reject(channel: number, deliveryTag: number, requeue: boolean): void {
    if (this.closed) return;
    this.#out.entry(UP_REJECT, this.id);
    this.#out.int(channel);
    this.#out.int(deliveryTag);
    this.#out.flag(requeue);
    this.client.schedule();
  }

  close(): void {
    if (this.closed) return;
    this.#out.entry(UP_CLOSE, this.id);
    this.client.schedule();
  }

  /** The window has room again: every channel that saw false hears 'drain'. */
  drained(): void {
    const channels = [...this.blocked];
    this.blocked.clear();
    for (const channel of channels) this.listener.drain(channel);
  }

  /** Hands the queued entries on, unless a turn for them is already scheduled. */
  flush(): void {
    this.touched = false;
    if (!this.#scheduled) this.#drainQueue();
  }

  readonly #drainQueue = (): void => {
    this.#scheduled = false;
    let more = true;
    try {
      more = this.queue.drain(this.listener);
    } finally {
      if (more) {
        // A reply was handed on and entries follow it: they get a turn of their own.
        this.#scheduled = true;
        setImmediate(this.#drainQueue);
      }
    }
  };
}
