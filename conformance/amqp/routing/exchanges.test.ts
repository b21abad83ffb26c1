/**
 * R11–R20: direct, fanout and headers exchanges, the default and reserved exchanges,
 * exchange-to-exchange bindings, alternate exchanges, mandatory and publish errors, and the firehose.
 */
import type { ConsumeMessage } from 'amqplib';
import { describe, expect, it, onTestFinished } from 'vitest';
import { amqpSession, bodies, drain, expectClosedWith, expectCode, Inbox, sleep, withTimeout } from '../../support/amqp.js';
import { byLabel, routingFixture, type Binding, type Publication } from '../../support/routing.js';
import { requires } from '../../support/target.js';

describe('direct and fanout', () => {
  it('R11 direct routes exactly and case-sensitively; two queues on black both receive; fanout ignores the key', async (ctx) => {
    const s = amqpSession(ctx);
    const direct = await routingFixture(s, 'direct', ['B1', 'B2', 'Upper', 'green']);
    const bindings: Binding[] = [
      { pattern: 'black', destination: 'B1' }, { pattern: 'black', destination: 'B2' },
      { pattern: 'Black', destination: 'Upper' }, { pattern: 'green', destination: 'green' },
    ];
    for (const b of bindings) await direct.bind(b);
    const keys = ['black', 'Black', 'BLACK', 'green', 'orange', 'black.x'];
    expect(byLabel(await direct.route(keys.map((k) => ({ label: k, routingKey: k }))), keys)).toEqual({
      black: ['B1', 'B2'], Black: ['Upper'], BLACK: [], green: ['green'], orange: [], 'black.x': [],
    });

    const fanout = await routingFixture(s, 'fanout', ['F1', 'F2']);
    await fanout.bind({ pattern: 'ignored', destination: 'F1' });
    await fanout.bind({ pattern: '', destination: 'F2' });
    const fk = ['', 'anything', 'ignored'];
    expect(byLabel(await fanout.route(fk.map((k) => ({ label: k, routingKey: k }))), fk)).toEqual({
      '': ['F1', 'F2'], anything: ['F1', 'F2'], ignored: ['F1', 'F2'],
    });
  });
});

async function headersRoute(
  s: ReturnType<typeof amqpSession>,
  bindings: readonly Binding[],
  publications: readonly Publication[],
): Promise<Record<string, string[]>> {
  const f = await routingFixture(s, 'headers', bindings.map((b) => b.destination));
  for (const b of bindings) await f.bind(b);
  return byLabel(await f.route(publications), publications.map((p) => p.label));
}

