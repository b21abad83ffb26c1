/** A12–A20: max-length, dead-lettering, TTL, argument validation, queue lifetimes, server-named queues, redeclare. */
import type { ConfirmChannel, GetMessage } from 'amqplib';
import { describe, expect, it } from 'vitest';
import { amqpSession, bodies, drain, expectCode, sleep, withTimeout, type AmqpSession } from '../../support/amqp.js';

/** A DLX (fanout) with one server-named queue behind it. */
async function deadLetterSink(s: AmqpSession, ch: ConfirmChannel): Promise<{ dlx: string; dlq: string }> {
  const dlx = await s.exchange(ch, 'dlx', 'fanout');
  const dlq = await s.serverQueue(ch);
  await ch.bindQueue(dlq, dlx, '');
  return { dlx, dlq };
}

const headersOf = (m: GetMessage | undefined): Record<string, unknown> => m?.properties.headers ?? {};

async function eventually<T>(probe: () => Promise<T>, done: (value: T) => boolean, what: string, ms = 5000): Promise<T> {
  return withTimeout(
    (async () => {
      for (;;) {
        const v = await probe();
        if (done(v)) return v;
        await sleep(25);
      }
    })(),
    ms,
    what,
  );
}

describe('max-length', () => {
  it('A12 x-max-length=1 drop-head: publishing 3 leaves [msg3]; the DLQ gets msg1, msg2 with reason maxlen', async (ctx) => {
    const s = amqpSession(ctx);
    const { ch } = await s.confirmChannel();
    const { dlx, dlq } = await deadLetterSink(s, ch);
    const q = await s.queue(ch, 'ml', { arguments: { 'x-max-length': 1, 'x-dead-letter-exchange': dlx } });
    for (const b of ['msg1', 'msg2', 'msg3']) ch.sendToQueue(q, Buffer.from(b));
    await ch.waitForConfirms();
    expect(bodies(await drain(ch, q))).toEqual(['msg3']);
    const dead = await eventually(() => drain(ch, dlq), (d) => d.length > 0, 'dead letters').then(async (d) => [...d, ...(await drain(ch, dlq))]);
    expect(bodies(dead)).toEqual(['msg1', 'msg2']);
    const death = (headersOf(dead[0])['x-death'] as Record<string, unknown>[] | undefined)?.[0];
    expect(death).toMatchObject({ reason: 'maxlen', queue: q, count: 1 });
  });

  it('A13 reject-publish discards the newest and nacks it; only ready messages count; bytes count bodies only', async (ctx) => {
    const s = amqpSession(ctx);
    const { ch } = await s.confirmChannel();
    const q = await s.queue(ch, 'rp', { arguments: { 'x-max-length': 2, 'x-overflow': 'reject-publish' } });
    const outcomes: string[] = [];
    const send = (body: string): void => {
      ch.sendToQueue(q, Buffer.from(body), {}, (err: unknown) => outcomes.push(`${body}:${err === null || err === undefined ? 'ack' : 'nack'}`));
    };
    for (const b of ['1', '2', '3']) send(b);
    await ch.waitForConfirms().catch(() => undefined);
    const { ch: c } = await s.channel();
    const held = await c.get(q, { noAck: false }); // "1" becomes unacked: no longer counts
    expect(held !== false && held.content.toString()).toBe('1');
    send('4');
    await ch.waitForConfirms().catch(() => undefined);
    expect(outcomes).toEqual(['1:ack', '2:ack', '3:nack', '4:ack']);
    expect(bodies(await drain(ch, q))).toEqual(['2', '4']);

    const qb = await s.queue(ch, 'bytes', { arguments: { 'x-max-length-bytes': 10, 'x-overflow': 'reject-publish' } });
    outcomes.length = 0;
    ch.sendToQueue(qb, Buffer.from('0123456789'), { headers: { big: 'x'.repeat(100) } }, (err: unknown) => outcomes.push(err == null ? 'ack' : 'nack'));
    ch.sendToQueue(qb, Buffer.from('z'), {}, (err: unknown) => outcomes.push(err == null ? 'ack' : 'nack'));
    await ch.waitForConfirms().catch(() => undefined);
    expect(outcomes).toEqual(['ack', 'nack']);
  });
});

