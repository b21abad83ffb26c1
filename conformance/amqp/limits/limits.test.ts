/** L06–L09: message size, name lengths, declare/delete errors and unsupported methods on the AMQP model. */
import type { Channel } from 'amqplib';
import { describe, expect, it } from 'vitest';
import { amqpSession, expectClosedWith, expectCode, withTimeout } from '../../support/amqp.js';
import { notApplicable } from '../../support/target.js';

/** basic.qos and basic.qos-ok method ids (class 60, methods 10 and 11), for amqplib's raw rpc. */
const BASIC_CLASS = 60;
const BASIC_QOS = (BASIC_CLASS << 16) | 10;
const BASIC_QOS_OK = (BASIC_CLASS << 16) | 11;

/** amqplib's channel internals that can send what its public API never sends. */
interface RawAmqplibChannel {
  rpc(method: number, fields: Record<string, unknown>, expect: number): Promise<unknown>;
  sendMessage(fields: Record<string, unknown>, properties: Record<string, unknown>, content: Buffer): boolean;
}

function raw(ch: Channel): RawAmqplibChannel | undefined {
  const candidate = ch as unknown as Partial<RawAmqplibChannel>;
  return typeof candidate.rpc === 'function' && typeof candidate.sendMessage === 'function' ? (candidate as RawAmqplibChannel) : undefined;
}

/** RabbitMQ 3.10's default max_message_size (the core target's 3.10 profile uses the same). */
const MAX_MESSAGE_SIZE_3_10 = 128 * 1024 * 1024;

describe('limits', () => {
  it('L06 (3.10) a body over max_message_size (128 MiB default on 3.10) is 406', async (ctx) => {
    const s = amqpSession(ctx);
    const { ch } = await s.channel();
    const q = await s.serverQueue(ch);
    const c = await s.channel();
    c.ch.sendToQueue(q, Buffer.alloc(MAX_MESSAGE_SIZE_3_10 + 1));
    const e = await expectClosedWith(c.closed, 406);
    expect(e.message).toContain('message size');
    expect((await ch.checkQueue(q)).messageCount).toBe(0);
  }, 60_000);

  it('L07 names, keys and consumer tags of 255 bytes work and of 256 bytes are rejected; the 127-char regexp is not enforced', async (ctx) => {
    const s = amqpSession(ctx);
    const { ch } = await s.channel();
    const long = (n: number): string => `${s.name('')}${'n'.repeat(n)}`.slice(0, n).padEnd(n, 'n');
    const q255 = s.owns('queue', long(255));
    await ch.assertQueue(q255, { exclusive: true });
    const ex255 = s.owns('exchange', long(255).replace(/^./, 'e'));
    await ch.assertExchange(ex255, 'fanout', { durable: false });
    await ch.consume(q255, () => undefined, { consumerTag: 't'.repeat(255) });
    const odd = s.owns('queue', `${s.name('odd')} with spaces/ü:${'x'.repeat(150)}`);
    await ch.assertQueue(odd, { exclusive: true });
    const attempts: ((c: Channel) => Promise<unknown>)[] = [
      (c) => c.assertQueue(s.owns('queue', long(256)), { exclusive: true }),
      (c) => c.assertExchange(s.owns('exchange', long(256)), 'fanout', { durable: false }),
      (c) => c.consume(q255, () => undefined, { consumerTag: 't'.repeat(256) }),
    ];
    for (const attempt of attempts) {
      const { ch: c } = await s.channel();
      let rejected = false;
      try {
        await withTimeout(attempt(c), 5000, 'a 256-byte name');
      } catch {
        rejected = true;
      }
      expect(rejected).toBe(true);
    }
  });

  it('L08 (3.10) an unknown exchange type is 503 COMMAND_INVALID, a connection error, on 3.10 (406 in later releases)', async (ctx) => {
    const s = amqpSession(ctx);
    const conn = await s.connect();
    const { ch } = await s.channel(conn.conn);
    await ch.assertExchange(s.owns('exchange', s.name('weird')), 'no-such-type').catch(() => undefined);
    const e = await expectClosedWith(conn.closed, 503);
    expect(e.message).toContain('no-such-type');
  });

  it('L08 if-unused and if-empty deletes are 406; passive declares of missing entities are 404', async (ctx) => {
    const s = amqpSession(ctx);
    const { ch } = await s.confirmChannel();
    const ex = await s.exchange(ch, 'used', 'fanout');
    const q = await s.queue(ch, 'full');
    await ch.bindQueue(q, ex, '');
    ch.sendToQueue(q, Buffer.from('x'));
    await ch.waitForConfirms();
    const a = await s.channel();
    await expectCode(a.ch.deleteExchange(ex, { ifUnused: true }), 406);
    const b = await s.channel();
    await expectCode(b.ch.deleteQueue(q, { ifEmpty: true }), 406);
    const c = await s.channel();
    await c.ch.consume(q, () => undefined);
    const d = await s.channel();
    await expectCode(d.ch.deleteQueue(q, { ifUnused: true }), 406);
    const e = await s.channel();
    await expectCode(e.ch.checkQueue(s.name('missing')), 404);
    const f = await s.channel();
    await expectCode(f.ch.checkExchange(s.name('missing')), 404);
  });

  it('L09 publish with immediate=true is 540 NOT_IMPLEMENTED, a connection error', async (ctx) => {
    const s = amqpSession(ctx);
    const conn = await s.connect();
    const { ch } = await s.channel(conn.conn);
    const amqplibChannel = raw(ch);
    if (amqplibChannel !== undefined) {
      amqplibChannel.sendMessage({ exchange: '', routingKey: 'x', mandatory: false, immediate: true }, {}, Buffer.from('x'));
    } else {
      // mqlab's client passes immediate through (amqplib always sends false).
      ch.publish('', 'x', Buffer.from('x'), { immediate: true } as Parameters<Channel['publish']>[3]);
    }
    const e = await expectClosedWith(conn.closed, 540);
    expect(e.message).toContain('immediate');
  });

  it('L09 basic.qos with prefetch_size != 0 is 540 NOT_IMPLEMENTED, a connection error', async (ctx) => {
    const s = amqpSession(ctx);
    const conn = await s.connect();
    const { ch } = await s.channel(conn.conn);
    const amqplibChannel = raw(ch);
    if (amqplibChannel === undefined) notApplicable(ctx, "the target's client cannot send prefetch_size != 0 (core covers it in core/routing/vhost/ack.test.ts)");
    await amqplibChannel.rpc(BASIC_QOS, { prefetchSize: 1, prefetchCount: 0, global: false }, BASIC_QOS_OK).catch(() => undefined);
    const e = await expectClosedWith(conn.closed, 540);
    expect(e.message).toContain('prefetch_size');
  });
});
