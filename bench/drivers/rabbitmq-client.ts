/** The worker side of the rabbitmq driver: one amqplib connection per producer or consumer. */
import amqplib from 'amqplib';
import { openAmqpConsumer, openAmqpProducer, type AmqpNames } from './amqp-endpoints.js';
import type { ConsumerEndpoint, MessageSink, ProducerEndpoint, WorkerDriver } from './types.js';

export type RabbitmqSpec =
  | { readonly url: string; readonly role: 'producer'; readonly routes: AmqpNames['routes'] }
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
};
