import { describe, expect, it, onTestFinished } from 'vitest';
import { connect, createAmqpHost } from '../../core/client/amqp/index.js';
import { createPayload, OFF_SEQUENCE } from '../runner/payload.js';
import { openAmqpRpcClient, openAmqpRpcServer, type AmqpConnectionLike } from './amqp-endpoints.js';

async function until(condition: () => boolean, ms = 2_000): Promise<void> {
  const by = Date.now() + ms;
  while (!condition()) {
    if (Date.now() > by) throw new Error('timed out');
    await new Promise((resolve) => setTimeout(resolve, 2));
  }
}

function request(sequence: number): Uint8Array {
  const message = createPayload(64);
  new DataView(message.buffer).setUint32(OFF_SEQUENCE, sequence, true);
  return message;
}

const sequenceOf = (bytes: Uint8Array, offset: number): number => new DataView(bytes.buffer, bytes.byteOffset + offset).getUint32(OFF_SEQUENCE, true);

describe('RPC endpoints', () => {
  for (const replyTo of ['direct', 'queue'] as const) {
    it(`a client gets the reply to each request from a server (${replyTo} reply-to)`, async () => {
      const host = createAmqpHost({ cluster: null });
      onTestFinished(() => host.close());
      const open = async (): Promise<AmqpConnectionLike> => (await connect({ host })) as unknown as AmqpConnectionLike;
      const admin = await (await open()).createChannel();
      const { queue } = await admin.assertQueue('', { exclusive: false });
      const server = await openAmqpRpcServer(await open(), queue, 10);
      const replies: number[] = [];
      const client = await openAmqpRpcClient(await open(), [{ exchange: '', routingKey: queue }], replyTo, (bytes, offset) => replies.push(sequenceOf(bytes, offset)));
      for (let i = 0; i < 50; i++) expect(client.requests.append(0, request(i))).toBe(true);
      await until(() => replies.length === 50);
      expect(replies).toEqual(Array.from({ length: 50 }, (_, i) => i));
      await client.replies.close();
      await server.close();
    });
  }

  it('a reply whose correlation id names another request never reaches the sink', async () => {
    const host = createAmqpHost({ cluster: null });
    onTestFinished(() => host.close());
    const conn = (await connect({ host })) as unknown as AmqpConnectionLike;
    const ch = await conn.createChannel();
    const { queue } = await ch.assertQueue('', { exclusive: true });
    // A faulty server: it answers request 1 with request 2's correlation id.
    await ch.consume(
      queue,
      (m) => {
        if (m === null) return;
        const { replyTo, correlationId } = m.properties;
        ch.publish('', replyTo!, m.content, { correlationId: sequenceOf(m.content, 0) === 1 ? correlationId!.replace(/\.1$/, '.2') : correlationId! });
      },
      { noAck: true },
    );
    const replies: number[] = [];
    const client = await openAmqpRpcClient(conn, [{ exchange: '', routingKey: queue }], 'direct', (bytes, offset) => replies.push(sequenceOf(bytes, offset)));
    for (let i = 0; i < 4; i++) client.requests.append(0, request(i));
    await until(() => replies.length === 3);
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(replies).toEqual([0, 2, 3]);
    await client.replies.close();
  });
});
