/** Worker entry of the postMessage peers: wires the transferred port to the sink. */
import { workerData } from 'node:worker_threads';
import type { PortSinkWorkerData } from './ring-messages.js';
import { startPortSink } from './ring-port-sink.js';

const { port, ackEvery } = workerData as PortSinkWorkerData;
startPortSink(port, ackEvery);
