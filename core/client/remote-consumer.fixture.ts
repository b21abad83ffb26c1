/**
 * Test fixture (remote.test.ts): a worker thread whose kafkajs-shaped consumer joins a group on a
 * cluster the main thread shares. It posts each record it processes and each assignment it gets, and
 * disconnects (committing what it processed, then leaving the group) when told to.
 */
import { parentPort, workerData, type MessagePort } from 'node:worker_threads';
import { Kafka } from './kafka/index.js';
import { attachCluster } from './remote.js';

export interface ConsumerJob {
  readonly port: MessagePort;
  readonly topic: string;
  readonly groupId: string;
  readonly heartbeatInterval: number;
  readonly sessionTimeout: number;
}

/** What the worker tells the test, in the order it happened. */
export type ConsumerReport =
  | { readonly kind: 'joined'; readonly memberId: string; readonly partitions: readonly number[] }
  | { readonly kind: 'record'; readonly partition: number; readonly offset: number; readonly value: string }
  | { readonly kind: 'disconnected' }
  | { readonly kind: 'failed'; readonly error: string };

const job = workerData as ConsumerJob;
const report = (r: ConsumerReport): void => parentPort!.postMessage(r);
const ctx = await attachCluster(job.port);
const consumer = new Kafka({ clientId: 'remote-consumer', cluster: ctx }).consumer({ groupId: job.groupId, heartbeatInterval: job.heartbeatInterval, sessionTimeout: job.sessionTimeout, maxWaitTimeInMs: 100 });
consumer.on(consumer.events.GROUP_JOIN, () => report({ kind: 'joined', memberId: consumer.memberId, partitions: consumer.assignment()[job.topic] ?? [] }));
consumer.on(consumer.events.CRASH, (event) => {
  // A crash the consumer restarts from (a rejoin during a rebalance) is part of its normal life.
  const { error, restart } = (event as { payload: { error: unknown; restart: boolean } }).payload;
  if (restart) return;
  report({ kind: 'failed', error: error instanceof Error ? `${error.name}: ${error.message}` : String(error) });
});
parentPort!.on('message', (command: 'disconnect') => {
  if (command !== 'disconnect') return;
  void consumer
    .disconnect()
    .then(() => ctx.close())
    .then(
      () => {
        report({ kind: 'disconnected' });
        parentPort!.close();
      },
      (error: unknown) => report({ kind: 'failed', error: String(error) }),
    );
});
try {
  await consumer.connect();
  await consumer.subscribe({ topics: [job.topic], fromBeginning: true });
  await consumer.run({
    eachMessage: ({ partition, message }) => {
      report({ kind: 'record', partition, offset: Number(message.offset), value: message.value?.toString() ?? '' });
      return Promise.resolve();
    },
  });
} catch (error) {
  report({ kind: 'failed', error: error instanceof Error ? `${error.name}: ${error.message}` : String(error) });
}