describe('dead-lettering', () => {
  it('A14 (3.10) x-death records queue, reason, count, exchange, routing-keys, time; x-first-death-* set; no x-last-death-* on 3.10', async (ctx) => {
    const s = amqpSession(ctx);
    const { ch } = await s.confirmChannel();
    const { dlx, dlq } = await deadLetterSink(s, ch);
    const src = await s.exchange(ch, 'src', 'direct');
    const q = await s.queue(ch, 'work', { arguments: { 'x-dead-letter-exchange': dlx } });
    await ch.bindQueue(q, src, 'job');
    ch.publish(src, 'job', Buffer.from('x'));
    await ch.waitForConfirms();
    const m = await ch.get(q, { noAck: false });
    if (m === false) throw new Error('no message');
    ch.reject(m, false);
    const [dead] = await eventually(() => drain(ch, dlq), (d) => d.length > 0, 'dead letter');
    const headers = headersOf(dead);
    const death = (headers['x-death'] as Record<string, unknown>[])[0];
    expect(death).toMatchObject({ queue: q, reason: 'rejected', count: 1, exchange: src, 'routing-keys': ['job'] });
    expect(death?.['time']).toBeDefined();
    expect(headers).toMatchObject({ 'x-first-death-queue': q, 'x-first-death-reason': 'rejected', 'x-first-death-exchange': src });
    expect(Object.keys(headers).filter((k) => k.startsWith('x-last-death'))).toEqual([]);
  });

  it('A14 a dead-letter routing key replaces the keys and drops CC; BCC never reaches a delivery', async (ctx) => {
    const s = amqpSession(ctx);
    const { ch } = await s.confirmChannel();
    const ex = await s.exchange(ch, 'dx', 'direct');
    const dlq = await s.serverQueue(ch);
    const cc = await s.serverQueue(ch);
    await ch.bindQueue(dlq, ex, 'dlq');
    await ch.bindQueue(cc, ex, 'cc');
    const q = await s.queue(ch, 'q', { arguments: { 'x-dead-letter-exchange': ex, 'x-dead-letter-routing-key': 'dlq' } });
    await ch.bindQueue(q, ex, 'src');
    ch.publish(ex, 'src', Buffer.from('x'), { CC: 'cc', BCC: 'bcc' });
    await ch.waitForConfirms();
    expect(bodies(await drain(ch, cc))).toEqual(['x']);
    const m = await ch.get(q, { noAck: false });
    if (m === false) throw new Error('no message');
    expect(headersOf(m)['BCC']).toBeUndefined();
    ch.reject(m, false);
    const [dead] = await eventually(() => drain(ch, dlq), (d) => d.length > 0, 'dead letter');
    expect(dead?.fields.routingKey).toBe('dlq');
    expect(headersOf(dead)['CC']).toBeUndefined();
    expect(headersOf(dead)['BCC']).toBeUndefined();
    expect((headersOf(dead)['x-death'] as Record<string, unknown>[])[0]?.['routing-keys']).toEqual(['src', 'cc']);
    await sleep(s.quietMs);
    expect(await drain(ch, cc)).toEqual([]);
  });

  it('A15 a maxlen self-cycle is dropped; a reject self-cycle is republished; a missing DLX drops silently', async (ctx) => {
    const s = amqpSession(ctx);
    const { ch } = await s.confirmChannel();
    const self = s.name('self');
    await s.queue(ch, 'self', { arguments: { 'x-max-length': 1, 'x-dead-letter-exchange': '', 'x-dead-letter-routing-key': self } });
    ch.sendToQueue(self, Buffer.from('1'));
    ch.sendToQueue(self, Buffer.from('2'));
    await ch.waitForConfirms();
    await sleep(s.quietMs);
    expect(bodies(await drain(ch, self))).toEqual(['2']);

    const rej = s.name('rej');
    await s.queue(ch, 'rej', { arguments: { 'x-dead-letter-exchange': '', 'x-dead-letter-routing-key': rej } });
    ch.sendToQueue(rej, Buffer.from('r'));
    await ch.waitForConfirms();
    const m = await ch.get(rej, { noAck: false });
    if (m === false) throw new Error('no message');
    ch.reject(m, false);
    const [again] = await eventually(() => drain(ch, rej), (d) => d.length > 0, 'republished');
    expect(again && [again.content.toString(), again.fields.redelivered]).toEqual(['r', false]);

    const orphan = await s.queue(ch, 'orphan', { arguments: { 'x-dead-letter-exchange': s.name('no-such-exchange') } });
    ch.sendToQueue(orphan, Buffer.from('o'));
    await ch.waitForConfirms();
    const o = await ch.get(orphan, { noAck: false });
    if (o === false) throw new Error('no message');
    ch.reject(o, false);
    await sleep(s.quietMs);
    expect((await ch.checkQueue(orphan)).messageCount).toBe(0);
  });
});

