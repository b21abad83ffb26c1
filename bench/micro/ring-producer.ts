/**
 * The producing loops of the ring scenarios, run in a worker (ring-producer.worker.ts dispatches
 * here). Each frame is the same 200-byte payload copied into the ring, with the frame's sequence
 * number in its first word, so the consumer can check order and count.
 */
import { RingBuffer } from 'ringbuf.js';
import { ByteRing, NO_SPACE } from '../../core/memory/index.js';
import { ControlWord } from './ring-messages.js';

/** Long enough for a busy consumer, short enough to notice the stop word. */
const WAIT_MS = 100;
/** ringbuf.js has no doorbell: re-check this often, then sleep briefly. */
const POLL_SPINS = 2000;
const POLL_SLEEP_MS = 0.02;

/** Fills a ByteRing until the consumer says stop; commits once per `batch`; then closes. */
export function produceIntoByteRing(ring: ByteRing, control: Int32Array, payload: Uint8Array, batch: number): number {
  const data = ring.data;
  const words = ring.dataWords;
  const length = payload.length;
  let produced = 0;
  outer: while (Atomics.load(control, ControlWord.STOP) === 0) {
    for (let i = 0; i < batch; i++) {
      let offset = ring.reserve(length);
      while (offset === NO_SPACE) {
        if (!ring.waitForSpace(length, WAIT_MS) && Atomics.load(control, ControlWord.STOP) !== 0) break outer;
        offset = ring.reserve(length);
      }
      data.set(payload, offset);
      words[offset >> 2] = produced;
      produced++;
    }
    ring.commit();
  }
  ring.closeProducer();
  return produced;
}

/** Pushes one frame per `push` into a ringbuf.js RingBuffer until told to stop; polls when full. */
export function produceIntoRingbuf(ring: RingBuffer, control: Int32Array, payload: Uint8Array, batch: number): number {
  const words = new Int32Array(payload.buffer, payload.byteOffset, payload.length >> 2);
  const length = payload.length;
  let produced = 0;
  outer: while (Atomics.load(control, ControlWord.STOP) === 0) {
    for (let i = 0; i < batch; i++) {
      for (let spins = 0; ring.availableWrite() < length; spins++) {
        if (spins < POLL_SPINS) continue;
        if (Atomics.load(control, ControlWord.STOP) !== 0) break outer;
        Atomics.wait(control, ControlWord.PARK, 0, POLL_SLEEP_MS);
      }
      words[0] = produced;
      ring.push(payload);
      produced++;
    }
  }
  Atomics.store(control, ControlWord.PRODUCED, produced);
  Atomics.store(control, ControlWord.DONE, 1);
  return produced;
}
