/**
 * An AMQP broker in this process: a {@link VirtualHost} and the in-process transport that clients
 * of `connect()` talk to. `createAmqpHost()` makes an isolated one (tests, embedding); `connect()`
 * without a host uses the embedded default host, created on first use; `connect({ cluster })` uses
 * the host of that cluster.
 *
 * Quorum queues (x-queue-type quorum) replicate on a cluster (quorum-store.ts): the host's
 * `cluster`, else the embedded default cluster, started when the first quorum queue is declared.
 * `cluster: null` keeps quorum queues in memory, as classic queues. A host given a cluster restores
 * the quorum queues a previous host left on it before its first connection opens ({@link ready}).
 *
 * `share()` serves the host to another thread over a MessagePort (port-host.ts); there,
 * `attachAmqpHost(port)` gives what `connect({ host })` takes.
 *
 * Invariants: the host's only timer is unref'd, so an idle host never keeps the process alive;
 * after close() every connection, in this thread or another, has heard 320 CONNECTION_FORCED and
 * new ones are refused.
 */
import { defaultCluster, type Cluster } from '../../cluster/index.js';
import type { MessagePort } from 'node:worker_threads';
import { VirtualHost, type VirtualHostOptions } from '../../routing/index.js';
import { InProcessTransport } from './in-process-transport.js';
import { shareAmqpEndpoint } from './port-host.js';
import { ClusterQueueStores, type QuorumStoreOptions } from './quorum-store.js';
import type { AmqpEndpoint, AmqpTransport } from './transport.js';

export interface AmqpHostOptions {
  /** The virtual host's options (name, max message size, RabbitMQ-version switches). */
  readonly vhost?: VirtualHostOptions;
  /**
   * The cluster quorum queues replicate on. Default: the embedded default cluster, started on the
   * first quorum declare. null: quorum queues are held in memory only.
   */
  readonly cluster?: Cluster | null;
  /** Quorum-queue replication settings (commit timeout, replication factor cap). */
  readonly quorum?: QuorumStoreOptions;
}

export class AmqpHost implements AmqpEndpoint {
  /** The broker model, for inspection (`vhost.queueInfo(name)`); call it only between client calls. */
  readonly vhost: VirtualHost;
  /** What `connect({ host })` opens connections through. */
  readonly transport: AmqpTransport;
  /** The cluster given at creation (undefined: the default cluster, null: none). */
  readonly cluster: Cluster | null | undefined;
  readonly #inProcess: InProcessTransport;
  readonly #stores: ClusterQueueStores | null;
  #recovered: Promise<void> | undefined;

  constructor(options: AmqpHostOptions = {}) {
    const cluster = options.cluster;
    this.cluster = cluster;
    this.#stores =
      cluster === null
        ? null
        : new ClusterQueueStores(
            () => (cluster === undefined ? defaultCluster() : Promise.resolve(cluster)),
            () => this.#inProcess.afterCall(),
            options.quorum,
          );
    const vhostOptions = options.vhost ?? {};
    this.vhost = new VirtualHost(this.#stores === null ? vhostOptions : { ...vhostOptions, quorumQueueStore: this.#stores });
    this.#inProcess = new InProcessTransport(this.vhost);
    this.transport = this.#inProcess;
  }

  /**
   * Resolves once the host can take connections: with a cluster given, after the quorum queues kept
   * on it are restored (a failed restore rejects, and the next call tries again).
   */
  ready(): Promise<void> {
    const stores = this.#stores;
    if (stores === null || this.cluster === undefined) return Promise.resolve();
    this.#recovered ??= stores.recover(this.vhost).catch((error: unknown) => {
      this.#recovered = undefined;
      throw error;
    });
    return this.#recovered;
  }

  /**
   * A MessagePort through which another thread reaches this host: transfer it there and pass it to
   * `attachAmqpHost`. Use one port per thread; its connections multiplex over it. When that thread
   * ends (or closes the port), the connections it opened are closed and their unacked deliveries
   * requeued. The port holds the process open only while one of its connections is open.
   */
  share(): MessagePort {
    return shareAmqpEndpoint(this);
  }

  /** Stops the host as a stopping RabbitMQ node would: every connection closes with 320. */
  close(): void {
    this.#inProcess.shutdown();
    void this.#stores?.close();
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

const clusterHosts = new WeakMap<Cluster, AmqpHost>();

/** The host `connect({ cluster })` uses: one per cluster, closed with it. */
export function clusterAmqpHost(cluster: Cluster): AmqpHost {
  let host = clusterHosts.get(cluster);
  if (host === undefined) {
    const created = new AmqpHost({ cluster });
    host = created;
    clusterHosts.set(cluster, created);
    cluster.onClose(() => {
      clusterHosts.delete(cluster);
      created.close();
    });
  }
  return host;
}
