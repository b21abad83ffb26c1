import { describe, expect, it } from 'vitest';
import { consistentHashExchangeType, ExchangeTypeRegistry } from '../index.js';
import { body, drain, gotText, harness, thrown } from './testing.js';

const T = 1_000;

describe('exchanges and routing through the vhost', () => {
  it('R15 default exchange routes to the queue named by the routing key; an unknown name is unroutable', () => {
    const { ch, sink } = harness();
    ch.assertQueue(T, 'q1');
    ch.publish(T, '', 'q1', body('a'));
    ch.publish(T, '', 'nope', body('b'), { mandatory: true });
    expect(ch.get(T, 'q1')).toMatchObject({ fields: { exchange: '', routingKey: 'q1', messageCount: 0 } });
    expect(sink.events).toMatchObject([{ kind: 'return', replyCode: 312, replyText: 'NO_ROUTE' }]);
  });

  it('R16 bind/unbind/declare/delete on the default exchange are 403 and close the channel', () => {
    const h = harness();
    const cases: [string, (ch: typeof h.ch) => unknown][] = [
      ['declare', (ch) => ch.assertExchange(T, '', 'direct')],
      ['passive', (ch) => ch.checkExchange(T, '')],
      ['delete', (ch) => ch.deleteExchange(T, '')],
      ['bind', (ch) => ch.bindQueue(T, 'q', '', 'k')],
      ['unbind', (ch) => ch.unbindQueue(T, 'q', '', 'k')],
      ['e2e', (ch) => ch.bindExchange(T, 'amq.direct', '', 'k')],
    ];
    for (const [, call] of cases) {
      const { ch, sink } = h.client();
      ch.assertQueue(T, 'q');
      const error = thrown(() => call(ch));
      expect(error.message).toBe('ACCESS_REFUSED - operation not permitted on the default exchange');
      expect(error.code).toBe(403);
      expect(sink.events).toMatchObject([{ kind: 'channelClosed', channel: 1 }]);
      expect(ch.closed).toBe(true);
    }
  });

  it('R16 declaring a new amq.* exchange and deleting any amq.* exchange are 403; redeclaring amq.direct as it is works', () => {
    const h = harness();
    expect(thrown(() => h.client().ch.assertExchange(T, 'amq.custom', 'direct')).message).toBe(
      "ACCESS_REFUSED - exchange name 'amq.custom' contains reserved prefix 'amq.*'",
    );
    expect(thrown(() => h.client().ch.deleteExchange(T, 'amq.direct')).message).toBe(
      "ACCESS_REFUSED - deletion of system exchange 'amq.direct' in vhost '/' not allowed",
    );
    expect(thrown(() => h.client().ch.deleteExchange(T, 'amq.missing')).code).toBe(403);
    expect(h.ch.assertExchange(T, 'amq.direct', 'direct', { durable: true })).toEqual({ exchange: 'amq.direct' });
    expect(h.ch.checkExchange(T, 'amq.match')).toEqual({ exchange: 'amq.match' });
    expect(thrown(() => h.ch.assertExchange(T, 'amq.direct', 'direct', { durable: false })).message).toBe(
      "PRECONDITION_FAILED - inequivalent arg 'durable' for exchange 'amq.direct' in vhost '/': received 'false' but current is 'true'",
    );
  });

  it('R17 exchange-to-exchange: a chain delivers, several paths give one copy, a cycle ends', () => {
    const { ch, sink } = harness();
    for (const x of ['src', 'a', 'b', 'dst']) ch.assertExchange(T, x, 'fanout');
    ch.assertQueue(T, 'q');
    ch.assertQueue(T, 'qsrc');
    ch.bindExchange(T, 'a', 'src', '');
    ch.bindExchange(T, 'b', 'src', '');
    ch.bindExchange(T, 'dst', 'a', '');
    ch.bindExchange(T, 'dst', 'b', '');
    ch.bindQueue(T, 'q', 'dst', '');
    ch.bindQueue(T, 'q', 'a', '');
    // cycle: dst -> src
    ch.bindExchange(T, 'src', 'dst', '');
    ch.bindQueue(T, 'qsrc', 'src', '');
    ch.consume(T, 'q', { noAck: true, consumerTag: 'cq' });
    ch.consume(T, 'qsrc', { noAck: true, consumerTag: 'cs' });
    ch.publish(T, 'src', '', body('m1'));
    ch.publish(T, 'dst', '', body('m2'));
    expect(sink.bodies('cq')).toEqual(['m1', 'm2']);
    expect(sink.bodies('cs')).toEqual(['m1', 'm2']);
  });

  it('R17 unbinding an exchange-to-exchange binding stops the flow; deleting the destination removes the binding', () => {
    const { ch, vhost } = harness();
    ch.assertExchange(T, 'src', 'direct');
    ch.assertExchange(T, 'dst', 'fanout');
    ch.assertQueue(T, 'q');
    ch.bindQueue(T, 'q', 'dst', '');
    ch.bindExchange(T, 'dst', 'src', 'k');
    ch.publish(T, 'src', 'k', body('1'));
    ch.unbindExchange(T, 'dst', 'src', 'k');
    ch.publish(T, 'src', 'k', body('2'));
    ch.bindExchange(T, 'dst', 'src', 'k');
    ch.deleteExchange(T, 'dst');
    expect(vhost.exchanges.get('src')!.router.size).toBe(0);
    ch.publish(T, 'src', 'k', body('3'));
    expect(vhost.queueInfo('q')!.messagesReady).toBe(1);
  });

  it('R18 alternate exchanges: unroutable goes to the AE, chains follow, loops end, a missing AE drops, AE-routed counts as routed', () => {
    const { ch, sink } = harness();
    ch.confirmSelect(T);
    ch.assertExchange(T, 'ae2', 'fanout');
    ch.assertExchange(T, 'ae1', 'direct', { alternateExchange: 'ae2' });
    ch.assertExchange(T, 'x', 'direct', { alternateExchange: 'ae1' });
    ch.assertQueue(T, 'unrouted');
    ch.assertQueue(T, 'routed');
    ch.bindQueue(T, 'unrouted', 'ae2', '');
    ch.bindQueue(T, 'routed', 'x', 'k');
    ch.publish(T, 'x', 'k', body('direct'), { mandatory: true });
    ch.publish(T, 'x', 'other', body('via-ae-chain'), { mandatory: true });
    expect(sink.kinds()).toEqual(['confirm', 'confirm']);
    expect(ch.get(T, 'unrouted', { noAck: true })).toMatchObject({ fields: { exchange: 'x', routingKey: 'other' } });
    expect(ch.get(T, 'routed', { noAck: true })).toMatchObject({ fields: { routingKey: 'k' } });

    // A loop x1 -> x2 -> x1 with nothing bound ends, unroutable.
    ch.assertExchange(T, 'loop1', 'direct', { alternateExchange: 'loop2' });
    ch.assertExchange(T, 'loop2', 'direct', { alternateExchange: 'loop1' });
    ch.assertExchange(T, 'lost', 'direct', { alternateExchange: 'does-not-exist' });
    sink.clear();
    ch.publish(T, 'loop1', 'k', body('loop'), { mandatory: true });
    ch.publish(T, 'lost', 'k', body('lost'), { mandatory: true });
    expect(sink.events).toMatchObject([
      { kind: 'return', replyCode: 312 },
      { kind: 'confirm', deliveryTag: 3, ack: true },
      { kind: 'return', replyCode: 312 },
      { kind: 'confirm', deliveryTag: 4, ack: true },
    ]);
  });

  it('R19 mandatory unroutable: basic.return 312 NO_ROUTE comes before the confirm ack', () => {
    const { ch, sink } = harness();
    ch.confirmSelect(T);
    expect(ch.publish(T, 'amq.direct', 'nobody', body('x'), { mandatory: true })).toBe(1);
    expect(sink.events).toEqual([
      { kind: 'return', channel: 1, replyCode: 312, replyText: 'NO_ROUTE', message: expect.anything() as unknown },
      { kind: 'confirm', channel: 1, deliveryTag: 1, multiple: false, ack: true },
    ]);
    ch.publish(T, 'amq.direct', 'nobody', body('y'));
    expect(sink.events[2]).toMatchObject({ kind: 'confirm', deliveryTag: 2, ack: true });
  });

  it('R19 L09 publish to a missing exchange is 404, to an internal one 403 (channel errors); immediate=true is 540 (connection error)', () => {
    const h = harness();
    const a = h.client();
    expect(thrown(() => a.ch.publish(T, 'nope', 'k', body('x'))).message).toBe("NOT_FOUND - no exchange 'nope' in vhost '/'");
    expect(a.sink.events).toMatchObject([{ kind: 'channelClosed', channel: 1, error: { code: 404 } }]);
    expect(a.conn.closed).toBe(false);

    const b = h.client();
    b.ch.assertExchange(T, 'hidden', 'fanout', { internal: true });
    expect(thrown(() => b.ch.publish(T, 'hidden', 'k', body('x'))).message).toBe(
      "ACCESS_REFUSED - cannot publish to internal exchange 'hidden' in vhost '/'",
    );

    const c = h.client();
    c.conn.openChannel(2);
    const error = thrown(() => c.ch.publish(T, '', 'q', body('x'), { immediate: true }));
    expect(error.message).toBe('NOT_IMPLEMENTED - immediate=true');
    expect(error.scope).toBe('connection');
    expect(c.sink.events).toMatchObject([{ kind: 'connectionClosed', error: { code: 540 } }]);
    expect(c.conn.closed).toBe(true);
    expect(c.conn.channels.size).toBe(0);
  });

  it('L08 exchange redeclare must be equivalent; passive declare of a missing exchange is 404; if-unused delete is 406', () => {
    const h = harness();
    h.ch.assertExchange(T, 'x', 'direct', { durable: false });
    const check = (fn: (ch: typeof h.ch) => unknown): string => thrown(() => fn(h.client().ch)).message;
    expect(check((ch) => ch.assertExchange(T, 'x', 'fanout', { durable: false }))).toBe(
      "PRECONDITION_FAILED - inequivalent arg 'type' for exchange 'x' in vhost '/': received 'fanout' but current is 'direct'",
    );
    expect(check((ch) => ch.assertExchange(T, 'x', 'direct', { durable: false, autoDelete: true }))).toBe(
      "PRECONDITION_FAILED - inequivalent arg 'auto_delete' for exchange 'x' in vhost '/': received 'true' but current is 'false'",
    );
    expect(check((ch) => ch.assertExchange(T, 'x', 'direct', { durable: false, internal: true }))).toBe(
      "PRECONDITION_FAILED - inequivalent arg 'internal' for exchange 'x' in vhost '/': received 'true' but current is 'false'",
    );
    expect(check((ch) => ch.assertExchange(T, 'x', 'direct', { durable: false, alternateExchange: 'foo' }))).toBe(
      "PRECONDITION_FAILED - inequivalent arg 'alternate-exchange' for exchange 'x' in vhost '/': received the value 'foo' of type 'longstr' but current is none",
    );
    expect(check((ch) => ch.checkExchange(T, 'missing'))).toBe("NOT_FOUND - no exchange 'missing' in vhost '/'");
    expect(check((ch) => ch.assertExchange(T, 'y', 'x-nope'))).toBe("PRECONDITION_FAILED - unknown exchange type 'x-nope'");
    h.ch.assertQueue(T, 'q');
    h.ch.bindQueue(T, 'q', 'x', 'k');
    expect(check((ch) => ch.deleteExchange(T, 'x', { ifUnused: true }))).toBe("PRECONDITION_FAILED - exchange 'x' in vhost '/' in use");
    h.ch.deleteExchange(T, 'missing-is-fine');
    h.ch.deleteExchange(T, 'x');
    expect(h.vhost.exchanges.has('x')).toBe(false);
  });

  it('L08 an unknown exchange type is 503 COMMAND_INVALID on a registry set up like RabbitMQ 3.10', () => {
    const { ch, sink, conn } = harness({ exchangeTypes: new ExchangeTypeRegistry({ unknownType: 'COMMAND_INVALID' }) });
    expect(thrown(() => ch.assertExchange(T, 'y', 'x-nope')).code).toBe(503);
    expect(sink.kinds()).toEqual(['connectionClosed']);
    expect(conn.closed).toBe(true);
  });

  it('an auto-delete exchange goes when its last binding is removed (unbind or queue deletion), not before', () => {
    const { ch, vhost } = harness();
    ch.assertExchange(T, 'ax', 'fanout', { autoDelete: true });
    ch.assertQueue(T, 'q');
    expect(vhost.exchanges.has('ax')).toBe(true);
    ch.bindQueue(T, 'q', 'ax', '');
    ch.unbindQueue(T, 'q', 'ax', '');
    expect(vhost.exchanges.has('ax')).toBe(false);
    ch.assertExchange(T, 'ax', 'fanout', { autoDelete: true });
    ch.bindQueue(T, 'q', 'ax', '');
    ch.deleteQueue(T, 'q');
    expect(vhost.exchanges.has('ax')).toBe(false);
  });

  it('R10 L07 names and keys over 255 bytes are FRAME_ERROR before any change, and close nothing', () => {
    const { ch, sink, vhost } = harness();
    const long = 'a'.repeat(256);
    expect(thrown(() => ch.assertQueue(T, long)).code).toBe(501);
    expect(thrown(() => ch.publish(T, '', long, body('x'))).code).toBe(501);
    expect(thrown(() => ch.bindQueue(T, 'q', 'amq.direct', long)).code).toBe(501);
    expect(thrown(() => ch.consume(T, 'q', { consumerTag: long })).code).toBe(501);
    expect(thrown(() => ch.assertExchange(T, 'é'.repeat(128), 'direct')).code).toBe(501);
    expect(sink.events).toEqual([]);
    expect(ch.closed).toBe(false);
    expect(vhost.queues.size).toBe(0);
  });

  it('R11 direct routes exactly (two queues on one key both receive); fanout ignores the key', () => {
    const { ch } = harness();
    ch.assertExchange(T, 'logs', 'direct');
    ch.assertExchange(T, 'all', 'fanout');
    for (const q of ['q1', 'q2', 'q3']) ch.assertQueue(T, q);
    ch.bindQueue(T, 'q1', 'logs', 'black');
    ch.bindQueue(T, 'q2', 'logs', 'black');
    ch.bindQueue(T, 'q3', 'logs', 'Black');
    ch.bindQueue(T, 'q3', 'all', 'whatever');
    ch.publish(T, 'logs', 'black', body('b'));
    ch.publish(T, 'all', 'other', body('f'));
    expect(gotText(ch.get(T, 'q1'))).toBe('b');
    expect(gotText(ch.get(T, 'q2'))).toBe('b');
    expect(drain(ch, T, 'q3')).toEqual(['f']);
  });

  it('R07 topic tutorial keys route through the vhost; lazy.pink.rabbit reaches Q2 once', () => {
    const { ch, vhost } = harness();
    ch.assertExchange(T, 'topic_logs', 'topic');
    ch.assertQueue(T, 'Q1');
    ch.assertQueue(T, 'Q2');
    ch.bindQueue(T, 'Q1', 'topic_logs', '*.orange.*');
    ch.bindQueue(T, 'Q2', 'topic_logs', '*.*.rabbit');
    ch.bindQueue(T, 'Q2', 'topic_logs', 'lazy.#');
    for (const key of ['quick.orange.rabbit', 'lazy.orange.elephant', 'quick.orange.fox', 'lazy.brown.fox', 'lazy.pink.rabbit', 'quick.brown.fox', 'orange', 'quick.orange.new.rabbit', 'lazy.orange.new.rabbit']) {
      ch.publish(T, 'topic_logs', key, body(key));
    }
    expect(vhost.queueInfo('Q1')!.messages).toBe(3);
    expect(vhost.queueInfo('Q2')!.messages).toBe(5);
  });

  it('R12 headers exchange matches x-match all/any through the vhost', () => {
    const { ch } = harness();
    ch.assertQueue(T, 'all');
    ch.assertQueue(T, 'any');
    ch.bindQueue(T, 'all', 'amq.headers', '', { 'x-match': 'all', a: 1, b: 2 });
    ch.bindQueue(T, 'any', 'amq.match', '', { 'x-match': 'any', a: 1, b: 2 });
    ch.publish(T, 'amq.headers', '', body('both'), { headers: { a: 1, b: 2 } });
    ch.publish(T, 'amq.match', '', body('one'), { headers: { a: 1 } });
    expect(ch.checkQueue(T, 'all').messageCount).toBe(1);
    expect(ch.checkQueue(T, 'any').messageCount).toBe(1);
    expect(thrown(() => ch.bindQueue(T, 'all', 'amq.headers', '', { 'x-match': 'some' })).code).toBe(406);
  });

  it('plugin exchange types from the registry can be declared and route', () => {
    const { ch } = harness({ exchangeTypes: new ExchangeTypeRegistry({ plugins: [consistentHashExchangeType] }) });
    ch.assertExchange(T, 'hash', 'x-consistent-hash');
    ch.assertQueue(T, 'h1');
    ch.assertQueue(T, 'h2');
    ch.bindQueue(T, 'h1', 'hash', '1');
    ch.bindQueue(T, 'h2', 'hash', '1');
    for (let i = 0; i < 50; i++) ch.publish(T, 'hash', `key-${i}`, body(String(i)));
    const total = ch.checkQueue(T, 'h1').messageCount + ch.checkQueue(T, 'h2').messageCount;
    expect(total).toBe(50);
  });

  it('CC and BCC add routing keys; BCC is removed from the delivered headers, CC kept', () => {
    const { ch, sink } = harness();
    for (const q of ['main', 'cc', 'bcc']) {
      ch.assertQueue(T, q);
      ch.bindQueue(T, q, 'amq.direct', q);
      ch.consume(T, q, { noAck: true, consumerTag: q });
    }
    ch.publish(T, 'amq.direct', 'main', body('x'), { CC: 'cc', BCC: ['bcc'], headers: { h: 1 } });
    ch.publish(T, 'amq.direct', 'nothing', body('y'), { headers: { CC: ['cc'], BCC: ['bcc', 'main'] } });
    expect(sink.bodies('main')).toEqual(['x', 'y']);
    expect(sink.bodies('cc')).toEqual(['x', 'y']);
    expect(sink.bodies('bcc')).toEqual(['x', 'y']);
    for (const d of sink.deliveries()) {
      expect(d.message.properties.headers?.BCC).toBeUndefined();
      expect(d.message.properties.headers?.CC).toEqual(['cc']);
    }
  });

  it('a CC header that is not an array is 406 invalid message', () => {
    const { ch } = harness();
    expect(thrown(() => ch.publish(T, 'amq.direct', 'k', body('x'), { headers: { CC: 'single' } })).message).toBe(
      'PRECONDITION_FAILED - invalid message: {unacceptable_type_in_header,"CC",longstr}',
    );
  });

  it('a fanout to 100 queues stores the message once: every delivery is the same Message and body', () => {
    const { ch, vhost } = harness();
    ch.assertExchange(T, 'fan', 'fanout');
    for (let i = 0; i < 100; i++) {
      ch.assertQueue(T, `q${i}`);
      ch.bindQueue(T, `q${i}`, 'fan', '');
    }
    const payload = body('shared body');
    ch.publish(T, 'fan', '', payload);
    expect(vhost.stats).toEqual({ messages: 1, bodyBytes: payload.byteLength });
    const first = ch.get(T, 'q0', { noAck: true });
    const last = ch.get(T, 'q99', { noAck: true });
    expect(first && last && first.message === last.message && first.content === payload).toBe(true);
    for (let i = 1; i < 99; i++) ch.purgeQueue(T, `q${i}`);
    expect(vhost.stats).toEqual({ messages: 0, bodyBytes: 0 });
  });
});
