/** Worker entry of host.stalls: keeps one more core busy reading the clock and reports its gaps. */
import { parentPort, workerData } from 'node:worker_threads';
import { meterStalls } from './stalls.js';

const { durationMs } = workerData as { durationMs: number };
parentPort?.postMessage(meterStalls(durationMs));
