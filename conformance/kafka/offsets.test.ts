/**
 * G09–G10: committed offsets and the reset policy, through the kafkajs-shaped consumer on a fresh
 * cluster. Every wait is for a condition (records seen, a commit stored, a group joined), never a
 * fixed sleep. G14 checks auto-commit the way kafkajs does it (mqlab's client follows kafkajs): a
 * commit of the processed positions after a batch once autoCommitThreshold messages or
 * autoCommitInterval ms have passed, and on disconnect; Java's 5 s timer on poll is the same
 * at-least-once contract.
 */
import { describe, expect, it, vi } from 'vitest';
import type { Consumer, EachMessagePayload, InstrumentationEvent } from '../../core/client/kafka/index.js';
import { kCrash } from '../../core/client/kafka/symbols.js';
import { kafkaSession } from '../support/kafka.js';

const WAIT = { timeout: 10_000, interval: 20 };

/** Offsets (and values) one consumer was handed, in arrival order. */
class Seen {
  readonly offsets: number[] = [];
  readonly values: string[] = [];

  readonly eachMessage = ({ message }: EachMessagePayload): Promise<void> => {
    this.offsets.push(Number(message.offset));
    this.values.push(message.value?.toString() ?? '');
    return Promise.resolve();
  };

  async count(n: number): Promise<void> {
    await vi.waitFor(() => expect(this.offsets.length).toBeGreaterThanOrEqual(n), WAIT);
  }
}

/** Resolves at the consumer's first GROUP_JOIN (its partitions are positioned by then). */
function joined(consumer: Consumer): Promise<unknown> {
  return new Promise((resolve) => consumer.on(consumer.events.GROUP_JOIN, resolve));
}

const values = (from: number, to: number): { value: string }[] => Array.from({ length: to - from }, (_, i) => ({ value: `m${from + i}` }));

describe('kafka consumer offsets', () => {
  it('G09 commit = last processed + 1; a new owner resumes at the committed offset', async (ctx) => {
    const s = await kafkaSession(ctx);
    const topic = s.topic('g09');
    const groupId = s.topic('g09-group');
    await s.createTopic(topic, 1);
    const producer = await s.producer();
    await producer.send({ topic, messages: values(0, 5) });
    const first = new Seen();
    const c1 = await s.consumer({ groupId });
    await c1.subscribe({ topic, fromBeginning: true });
    await c1.run({ eachMessage: first.eachMessage });
    await first.count(5);
    await vi.waitFor(async () => expect(await s.committed(groupId, topic)).toEqual(['5']), WAIT);
    await c1.disconnect();
    expect(first.offsets).toEqual([0, 1, 2, 3, 4]);

    await producer.send({ topic, messages: values(5, 8) });
    const second = new Seen();
    const c2 = await s.consumer({ groupId });
    // fromBeginning applies only where the group has no committed offset.
    await c2.subscribe({ topic, fromBeginning: true });
    await c2.run({ eachMessage: second.eachMessage });
    await second.count(3);
    expect(second.offsets.slice(0, 3)).toEqual([5, 6, 7]);
    await vi.waitFor(async () => expect(await s.committed(groupId, topic)).toEqual(['8']), WAIT);
  });

  it('G10 no committed offset: latest → end, earliest → start, none → error; an out-of-range committed offset → the policy', async (ctx) => {
    const s = await kafkaSession(ctx);
    const topic = s.topic('g10');
    await s.createTopic(topic, 1);
    const producer = await s.producer();
    await producer.send({ topic, messages: values(0, 2) });

    const latest = new Seen();
    const cl = await s.consumer({ groupId: s.topic('g10-latest'), autoOffsetReset: 'latest' });
    const latestJoined = joined(cl);
    await cl.subscribe({ topic });
    await cl.run({ eachMessage: latest.eachMessage });
    await latestJoined;
    await producer.send({ topic, messages: values(2, 4) });
    await latest.count(2);
    expect(latest.offsets).toEqual([2, 3]);

    const earliest = new Seen();
    const ce = await s.consumer({ groupId: s.topic('g10-earliest'), autoOffsetReset: 'earliest' });
    await ce.subscribe({ topic });
    await ce.run({ eachMessage: earliest.eachMessage });
    await earliest.count(4);
    expect(earliest.offsets).toEqual([0, 1, 2, 3]);

    const cn = await s.consumer({ groupId: s.topic('g10-none'), autoOffsetReset: 'none' });
    const crashed = new Promise<unknown>((resolve) => cn.on(cn.events.CRASH, (e: InstrumentationEvent<{ error: unknown }>) => resolve(e.payload.error)));
    await cn.subscribe({ topic });
    await cn.run({ eachMessage: () => Promise.reject(new Error('none must not deliver')) });
    await expect(crashed).resolves.toMatchObject({ code: 1 });
    await cn.disconnect();

    // A committed offset beyond the log end is out of range: the reset policy (earliest) applies.
    const groupId = s.topic('g10-range');
    const committer = await s.consumer({ groupId });
    const committerJoined = joined(committer);
    await committer.subscribe({ topic });
    await committer.run({ autoCommit: false, eachMessage: () => Promise.resolve() });
    await committerJoined;
    await committer.commitOffsets([{ topic, partition: 0, offset: '100' }]);
    expect(await s.committed(groupId, topic)).toEqual(['100']);
    await committer.disconnect();
    const reset = new Seen();
    const cr = await s.consumer({ groupId, autoOffsetReset: 'earliest' });
    await cr.subscribe({ topic });
    await cr.run({ eachMessage: reset.eachMessage });
    await reset.count(4);
    expect(reset.offsets).toEqual([0, 1, 2, 3]);
  });

  it('G14 auto-commit commits processed positions on its threshold and on close; a crash redoes what came after the last commit (at least once)', async (ctx) => {
    const s = await kafkaSession(ctx);
    const topic = s.topic('g14');
    const groupId = s.topic('g14-group');
    await s.createTopic(topic, 1);
    const producer = await s.producer();
    const first = new Seen();
    const c1 = await s.consumer({ groupId });
    const c1Joined = joined(c1);
    await c1.subscribe({ topic, fromBeginning: true });
    await c1.run({ autoCommitThreshold: 3, eachMessage: first.eachMessage });
    await c1Joined;
    await producer.send({ topic, messages: values(0, 2) });
    await first.count(2);
    // Two processed, threshold three: nothing committed yet.
    expect(await s.committed(groupId, topic)).toEqual(['-1']);
    await producer.send({ topic, messages: values(2, 3) });
    await first.count(3);
    await vi.waitFor(async () => expect(await s.committed(groupId, topic)).toEqual(['3']), WAIT);
    await producer.send({ topic, messages: values(3, 5) });
    await first.count(5);
    // Processed 3 and 4, below the next threshold: the crash loses their commit, not the records.
    c1[kCrash]();
    expect(await s.committed(groupId, topic)).toEqual(['3']);

    const second = new Seen();
    const c2 = await s.consumer({ groupId });
    await c2.subscribe({ topic, fromBeginning: true });
    await c2.run({ autoCommitThreshold: 3, eachMessage: second.eachMessage });
    await second.count(2);
    expect(second.offsets).toEqual([3, 4]);
    expect(first.values.concat(second.values)).toEqual(['m0', 'm1', 'm2', 'm3', 'm4', 'm3', 'm4']);
    await c2.disconnect();
    // Disconnect commits what was processed.
    expect(await s.committed(groupId, topic)).toEqual(['5']);
  });
});
