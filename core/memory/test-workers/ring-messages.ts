/** The typed messages between byte-ring.test.ts and its worker threads (workerData in, replies out). */

/** What a producer worker does after attaching. */
export type ProducerRole =
  /** Writes `frames` sequence frames (blocking waits when full), then closes orderly. */
  | 'sequence'
  /** Commits `frames` frames, reserves one more, half-writes it, then calls process.exit. */
  | 'die-by-exit'
  /** Same, but ends with an uncaught throw. */
  | 'die-by-throw';

export interface ProducerWorkerData {
  readonly buffer: SharedArrayBuffer;
  readonly role: ProducerRole;
  readonly frames: number;
  readonly maxLength: number;
  /** Frames reserved between two commits. */
  readonly batch: number;
  /** The fallback poll; tests make it long so that only a doorbell can wake a waiter in time. */
  readonly pollIntervalMs: number;
}

export interface ConsumerWorkerData {
  readonly buffer: SharedArrayBuffer;
  /** The producer's maxLength, which the frame lengths depend on. */
  readonly maxLength: number;
  readonly pollIntervalMs: number;
}

/** A worker's last word (structured-clone safe). */
export interface SequenceReport {
  readonly frames: number;
  readonly bytes: number;
  readonly errors: number;
  readonly firstError: string;
  readonly ended: boolean;
}
