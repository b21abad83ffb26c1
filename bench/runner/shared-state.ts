/**
 * The memory the runner shares with every load generator, in the main thread or in workers. One
 * writer per stats slot (its generator); the main thread reads slots for progress lines and for the
 * drain check, so values may be a moment stale, never torn (aligned float64 stores).
 *
 * Control block (Int32Array over the first CONTROL_BYTES):
 *   word  field
 *   0     PHASE: SETUP, RUN (start time published), STOP (consumers finish)
 *   1     READY: generators that opened their endpoint
 *   2     EPOCH: bumped by the main thread after each progress line
 *   3     reserved
 *   then float64 word 2 (byte 16): the run's start time, ns
 *
 * Stats slot (SLOT_WORDS float64 per generator):
 *   0 SENT  1 RECEIVED  2 LAT_SUM_US  3 LAT_COUNT  4 LAT_MAX_US (since EPOCH)
 *   5 DONE (a producer: 1 once it has flushed its last message and SENT is final)
 */
export const PHASE_SETUP = 0;
export const PHASE_RUN = 1;
export const PHASE_STOP = 2;

export const W_PHASE = 0;
export const W_READY = 1;
export const W_EPOCH = 2;
const START_NS_F64 = 2;
const CONTROL_BYTES = 24;

export const S_SENT = 0;
export const S_RECEIVED = 1;
export const S_LAT_SUM_US = 2;
export const S_LAT_COUNT = 3;
export const S_LAT_MAX_US = 4;
export const S_DONE = 5;
export const SLOT_WORDS = 8;

export interface SharedState {
  readonly control: SharedArrayBuffer;
  readonly stats: SharedArrayBuffer;
}

export function createSharedState(slots: number): SharedState {
  return { control: new SharedArrayBuffer(CONTROL_BYTES), stats: new SharedArrayBuffer(Math.max(1, slots) * SLOT_WORDS * 8) };
}

export class StateView {
  readonly words: Int32Array;
  readonly times: Float64Array;
  readonly stats: Float64Array;

  constructor(state: SharedState) {
    this.words = new Int32Array(state.control);
    this.times = new Float64Array(state.control);
    this.stats = new Float64Array(state.stats);
  }

  get phase(): number {
    return Atomics.load(this.words, W_PHASE);
  }

  get startNs(): number {
    return this.times[START_NS_F64]!;
  }

  start(startNs: number): void {
    this.times[START_NS_F64] = startNs;
    Atomics.store(this.words, W_PHASE, PHASE_RUN);
    Atomics.notify(this.words, W_PHASE);
  }

  stop(): void {
    Atomics.store(this.words, W_PHASE, PHASE_STOP);
    Atomics.notify(this.words, W_PHASE);
  }

  markReady(): void {
    Atomics.add(this.words, W_READY, 1);
  }

  get ready(): number {
    return Atomics.load(this.words, W_READY);
  }

  get epoch(): number {
    return Atomics.load(this.words, W_EPOCH);
  }

  nextEpoch(): void {
    Atomics.add(this.words, W_EPOCH, 1);
  }

  /** Sum of one stats word over all slots. */
  sum(word: number): number {
    let n = 0;
    for (let i = word; i < this.stats.length; i += SLOT_WORDS) n += this.stats[i]!;
    return n;
  }

  max(word: number): number {
    let n = 0;
    for (let i = word; i < this.stats.length; i += SLOT_WORDS) n = Math.max(n, this.stats[i]!);
    return n;
  }
}
