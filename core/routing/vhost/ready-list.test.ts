import { describe, expect, it } from 'vitest';
import { Message, MessageStats } from './message.js';
import { ReadyList } from './ready-list.js';
import { UnackedLog } from './unacked.js';
import type { Queue } from './queue.js';

const stats = new MessageStats();
function msg(n: number): Message {
  return new Message(stats, '', 'q', null, 0, {}, new Uint8Array(n), -1);
}

function seqs(list: ReadyList): number[] {
  const out: number[] = [];
  while (list.length > 0) {
    out.push(list.headSeq());
    list.shift();
  }
  return out;
}

describe('ReadyList', () => {
  it('keeps publication order through growth, and requeued entries go back by sequence number', () => {
    const list = new ReadyList();
    for (let s = 1; s <= 40; s += 2) list.push(msg(1), s, Infinity, false);
    for (const s of [40, 2, 20, 38, 0, 41]) list.insertBySeq(msg(1), s, Infinity, true);
    expect(seqs(list)).toEqual([0, 1, 2, 3, 5, 7, 9, 11, 13, 15, 17, 19, 20, 21, 23, 25, 27, 29, 31, 33, 35, 37, 38, 39, 40, 41]);
  });

  it('wraps around the ring and tracks body bytes', () => {
    const list = new ReadyList();
    const reference: number[] = [];
    for (let round = 0; round < 5; round++) {
      for (let i = 0; i < 10; i++) {
        list.push(msg(3), round * 10 + i, Infinity, false);
        reference.push(round * 10 + i);
      }
      for (let i = 0; i < 8; i++) {
        list.shift();
        reference.shift();
      }
    }
    expect(list.length).toBe(reference.length);
    expect(list.bytes).toBe(3 * reference.length);
    const between = reference[3]! + 0.5;
    list.insertBySeq(msg(2), between, 7, true);
    reference.splice(4, 0, between);
    expect(list.bytes).toBe(3 * (reference.length - 1) + 2);
    expect(seqs(list)).toEqual(reference);
    expect(list.bytes).toBe(0);
  });
});

describe('UnackedLog', () => {
  const queue = {} as Queue;

  it('finds tags, settles in any order, and compacts while keeping tag order', () => {
    const log = new UnackedLog();
    for (let tag = 1; tag <= 300; tag++) log.push(tag, msg(1), queue, null, tag, Infinity);
    for (let tag = 1; tag <= 300; tag++) if (tag % 3 !== 0) log.settle(log.indexOf(tag));
    log.compact();
    expect(log.size).toBe(100);
    expect(log.indexOf(4)).toBe(-1);
    expect(log.tags[log.indexOf(150)]).toBe(150);
    for (let tag = 301; tag <= 400; tag++) log.push(tag, msg(1), queue, null, tag, Infinity);
    const drained = log.drain();
    expect(drained.tags.length).toBe(200);
    expect(drained.tags.every((t, i) => i === 0 || t > drained.tags[i - 1]!)).toBe(true);
    expect(log.size).toBe(0);
  });

  it('restores a record into its tag position (tx.rollback)', () => {
    const log = new UnackedLog();
    for (const tag of [1, 2, 3, 4]) log.push(tag, msg(1), queue, null, tag, Infinity);
    log.settle(log.indexOf(2));
    log.compact();
    log.restore(2, msg(1), queue, null, 2, Infinity);
    expect(log.drain().tags).toEqual([1, 2, 3, 4]);
  });

  it('stays bounded when one old delivery is never settled', () => {
    const log = new UnackedLog();
    log.push(1, msg(1), queue, null, 1, Infinity);
    for (let tag = 2; tag < 100_000; tag++) {
      log.push(tag, msg(1), queue, null, tag, Infinity);
      log.settle(log.indexOf(tag));
      log.compact();
    }
    expect(log.size).toBe(1);
    expect(log.tags.length).toBeLessThanOrEqual(256);
  });
});
