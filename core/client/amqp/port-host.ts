/**
 * The host side of an AMQP port: serves, in the broker's thread, the connections another thread
 * opens through `attachAmqpHost(port)` (port-transport.ts). Each remote connection is a connection
 * of the host's own transport, opened on the remote side's behalf; many share the port, told apart
 * by connection id. See port-batch.ts for what crosses the port.
 *
 * Invariants:
 * - Up entries reach the host's transport in the order the client wrote them, so the transport's
 *   ordering contract holds across the hop; everything the transport tells a connection goes down
 *   in the order it was told.
 * - Every publish read is counted back to the client as credit, with the next down batch or, once
 *   the credit owed reaches CREDIT_FLUSH_BYTES, in a batch of its own: the client's window bounds
 *   what waits for this thread in the port.
 * - When the port closes (the client closed it, or its thread ended), every connection it opened is
 *   closed as a client's connection.close would close it: unacked deliveries are requeued.
 * - The port is ref'd only while a connection is open or opening: an idle share keeps no process alive.
 */
import { MessageChannel, type MessagePort } from 'node:worker_threads';
import { AmqpError, errorToRecord } from '../../errors/index.js';
import type { PublishOptions as ModelPublishOptions } from '../../routing/index.js';
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
  CREDIT_FLUSH_BYTES,
  PUBLISH_OVERHEAD_BYTES,
  UP_ACK,
  UP_CLOSE,
  UP_NACK,
  UP_OPEN,
  UP_PUBLISH,
  UP_REJECT,
  UP_REQUEST,
  type PortBatch,
} from './port-batch.js';
import type { AmqpEndpoint, AmqpReply, AmqpRequest, AmqpTransportConnection, AmqpTransportListener, TransportGetOk, TransportMessage } from './transport.js';

/**
 * Serves `endpoint` to another thread over a new MessagePort: transfer the returned port to that
 * thread and pass it to `attachAmqpHost`. One port per thread; any number of connections on it.
 */
export function shareAmqpEndpoint(endpoint: AmqpEndpoint): MessagePort {
  const { port1, port2 } = new MessageChannel();
  new PortHost(endpoint, port1);
  return port2;
}

function isGetOk(reply: AmqpReply): reply is TransportGetOk {
  return typeof reply === 'object' && 'message' in reply;
}

class PortHost {
  readonly out = new BatchWriter();
  readonly #in = new BatchReader();
  readonly #connections = new Map<number, ServedConnection>();
  readonly #pacer = new BatchPacer(() => this.#flush());
  #closed = false;

