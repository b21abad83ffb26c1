/**
 * The main thread's side of one broker worker: it starts the worker, makes typed calls to it (and
 * rings the broker's doorbell so a parked broker wakes to read them), and watches its heartbeat.
 * A killed broker's pending calls fail with NETWORK_EXCEPTION (retriable, as a dropped Kafka
 * connection); its memory counts as lost.
 */
import { Worker, type TransferListItem } from 'node:worker_threads';
import { errorFromRecord, KafkaProtocolError } from '../errors/index.js';
import { ringAlways } from '../memory/index.js';
import type { BrokerConfig } from './config.js';
import {
  BROKER_BELL_WORD,
  BROKER_CONTROL_BYTES,
  BrokerState,
  FETCH_DELAY_EPOCH_WORD,
  FETCH_DELAY_SEEN_WORD,
  FETCH_DELAY_WORD,
  HEARTBEAT_WORD,
  PAUSE_WORD,
  STATE_WORD,
} from './layout.js';
import type { BrokerCallName, BrokerCalls, BrokerEvent, BrokerWorkerData, CallMessage, FromBroker } from './messages.js';

interface Pending {
  resolve(value: unknown): void;
  reject(error: Error): void;
}

/** How long setFetchDelay waits for the broker to begin a fetch pass under the new delay. */
const FETCH_DELAY_APPLY_TIMEOUT_MS = 1_000;

/**
 * What a client connection needs of a broker: its id, its control block (doorbell, state) and calls.
 * A BrokerHandle is one, in the thread that started the cluster; another thread gets a proxy of it
 * (core/client/remote.ts).
 */
export interface BrokerLink {
  readonly id: number;
  readonly control: Int32Array;
  readonly alive: boolean;
  call<K extends BrokerCallName>(method: K, args: BrokerCalls[K]['args'], transfer?: readonly TransferListItem[]): Promise<BrokerCalls[K]['result']>;
}

export class BrokerHandle implements BrokerLink {
  readonly control: Int32Array;
  readonly controlBuffer: SharedArrayBuffer;
  readonly #worker: Worker;
  readonly #pending = new Map<number, Pending>();
  readonly #ready: Promise<void>;
  #nextCallId = 1;
  #alive = true;
  #lastHeartbeat = -1;
  #lastHeartbeatChangeMs: number;

  /** Unprompted events from the broker (ISR change requests), for the controller. */
  onEvent: (event: BrokerEvent) => void = () => undefined;

