import { describe, expect, it } from 'vitest';
import { MAX_MESSAGE_SIZE_CAP } from './options.js';
import { body, drain, harness, RecordingSink, thrown } from './testing.js';

const T = 1_000;

describe('queues', () => {
  it('A17 invalid queue arguments are 406 with RabbitMQ 3.10 texts, and declare nothing', () => {
    const h = harness();
    const bad = (args: Record<string, unknown>): string => thrown(() => h.client().ch.assertQueue(T, 'q', { arguments: args })).message;
    const prefix = "PRECONDITION_FAILED - invalid arg '";
    const suffix = "' for queue 'q' in vhost '/': ";
    expect(bad({ 'x-expires': 0 })).toBe(`${prefix}x-expires${suffix}{value_zero,0}`);
    expect(bad({ 'x-expires': -1 })).toBe(`${prefix}x-expires${suffix}{value_negative,-1}`);
    expect(bad({ 'x-expires': 'a' })).toBe(`${prefix}x-expires${suffix}"expected integer, got longstr"`);
    expect(bad({ 'x-message-ttl': -1 })).toBe(`${prefix}x-message-ttl${suffix}{value_negative,-1}`);
    expect(bad({ 'x-max-length': -1 })).toBe(`${prefix}x-max-length${suffix}{value_negative,-1}`);
    expect(bad({ 'x-max-length-bytes': -1 })).toBe(`${prefix}x-max-length-bytes${suffix}{value_negative,-1}`);
    expect(bad({ 'x-overflow': 'foo' })).toBe(`${prefix}x-overflow${suffix}invalid_overflow`);
    expect(bad({ 'x-dead-letter-routing-key': 'rk' })).toBe(`${prefix}x-dead-letter-routing-key${suffix}routing_key_but_no_dlx_defined`);
    expect(bad({ 'x-max-priority': 256 })).toBe(`${prefix}x-max-priority${suffix}{max_value_exceeded,256}`);
    expect(bad({ 'x-queue-type': 'foo' })).toBe(`${prefix}x-queue-type${suffix}"unsupported queue type 'foo'"`);
    expect(h.vhost.queues.size).toBe(0);
    expect(h.ch.assertQueue(T, 'ok', { arguments: { 'x-message-ttl': 0, 'x-max-priority': 255, 'x-overflow': 'reject-publish-dlx' } }).queue).toBe('ok');
  });

  it('A17 an invalid expiration property is 406 "invalid expiration"; valid forms are accepted', () => {
    const h = harness();
    const bad = (expiration: string): string => thrown(() => h.client().ch.publish(T, '', 'q', body('x'), { expiration })).message;
    expect(bad('abc')).toBe("PRECONDITION_FAILED - invalid expiration 'abc': no_integer");
    expect(bad('-1')).toBe("PRECONDITION_FAILED - invalid expiration '-1': {value_negative,-1}");
    expect(bad('1x')).toBe('PRECONDITION_FAILED - invalid expiration \'1x\': {leftover_string,"x"}');
    expect(bad('315360000001')).toBe("PRECONDITION_FAILED - invalid expiration '315360000001': {value_too_large,315360000001}");
    expect(bad('')).toBe("PRECONDITION_FAILED - invalid expiration '': no_integer");
    expect(bad(' 5')).toBe("PRECONDITION_FAILED - invalid expiration ' 5': no_integer");
    for (const ok of ['0', '+5', '05', '315360000000']) h.ch.publish(T, '', 'q', body('x'), { expiration: ok });
    expect(h.ch.closed).toBe(false);
  });

  it('A18 x-expires deletes an unused queue without dead-lettering its messages; use postpones it', () => {
    const { ch, vhost } = harness();
    ch.assertQueue(T, 'dlq');
    ch.assertQueue(T, 'tmp', { expires: 1000, deadLetterExchange: '', deadLetterRoutingKey: 'dlq' });
    ch.sendToQueue(T, 'tmp', body('m'));
    expect(vhost.nextDeadline()).toBe(T + 1000);
    expect(vhost.tick(T + 500)).toBe(T + 1000);
    ch.get(T + 600, 'tmp'); // basic.get is a use
    expect(vhost.tick(T + 1200)).toBe(T + 1600);
    const { consumerTag } = ch.consume(T + 1300, 'tmp');
    expect(vhost.tick(T + 5000)).toBeUndefined();
    expect(vhost.queues.has('tmp')).toBe(true);
    ch.cancel(T + 5000, consumerTag);
    ch.sendToQueue(T + 5500, 'tmp', body('n')); // publishing is not a use
    vhost.tick(T + 5999);
    expect(vhost.queues.has('tmp')).toBe(true);
    vhost.tick(T + 6000);
    expect(vhost.queues.has('tmp')).toBe(false);
    expect(ch.checkQueue(T + 6000, 'dlq').messageCount).toBe(0);
  });

  it('A18 an exclusive queue is locked to its connection (405), ignores durable, and goes when its owner closes', () => {
    const h = harness();
    expect(h.ch.assertQueue(T, 'ex', { exclusive: true, durable: true })).toEqual({ queue: 'ex', messageCount: 0, consumerCount: 0 });
    h.ch.assertQueue(T, 'ex', { exclusive: true, durable: false });
    expect(h.vhost.queueInfo('ex')).toMatchObject({ durable: false, exclusive: true });
    const locked =
      "RESOURCE_LOCKED - cannot obtain exclusive access to locked queue 'ex' in vhost '/'. It could be originally declared on another connection or the exclusive property value does not match that of the original declaration.";
    const other = h.client();
    const attempts = [
      (ch: typeof h.ch) => ch.assertQueue(T, 'ex', { exclusive: true }),
      (ch: typeof h.ch) => ch.checkQueue(T, 'ex'),
      (ch: typeof h.ch) => ch.consume(T, 'ex'),
      (ch: typeof h.ch) => ch.get(T, 'ex'),
      (ch: typeof h.ch) => ch.purgeQueue(T, 'ex'),
      (ch: typeof h.ch) => ch.deleteQueue(T, 'ex'),
      (ch: typeof h.ch) => ch.bindQueue(T, 'ex', 'amq.direct', 'k'),
    ];
    for (const attempt of attempts) {
      const ch = other.conn.openChannel(other.conn.channels.size + 2);
      const error = thrown(() => attempt(ch));
      expect(error.message).toBe(locked);
      expect(error.code).toBe(405);
    }
    other.ch.publish(T, '', 'ex', body('from elsewhere'));
    expect(h.ch.checkQueue(T, 'ex').messageCount).toBe(1);
    expect(thrown(() => h.client().ch.assertQueue(T, 'ex')).code).toBe(405);
    expect(thrown(() => h.ch.assertQueue(T, 'ex', { exclusive: false })).code).toBe(405);
    h.conn.close(T);
    expect(h.vhost.queues.has('ex')).toBe(false);
  });

  it('A18 auto-delete: the queue goes when its last consumer does (cancel or channel close); never consumed, it stays', () => {
    const h = harness();
    h.ch.assertQueue(T, 'never', { autoDelete: true });
    h.ch.assertQueue(T, 'ad', { autoDelete: true });
    const a = h.ch.consume(T, 'ad').consumerTag;
    const other = h.client();
    other.ch.consume(T, 'ad');
    h.ch.cancel(T, a);
    expect(h.vhost.queues.has('ad')).toBe(true);
    other.ch.close(T);
    expect(h.vhost.queues.has('ad')).toBe(false);
    expect(h.vhost.queues.has('never')).toBe(true);
  });

  it('A19 "" declares a server-named amq.gen- queue; "" later means the last declared queue; none is 404', () => {
    const h = harness();
    const fresh = h.client();
    for (const call of [
      (ch: typeof h.ch) => ch.bindQueue(T, '', 'amq.direct', 'k'),
      (ch: typeof h.ch) => ch.consume(T, ''),
      (ch: typeof h.ch) => ch.get(T, ''),
      (ch: typeof h.ch) => ch.purgeQueue(T, ''),
      (ch: typeof h.ch) => ch.deleteQueue(T, ''),
    ]) {
      const ch = fresh.conn.openChannel(fresh.conn.channels.size + 2);
      const error = thrown(() => call(ch));
      expect(error.message).toBe('NOT_FOUND - no previously declared queue');
    }
    const { queue } = h.ch.assertQueue(T, '', { exclusive: true });
    expect(queue).toBe('amq.gen-id1');
    h.ch.bindQueue(T, '', 'amq.direct', 'k');
    h.ch.publish(T, 'amq.direct', 'k', body('1'));
    expect(h.ch.get(T, '')).toMatchObject({ fields: { routingKey: 'k' } });
    h.ch.publish(T, 'amq.direct', 'k', body('2'));
    expect(h.ch.purgeQueue(T, '')).toEqual({ messageCount: 1 });
    expect(h.ch.consume(T, '').consumerTag).toBe('amq.ctag-id2');
    expect(thrown(() => h.client().ch.assertQueue(T, queue)).message).toBe(
      "ACCESS_REFUSED - queue name 'amq.gen-id1' contains reserved prefix 'amq.*'",
    );
    expect(h.ch.checkQueue(T, queue).consumerCount).toBe(1);
    expect(h.ch.deleteQueue(T, '')).toEqual({ messageCount: 0 });
  });

  it('A20 a redeclare with other durable, auto-delete, exclusive or arguments is refused', () => {
    const h = harness();
    h.ch.assertQueue(T, 'q', { durable: true, arguments: { 'x-message-ttl': 1000, custom: 'ignored' } });
    const check = (fn: (ch: typeof h.ch) => unknown): string => thrown(() => fn(h.client().ch)).message;
    const prefix = "PRECONDITION_FAILED - inequivalent arg '";
    expect(check((ch) => ch.assertQueue(T, 'q', { durable: false, arguments: { 'x-message-ttl': 1000 } }))).toBe(
      `${prefix}durable' for queue 'q' in vhost '/': received 'false' but current is 'true'`,
    );
    expect(check((ch) => ch.assertQueue(T, 'q', { autoDelete: true, arguments: { 'x-message-ttl': 1000 } }))).toBe(
      `${prefix}auto_delete' for queue 'q' in vhost '/': received 'true' but current is 'false'`,
    );
    expect(check((ch) => ch.assertQueue(T, 'q', { arguments: { 'x-message-ttl': 2000 } }))).toBe(
      `${prefix}x-message-ttl' for queue 'q' in vhost '/': received '2000' but current is '1000'`,
    );
    expect(check((ch) => ch.assertQueue(T, 'q'))).toBe(
      `${prefix}x-message-ttl' for queue 'q' in vhost '/': received none but current is the value '1000' of type 'short'`,
    );
    expect(check((ch) => ch.assertQueue(T, 'q', { arguments: { 'x-message-ttl': 1000, 'x-max-length': 5 } }))).toBe(
      `${prefix}x-max-length' for queue 'q' in vhost '/': received the value '5' of type 'byte' but current is none`,
    );
    expect(thrown(() => h.client().ch.assertQueue(T, 'q', { exclusive: true, arguments: { 'x-message-ttl': 1000 } })).code).toBe(405);
    h.ch.sendToQueue(T, 'q', body('m'));
    expect(h.ch.assertQueue(T, 'q', { messageTtl: 1000, arguments: { custom: 'other' } })).toEqual({ queue: 'q', messageCount: 1, consumerCount: 0 });
  });

  it('L08 queue: passive declare of a missing queue is 404; delete if-empty / if-unused are 406; deleting a missing queue succeeds', () => {
    const h = harness();
    expect(thrown(() => h.client().ch.checkQueue(T, 'missing')).message).toBe("NOT_FOUND - no queue 'missing' in vhost '/'");
    expect(thrown(() => h.client().ch.consume(T, 'missing')).message).toBe("NOT_FOUND - no queue 'missing' in vhost '/'");
    expect(thrown(() => h.client().ch.bindQueue(T, 'missing', 'amq.direct', 'k')).message).toBe("NOT_FOUND - no queue 'missing' in vhost '/'");
    expect(thrown(() => h.client().ch.bindQueue(T, 'missing', 'nox', 'k')).message).toBe("NOT_FOUND - no exchange 'nox' in vhost '/'");
    h.ch.assertQueue(T, 'q');
    h.ch.sendToQueue(T, 'q', body('m'));
    expect(thrown(() => h.client().ch.deleteQueue(T, 'q', { ifEmpty: true })).message).toBe("PRECONDITION_FAILED - queue 'q' in vhost '/' not empty");
    h.ch.purgeQueue(T, 'q');
    h.ch.consume(T, 'q');
    expect(thrown(() => h.client().ch.deleteQueue(T, 'q', { ifUnused: true })).message).toBe("PRECONDITION_FAILED - queue 'q' in vhost '/' in use");
    expect(h.ch.deleteQueue(T, 'missing')).toEqual({ messageCount: 0 });
    expect(h.ch.unbindQueue(T, 'q', 'amq.direct', 'never-bound')).toEqual({});
  });

  it('deleting a queue cancels its consumers (basic.cancel to the sink); their unacked deliveries can still be acked', () => {
    const h = harness();
    h.ch.assertQueue(T, 'q');
    h.ch.sendToQueue(T, 'q', body('a'));
    h.ch.sendToQueue(T, 'q', body('b'));
    const other = h.client();
    other.ch.qos(T, 1);
    other.ch.consume(T, 'q', { consumerTag: 'c' });
    expect(h.ch.deleteQueue(T, 'q')).toEqual({ messageCount: 1 });
    expect(other.sink.kinds()).toEqual(['deliver', 'cancel']);
    expect(other.sink.events[1]).toEqual({ kind: 'cancel', channel: 1, consumerTag: 'c' });
    other.ch.ack(T, 1);
    expect(other.ch.closed).toBe(false);
    expect(h.vhost.stats.messages).toBe(0);
  });

  it('quorum queues are accepted when durable and not exclusive/auto-delete, and refuse x-max-priority', () => {
    const h = harness();
    const q = { 'x-queue-type': 'quorum' };
    expect(thrown(() => h.client().ch.assertQueue(T, 'qq', { exclusive: true, arguments: q })).message).toBe(
      "PRECONDITION_FAILED - invalid property 'exclusive-owner' for queue 'qq' in vhost '/'",
    );
    expect(thrown(() => h.client().ch.assertQueue(T, 'qq', { autoDelete: true, arguments: q })).message).toBe(
      "PRECONDITION_FAILED - invalid property 'auto-delete' for queue 'qq' in vhost '/'",
    );
    expect(thrown(() => h.client().ch.assertQueue(T, 'qq', { durable: false, arguments: q })).message).toBe(
      "PRECONDITION_FAILED - invalid property 'non-durable' for queue 'qq' in vhost '/'",
    );
    expect(thrown(() => h.client().ch.assertQueue(T, 'qq', { arguments: { ...q, 'x-max-priority': 5 } })).message).toBe(
      "PRECONDITION_FAILED - invalid arg 'x-max-priority' for queue 'qq' in vhost '/' of queue type rabbit_quorum_queue",
    );
    h.ch.assertQueue(T, 'qq', { arguments: q });
    expect(h.vhost.queueInfo('qq')).toMatchObject({ type: 'quorum', durable: true });
    expect(thrown(() => h.client().ch.assertQueue(T, 'qq')).message).toBe(
      "PRECONDITION_FAILED - inequivalent arg 'x-queue-type' for queue 'qq' in vhost '/': received none but current is the value 'quorum' of type 'longstr'",
    );
  });

  it('L06 a body over max_message_size is 406; the limit is configurable up to 512 MiB', () => {
    const h = harness({ maxMessageSize: 10 });
    h.ch.assertQueue(T, 'q');
    h.ch.sendToQueue(T, 'q', new Uint8Array(10));
    expect(thrown(() => h.client().ch.sendToQueue(T, 'q', new Uint8Array(11))).message).toBe(
      'PRECONDITION_FAILED - message size 11 is larger than configured max size 10',
    );
    expect(h.ch.checkQueue(T, 'q').messageCount).toBe(1);
    const big = harness({ maxMessageSize: MAX_MESSAGE_SIZE_CAP });
    const huge = { length: MAX_MESSAGE_SIZE_CAP + 1 } as unknown as Uint8Array;
    expect(thrown(() => big.ch.sendToQueue(T, 'q', huge)).message).toBe(
      `PRECONDITION_FAILED - message size ${MAX_MESSAGE_SIZE_CAP + 1} is larger than max size ${MAX_MESSAGE_SIZE_CAP}`,
    );
    expect(() => harness({ maxMessageSize: MAX_MESSAGE_SIZE_CAP + 1 })).toThrow(/invalid VirtualHost options/);
    expect(harness().vhost.options.maxMessageSize).toBe(16 * 1024 * 1024);
  });

  it('purge drops ready messages only; counts report ready messages and consumers', () => {
    const { ch, vhost } = harness();
    ch.assertQueue(T, 'q');
    for (const m of ['1', '2', '3']) ch.sendToQueue(T, 'q', body(m));
    ch.get(T, 'q');
    expect(ch.checkQueue(T, 'q')).toEqual({ queue: 'q', messageCount: 2, consumerCount: 0 });
    expect(vhost.queueInfo('q')).toMatchObject({ messages: 3, messagesReady: 2, messagesUnacknowledged: 1, messageBytesReady: 2 });
    expect(ch.purgeQueue(T, 'q')).toEqual({ messageCount: 2 });
    ch.nack(T, 1);
    expect(drain(ch, T, 'q')).toEqual(['1']);
  });

  it('x-max-priority: higher priorities are delivered first, priorities above the max count as the max, requeue keeps the level', () => {
    const { ch, vhost } = harness();
    ch.assertQueue(T, 'pq', { maxPriority: 5 });
    const sends: [string, number | undefined][] = [['a0', undefined], ['b3', 3], ['c9', 9], ['d5', 5], ['e3', 3], ['f1', 1]];
    for (const [name, priority] of sends) ch.sendToQueue(T, 'pq', body(name), priority === undefined ? {} : { priority });
    expect(vhost.queueInfo('pq')).toMatchObject({ messagesReady: 6, messageBytesReady: 12 });
    const first = ch.get(T, 'pq');
    expect(first && first.fields.messageCount).toBe(5);
    ch.nack(T, 1, false, true);
    expect(drain(ch, T, 'pq')).toEqual(['c9', 'd5', 'b3', 'e3', 'f1', 'a0']);
    // drop-head drops the head, which is the highest priority (as RabbitMQ 3.10 does)
    ch.assertQueue(T, 'pq2', { maxPriority: 5, maxLength: 2 });
    for (const [name, priority] of [['lo', 1], ['hi', 5], ['mid', 3]] as const) ch.sendToQueue(T, 'pq2', body(name), { priority });
    expect(drain(ch, T, 'pq2')).toEqual(['mid', 'lo']);
  });
  it('publishes reach a queue or an exchange deleted and declared again under the same name', () => {
    const { ch, vhost } = harness();
    ch.assertQueue(T, 'q');
    ch.sendToQueue(T, 'q', body('old'));
    ch.deleteQueue(T, 'q');
    ch.sendToQueue(T, 'q', body('lost'));
    ch.assertQueue(T, 'q');
    ch.sendToQueue(T, 'q', body('new'));
    expect(drain(ch, T, 'q')).toEqual(['new']);
    const other = vhost.connect(new RecordingSink()).openChannel(1);
    ch.assertExchange(T, 'x', 'fanout');
    ch.bindQueue(T, 'q', 'x', '');
    ch.publish(T, 'x', '', body('a'));
    other.deleteExchange(T, 'x');
    other.assertExchange(T, 'x', 'direct');
    other.bindQueue(T, 'q', 'x', 'k');
    ch.publish(T, 'x', '', body('unrouted'));
    ch.publish(T, 'x', 'k', body('c'));
    expect(drain(ch, T, 'q')).toEqual(['a', 'c']);
    other.deleteExchange(T, 'x');
    expect(thrown(() => ch.publish(T, 'x', 'k', body('d'))).code).toBe(404);
  });

  it('needsClock is false only while no queue reads the time, no entry may expire and the firehose is off', () => {
    const { ch, vhost } = harness();
    ch.assertQueue(T, 'plain');
    expect(vhost.needsClock()).toBe(false);
    ch.sendToQueue(T, 'plain', body('m'), { expiration: '1000' });
    expect(vhost.needsClock()).toBe(true); // an entry that may expire
    drain(ch, T, 'plain');
    vhost.nextDeadline();
    expect(vhost.needsClock()).toBe(false);
    for (const args of [{ messageTtl: 10 }, { expires: 10 }, { deadLetterExchange: 'dlx' }]) {
      ch.assertQueue(T, 'timed', args);
      expect(vhost.needsClock()).toBe(true);
      ch.deleteQueue(T, 'timed');
      vhost.nextDeadline();
      expect(vhost.needsClock()).toBe(false);
    }
    vhost.setTracing(true);
    expect(vhost.needsClock()).toBe(true);
  });

  it('a backlog behind busy consumers is delivered as acks give credit back, in order', () => {
    const { ch, sink } = harness();
    ch.assertQueue(T, 'work');
    ch.qos(T, 2);
    const { consumerTag } = ch.consume(T, 'work');
    for (let i = 1; i <= 6; i++) ch.sendToQueue(T, 'work', body(String(i)));
    expect(sink.bodies(consumerTag)).toEqual(['1', '2']);
    ch.ack(T, 1);
    ch.ack(T, 2);
    expect(sink.bodies(consumerTag)).toEqual(['1', '2', '3', '4']);
    ch.ack(T, 4, true);
    expect(sink.bodies(consumerTag)).toEqual(['1', '2', '3', '4', '5', '6']);
  });
});
