/** A01–A11: delivery tags, acks and nacks, redelivery, round-robin, prefetch, exclusive consumers, confirms. */
import type { Channel, ConfirmChannel, Message } from 'amqplib';
import { describe, expect, it } from 'vitest';
import { NOTE_VERSION } from '../../notes.js';
import { amqpSession, bodies, drain, expectClosedWith, expectCode, Inbox, sleep, type AmqpSession } from '../../support/amqp.js';

/** amqplib's ack/nack read only `fields.deliveryTag`: a message shell for a bare tag. */
function tag(deliveryTag: number): Message {
  return { fields: { deliveryTag } } as unknown as Message;
}

async function getN(ch: Channel, queue: string, n: number): Promise<Message[]> {
  const out: Message[] = [];
  for (let i = 0; i < n; i++) {
    const m = await ch.get(queue, { noAck: false });
    if (m === false) throw new Error(`queue ${queue} ran dry after ${i}`);
    out.push(m);
  }
  return out;
}

async function filled(s: AmqpSession, n: number, options?: Parameters<Channel['assertQueue']>[1]): Promise<{ ch: ConfirmChannel; queue: string }> {
  const { ch } = await s.confirmChannel();
  const queue = await s.queue(ch, 'q', options);
  for (let i = 1; i <= n; i++) ch.sendToQueue(queue, Buffer.from(String(i)));
  await ch.waitForConfirms();
  return { ch, queue };
}

describe('delivery tags and acks', () => {
  it('A01 tags start at 1 per channel; ack(8, multiple) acks 5..8, ack(8) alone leaves 5..7, ack(0, multiple) acks all', async (ctx) => {
    const s = amqpSession(ctx);
    for (const [settle, left] of [['multi', 0], ['single', 3], ['all', 0]] as const) {
      const { queue } = await filled(s, 8);
      const { ch } = await s.channel();
      const got = await getN(ch, queue, 8);
      expect(got.map((m) => m.fields.deliveryTag)).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
      for (const m of got.slice(0, 4)) ch.ack(m);
      if (settle === 'multi') ch.ack(tag(8), true);
      else if (settle === 'single') ch.ack(tag(8), false);
      else ch.ackAll();
      await ch.close(); // requeues what is still unacked
      const { ch: probe } = await s.channel();
      expect((await probe.checkQueue(queue)).messageCount, settle).toBe(left);
      const other = await s.channel();
      const first = await other.ch.get(queue, { noAck: true });
      if (left > 0) expect(first !== false && first.fields.deliveryTag).toBe(1);
      await probe.deleteQueue(queue);
    }
  });

  it('A02 a double ack is 406 "unknown delivery tag 1"; the channel closes and its unacked messages are requeued', async (ctx) => {
    const s = amqpSession(ctx);
    const { queue } = await filled(s, 2);
    const c = await s.channel();
    const [m1] = await getN(c.ch, queue, 2);
    if (m1 === undefined) throw new Error('no message');
    c.ch.ack(m1);
    c.ch.ack(m1);
    const e = await expectClosedWith(c.closed, 406);
    expect(e.message).toContain('unknown delivery tag 1');
    const { ch } = await s.channel();
    const again = await ch.get(queue, { noAck: true });
    expect(again !== false && [again.content.toString(), again.fields.redelivered]).toEqual(['2', true]);
  });

  it('A02 an unknown tag, a tag from another channel and a multiple-ack whose own tag is settled are 406', async (ctx) => {
    const s = amqpSession(ctx);
    const { queue } = await filled(s, 4);
    const unknown = await s.channel();
    unknown.ch.ack(tag(5));
    expect((await expectClosedWith(unknown.closed, 406)).message).toContain('unknown delivery tag 5');
    const owner = await s.channel();
    await getN(owner.ch, queue, 1);
    const stranger = await s.channel();
    stranger.ch.ack(tag(1));
    await expectClosedWith(stranger.closed, 406);
    const multi = await s.channel();
    const [a, b] = await getN(multi.ch, queue, 2);
    if (a === undefined || b === undefined) throw new Error('no message');
    multi.ch.ack(b);
    multi.ch.ack(b, true);
    expect((await expectClosedWith(multi.closed, 406)).message).toContain('unknown delivery tag 2');
    expect(owner.errors).toEqual([]);
  });
});

