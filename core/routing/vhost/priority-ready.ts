/**
 * The ready messages of a priority queue (x-max-priority, docs/priority.md): one {@link ReadyList}
 * per priority level 0..max. A message's level is its priority property capped at max (absent: 0).
 * The head is the head of the highest non-empty level, so higher priorities are delivered first and
 * publication order holds within a level; a requeued message goes back to its level at its original
 * position.
 *
 * Invariant: `count` and `bytes` are the sums over the levels; `top` is at least the highest
 * non-empty level (lowered lazily when levels empty).
 */
import type { Message } from './message.js';
import { ReadyList, type ReadyMessages } from './ready-list.js';

export class PriorityReadyList implements ReadyMessages {
  private readonly levels: ReadyList[] = [];
  private count = 0;
  private top = 0;
  bytes = 0;

  constructor(private readonly maxPriority: number) {
    for (let i = 0; i <= maxPriority; i++) this.levels.push(new ReadyList());
  }

  get length(): number {
    return this.count;
  }

  private levelOf(msg: Message): number {
    const p = msg.properties.priority;
    if (p === undefined || !(p > 0)) return 0;
    return p > this.maxPriority ? this.maxPriority : Math.floor(p);
  }

  push(msg: Message, seq: number, expiresAt: number, redelivered: boolean): void {
    this.add(msg, seq, expiresAt, redelivered, false);
  }

  insertBySeq(msg: Message, seq: number, expiresAt: number, redelivered: boolean): void {
    this.add(msg, seq, expiresAt, redelivered, true);
  }

  private add(msg: Message, seq: number, expiresAt: number, redelivered: boolean, bySeq: boolean): void {
    const level = this.levelOf(msg);
    const list = this.levels[level]!;
    if (bySeq) list.insertBySeq(msg, seq, expiresAt, redelivered);
    else list.push(msg, seq, expiresAt, redelivered);
    this.count++;
    this.bytes += msg.size;
    if (level > this.top) this.top = level;
  }

  /** The highest non-empty level; only valid when length > 0. */
  private head(): ReadyList {
    while (this.levels[this.top]!.length === 0) this.top--;
    return this.levels[this.top]!;
  }

  headMessage(): Message {
    return this.head().headMessage();
  }

  headSeq(): number {
    return this.head().headSeq();
  }

  headExpiresAt(): number {
    return this.head().headExpiresAt();
  }

  headRedelivered(): boolean {
    return this.head().headRedelivered();
  }

  shift(): Message {
    const msg = this.head().shift();
    this.count--;
    this.bytes -= msg.size;
    return msg;
  }

  removeSeq(seq: number): Message | undefined {
    for (const list of this.levels) {
      const msg = list.removeSeq(seq);
      if (msg === undefined) continue;
      this.count--;
      this.bytes -= msg.size;
      return msg;
    }
    return undefined;
  }

  messageAt(index: number): Message {
    let rest = index;
    for (let level = this.levels.length - 1; level >= 0; level--) {
      const list = this.levels[level]!;
      if (rest < list.length) return list.messageAt(rest);
      rest -= list.length;
    }
    throw new RangeError(`no ready message at ${index}`);
  }
}
