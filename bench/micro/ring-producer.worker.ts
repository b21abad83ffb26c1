/** Worker entry of the ring scenarios: attaches to the main thread's ring and runs one producer. */
import { parentPort, workerData } from 'node:worker_threads';
import { RingBuffer } from 'ringbuf.js';
import { ByteRing } from '../../core/memory/index.js';
import type { RingProducerKind, RingProducerReport, RingProducerWorkerData } from './ring-messages.js';
import { produceIntoByteRing, produceIntoRingbuf } from './ring-producer.js';

const { kind, buffer, control, payloadBytes, batch } = workerData as RingProducerWorkerData;
const controlWords = new Int32Array(control);
const payload = new Uint8Array(payloadBytes).fill(0x5a);

function run(which: RingProducerKind): number {
  switch (which) {
    case 'byte-ring':
      return produceIntoByteRing(ByteRing.attach(buffer), controlWords, payload, batch);
    case 'ringbuf.js':
      return produceIntoRingbuf(new RingBuffer(buffer, Uint8Array), controlWords, payload, batch);
    default: {
      const unknown: never = which;
      throw new Error(`unknown ring producer ${String(unknown)}`);
    }
  }
}

const report: RingProducerReport = { produced: run(kind) };
parentPort?.postMessage(report);
