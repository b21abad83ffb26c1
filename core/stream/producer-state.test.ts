/** The idempotent producer's sequence rules on a partition (Kafka's ProducerStateManager). */
import { describe, expect, it } from 'vitest';
import { lastSequence, ProducerStateTable } from './producer-state.js';

function thrownBy(fn: () => unknown): unknown {
  try {
    fn();
  } catch (error) {
    return error;
  }
  throw new Error('expected a throw');
}

describe('ProducerStateTable', () => {
  it('accepts a new producer at sequence 0 and then only the next sequence', () => {
    const t = new ProducerStateTable();
    expect(t.check(7, 0, 0, 3)).toBe(-1);
    t.record(7, 0, 0, 3, 100);
    expect(t.check(7, 0, 3, 2)).toBe(-1);
    expect(thrownBy(() => t.check(7, 0, 6, 1))).toMatchObject({ type: 'OUT_OF_ORDER_SEQUENCE_NUMBER', code: 45 });
    expect(thrownBy(() => t.check(8, 0, 4, 1))).toMatchObject({ code: 45 });
  });

  it('answers a retried batch with its original offset', () => {
    const t = new ProducerStateTable();
    t.record(7, 0, 0, 3, 100);
    t.record(7, 0, 3, 2, 103);
    expect(t.check(7, 0, 0, 3)).toBe(100);
    expect(t.check(7, 0, 3, 2)).toBe(103);
  });

  it('remembers the last 5 batches only', () => {
    const t = new ProducerStateTable();
    for (let i = 0; i < 6; i++) t.record(7, 0, i, 1, 50 + i);
    expect(t.check(7, 0, 1, 1)).toBe(51);
    expect(thrownBy(() => t.check(7, 0, 0, 1))).toMatchObject({ code: 45 });
  });

  it('wraps the sequence from Int32 max to 0', () => {
    const t = new ProducerStateTable();
    expect(lastSequence(2_147_483_646, 3)).toBe(0);
    // A batch ending at Int32 max: the next one starts at 0.
    t.record(7, 0, 2_147_483_640, 8, 0);
    expect(t.check(7, 0, 0, 1)).toBe(-1);
    expect(thrownBy(() => t.check(7, 0, 2_147_483_648 % 2_147_483_647, 1))).toMatchObject({ code: 45 });
  });

  it('fences an old epoch (47) and starts a new epoch at sequence 0', () => {
    const t = new ProducerStateTable();
    t.record(7, 1, 0, 5, 0);
    expect(thrownBy(() => t.check(7, 0, 5, 1))).toMatchObject({ type: 'INVALID_PRODUCER_EPOCH', code: 47 });
    expect(thrownBy(() => t.check(7, 2, 5, 1))).toMatchObject({ code: 45 });
    expect(t.check(7, 2, 0, 1)).toBe(-1);
  });

  it('forgets batches a truncation removed; a producer whose batches all went may go on', () => {
    const t = new ProducerStateTable();
    t.record(7, 0, 0, 2, 10);
    t.record(7, 0, 2, 2, 12);
    t.truncateTo(12);
    expect(t.check(7, 0, 2, 2)).toBe(-1);
    t.truncateTo(0);
    expect(t.check(7, 0, 9, 1)).toBe(-1);
  });
});
