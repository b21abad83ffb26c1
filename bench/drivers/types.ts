/**
 * The one interface every benchmark driver implements, so the runner's load generators never know
 * which client or broker they drive. A driver opens a session for one workload run; the session sets
 * up topics or exchanges and queues, and opens producer and consumer endpoints, either in the main
 * thread or, from a plain-data spec, inside a load-generator worker.
 *
 * Hot-path contract: `append` and `poll` allocate nothing the driver can avoid; the message buffer
 * passed to `append` is reused by the caller as soon as the call returns.
 */
import type { TransferListItem } from 'node:worker_threads';
import type { Workload } from '../workload.js';

export const DRIVER_NAMES = ['mqlab-native', 'mqlab-kafkajs', 'mqlab-amqplib', 'rabbitmq'] as const;
export type DriverName = (typeof DRIVER_NAMES)[number];

/** Where a driver's generators run: worker threads of the piscina pool, or the main thread. */
export type Placement = 'worker' | 'main';

export interface ProducerEndpoint {
  /**
   * Hands one message for `target` (a partition or a routing key, by index) to the client. Returns
   * false when the client has no room now: the message was not taken; await `ready()` and retry.
   */
  append(target: number, message: Uint8Array): boolean;
  ready(): Promise<void>;
  /** Sends whatever the client buffers, without waiting for answers. */
  send(): void;
  /** Sends and waits until every message so far is acknowledged (per the workload's acks). */
  flush(): Promise<void>;
  close(): Promise<void>;
}

/** Receives one message: `length` bytes at `offset` of `bytes`. Valid only during the call. */
export type MessageSink = (bytes: Uint8Array, offset: number, length: number) => void;

export interface ConsumerEndpoint {
  /** Pull drivers hand every available message to the sink and return how many; push drivers return 0. */
  poll(): number;
  /** Waits up to `maxMs` for more messages (parks the thread or yields the event loop; never spins unbounded). */
  idle(maxMs: number): Promise<void>;
  close(): Promise<void>;
}

/**
 * An RPC client's two halves over one connection: requests go out through `requests` (with reply_to
 * and a correlation id), and each reply whose correlation id matches its request reaches the sink
 * given at opening; `replies.close()` closes the connection.
 */
export interface RpcClientEndpoints {
  readonly requests: ProducerEndpoint;
  readonly replies: ConsumerEndpoint;
}

/** A generator's opening instructions for a worker: plain data, plus what to transfer. */
export interface WorkerSpec {
  readonly spec: unknown;
  readonly transfer: readonly TransferListItem[];
}

/** One run of one workload on one driver. */
export interface DriverSession {
  /** Send targets: partitions over all topics (Kafka) or routing keys (AMQP). */
  readonly targets: number;
  /** Threads the driver itself runs besides the generators (broker workers). */
  readonly brokerThreads: number;
  openProducer(index: number): Promise<ProducerEndpoint>;
  openConsumer(index: number, sink: MessageSink): Promise<ConsumerEndpoint>;
  /** RPC workloads (AMQP): a client that sends requests and receives their replies. */
  openRpcClient?(index: number, sink: MessageSink): Promise<RpcClientEndpoints>;
  /** RPC workloads (AMQP): a server that answers each request with its body. */
  openRpcServer?(index: number): Promise<ConsumerEndpoint>;
  /** For drivers whose generators run in workers; with an RPC workload a producer is a client and a consumer a server. */
  workerSpec(role: 'producer' | 'consumer', index: number): Promise<WorkerSpec>;
  close(): Promise<void>;
}

export interface Driver {
  readonly name: DriverName;
  readonly model: Workload['model'];
  /** The system measured: `mqlab`, or the peer's name. */
  readonly system: string;
  readonly producersIn: Placement;
  readonly consumersIn: Placement;
  /** Undefined when usable here, else why not (the scenario is then skipped, never passed). */
  unavailable(): Promise<string | undefined>;
  open(workload: Workload, runId: string): Promise<DriverSession>;
}

/** The worker side of a driver: opens endpoints from the specs its session made. */
export interface WorkerDriver {
  openProducer(spec: unknown): Promise<ProducerEndpoint>;
  openConsumer(spec: unknown, sink: MessageSink): Promise<ConsumerEndpoint>;
  openRpcClient?(spec: unknown, sink: MessageSink): Promise<RpcClientEndpoints>;
  openRpcServer?(spec: unknown): Promise<ConsumerEndpoint>;
}