describe('TTL', () => {
  it('A16 the effective TTL is min(queue, message); expired messages are never delivered and dead-letter as expired', async (ctx) => {
    const s = amqpSession(ctx);
    const { ch } = await s.confirmChannel();
    const { dlx, dlq } = await deadLetterSink(s, ch);
    const q = await s.queue(ch, 'ttl', { arguments: { 'x-message-ttl': 10_000, 'x-dead-letter-exchange': dlx } });
    ch.sendToQueue(q, Buffer.from('short'), { expiration: '50' });
    ch.sendToQueue(q, Buffer.from('long'), { expiration: '60000' });
    const q2 = await s.queue(ch, 'ttl2', { arguments: { 'x-message-ttl': 50 } });
    ch.sendToQueue(q2, Buffer.from('queue-ttl'), { expiration: '60000' });
    await ch.waitForConfirms();
    await sleep(300);
    expect(bodies(await drain(ch, q))).toEqual(['long']);
    expect(await drain(ch, q2)).toEqual([]);
    const [dead] = await eventually(() => drain(ch, dlq), (d) => d.length > 0, 'expired dead letter');
    expect(dead?.content.toString()).toBe('short');
    expect((headersOf(dead)['x-death'] as Record<string, unknown>[])[0]).toMatchObject({ reason: 'expired', 'original-expiration': '50' });
    expect(dead?.properties.expiration).toBeUndefined();
  });

  it('A16 TTL 0 expires unless a consumer can take the message at once; a requeued message keeps its expiry', async (ctx) => {
    const s = amqpSession(ctx);
    const { ch } = await s.confirmChannel();
    const q = await s.queue(ch, 'zero');
    ch.sendToQueue(q, Buffer.from('gone'), { expiration: '0' });
    await ch.waitForConfirms();
    expect(await drain(ch, q)).toEqual([]);
    const got: string[] = [];
    await ch.consume(q, (m) => { if (m !== null) got.push(m.content.toString()); }, { noAck: true });
    ch.sendToQueue(q, Buffer.from('taken'), { expiration: '0' });
    await ch.waitForConfirms();
    await eventually(() => Promise.resolve(got.length), (n) => n > 0, 'ttl 0 delivery');
    expect(got).toEqual(['taken']);

    const r = await s.queue(ch, 'requeue');
    ch.sendToQueue(r, Buffer.from('r'), { expiration: '200' });
    await ch.waitForConfirms();
    const { ch: c } = await s.channel();
    const held = await c.get(r, { noAck: false });
    expect(held).not.toBe(false);
    await sleep(350);
    await c.close(); // requeued after its expiry passed
    await sleep(s.quietMs);
    expect(await drain(ch, r)).toEqual([]);
  });
});

describe('arguments', () => {
  it('A17 invalid expirations are 406', async (ctx) => {
    const s = amqpSession(ctx);
    const { ch } = await s.channel();
    const q = await s.queue(ch, 'exp');
    for (const expiration of ['abc', '-1', '1x', '315360000001']) {
      const c = await s.channel();
      c.ch.sendToQueue(q, Buffer.from('x'), { expiration });
      const e = await withTimeout(c.closed, 5000, `close for expiration ${expiration}`);
      expect(e?.code, expiration).toBe(406);
      expect(e?.message).toContain('invalid expiration');
    }
    const ok = await s.confirmChannel();
    for (const expiration of ['0', '315360000000']) ok.ch.sendToQueue(q, Buffer.from('x'), { expiration });
    await ok.ch.waitForConfirms();
  });

  it('A17 invalid queue arguments are 406 and declare nothing', async (ctx) => {
    const s = amqpSession(ctx);
    const bad: Record<string, unknown>[] = [
      { 'x-expires': 0 }, { 'x-message-ttl': -1 }, { 'x-max-length': -1 }, { 'x-overflow': 'foo' },
      { 'x-dead-letter-routing-key': 'rk' }, { 'x-max-priority': 256 },
    ];
    for (const args of bad) {
      const { ch } = await s.channel();
      const name = s.owns('queue', s.name(`bad-${Object.keys(args)[0] ?? ''}`));
      await expectCode(ch.assertQueue(name, { arguments: args }), 406);
      const probe = await s.channel();
      await expectCode(probe.ch.checkQueue(name), 404);
    }
  });
});

