/** Worker entry: attaches to the test's ring and runs one producer role from ring-scenarios.ts. */
import { parentPort, workerData } from 'node:worker_threads';
import { ByteRing } from '../index.js';
import type { ProducerRole, ProducerWorkerData } from './ring-messages.js';
import { produceSequence, produceThenStopMidFrame } from './ring-scenarios.js';

const { buffer, role, frames, maxLength, batch, pollIntervalMs } = workerData as ProducerWorkerData;
const ring = ByteRing.attach(buffer, { pollIntervalMs });

function run(which: ProducerRole): void {
  switch (which) {
    case 'sequence':
      produceSequence(ring, frames, maxLength, batch);
      parentPort?.postMessage({ produced: frames });
      return;
    case 'die-by-exit':
      produceThenStopMidFrame(ring, frames, maxLength);
      return process.exit(3);
    case 'die-by-throw':
      produceThenStopMidFrame(ring, frames, maxLength);
      throw new Error('producer worker died mid-frame');
    default: {
      const unknown: never = which;
      throw new Error(`unknown producer role ${String(unknown)}`);
    }
  }
}

run(role);
