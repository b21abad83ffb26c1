/**
 * `startCluster()`: N broker worker threads and a controller, in-process. The handle kills and
 * restarts brokers (fault injection) and closes everything, leaving no threads or handles behind.
 *
 * `defaultCluster()` is the one piece of global state: the embedded one-broker cluster that
 * `new Kafka()` and `connect()` use when given none. Its threads are unref'd, so it never keeps a
 * process alive.
 */
import { channels } from '../diagnostics.js';
import { MqlabInternalError } from '../errors/index.js';
import { BrokerHandle } from './broker-handle.js';
import { resolveBrokerConfig, type BrokerConfig, type BrokerConfigInput } from './config.js';
import { Controller } from './controller.js';

export interface ClusterOptions {
  /** Number of brokers (worker threads), default 1. Their ids are 0..brokers-1. */
  readonly brokers?: number;
  /** Broker settings (Kafka's broker configs in camelCase); see config.ts for the defaults. */
  readonly config?: BrokerConfigInput;
}

export class Cluster {
  readonly controller: Controller;
  readonly config: BrokerConfig;
  readonly brokers: readonly number[];
  readonly #handles = new Map<number, BrokerHandle>();
  readonly #closeHooks = new Set<() => Promise<void> | void>();
  #closed = false;
  #unref = false;

  private constructor(config: BrokerConfig, brokerIds: readonly number[]) {
    this.config = config;
    this.brokers = brokerIds;
    this.controller = new Controller(config, brokerIds);
  }

  static async start(options: ClusterOptions = {}): Promise<Cluster> {
    const count = options.brokers ?? 1;
    if (!Number.isInteger(count) || count < 1 || count > 64) {
      throw new MqlabInternalError('INVALID_ARGUMENT', `brokers must be an integer from 1 to 64, got ${String(count)}`);
    }
    const config = resolveBrokerConfig(options.config);
    const ids = Array.from({ length: count }, (_, i) => i);
    const cluster = new Cluster(config, ids);
    const handles = await Promise.allSettled(ids.map((id) => cluster.#startBroker(id)));
    const failed = handles.find((h) => h.status === 'rejected');
    if (failed !== undefined) {
      await cluster.close();
      throw failed.reason instanceof Error ? failed.reason : new Error(String(failed.reason));
    }
    cluster.controller.start();
    return cluster;
  }

  get closed(): boolean {
    return this.#closed;
  }

  /** Live broker handle by id, for the client layer. */
  broker(id: number): BrokerHandle | undefined {
    return this.controller.broker(id);
  }

  /** Terminates a broker's worker at once; its memory counts as lost. */
  async kill(id: number): Promise<void> {
    const handle = this.#handle(id);
    this.controller.brokerLost(id);
    await handle.kill();
  }

  /** Starts a killed (or running) broker again with empty memory. */
  async restart(id: number): Promise<void> {
    const old = this.#handle(id);
    if (old.alive) await this.kill(id);
    const handle = await this.#startBroker(id);
    await this.controller.brokerReturned(handle);
  }

  /**
   * Fault injection: stalls a broker's thread whole, as a long GC pause or a stopped process would.
   * It serves nothing and stops beating; past brokerSessionTimeoutMs the controller counts it dead
   * and moves its leaderships. `resume` lets it go on with its memory: it rejoins as a follower and
   * truncates what it wrote that the new leader does not have.
   */
  pause(id: number): void {
    this.#liveHandle(id).pause();
  }

  resume(id: number): void {
    this.#liveHandle(id).resume();
  }

  /**
   * Fault injection on a follower: `ms` > 0 lets it fetch at most once every `ms` (a slow follower),
   * -1 stops its fetching, 0 restores it. Its heartbeat goes on, so only replica lag
   * (replicaLagTimeMaxMs) takes it out of the ISR.
   */
  setFetchDelay(id: number, ms: number): void {
    if (!Number.isInteger(ms) || ms < -1) throw new MqlabInternalError('INVALID_ARGUMENT', `fetch delay must be -1, 0 or a positive integer of ms, got ${String(ms)}`);
    this.#liveHandle(id).setFetchDelay(ms);
  }

  /** Lets a process exit while this cluster runs (the embedded default cluster uses it). */
  unref(): void {
    this.#unref = true;
    for (const handle of this.#handles.values()) handle.unref();
  }

  /** Runs `hook` before the brokers stop (clients register their own shutdown here). */
  onClose(hook: () => Promise<void> | void): () => void {
    this.#closeHooks.add(hook);
    return () => this.#closeHooks.delete(hook);
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    for (const hook of [...this.#closeHooks]) await hook();
    this.#closeHooks.clear();
    this.controller.stop();
    await Promise.all([...this.#handles.values()].map((h) => h.stop()));
    this.#handles.clear();
    if (defaultClusterPromise !== undefined && (await defaultClusterPromise.catch(() => undefined)) === this) defaultClusterPromise = undefined;
  }

  #liveHandle(id: number): BrokerHandle {
    const handle = this.#handle(id);
    if (!handle.alive) throw new MqlabInternalError('INVALID_ARGUMENT', `broker ${id} is not running`);
    return handle;
  }

  #handle(id: number): BrokerHandle {
    const handle = this.#handles.get(id);
    if (handle === undefined) throw new MqlabInternalError('INVALID_ARGUMENT', `no broker ${id}; brokers are ${this.brokers.join(', ')}`);
    return handle;
  }

  async #startBroker(id: number): Promise<BrokerHandle> {
    const handle = await BrokerHandle.start(id, this.config, (h) => {
      if (!this.#closed && this.#handles.get(id) === h) this.controller.brokerLost(id);
    });
    if (this.#unref) handle.unref();
    this.#handles.set(id, handle);
    this.controller.addBroker(handle);
    if (channels.brokerLifecycle.hasSubscribers) channels.brokerLifecycle.publish({ brokerId: id, event: 'started' });
    return handle;
  }
}

export function startCluster(options: ClusterOptions = {}): Promise<Cluster> {
  return Cluster.start(options);
}

let defaultClusterPromise: Promise<Cluster> | undefined;

/** The embedded default cluster: one broker, started on first use, never keeping a process alive. */
export function defaultCluster(): Promise<Cluster> {
  defaultClusterPromise ??= Cluster.start({ brokers: 1 }).then((cluster) => {
    cluster.unref();
    return cluster;
  });
  return defaultClusterPromise;
}
