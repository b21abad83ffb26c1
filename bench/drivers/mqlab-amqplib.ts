/**
 * mqlab's amqplib-shaped API (`mqlab/amqp`) on an isolated host, one connection per producer and
 * consumer.
 *
 * Placement: the host (the broker model) stays in the main thread; producers and consumers run in
 * load-generator workers, each reaching the host through a port of its own (`host.share()`, then
 * `attachAmqpHost` in the worker, mqlab-amqplib-client.ts). The session can also open every endpoint,
 * RPC clients and servers included, in the main thread over the in-process transport (a driver
 * placed in 'main'; tests wrap drivers so).
 */
import { connect, createAmqpHost, type AmqpHost } from '../../core/client/amqp/index.js';
import type { AmqpWorkload, Workload } from '../workload.js';
import {
  amqpNames,
  declareTopology,
  openAmqpConsumer,
  openAmqpProducer,
  openAmqpRpcClient,
  openAmqpRpcServer,
  type AmqpConnectionLike,
  type AmqpNames,
} from './amqp-endpoints.js';
import type { MqlabAmqplibSpec } from './mqlab-amqplib-client.js';
import type { ConsumerEndpoint, Driver, DriverSession, MessageSink, ProducerEndpoint, RpcClientEndpoints, WorkerSpec } from './types.js';

class MqlabAmqpSession implements DriverSession {
  readonly targets: number;
  readonly brokerThreads = 0;

  constructor(
    readonly workload: AmqpWorkload,
    readonly host: AmqpHost,
    readonly names: AmqpNames,
  ) {
    this.targets = workload.publish.routingKeys.length;
  }

  /** Consumers (and RPC servers) take the workload's queues in turn. */
  #queueFor(index: number): string {
    return this.names.queues[index % this.names.queues.length]!;
  }

  async #connect(): Promise<AmqpConnectionLike> {
    // mqlab's Connection has amqplib's methods; its types are its own, hence the narrowing cast.
    return (await connect({ host: this.host })) as unknown as AmqpConnectionLike;
  }

  async openProducer(): Promise<ProducerEndpoint> {
    return openAmqpProducer(await this.#connect(), this.names.routes);
  }

  async openConsumer(index: number, sink: MessageSink): Promise<ConsumerEndpoint> {
    const queue = this.#queueFor(index);
    return openAmqpConsumer(await this.#connect(), queue, this.workload.prefetch, this.workload.ack, sink);
  }

  /** An RPC client in this thread (in-process transport), for a session whose producers run in main. */
  async openRpcClient(_index: number, sink: MessageSink): Promise<RpcClientEndpoints> {
    const rpc = this.workload.rpc;
    if (rpc === undefined) throw new Error(`workload ${this.workload.id} is not an RPC workload`);
    return openAmqpRpcClient(await this.#connect(), this.names.routes, rpc.replyTo, sink);
  }

  /** An RPC server in this thread: answers each request on its queue with the request's body. */
  async openRpcServer(index: number): Promise<ConsumerEndpoint> {
    const queue = this.#queueFor(index);
    return openAmqpRpcServer(await this.#connect(), queue, this.workload.prefetch);
  }

  /** A fresh port per generator: its connection's batches never wait behind another generator's. */
  workerSpec(role: 'producer' | 'consumer', index: number): Promise<WorkerSpec> {
    const port = this.host.share();
    const w = this.workload;
    const spec: MqlabAmqplibSpec =
      role === 'producer'
        ? { port, role, routes: this.names.routes, ...(w.rpc === undefined ? {} : { replyTo: w.rpc.replyTo }) }
        : { port, role, queue: this.#queueFor(index), prefetch: w.prefetch, ack: w.ack };
    return Promise.resolve({ spec, transfer: [port] });
  }

  close(): Promise<void> {
    this.host.close();
    return Promise.resolve();
  }
}

export const mqlabAmqplibDriver: Driver = {
  name: 'mqlab-amqplib',
  model: 'amqp',
  system: 'mqlab',
  producersIn: 'worker',
  consumersIn: 'worker',
  unavailable: () => Promise.resolve(undefined),
  async open(workload: Workload, runId: string): Promise<DriverSession> {
    if (workload.model !== 'amqp') throw new Error(`mqlab-amqplib drives the amqp model, not ${workload.model}`);
    const host = createAmqpHost();
    const names = amqpNames(workload, runId);
    const conn = (await connect({ host })) as unknown as AmqpConnectionLike;
    await declareTopology(conn, names);
    await conn.close();
    return new MqlabAmqpSession(workload, host, names);
  },
};