describe('headers exchange', () => {
  it('R12 all needs every header, any needs one: Q={msg1}, AltQ={msg1,msg2}', async (ctx) => {
    const s = amqpSession(ctx);
    const got = await headersRoute(
      s,
      [
        { destination: 'Q', pattern: '', args: { 'x-match': 'all', foo: 'bar', fuz: 'baz' } },
        { destination: 'AltQ', pattern: '', args: { 'x-match': 'any', foo: 'bar', fuz: 'baz' } },
      ],
      [
        { label: 'msg1', routingKey: '', headers: { foo: 'bar', fuz: 'baz', extra: 'x' } },
        { label: 'msg2', routingKey: '', headers: { foo: 'bar' } },
        { label: 'msg3', routingKey: '' },
      ],
    );
    expect(got).toEqual({ msg1: ['AltQ', 'Q'], msg2: ['AltQ'], msg3: [] });
  });

  it('R13 with-x modes compare x- headers, and a void argument matches on presence only', async (ctx) => {
    const s = amqpSession(ctx);
    const got = await headersRoute(
      s,
      [
        { destination: 'QAll', pattern: '', args: { 'x-match': 'all-with-x', 'x-trace': null, region: 'eu' } },
        { destination: 'QAny', pattern: '', args: { 'x-match': 'any-with-x', 'x-trace': null, region: 'eu' } },
      ],
      [
        { label: 'msg1', routingKey: '', headers: { 'x-trace': 'on', region: 'eu' } },
        { label: 'msg2', routingKey: '', headers: { 'x-trace': null } },
        { label: 'msg3', routingKey: '', headers: { region: 'eu', other: 'o' } },
        { label: 'msg4', routingKey: '', headers: { region: 'us', trace: 'x' } },
        { label: 'msg5', routingKey: '' },
      ],
    );
    expect(got).toEqual({ msg1: ['QAll', 'QAny'], msg2: ['QAny'], msg3: ['QAny'], msg4: [], msg5: [] });
  });

  it('R14 x- arguments are ignored under all/any; {x-match: all} alone matches all, {x-match: any} alone none', async (ctx) => {
    const s = amqpSession(ctx);
    const got = await headersRoute(
      s,
      [
        { destination: 'allX', pattern: '', args: { 'x-match': 'all', 'x-tenant': 'a', format: 'pdf' } },
        { destination: 'anyX', pattern: '', args: { 'x-match': 'any', 'x-tenant': 'a' } },
        { destination: 'allAlone', pattern: '', args: { 'x-match': 'all' } },
        { destination: 'anyAlone', pattern: '', args: { 'x-match': 'any' } },
      ],
      [
        { label: 'pdf', routingKey: '', headers: { format: 'pdf' } },
        { label: 'tenant', routingKey: '', headers: { 'x-tenant': 'a' } },
        { label: 'none', routingKey: '' },
      ],
    );
    expect(got).toEqual({ pdf: ['allAlone', 'allX'], tenant: ['allAlone'], none: ['allAlone'] });
  });

  it('R14 an invalid x-match value fails the bind with 406', async (ctx) => {
    const s = amqpSession(ctx);
    const { ch } = await s.channel();
    const ex = await s.exchange(ch, 'r14', 'headers');
    const q = await s.serverQueue(ch);
    const { ch: other } = await s.channel();
    const e = await expectCode(other.bindQueue(q, ex, '', { 'x-match': 'some' }), 406);
    expect(e.message).toContain('Invalid x-match field value');
  });
});

describe('default and reserved exchanges', () => {
  it('R15 the default exchange routes to the queue named by the key; an unknown name is unroutable', async (ctx) => {
    const s = amqpSession(ctx);
    const { ch } = await s.confirmChannel();
    const q = await s.serverQueue(ch);
    const returned: string[] = [];
    ch.on('return', (m: ConsumeMessage) => returned.push(m.content.toString()));
    ch.publish('', q, Buffer.from('to-q'));
    ch.publish('', s.name('missing'), Buffer.from('lost'), { mandatory: true });
    await ch.waitForConfirms();
    expect(bodies(await drain(ch, q))).toEqual(['to-q']);
    expect(returned).toEqual(['lost']);
  });

  it('R16 bind, unbind, declare and delete on the default exchange are 403', async (ctx) => {
    const s = amqpSession(ctx);
    const { ch } = await s.channel();
    const q = await s.serverQueue(ch);
    const ops: ((c: Awaited<ReturnType<typeof s.channel>>['ch']) => Promise<unknown>)[] = [
      (c) => c.bindQueue(q, '', q),
      (c) => c.unbindQueue(q, '', q),
      (c) => c.assertExchange('', 'direct'),
      (c) => c.deleteExchange(''),
    ];
    for (const op of ops) {
      const { ch: c } = await s.channel();
      const e = await expectCode(op(c), 403);
      expect(e.message).toContain('operation not permitted on the default exchange');
    }
  });

  it('R16 declaring a new amq.* exchange and deleting an amq.* exchange are 403; amq.direct redeclares as it is', async (ctx) => {
    const s = amqpSession(ctx);
    const a = await s.channel();
    await expectCode(a.ch.assertExchange(`amq.${s.name('x')}`, 'direct'), 403);
    const b = await s.channel();
    await expectCode(b.ch.deleteExchange('amq.direct'), 403);
    const c = await s.channel();
    expect(await c.ch.assertExchange('amq.direct', 'direct', { durable: true })).toMatchObject({ exchange: 'amq.direct' });
  });
});

