import { describe, expect, it } from 'vitest';
import { countDeliveries, SequenceTracker } from './sequence-tracker.js';
import { topicMatches } from './topology.js';

const everywhere = (): boolean => true;

describe('delivery checks from sequence numbers', () => {
  it('a clean stream counts no loss, duplicate or reordering', () => {
    const t = new SequenceTracker(2);
    for (let s = 0; s < 5000; s++) {
      t.record(0, 0, s);
      t.record(0, 1, s);
    }
    expect(countDeliveries([t.snapshot()], [5000, 5000], everywhere)).toMatchObject({ lost: 0, duplicated: 0, reordered: 0, delivered: 10000, expected: 10000 });
  });

  it('detects a dropped, a duplicated and a swapped message', () => {
    const t = new SequenceTracker(1);
    for (const s of [0, 1, 3, 2, 4, 4, 6, 7]) t.record(0, 0, s);
    // 5 never arrives; 4 arrives twice; 3 arrives before 2.
    expect(countDeliveries([t.snapshot()], [8], everywhere)).toMatchObject({ lost: 1, duplicated: 1, reordered: 1 });
  });

  it('counts messages never sent at the tail as lost', () => {
    const t = new SequenceTracker(1);
    for (let s = 0; s < 90; s++) t.record(0, 0, s);
    expect(countDeliveries([t.snapshot()], [100], everywhere).lost).toBe(10);
  });

  it('a message delivered to two consumers of one sink is a duplicate', () => {
    const a = new SequenceTracker(1);
    const b = new SequenceTracker(1);
    b.record(0, 0, 0);
    for (let s = 0; s < 100; s++) (s % 2 === 0 ? a : b).record(0, 0, s);
    expect(countDeliveries([a.snapshot(), b.snapshot()], [100], everywhere)).toMatchObject({ lost: 0, duplicated: 1, reordered: 0 });
  });

  it('streams are kept apart per producer and target', () => {
    const t = new SequenceTracker(3);
    t.record(1, 2, 0);
    t.record(0, 0, 0);
    t.record(1, 2, 1);
    const counts = countDeliveries([t.snapshot()], [1, 0, 0, 0, 0, 2], everywhere);
    expect(counts).toMatchObject({ lost: 0, duplicated: 0, reordered: 0, delivered: 3 });
  });

  it('messages of a stream that must not reach the sink count as misrouted', () => {
    const t = new SequenceTracker(2);
    t.record(0, 1, 0);
    expect(countDeliveries([t.snapshot()], [0, 1], (stream) => stream === 0).unexpected).toBe(1);
  });
});

describe('topic matching for expected routes', () => {
  it('follows RabbitMQ: * is one word, # is zero or more', () => {
    expect(topicMatches('kern.#', 'kern')).toBe(true);
    expect(topicMatches('kern.#', 'kern.info.disk')).toBe(true);
    expect(topicMatches('*.critical', 'kern.critical')).toBe(true);
    expect(topicMatches('*.critical', 'a.b.critical')).toBe(false);
    expect(topicMatches('#.fatal', 'fatal')).toBe(true);
    expect(topicMatches('a.*', 'a')).toBe(false);
  });
});
