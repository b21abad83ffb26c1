/**
 * Worker entry: its only pending work is one waitForDataAsync on the test's ring (no listener, no
 * timer), so it stays alive only if a parked wait holds the event loop open.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { ByteRing } from '../index.js';

const { buffer } = workerData as { buffer: SharedArrayBuffer };
const ready = await ByteRing.attach(buffer, { pollIntervalMs: 60_000 }).waitForDataAsync(30_000);
parentPort?.postMessage({ ready });
