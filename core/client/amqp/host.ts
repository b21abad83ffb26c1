/**
 * An AMQP broker in this process: a {@link VirtualHost} and the in-process transport that clients
 * of `connect()` talk to. `createAmqpHost()` makes an isolated one (tests, embedding); `connect()`
 * without a host uses the embedded default host, created on first use.
 *
 * Invariants: the host's only timer is unref'd, so an idle host never keeps the process alive;
 * after close() every connection has heard 320 CONNECTION_FORCED and new ones are refused.
 */
import { VirtualHost, type VirtualHostOptions } from '../../routing/index.js';
import { InProcessTransport } from './in-process-transport.js';
import type { AmqpTransport } from './transport.js';

export interface AmqpHostOptions {
  /** The virtual host's options (name, max message size, RabbitMQ-version switches). */
  readonly vhost?: VirtualHostOptions;
}

export class AmqpHost {
  /** The broker model, for inspection (`vhost.queueInfo(name)`); call it only between client calls. */
  readonly vhost: VirtualHost;
  /** What `connect({ host })` opens connections through. */
  readonly transport: AmqpTransport;
  readonly #inProcess: InProcessTransport;

  constructor(options: AmqpHostOptions = {}) {
    this.vhost = new VirtualHost(options.vhost);
    this.#inProcess = new InProcessTransport(this.vhost);
    this.transport = this.#inProcess;
  }

  /** Stops the host as a stopping RabbitMQ node would: every connection closes with 320. */
  close(): void {
    this.#inProcess.shutdown();
  }
}

export function createAmqpHost(options?: AmqpHostOptions): AmqpHost {
  return new AmqpHost(options);
}

let defaultHost: AmqpHost | undefined;

/** The embedded default host that `connect()` uses when given none. */
export function defaultAmqpHost(): AmqpHost {
  defaultHost ??= new AmqpHost();
  return defaultHost;
}