describe('exchange-to-exchange and alternate exchanges', () => {
  it('R17 a chain delivers, several paths give one copy per queue, a cycle ends', async (ctx) => {
    const s = amqpSession(ctx);
    const { ch } = await s.confirmChannel();
    const src = await s.exchange(ch, 'src', 'topic');
    const mid = await s.exchange(ch, 'mid', 'fanout');
    const dst = await s.exchange(ch, 'dst', 'fanout');
    await ch.bindExchange(mid, src, '#');
    await ch.bindExchange(dst, src, 'a.*');
    await ch.bindExchange(dst, mid, '');
    await ch.bindExchange(src, dst, '#'); // the cycle src → dst → src
    const qMid = await s.serverQueue(ch);
    const qDst = await s.serverQueue(ch);
    await ch.bindQueue(qMid, mid, '');
    await ch.bindQueue(qDst, dst, '');
    ch.publish(src, 'a.b', Buffer.from('m1'));
    ch.publish(dst, 'x', Buffer.from('m2'));
    await ch.waitForConfirms();
    expect(bodies(await drain(ch, qMid))).toEqual(['m1', 'm2']);
    expect(bodies(await drain(ch, qDst))).toEqual(['m1', 'm2']);
  });

  it('R18 unroutable goes to the AE, chains follow, loops end, a missing AE drops, AE-routed counts as routed', async (ctx) => {
    const s = amqpSession(ctx);
    const { ch } = await s.confirmChannel();
    const ae2 = await s.exchange(ch, 'ae2', 'fanout');
    const ae1 = await s.exchange(ch, 'ae1', 'direct', { alternateExchange: ae2 });
    const x = await s.exchange(ch, 'x', 'direct', { alternateExchange: ae1 });
    const loopA = s.name('loopA');
    const loopB = await s.exchange(ch, 'loopB', 'direct', { alternateExchange: loopA });
    await s.exchange(ch, 'loopA', 'direct', { alternateExchange: loopB });
    const dangling = await s.exchange(ch, 'dangling', 'direct', { alternateExchange: s.name('no-such-ae') });
    const routed = await s.serverQueue(ch);
    const viaAe1 = await s.serverQueue(ch);
    const viaAe2 = await s.serverQueue(ch);
    await ch.bindQueue(routed, x, 'k');
    await ch.bindQueue(viaAe1, ae1, 'one');
    await ch.bindQueue(viaAe2, ae2, '');
    const returned: string[] = [];
    ch.on('return', (m: ConsumeMessage) => returned.push(m.content.toString()));
    ch.publish(x, 'k', Buffer.from('direct'), { mandatory: true });
    ch.publish(x, 'one', Buffer.from('ae1'), { mandatory: true });
    ch.publish(x, 'two', Buffer.from('ae2'), { mandatory: true });
    ch.publish(loopA, 'k', Buffer.from('loop'), { mandatory: true });
    ch.publish(dangling, 'k', Buffer.from('dropped'), { mandatory: true });
    await ch.waitForConfirms();
    expect(bodies(await drain(ch, routed))).toEqual(['direct']);
    expect(bodies(await drain(ch, viaAe1))).toEqual(['ae1']);
    expect(bodies(await drain(ch, viaAe2))).toEqual(['ae2']);
    expect(returned.sort()).toEqual(['dropped', 'loop']);
  });
});

