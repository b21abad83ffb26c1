/** Worker entry: attaches to the test's ring, reads the sequence with blocking waits, reports. */
import { parentPort, workerData } from 'node:worker_threads';
import { ByteRing } from '../index.js';
import type { ConsumerWorkerData } from './ring-messages.js';
import { consumeSequence, SequenceVerifier } from './ring-scenarios.js';

const { buffer, maxLength, pollIntervalMs } = workerData as ConsumerWorkerData;
parentPort?.postMessage(consumeSequence(ByteRing.attach(buffer, { pollIntervalMs }), new SequenceVerifier(maxLength)));
