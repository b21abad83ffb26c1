/**
 * The typed messages and the control words between bench/micro/ring.ts (main thread) and its worker
 * threads: the ring producers (ByteRing, ringbuf.js) and the MessagePort sink.
 */
import type { MessagePort } from 'node:worker_threads';

/**
 * Control words in a small SharedArrayBuffer of the bench's own (not a ByteRing's):
 *
 * | field    | byte offset | size | meaning                                                   |
 * |----------|-------------|------|-----------------------------------------------------------|
 * | stop     | 0           | 4    | the consumer sets 1 when the measured window is over       |
 * | park     | 4           | 4    | never written: a ringbuf.js producer sleeps on it (timed)  |
 * | produced | 8           | 4    | frames a ringbuf.js producer pushed, stored before `done`  |
 * | done     | 12          | 4    | 1 once a ringbuf.js producer pushed its last frame         |
 */
export const ControlWord = { STOP: 0, PARK: 1, PRODUCED: 2, DONE: 3 } as const;
export const CONTROL_BYTES = 16;

/** Which ring a producer worker fills. */
export type RingProducerKind = 'byte-ring' | 'ringbuf.js';

export interface RingProducerWorkerData {
  readonly kind: RingProducerKind;
  readonly buffer: SharedArrayBuffer;
  readonly control: SharedArrayBuffer;
  readonly payloadBytes: number;
  /** Frames between two commits (ByteRing) or two stop checks (both). */
  readonly batch: number;
}

/** A producer worker's last word. */
export interface RingProducerReport {
  readonly produced: number;
}

export interface PortSinkWorkerData {
  readonly port: MessagePort;
  /** The sink acknowledges after at least this many messages. */
  readonly ackEvery: number;
}

/** Main -> sink: one message, a batch of distinct messages, or "tell me the final count". */
export type PortSinkRequest = Uint8Array | Uint8Array[] | { readonly kind: 'flush' };

/** Sink -> main: messages received so far, and sequence numbers that were out of place. */
export interface PortSinkAck {
  readonly received: number;
  readonly errors: number;
  readonly flushed: boolean;
}
