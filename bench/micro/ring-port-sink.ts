/**
 * The receiving end of the postMessage peers: counts what arrives on a MessagePort, checks each
 * message's sequence number, and acknowledges every `ackEvery` messages so the sender can keep a
 * bounded window in flight.
 */
import type { MessagePort } from 'node:worker_threads';
import type { PortSinkAck, PortSinkRequest } from './ring-messages.js';

export function startPortSink(port: MessagePort, ackEvery: number): void {
  let received = 0;
  let acked = 0;
  let errors = 0;
  const check = (message: Uint8Array): void => {
    const sequence = (message[0] ?? 0) | ((message[1] ?? 0) << 8) | ((message[2] ?? 0) << 16) | ((message[3] ?? 0) << 24);
    if (sequence !== received) errors++;
    received++;
  };
  port.on('message', (request: PortSinkRequest) => {
    if (request instanceof Uint8Array) check(request);
    else if (Array.isArray(request)) for (const message of request) check(message);
    else {
      const ack: PortSinkAck = { received, errors, flushed: true };
      port.postMessage(ack);
      port.close();
      return;
    }
    if (received - acked >= ackEvery) {
      acked = received;
      const ack: PortSinkAck = { received, errors, flushed: false };
      port.postMessage(ack);
    }
  });
}
