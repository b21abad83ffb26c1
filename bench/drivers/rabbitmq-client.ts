/** The worker side of the rabbitmq driver: one amqplib connection per producer or consumer. */
import amqplib from 'amqplib';
import { openAmqpConsumer, openAmqpProducer, openAmqpRpcClient, openAmqpRpcServer, type AmqpNames } from './amqp-endpoints.js';
import type { ConsumerEndpoint, MessageSink, ProducerEndpoint, RpcClientEndpoints, WorkerDriver } from './types.js';

export type RabbitmqSpec =
  | { readonly url: string; readonly role: 'producer'; readonly routes: AmqpNames['routes']; readonly replyTo?: 'direct' | 'queue' }
  | { readonly url: string; readonly role: 'consumer'; readonly queue: string; readonly prefetch: number; readonly ack: 'manual' | 'auto' };

export const rabbitmqWorkerDriver: WorkerDriver = {
  async openProducer(spec: unknown): Promise<ProducerEndpoint> {
    const s = spec as RabbitmqSpec;
    if (s.role !== 'producer') throw new Error('not a producer spec');
    return openAmqpProducer(await amqplib.connect(s.url), s.routes);
  },
  async openConsumer(spec: unknown, sink: MessageSink): Promise<ConsumerEndpoint> {
    const s = spec as RabbitmqSpec;
    if (s.role !== 'consumer') throw new Error('not a consumer spec');
    return openAmqpConsumer(await amqplib.connect(s.url), s.queue, s.prefetch, s.ack, sink);
  },
  async openRpcClient(spec: unknown, sink: MessageSink): Promise<RpcClientEndpoints> {
    const s = spec as RabbitmqSpec;
    if (s.role !== 'producer' || s.replyTo === undefined) throw new Error('not an RPC client spec');
    return openAmqpRpcClient(await amqplib.connect(s.url), s.routes, s.replyTo, sink);
  },
  async openRpcServer(spec: unknown): Promise<ConsumerEndpoint> {
    const s = spec as RabbitmqSpec;
    if (s.role !== 'consumer') throw new Error('not an RPC server spec');
    return openAmqpRpcServer(await amqplib.connect(s.url), s.queue, s.prefetch);
  },
};