describe('queue lifetimes and names', () => {
  it('A18 x-expires deletes an unused queue without dead-lettering its messages', async (ctx) => {
    const s = amqpSession(ctx);
    const { ch } = await s.confirmChannel();
    const { dlx, dlq } = await deadLetterSink(s, ch);
    const q = await s.queue(ch, 'expiring', { arguments: { 'x-expires': 200, 'x-dead-letter-exchange': dlx } });
    ch.sendToQueue(q, Buffer.from('m'));
    await ch.waitForConfirms();
    // Any declare of the queue, passive included, counts as use and postpones expiry: look once.
    await sleep(700);
    const probe = await s.channel();
    await expectCode(probe.ch.checkQueue(q), 404);
    expect(await drain(ch, dlq)).toEqual([]);
  });

  it('A18 an exclusive queue is 405 to other connections, ignores durable, and goes with its owner', async (ctx) => {
    const s = amqpSession(ctx);
    const owner = await s.connect();
    const { ch } = await s.channel(owner.conn);
    const q = await s.queue(ch, 'excl', { exclusive: true, durable: true });
    const other = await s.connect();
    const { ch: stranger } = await s.channel(other.conn);
    expect((await expectCode(stranger.checkQueue(q), 405)).message).toContain('exclusive');
    await owner.conn.close();
    const { ch: after } = await s.channel(other.conn);
    await expectCode(after.checkQueue(q), 404);
  });

  it('A18 auto-delete: the queue goes when its last consumer goes; never consumed, it stays', async (ctx) => {
    const s = amqpSession(ctx);
    const { ch } = await s.channel();
    const never = await s.queue(ch, 'never', { autoDelete: true });
    const used = await s.queue(ch, 'used', { autoDelete: true });
    const c = await s.channel();
    const a = await c.ch.consume(used, () => undefined);
    const b = await c.ch.consume(used, () => undefined);
    await c.ch.cancel(a.consumerTag);
    expect((await ch.checkQueue(used)).consumerCount).toBe(1);
    await c.ch.cancel(b.consumerTag);
    await sleep(s.quietMs);
    const probe = await s.channel();
    await expectCode(probe.ch.checkQueue(used), 404);
    expect(await ch.checkQueue(never)).toMatchObject({ queue: never });
  });

  it('A19 "" declares a server-named amq.gen- queue; "" later means the last declared; none declared is 404', async (ctx) => {
    const s = amqpSession(ctx);
    const { ch } = await s.channel();
    const fresh = await s.channel();
    await expectCode(fresh.ch.checkQueue(''), 404);
    const { queue } = await ch.assertQueue('', { exclusive: true });
    expect(queue).toMatch(/^amq\.gen-/);
    await ch.bindQueue('', 'amq.fanout', '');
    ch.publish('amq.fanout', '', Buffer.from('via-last'));
    await sleep(s.quietMs);
    const got = await ch.get('', { noAck: true });
    expect(got !== false && got.content.toString()).toBe('via-last');
    await ch.unbindQueue(queue, 'amq.fanout', '');
  });

  it('A20 a redeclare with other durable, exclusive, auto-delete or arguments is 406 inequivalent arg', async (ctx) => {
    const s = amqpSession(ctx);
    const { ch } = await s.channel();
    const q = await s.queue(ch, 'redecl', { durable: false, arguments: { 'x-max-length': 5 } });
    const variants = [
      { durable: true, arguments: { 'x-max-length': 5 } },
      { durable: false, autoDelete: true, arguments: { 'x-max-length': 5 } },
      { durable: false, arguments: { 'x-max-length': 6 } },
      { durable: false },
    ];
    for (const options of variants) {
      const c = await s.channel();
      expect((await expectCode(c.ch.assertQueue(q, options), 406)).message).toContain('inequivalent arg');
    }
    const c = await s.channel();
    await expectCode(c.ch.assertQueue(q, { durable: false, exclusive: true, arguments: { 'x-max-length': 5 } }), 405);
  });
});
