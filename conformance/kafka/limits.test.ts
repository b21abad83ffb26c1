/** L01–L05: Kafka topic names, topic creation, record size, positions and acks values, through the client. */
import { describe, expect, it } from 'vitest';
import { kafkaSession, rejection } from '../support/kafka.js';

describe('kafka limits and bad input', () => {
  it('L01 topic names: ".", "..", 250 chars and illegal characters are INVALID_TOPIC_EXCEPTION (17); 249 chars is valid', async (ctx) => {
    const s = await kafkaSession(ctx);
    const admin = s.kafka.admin();
    await admin.connect();
    try {
      for (const bad of ['.', '..', 'x'.repeat(250), 'no spaces', 'slash/no', 'ümlaut']) {
        expect(await rejection(admin.createTopics({ topics: [{ topic: bad }] })), bad).toMatchObject({ code: 17 });
      }
      expect(await admin.createTopics({ topics: [{ topic: `a${'x'.repeat(248)}` }] })).toBe(true);
      expect(await admin.createTopics({ topics: [{ topic: s.topic('ok.name_-1') }] })).toBe(true);
    } finally {
      await admin.disconnect();
    }
  });

  it('L02 an unknown topic is auto-created with 1 partition; with auto-create off, a send is UNKNOWN_TOPIC_OR_PARTITION (3)', async (ctx) => {
    const s = await kafkaSession(ctx);
    const producer = await s.producer();
    const topic = s.topic('auto');
    await producer.send({ topic, messages: [{ value: 'v' }] });
    const admin = s.kafka.admin();
    await admin.connect();
    const meta = await admin.fetchTopicMetadata({ topics: [topic] });
    await admin.disconnect();
    expect(meta.topics[0]?.partitions).toHaveLength(1);
    const off = await kafkaSession(ctx, { autoCreateTopics: false });
    const p2 = await off.producer();
    expect(await rejection(p2.send({ topic: off.topic('off'), messages: [{ value: 'v' }] }))).toMatchObject({ code: 3 });
  });

  it('L03 a record over max.request.size (1048576) is MESSAGE_TOO_LARGE (10)', async (ctx) => {
    const s = await kafkaSession(ctx);
    const producer = await s.producer();
    expect(await rejection(producer.send({ topic: s.topic('big'), messages: [{ value: Buffer.alloc(1_048_577) }] }))).toMatchObject({ code: 10 });
  });

  it('L04 a partition index at or beyond the count is UNKNOWN_TOPIC_OR_PARTITION (3)', async (ctx) => {
    const s = await kafkaSession(ctx);
    const topic = s.topic('range');
    await s.createTopic(topic, 2);
    const producer = await s.producer();
    expect(await rejection(producer.send({ topic, messages: [{ value: 'v', partition: 2 }] }))).toMatchObject({ code: 3 });
  });

  it('L05 acks outside {all, -1, 0, 1} is INVALID_REQUIRED_ACKS (21)', async (ctx) => {
    const s = await kafkaSession(ctx);
    const producer = await s.producer();
    for (const acks of [2, -2]) {
      expect(await rejection(producer.send({ topic: s.topic('acks'), acks, messages: [{ value: 'v' }] })), String(acks)).toMatchObject({ code: 21 });
    }
  });
});
