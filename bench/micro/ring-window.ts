/**
 * The measured window of a throughput scenario: a warm-up, then `durationMs` measured, with a sample
 * of the rate every `sampleMs`. It is fed (time, running count) pairs at batch boundaries by
 * whoever counts received messages; it never times single messages and never formats anything.
 */
export interface WindowResult {
  readonly messages: number;
  readonly elapsedNs: number;
  readonly samplesMsgsPerS: readonly number[];
}

export class MeasuredWindow {
  private readonly startAt: number;
  private readonly endAt: number;
  private startCount = -1;
  private startTime = 0;
  private sampleCount = 0;
  private sampleTime = 0;
  private endCount = -1;
  private endTime = 0;
  private readonly samples: number[] = [];

  /** Times are performance.now() milliseconds. */
  constructor(
    now: number,
    warmupMs: number,
    durationMs: number,
    private readonly sampleMs: number,
  ) {
    this.startAt = now + warmupMs;
    this.endAt = this.startAt + durationMs;
  }

  get done(): boolean {
    return this.endCount >= 0;
  }

  /** Feeds the running count of received messages; true once the window has closed. */
  observe(now: number, count: number): boolean {
    if (this.endCount >= 0) return true;
    if (this.startCount < 0) {
      if (now < this.startAt) return false;
      this.startCount = this.sampleCount = count;
      this.startTime = this.sampleTime = now;
      return false;
    }
    if (now - this.sampleTime >= this.sampleMs) {
      this.samples.push(((count - this.sampleCount) * 1000) / (now - this.sampleTime));
      this.sampleCount = count;
      this.sampleTime = now;
    }
    if (now < this.endAt) return false;
    this.endCount = count;
    this.endTime = now;
    return true;
  }

  result(): WindowResult {
    if (this.endCount < 0) throw new Error('the measured window has not closed');
    return {
      messages: this.endCount - this.startCount,
      elapsedNs: Math.round((this.endTime - this.startTime) * 1e6),
      samplesMsgsPerS: this.samples,
    };
  }
}