describe('nack, requeue and redelivery', () => {
  it('A03 nack(3, multiple, requeue) redelivers 1,2,3 in order; ack(last, multiple) clears all four', async (ctx) => {
    const s = amqpSession(ctx);
    const { queue } = await filled(s, 4);
    const { ch } = await s.channel();
    const inbox = new Inbox();
    const { consumerTag } = await ch.consume(queue, inbox.onMessage);
    await inbox.until(4);
    ch.nack(tag(3), true, true);
    const all = await inbox.until(7);
    const again = all.slice(4);
    expect(again.map((m) => [m.content.toString(), m.fields.redelivered])).toEqual([['1', true], ['2', true], ['3', true]]);
    const last = again[2];
    if (last === undefined) throw new Error('no message');
    ch.ack(last, true);
    await ch.cancel(consumerTag);
    await ch.close();
    const { ch: probe } = await s.channel();
    expect((await probe.checkQueue(queue)).messageCount).toBe(0);
  });

  it('A04 redelivered is false first and true after requeue; requeued messages keep their original position', async (ctx) => {
    const s = amqpSession(ctx);
    const { queue } = await filled(s, 4);
    const { ch } = await s.channel();
    const got = await getN(ch, queue, 3);
    expect(got.map((m) => m.fields.redelivered)).toEqual([false, false, false]);
    const second = got[1];
    if (second === undefined) throw new Error('no message');
    ch.reject(second, true);
    await ch.close();
    const { ch: reader } = await s.channel();
    const after = await drain(reader, queue);
    expect(after.map((m) => [m.content.toString(), m.fields.redelivered])).toEqual([['1', true], ['2', true], ['3', true], ['4', false]]);
  });

  it('A05 round-robin: C1 gets 1,3 and C2 gets 2,4; closing C1\'s channel gives C2 1 then 3', async (ctx) => {
    const s = amqpSession(ctx);
    const { ch } = await s.confirmChannel();
    const queue = await s.queue(ch, 'rr');
    const c1 = await s.channel();
    const c2 = await s.channel();
    const in1 = new Inbox();
    const in2 = new Inbox();
    await c1.ch.consume(queue, in1.onMessage);
    await c2.ch.consume(queue, in2.onMessage);
    for (let i = 1; i <= 4; i++) ch.sendToQueue(queue, Buffer.from(String(i)));
    await ch.waitForConfirms();
    expect(bodies(await in1.until(2))).toEqual(['1', '3']);
    expect(bodies(await in2.until(2))).toEqual(['2', '4']);
    await c1.ch.close();
    const all = await in2.until(4);
    expect(all.slice(2).map((m) => [m.content.toString(), m.fields.redelivered])).toEqual([['1', true], ['3', true]]);
  });

  it('A06 channel close requeues manual-ack deliveries; auto-ack deliveries are gone', async (ctx) => {
    const s = amqpSession(ctx);
    const { ch, queue } = await filled(s, 2);
    const manual = await s.channel();
    const inbox = new Inbox();
    await manual.ch.prefetch(1);
    await manual.ch.consume(queue, inbox.onMessage);
    await inbox.until(1);
    await manual.ch.close();
    const auto = await s.channel();
    const autoInbox = new Inbox();
    await auto.ch.consume(queue, autoInbox.onMessage, { noAck: true });
    await autoInbox.until(2);
    await auto.ch.close();
    expect((await ch.checkQueue(queue)).messageCount).toBe(0);
    expect(autoInbox.messages.map((m) => [m.content.toString(), m.fields.redelivered])).toEqual([['1', true], ['2', false]]);
  });

  it('A06 basic.cancel does not requeue in-flight deliveries, which can still be acked', async (ctx) => {
    const s = amqpSession(ctx);
    const { ch, queue } = await filled(s, 2);
    const c = await s.channel();
    const inbox = new Inbox();
    const { consumerTag } = await c.ch.consume(queue, inbox.onMessage);
    await inbox.until(2);
    await c.ch.cancel(consumerTag);
    expect((await ch.checkQueue(queue)).messageCount).toBe(0);
    for (const m of inbox.messages) c.ch.ack(m);
    await c.ch.close();
    expect(c.errors).toEqual([]);
    expect((await ch.checkQueue(queue)).messageCount).toBe(0);
  });

  it('A07 reject/nack with requeue=false dead-letters when the queue has a DLX, else discards', async (ctx) => {
    const s = amqpSession(ctx);
    const { ch } = await s.confirmChannel();
    const dlx = await s.exchange(ch, 'dlx', 'fanout');
    const dlq = await s.serverQueue(ch);
    await ch.bindQueue(dlq, dlx, '');
    const withDlx = await s.queue(ch, 'with', { arguments: { 'x-dead-letter-exchange': dlx } });
    const without = await s.queue(ch, 'without');
    for (const q of [withDlx, without]) {
      ch.sendToQueue(q, Buffer.from('r'));
      ch.sendToQueue(q, Buffer.from('n'));
    }
    await ch.waitForConfirms();
    const { ch: c } = await s.channel();
    for (const q of [withDlx, without]) {
      const [r, n] = await getN(c, q, 2);
      if (r === undefined || n === undefined) throw new Error('no message');
      c.reject(r, false);
      c.nack(n, false, false);
    }
    await c.close();
    await sleep(s.quietMs);
    const dead = await drain(ch, dlq);
    expect(bodies(dead)).toEqual(['r', 'n']);
    expect((await ch.checkQueue(without)).messageCount).toBe(0);
    expect((await ch.checkQueue(withDlx)).messageCount).toBe(0);
  });
});