  private constructor(readonly id: number, config: BrokerConfig, onExit: (handle: BrokerHandle) => void) {
    this.controlBuffer = new SharedArrayBuffer(BROKER_CONTROL_BYTES);
    this.control = new Int32Array(this.controlBuffer);
    this.#lastHeartbeatChangeMs = performance.now();
    const workerData: BrokerWorkerData = { brokerId: id, config, control: this.controlBuffer };
    this.#worker = new Worker(new URL('./broker.worker.js', import.meta.url), { workerData, name: `mqlab-broker-${id}` });
    this.#ready = new Promise<void>((resolve, reject) => {
      const onMessage = (message: FromBroker): void => {
        if (message.kind === 'ready') {
          resolve();
          return;
        }
        if (message.kind !== 'reply') {
          this.onEvent(message);
          return;
        }
        const pending = this.#pending.get(message.id);
        if (pending === undefined) return;
        this.#pending.delete(message.id);
        if (message.ok) pending.resolve(message.value);
        else pending.reject(errorFromRecord(message.error));
      };
      this.#worker.on('message', onMessage);
      this.#worker.once('error', (error) => {
        reject(error);
      });
      this.#worker.once('exit', () => {
        this.#alive = false;
        Atomics.store(this.control, STATE_WORD, BrokerState.STOPPED);
        reject(new KafkaProtocolError('BROKER_NOT_AVAILABLE', `broker ${id} exited before it was ready`));
        this.#failPending();
        onExit(this);
      });
    });
    // An unhandled rejection must not escape when nobody awaits readiness any more.
    this.#ready.catch(() => undefined);
  }

  static async start(id: number, config: BrokerConfig, onExit: (handle: BrokerHandle) => void): Promise<BrokerHandle> {
    const handle = new BrokerHandle(id, config, onExit);
    await handle.#ready;
    return handle;
  }

  get alive(): boolean {
    return this.#alive;
  }

  call<K extends BrokerCallName>(method: K, args: BrokerCalls[K]['args'], transfer: readonly TransferListItem[] = []): Promise<BrokerCalls[K]['result']> {
    if (!this.#alive) return Promise.reject(new KafkaProtocolError('NETWORK_EXCEPTION', `The server disconnected before a response was received: broker ${this.id} is not available`));
    const id = this.#nextCallId++;
    const message: CallMessage<K> = { kind: 'call', id, method, args };
    const result = new Promise<BrokerCalls[K]['result']>((resolve, reject) => {
      // The reply carries the result of the method named in the call: its type is the call's.
      this.#pending.set(id, { resolve: (value) => resolve(value as BrokerCalls[K]['result']), reject });
    });
    this.#worker.postMessage(message, [...transfer]);
    this.ringBell();
    return result;
  }

  /** The worker no longer keeps the process alive. */
  unref(): void {
    this.#worker.unref();
  }

  /** Wakes the broker loop if it is parked. */
  ringBell(): void {
    ringAlways(this.control, BROKER_BELL_WORD);
  }

  /**
   * True while the broker's heartbeat word moved within `sessionTimeoutMs`. The controller calls it
   * every heartbeat interval.
   */
  checkHeartbeat(nowMs: number, sessionTimeoutMs: number): boolean {
    if (!this.#alive) return false;
    const beat = Atomics.load(this.control, HEARTBEAT_WORD);
    if (beat !== this.#lastHeartbeat) {
      this.#lastHeartbeat = beat;
      this.#lastHeartbeatChangeMs = nowMs;
      return true;
    }
    return nowMs - this.#lastHeartbeatChangeMs <= sessionTimeoutMs;
  }

  /**
   * Fault injection: stalls the broker's thread whole (no serving, fetching, heartbeat or control
   * messages) until `resume`; its memory stays. A pause past the session timeout makes the controller
   * count it dead.
   */
  pause(): void {
    Atomics.store(this.control, PAUSE_WORD, 1);
  }

  resume(): void {
    Atomics.store(this.control, PAUSE_WORD, 0);
    Atomics.notify(this.control, PAUSE_WORD);
    this.ringBell();
  }

  get paused(): boolean {
    return Atomics.load(this.control, PAUSE_WORD) !== 0;
  }

  /**
   * Fault injection on a follower: 0 fetches freely, n > 0 at most one fetch every n ms (a slow
   * follower), -1 none at all. Its heartbeat goes on, so only replica lag can shrink the ISR.
   * Returns once the broker fetches under the new delay (at most about a second on a stuck broker):
   * after setFetchDelay(-1), the follower copies nothing sent later.
   */
  setFetchDelay(ms: number): void {
    const control = this.control;
    Atomics.store(control, FETCH_DELAY_WORD, ms);
    const epoch = Atomics.add(control, FETCH_DELAY_EPOCH_WORD, 1) + 1;
    this.ringBell();
    // A fetch pass that read the old delay may still be copying (a follower told to stop would
    // then take records sent after this call). Wait, bounded, until the broker has run a pass under
    // the new delay. A paused or stopped broker may run none, so it is not waited for.
    const deadline = performance.now() + FETCH_DELAY_APPLY_TIMEOUT_MS;
    for (;;) {
      const seen = Atomics.load(control, FETCH_DELAY_SEEN_WORD);
      if (seen - epoch >= 0 || this.paused || Atomics.load(control, STATE_WORD) !== BrokerState.RUNNING) return;
      const left = deadline - performance.now();
      if (left <= 0) return;
      Atomics.wait(control, FETCH_DELAY_SEEN_WORD, seen, Math.min(left, 5));
    }
  }

  /** Terminates the worker at once: no goodbye, its memory is gone. */
  async kill(): Promise<void> {
    Atomics.store(this.control, STATE_WORD, BrokerState.STOPPED);
    this.resume();
    this.#alive = false;
    this.#failPending();
    await this.#worker.terminate();
  }

  /** Asks the broker to stop, then ends its thread. */
  async stop(): Promise<void> {
    if (this.#alive) {
      this.resume();
      try {
        await this.call('shutdown', {});
      } catch {
        // Already gone: terminate below is all that is left to do.
      }
    }
    this.#alive = false;
    await this.#worker.terminate();
  }

  #failPending(): void {
    for (const pending of this.#pending.values()) pending.reject(new KafkaProtocolError('NETWORK_EXCEPTION', `The server disconnected before a response was received: broker ${this.id} is not available`));
    this.#pending.clear();
  }
}