  constructor(
    private readonly endpoint: AmqpEndpoint,
    private readonly port: MessagePort,
  ) {
    port.on('message', this.#onBatch);
    port.once('close', this.#onClose);
    port.unref();
  }

  schedule(): void {
    // Never sooner than setImmediate: the transport's own flushes queued in this turn run first,
    // so their outputs and the credit for this turn's publishes leave in one batch.
    if (!this.#closed) this.#pacer.schedule();
  }

  /** A served connection has ended: it no longer holds the port open. */
  forget(connection: ServedConnection): void {
    if (this.#connections.get(connection.id) !== connection) return;
    this.#connections.delete(connection.id);
    if (this.#connections.size === 0 && !this.#closed) this.port.unref();
  }

  #flush(): void {
    const out = this.out;
    if (this.#closed || !(out.hasEntries || out.credit >= CREDIT_FLUSH_BYTES)) return;
    out.post(this.port);
  }

  readonly #onBatch = (batch: PortBatch): void => {
    const r = this.#in;
    r.reset(batch);
    try {
      while (r.more) {
        const kind = r.int();
        const id = r.int();
        if (kind === UP_OPEN) {
          this.#openFor(id, r.obj() as string | undefined);
          continue;
        }
        const served = this.#connections.get(id);
        try {
          this.#entry(kind, served?.connection, r);
        } catch (error) {
          // Every entry reads all its fields before it calls the transport: the cursors are intact.
          if (served === undefined) throw error;
          served.fault(error);
        }
      }
    } finally {
      r.release();
    }
  };

  /** One entry after its kind and connection id; `connection` is undefined once it has ended. */
  #entry(kind: number, connection: AmqpTransportConnection | undefined, r: BatchReader): void {
    switch (kind) {
      case UP_REQUEST: {
        const channel = r.int();
        const request = r.obj() as AmqpRequest;
        connection?.request(channel, request);
        return;
      }
      case UP_PUBLISH: {
        const channel = r.int();
        const length = r.int();
        const exchange = r.str();
        const routingKey = r.str();
        const options = r.obj() as ModelPublishOptions | undefined;
        const body = r.body(length);
        // Credit rides with the next batch; it is worth a batch of its own only in bulk.
        if ((this.out.credit += length + PUBLISH_OVERHEAD_BYTES) >= CREDIT_FLUSH_BYTES) this.schedule();
        connection?.publish(channel, exchange, routingKey, body, options);
        return;
      }
      case UP_ACK: {
        const channel = r.int();
        const deliveryTag = r.int();
        const multiple = r.flag();
        connection?.ack(channel, deliveryTag, multiple);
        return;
      }
      case UP_NACK: {
        const channel = r.int();
        const deliveryTag = r.int();
        const multiple = r.flag();
        const requeue = r.flag();
        connection?.nack(channel, deliveryTag, multiple, requeue);
        return;
      }
      case UP_REJECT: {
        const channel = r.int();
        const deliveryTag = r.int();
        const requeue = r.flag();
        connection?.reject(channel, deliveryTag, requeue);
        return;
      }
      case UP_CLOSE:
        connection?.close();
        return;
      default:
        throw new TypeError(`unknown AMQP port entry kind ${kind}`);
    }
  }

  /** UP_OPEN: opens connection `id` on the endpoint for the remote side. */
  #openFor(id: number, name: string | undefined): void {
    const served = new ServedConnection(this, id);
    if (this.#connections.size === 0) this.port.ref();
    this.#connections.set(id, served);
    this.endpoint
      .ready()
      .then(() => this.endpoint.transport.open(served, name === undefined ? {} : { name }))
      .then(
        (connection) => served.opened(connection),
        (error: unknown) => served.failed(error),
      );
  }

  readonly #onClose = (): void => {
    this.#closed = true;
    this.out.clear();
    // The client's thread is gone: close what it opened, as its connection.close would have.
    for (const served of this.#connections.values()) served.abandon();
    this.#connections.clear();
  };
}

/** One remote connection: the host transport's connection, and the listener that writes its outputs down. */
class ServedConnection implements AmqpTransportListener {
  connection: AmqpTransportConnection | undefined;
  #ended = false;
  readonly #out: BatchWriter;

  constructor(
    private readonly host: PortHost,
    readonly id: number,
  ) {
    this.#out = host.out;
  }

  opened(connection: AmqpTransportConnection): void {
    if (this.#ended) {
      // The port closed while the connection was opening.
      connection.close();
      return;
    }
    this.connection = connection;
    this.#out.entry(DOWN_OPENED, this.id);
    this.host.schedule();
  }

  failed(error: unknown): void {
    if (this.#ended) return;
    this.#ended = true;
    this.host.forget(this);
    this.#out.entry(DOWN_OPEN_FAILED, this.id);
    this.#out.obj(errorToRecord(error));
    this.host.schedule();
  }

  /** The port closed: nobody hears this connection any more. */
  abandon(): void {
    this.#ended = true;
    this.connection?.close();
  }

  /**
   * A call into the host's transport threw. Encoding errors were raised in the client's thread
   * already, and the transport reports broker errors through this listener, so this is a fault of
   * the engine: it closes this connection (541 INTERNAL_ERROR), not the batch's other connections.
   */
  fault(error: unknown): void {
    const connection = this.connection;
    this.connection = undefined;
    this.connectionClosed(error instanceof AmqpError ? error : new AmqpError('INTERNAL_ERROR', error instanceof Error ? error.message : String(error)));
    connection?.close();
  }

  // -------------------------------------------------------------------------------------------
  // AmqpTransportListener: the host transport's outputs, written down in order.

  reply(channel: number, reply: AmqpReply): void {
    if (this.#ended) return;
    const out = this.#out;
    if (isGetOk(reply)) {
      const f = reply.fields;
      const message = reply.message;
      out.entry(DOWN_REPLY_GET, this.id);
      out.int(channel);
      out.int(f.deliveryTag);
      out.flag(f.redelivered);
      out.int(f.messageCount);
      out.messageTail(f.exchange, f.routingKey, message.properties, message.body);
    } else {
      out.entry(DOWN_REPLY, this.id);
      out.int(channel);
      out.obj(reply);
    }
    this.host.schedule();
  }

  replyError(channel: number, error: AmqpError): void {
    if (this.#ended) return;
    this.#out.entry(DOWN_REPLY_ERROR, this.id);
    this.#out.int(channel);
    this.#out.obj(error.toRecord());
    this.host.schedule();
  }

  deliver(channel: number, consumerTag: string, deliveryTag: number, redelivered: boolean, message: TransportMessage): void {
    if (this.#ended) return;
    const out = this.#out;
    out.entry(DOWN_DELIVER, this.id);
    out.int(channel);
    out.int(deliveryTag);
    out.flag(redelivered);
    out.str(consumerTag);
    // The model shares one properties object among the messages published without options, and
    // structured clone writes a repeated object once: most deliveries cost a back-reference here.
    out.messageTail(message.exchange, message.routingKey, message.properties, message.body);
    this.host.schedule();
  }

  returned(channel: number, replyCode: number, replyText: string, message: TransportMessage): void {
    if (this.#ended) return;
    const out = this.#out;
    out.entry(DOWN_RETURN, this.id);
    out.int(channel);
    out.int(replyCode);
    out.str(replyText);
    out.messageTail(message.exchange, message.routingKey, message.properties, message.body);
    this.host.schedule();
  }

  confirm(channel: number, deliveryTag: number, multiple: boolean, ack: boolean): void {
    if (this.#ended) return;
    this.#out.entry(DOWN_CONFIRM, this.id);
    this.#out.int(channel);
    this.#out.int(deliveryTag);
    this.#out.flag(multiple);
    this.#out.flag(ack);
    this.host.schedule();
  }

  consumerCancelled(channel: number, consumerTag: string): void {
    if (this.#ended) return;
    this.#out.entry(DOWN_CANCEL, this.id);
    this.#out.int(channel);
    this.#out.str(consumerTag);
    this.host.schedule();
  }

  channelClosed(channel: number, error: AmqpError): void {
    if (this.#ended) return;
    this.#out.entry(DOWN_CHANNEL_CLOSED, this.id);
    this.#out.int(channel);
    this.#out.obj(error.toRecord());
    this.host.schedule();
  }

  connectionClosed(error: AmqpError | null): void {
    if (this.#ended) return;
    this.#ended = true;
    this.host.forget(this);
    this.#out.entry(DOWN_CONNECTION_CLOSED, this.id);
    this.#out.obj(error === null ? null : error.toRecord());
    this.host.schedule();
  }

  /** Publishes never wait here: the host's transport takes them in the call. */
  drain(): void {}
}