describe('mandatory and publish errors', () => {
  it('R19 an unroutable mandatory publish is returned 312 NO_ROUTE before its confirm', async (ctx) => {
    const s = amqpSession(ctx);
    const { ch } = await s.confirmChannel();
    const order: string[] = [];
    ch.on('return', (m: { fields: { replyCode: number; replyText: string } }) => order.push(`return ${m.fields.replyCode} ${m.fields.replyText}`));
    await new Promise<void>((resolve, reject) => {
      ch.publish('amq.direct', s.name('nobody'), Buffer.from('x'), { mandatory: true }, (err: unknown) => {
        order.push('ack');
        if (err === null || err === undefined) resolve();
        else reject(new Error('nacked'));
      });
    });
    expect(order).toEqual(['return 312 NO_ROUTE', 'ack']);
  });

  it('R19 publishing to a missing exchange is 404, to an internal exchange 403 (channel errors)', async (ctx) => {
    const s = amqpSession(ctx);
    const a = await s.channel();
    a.ch.publish(s.name('nope'), 'k', Buffer.from('x'));
    const e404 = await expectClosedWith(a.closed, 404);
    expect(e404.message).toContain('no exchange');
    const b = await s.channel();
    const internal = await s.exchange(b.ch, 'internal', 'direct', { internal: true });
    b.ch.publish(internal, 'k', Buffer.from('x'));
    await expectClosedWith(b.closed, 403);
    const c = await s.channel();
    expect(await c.ch.checkExchange('amq.direct')).toBeDefined();
  });
});

describe('firehose', () => {
  it('R20 trace on: publish.<x> and deliver.<q> with exchange_name, routing_keys, properties, node, redelivered', async (ctx) => {
    const target = requires(ctx, 'amqp', 'firehose');
    const s = amqpSession(ctx);
    const { ch } = await s.confirmChannel();
    const tracer = await s.channel();
    const firehose = await s.serverQueue(tracer.ch);
    const work = await s.queue(ch, 'work');
    await tracer.ch.bindQueue(firehose, 'amq.rabbitmq.trace', `publish.${s.name('x')}`);
    await tracer.ch.bindQueue(firehose, 'amq.rabbitmq.trace', `deliver.${work}`);
    await tracer.ch.bindQueue(firehose, 'amq.rabbitmq.trace', 'publish.');
    const ex = await s.exchange(ch, 'x', 'direct');
    await ch.bindQueue(work, ex, 'k');
    await target.setTracing(true);
    onTestFinished(() => target.setTracing(false));
    ch.publish(ex, 'k', Buffer.from('m'), { contentType: 'text/plain' });
    ch.publish('', work, Buffer.from('d'));
    await ch.waitForConfirms();
    const first = await ch.get(work, { noAck: false });
    if (first === false) throw new Error('no message');
    ch.nack(first, false, true);
    await ch.get(work, { noAck: true });
    const inbox = new Inbox();
    await tracer.ch.consume(firehose, inbox.onMessage, { noAck: true });
    // The default-exchange trace binding also sees other clients' publishes: keep only ours.
    await withTimeout(
      (async () => {
        while (inbox.messages.filter((m) => m.fields.routingKey !== 'publish.' || m.content.toString() === 'd').length < 4) await sleep(20);
      })(),
      5000,
      'waiting for 4 trace messages',
    );
    await target.setTracing(false);
    const ours = inbox.messages.filter((m) => m.fields.routingKey !== 'publish.' || m.content.toString() === 'd');
    expect(ours.map((m) => m.fields.routingKey)).toEqual([`publish.${ex}`, 'publish.', `deliver.${work}`, `deliver.${work}`]);
    const [pub, pubDefault, deliver1, deliver2] = ours;
    expect(pub?.fields.exchange).toBe('amq.rabbitmq.trace');
    expect(pub?.properties.headers).toMatchObject({ exchange_name: ex, routing_keys: ['k'], properties: { content_type: 'text/plain' } });
    expect(typeof pub?.properties.headers?.['node']).toBe('string');
    expect(pubDefault?.properties.headers).toMatchObject({ exchange_name: '', routing_keys: [work] });
    expect(deliver1?.properties.headers).toMatchObject({ redelivered: 0, exchange_name: ex });
    expect(deliver2?.properties.headers).toMatchObject({ redelivered: 1 });
    // trace deliveries are not traced again
    await sleep(s.quietMs);
    expect(inbox.messages.some((m) => m.fields.routingKey.startsWith('deliver.amq.gen'))).toBe(false);
  });
});