describe('prefetch', () => {
  it('A08 qos(N, false) keeps at most N unacked per consumer; one ack releases one; 0 is unlimited', async (ctx) => {
    const s = amqpSession(ctx);
    const { queue } = await filled(s, 6);
    const { ch } = await s.channel();
    await ch.prefetch(2);
    const inbox = new Inbox();
    await ch.consume(queue, inbox.onMessage);
    await inbox.until(2);
    await sleep(s.quietMs);
    expect(inbox.messages.length).toBe(2);
    const first = inbox.messages[0];
    if (first === undefined) throw new Error('no message');
    ch.ack(first);
    await inbox.until(3);
    await sleep(s.quietMs);
    expect(inbox.messages.length).toBe(3);
    const { ch: free } = await s.channel();
    await free.prefetch(0);
    const all = new Inbox();
    await ch.close();
    await free.consume(queue, all.onMessage);
    await all.until(5);
  });

  it('A08 (3.10) qos(10, false) + qos(15, true): at most 10 per consumer and 15 over the channel', async (ctx) => {
    const s = amqpSession(ctx);
    const { queue } = await filled(s, 40);
    const { ch } = await s.channel();
    await ch.prefetch(10, false);
    await ch.prefetch(15, true);
    const a = new Inbox();
    const b = new Inbox();
    await ch.consume(queue, a.onMessage);
    await ch.consume(queue, b.onMessage);
    await a.until(1);
    await sleep(s.quietMs * 2);
    expect(a.messages.length).toBeLessThanOrEqual(10);
    expect(b.messages.length).toBeLessThanOrEqual(10);
    expect(a.messages.length + b.messages.length).toBe(15);
  });

  it('A09 basic.get ignores prefetch', async (ctx) => {
    const s = amqpSession(ctx);
    const { queue } = await filled(s, 3);
    const { ch } = await s.channel();
    await ch.prefetch(1);
    const got = await getN(ch, queue, 3);
    expect(bodies(got)).toEqual(['1', '2', '3']);
  });

  it('A09 (version flag) global=true treated per consumer when global_qos is denied (RabbitMQ 4.x only)', (ctx) => {
    amqpSession(ctx);
    ctx.skip(`${NOTE_VERSION}global_qos denial is a RabbitMQ 4.x setting; on 3.10 global=true limits the channel (A08)`);
  });
});

describe('exclusive consumers', () => {
  it('A10 a second consumer on an exclusively consumed queue, or an exclusive consume on a busy queue, is 403', async (ctx) => {
    const s = amqpSession(ctx);
    const { ch } = await s.channel();
    const excl = await s.queue(ch, 'excl');
    const busy = await s.queue(ch, 'busy');
    await ch.consume(excl, () => undefined, { exclusive: true });
    await ch.consume(busy, () => undefined);
    const a = await s.channel();
    expect((await expectCode(a.ch.consume(excl, () => undefined), 403)).message).toContain('in exclusive use');
    const b = await s.channel();
    expect((await expectCode(b.ch.consume(busy, () => undefined, { exclusive: true }), 403)).message).toContain('in exclusive use');
  });
});

describe('publisher confirms', () => {
  it('A11 confirms are numbered from 1 and every publish is acked exactly once', async (ctx) => {
    const s = amqpSession(ctx);
    const { ch } = await s.confirmChannel();
    const queue = await s.serverQueue(ch);
    const outcomes: string[] = [];
    for (let i = 0; i < 50; i++) {
      ch.sendToQueue(queue, Buffer.from(String(i)), {}, (err: unknown) => outcomes.push(err === null || err === undefined ? 'ack' : 'nack'));
    }
    await ch.waitForConfirms();
    expect(outcomes).toEqual(Array<string>(50).fill('ack'));
  });

  it('A11 a publish refused by reject-publish is nacked, never acked too; another routed queue still enqueues', async (ctx) => {
    const s = amqpSession(ctx);
    const { ch } = await s.confirmChannel();
    const full = await s.queue(ch, 'full', { arguments: { 'x-max-length': 1, 'x-overflow': 'reject-publish' } });
    const other = await s.serverQueue(ch);
    const ex = await s.exchange(ch, 'fan', 'fanout');
    await ch.bindQueue(full, ex, '');
    await ch.bindQueue(other, ex, '');
    const outcomes: string[] = [];
    for (const body of ['a', 'b']) ch.publish(ex, '', Buffer.from(body), {}, (err: unknown) => outcomes.push(`${body}:${err === null || err === undefined ? 'ack' : 'nack'}`));
    await ch.waitForConfirms().catch(() => undefined);
    await sleep(s.quietMs);
    expect(outcomes).toEqual(['a:ack', 'b:nack']);
    expect(bodies(await drain(ch, other))).toEqual(['a', 'b']);
    expect(bodies(await drain(ch, full))).toEqual(['a']);
  });
});
