/**
 * Doorbells: the wait/notify half of the protocol described in layout.ts. A doorbell is two int32
 * words at `bell` and `bell + 1` in a header Int32Array: a sleeping flag the waiter raises, and a
 * sequence the ringer bumps. These functions are the only place the memory layer calls Atomics.wait,
 * Atomics.waitAsync or Atomics.notify (control.ts in log/ waits through waitAsyncHeld too).
 *
 * Invariant: a ringer that finds nobody asleep costs one load and never calls Atomics.notify.
 */
import { DOORBELL_SEQUENCE_WORD, DOORBELL_SLEEPING_WORD } from './layout.js';

const AWAKE = 0;
const ASLEEP = 1;

/** Step 2 of the protocol: raise the sleeping flag, then read the sequence to wait on. */
export function armDoorbell(words: Int32Array, bell: number): number {
  Atomics.store(words, bell + DOORBELL_SLEEPING_WORD, ASLEEP);
  return Atomics.load(words, bell + DOORBELL_SEQUENCE_WORD);
}

/** The waiter is leaving without (or after) parking. */
export function disarmDoorbell(words: Int32Array, bell: number): void {
  Atomics.store(words, bell + DOORBELL_SLEEPING_WORD, AWAKE);
}

/**
 * Called after publishing an index: wakes the other side only if it flagged itself asleep, and says
 * whether it did. Of many ringers racing, only the one that clears the flag pays for the notify.
 */
export function ringIfAsleep(words: Int32Array, bell: number): boolean {
  if (
    Atomics.load(words, bell + DOORBELL_SLEEPING_WORD) === AWAKE ||
    Atomics.compareExchange(words, bell + DOORBELL_SLEEPING_WORD, ASLEEP, AWAKE) !== ASLEEP
  ) {
    return false;
  }
  Atomics.add(words, bell + DOORBELL_SEQUENCE_WORD, 1);
  Atomics.notify(words, bell + DOORBELL_SEQUENCE_WORD);
  return true;
}

/** For state changes (close, dead), which are rare and must never be missed. */
export function ringAlways(words: Int32Array, bell: number): void {
  Atomics.add(words, bell + DOORBELL_SEQUENCE_WORD, 1);
  Atomics.notify(words, bell + DOORBELL_SEQUENCE_WORD);
}

/** Step 4, blocking: for worker threads. Returns early when the sequence moved on. */
export function parkOnDoorbell(words: Int32Array, bell: number, sequence: number, timeoutMs: number): void {
  Atomics.wait(words, bell + DOORBELL_SEQUENCE_WORD, sequence, timeoutMs);
}

/** Step 4 on an event-loop thread: resolves when rung, when the sequence moved on, or on timeout. */
export function parkOnDoorbellAsync(words: Int32Array, bell: number, sequence: number, timeoutMs: number): Promise<unknown> | undefined {
  const result = waitAsyncHeld(words, bell + DOORBELL_SEQUENCE_WORD, sequence, timeoutMs);
  return typeof result === 'string' ? undefined : result;
}

/**
 * Atomics.waitAsync that keeps the event loop alive while it is pending. Node counts a pending
 * waitAsync as nothing: a thread whose only work is awaiting one exits (code 13, unsettled top-level
 * await) although another thread is about to notify it. A ref'd timer for the length of the wait
 * holds the loop open; it is only paid when the caller actually parks. A wait that settled at once
 * (the word had moved on, or a zero timeout) answers synchronously, as Atomics.waitAsync does.
 */
export function waitAsyncHeld(words: Int32Array, index: number, value: number, timeoutMs: number): Promise<'ok' | 'timed-out'> | 'not-equal' | 'timed-out' {
  const result = Atomics.waitAsync(words, index, value, timeoutMs);
  if (!result.async) return result.value;
  const hold = setInterval(noop, HOLD_INTERVAL_MS);
  return result.value.finally(() => clearInterval(hold));
}

/** The longest interval a timer takes (2^31 - 1 ms); the timer never fires in practice. */
const HOLD_INTERVAL_MS = 0x7fffffff;
function noop(): void {}
