/**
 * Segment announcements over a MessagePort dedicated to them: the owner posts each new segment once,
 * and the reader pulls pending ones synchronously (receiveMessageOnPort) exactly when it needs them,
 * so a reader thread busy draining a cursor never has to yield to its event loop to follow a roll.
 */
import { receiveMessageOnPort, type MessagePort } from 'node:worker_threads';
import type { SegmentDescriptor, SegmentMessage } from './descriptor.js';
import type { PartitionLog } from './partition-log.js';

/** Owner side: posts every segment `log` creates from now on to `port`. Returns the unsubscribe. */
export function announceSegments(log: PartitionLog, port: MessagePort): () => void {
  return log.onSegmentCreated((segment) => {
    const message: SegmentMessage = { kind: 'segment', segment };
    port.postMessage(message);
  });
}

/** Reader side: a `pullSegment` for PartitionLogReader.attach that reads announcements from `port`. */
export function pullSegmentsFrom(port: MessagePort): () => SegmentDescriptor | undefined {
  return () => {
    for (;;) {
      const received = receiveMessageOnPort(port);
      if (received === undefined) return undefined;
      const message = received.message as Partial<SegmentMessage> | null;
      if (message?.kind === 'segment' && message.segment !== undefined) return message.segment;
    }
  };
}
