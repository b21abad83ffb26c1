/**
 * The worker side of the mqlab-amqplib driver: each producer or consumer attaches to the session's
 * host through the port it was given (`attachAmqpHost`) and opens one connection there, so the
 * amqplib-shaped client runs in the generator's thread and only batches cross to the broker's.
 */
import type { MessagePort } from 'node:worker_threads';
import { attachAmqpHost, connect } from '../../core/client/amqp/index.js';
import { openAmqpConsumer, openAmqpProducer, openAmqpRpcClient, openAmqpRpcServer, type AmqpConnectionLike, type AmqpNames } from './amqp-endpoints.js';
import type { ConsumerEndpoint, MessageSink, ProducerEndpoint, RpcClientEndpoints, WorkerDriver } from './types.js';

export type MqlabAmqplibSpec =
  | { readonly port: MessagePort; readonly role: 'producer'; readonly routes: AmqpNames['routes']; readonly replyTo?: 'direct' | 'queue' }
  | { readonly port: MessagePort; readonly role: 'consumer'; readonly queue: string; readonly prefetch: number; readonly ack: 'manual' | 'auto' };

/**
 * One connection to the host behind `port`. The port stays attached after the connection closes:
 * unref'd, it holds nothing open, and it closes with the generator's thread.
 */
async function connectThrough(port: MessagePort): Promise<AmqpConnectionLike> {
  // mqlab's Connection has amqplib's methods; its types are its own, hence the narrowing cast.
  return (await connect({ host: attachAmqpHost(port) })) as unknown as AmqpConnectionLike;
}

export const mqlabAmqplibWorkerDriver: WorkerDriver = {
  async openProducer(spec: unknown): Promise<ProducerEndpoint> {
    const s = spec as MqlabAmqplibSpec;
    if (s.role !== 'producer') throw new Error('not a producer spec');
    return openAmqpProducer(await connectThrough(s.port), s.routes);
  },
  async openConsumer(spec: unknown, sink: MessageSink): Promise<ConsumerEndpoint> {
    const s = spec as MqlabAmqplibSpec;
    if (s.role !== 'consumer') throw new Error('not a consumer spec');
    return openAmqpConsumer(await connectThrough(s.port), s.queue, s.prefetch, s.ack, sink);
  },
  async openRpcClient(spec: unknown, sink: MessageSink): Promise<RpcClientEndpoints> {
    const s = spec as MqlabAmqplibSpec;
    if (s.role !== 'producer' || s.replyTo === undefined) throw new Error('not an RPC client spec');
    return openAmqpRpcClient(await connectThrough(s.port), s.routes, s.replyTo, sink);
  },
  async openRpcServer(spec: unknown): Promise<ConsumerEndpoint> {
    const s = spec as MqlabAmqplibSpec;
    if (s.role !== 'consumer') throw new Error('not an RPC server spec');
    return openAmqpRpcServer(await connectThrough(s.port), s.queue, s.prefetch);
  },
};
