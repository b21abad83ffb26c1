/**
 * A broker worker thread's entry: it only wires messages to the Broker (broker.ts) and runs the
 * loop that pumps its rings. The loop drains in time slices, spins briefly when idle, then parks on
 * the broker doorbell for at most one heartbeat interval; between slices it yields to the event loop
 * so control messages (postMessage) get through. Whoever posts one also rings the bell.
 */
import { parentPort, workerData, type MessagePort } from 'node:worker_threads';
import { errorToRecord } from '../errors/index.js';
import { armDoorbell, disarmDoorbell, parkOnDoorbell } from '../memory/index.js';
import { Broker } from './broker.js';
import { BrokerState, PAUSE_WORD, STATE_WORD } from './layout.js';
import type { BrokerCalls, BrokerWorkerData, CallMessage, FromBroker } from './messages.js';

const SLICE_MS = 2;
/**
 * How long the loop keeps polling its rings after the last request before it parks. A parked worker
 * takes tens of microseconds to wake on this kind of machine (with a long tail), so a producer
 * sending every few hundred microseconds is met awake; an idle broker still sleeps.
 */
const IDLE_SPIN_MS = 0.3;

const data = workerData as BrokerWorkerData;
const port = parentPort as MessagePort;
const broker = new Broker(data.brokerId, data.config, data.control, (event) => port.postMessage(event satisfies FromBroker));
let running = true;

function call(message: CallMessage): unknown {
  switch (message.method) {
    case 'createPartitions': {
      const args = message.args as BrokerCalls['createPartitions']['args'];
      for (const spec of args.partitions) broker.createPartition(spec);
      return null;
    }
    case 'deletePartitions': {
      const args = message.args as BrokerCalls['deletePartitions']['args'];
      for (const p of args.partitions) broker.deletePartition(p.topicId, p.partition);
      return null;
    }
    case 'attachConnection': {
      const args = message.args as BrokerCalls['attachConnection']['args'];
      broker.attachConnection(args.connectionId, args.requests, args.responses);
      return null;
    }
    case 'detachConnection': {
      const args = message.args as BrokerCalls['detachConnection']['args'];
      broker.detachConnection(args.connectionId);
      return null;
    }
    case 'openReader': {
      const args = message.args as BrokerCalls['openReader']['args'];
      return broker.openReader(args.topicId, args.partition, args.port);
    }
    case 'partitionOffsets': {
      const args = message.args as BrokerCalls['partitionOffsets']['args'];
      return broker.partitionOffsets(args.topicId, args.partition);
    }
    case 'becomeLeader':
      return broker.becomeLeader(message.args as BrokerCalls['becomeLeader']['args']);
    case 'becomeFollower':
      broker.becomeFollower(message.args as BrokerCalls['becomeFollower']['args']);
      return null;
    case 'isrChanged': {
      const args = message.args as BrokerCalls['isrChanged']['args'];
      broker.isrChanged(args.topicId, args.partition, args.leaderEpoch, args.isr);
      return null;
    }
    case 'setPeers':
      broker.setPeers((message.args as BrokerCalls['setPeers']['args']).peers);
      return null;
    case 'shutdown':
      running = false;
      Atomics.store(broker.control, STATE_WORD, BrokerState.STOPPED);
      return null;
    default: {
      const never: never = message.method;
      throw new Error(`unknown broker call ${String(never)}`);
    }
  }
}

port.on('message', (message: CallMessage) => {
  let reply: FromBroker;
  try {
    reply = { kind: 'reply', id: message.id, ok: true, value: call(message) };
  } catch (error) {
    reply = { kind: 'reply', id: message.id, ok: false, error: errorToRecord(error) };
  }
  port.postMessage(reply);
  if (!running) port.close();
});

/**
 * Fault injection: a paused broker stalls whole, as a stopped process or a long GC pause would: no
 * requests served, no fetches, no heartbeat, no control messages read, until it is resumed.
 */
function stallWhilePaused(words: Int32Array): void {
  while (Atomics.load(words, PAUSE_WORD) !== 0) Atomics.wait(words, PAUSE_WORD, 1, 1_000);
}

function loop(): void {
  if (!running) return;
  const words = broker.control;
  stallWhilePaused(words);
  if (Atomics.load(words, STATE_WORD) === BrokerState.STOPPED) return;
  const bell = broker.bellWord;
  let now = performance.now();
  const sliceEnd = now + SLICE_MS;
  let idleSince = now;
  let idle = false;
  while (now < sliceEnd) {
    if (broker.pump() > 0) idleSince = now;
    else if (now - idleSince >= IDLE_SPIN_MS) {
      idle = true;
      break;
    }
    now = performance.now();
  }
  broker.beat();
  if (idle) {
    const sequence = armDoorbell(words, bell);
    if (!broker.hasWork()) parkOnDoorbell(words, bell, sequence, data.config.heartbeatIntervalMs);
    disarmDoorbell(words, bell);
  }
  setImmediate(loop);
}

Atomics.store(broker.control, STATE_WORD, BrokerState.RUNNING);
broker.beat();
port.postMessage({ kind: 'ready', brokerId: data.brokerId } satisfies FromBroker);
setImmediate(loop);
