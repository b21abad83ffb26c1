import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it, onTestFinished } from 'vitest';
import { listWorkloadFiles, loadWorkload, parseWorkload, resolveWorkloadFile, WorkloadError } from './workload.js';

const kafka = { id: 'x.kafka', model: 'kafka', producers: 1, consumers: 1, messageSize: 200, rate: 0, durationS: 1 };
const amqp = {
  id: 'x.amqp',
  model: 'amqp',
  exchanges: [{ name: 'ex', type: 'topic' }],
  queues: [{ name: 'q' }],
  bindings: [{ exchange: 'ex', queue: 'q', key: 'a.*' }],
  publish: { exchange: 'ex', routingKeys: ['a.b'] },
  producers: 1,
  consumers: 1,
  messageSize: 64,
  rate: 1000,
  durationS: 1,
};

function fieldOf(data: unknown): string {
  try {
    parseWorkload(data, 'test.json');
  } catch (error) {
    expect(error).toBeInstanceOf(WorkloadError);
    return (error as WorkloadError).field;
  }
  throw new Error('the workload was accepted');
}

describe('workload files', () => {
  it('every shipped workload file is valid, one per seed mode and Kafka scenario', () => {
    const files = listWorkloadFiles();
    const ids = files.map((f) => loadWorkload(f).id);
    for (const id of ['kafka.produce.200B', 'kafka.consume.200B', 'kafka.e2e.200B', 'kafka.rf3.acksall.e2e.200B', 'kafka.compat.produce.200B', 'kafka.compat.consume.200B']) expect(ids).toContain(id);
    for (const mode of ['simple', 'work', 'pubsub', 'routing', 'topics', 'rpc']) expect(ids).toContain(`amqp.${mode}.e2e.200B`);
  });

  it('a shipped workload is found by file name with or without .json; an unknown name stays as given', () => {
    expect(loadWorkload(resolveWorkloadFile('amqp-work')).id).toBe('amqp.work.e2e.200B');
    expect(resolveWorkloadFile('amqp-work.json')).toBe(resolveWorkloadFile('amqp-work'));
    expect(resolveWorkloadFile('no-such-workload')).toBe('no-such-workload');
  });

  it('fills defaults for a minimal workload', () => {
    const w = parseWorkload(kafka, 'test.json');
    expect(w.model === 'kafka' && w.partitions === 1 && w.acks === 'all' && w.warmupS === 0.5).toBe(true);
  });

  it('rejects bad values naming the field', () => {
    expect(fieldOf({ ...kafka, producers: 0 })).toBe('producers');
    expect(fieldOf({ ...kafka, messageSize: 8 })).toBe('messageSize');
    expect(fieldOf({ ...kafka, rate: -1 })).toBe('rate');
    expect(fieldOf({ ...kafka, acks: 2 })).toBe('acks');
    expect(fieldOf({ ...kafka, model: 'mqtt' })).toBe('model');
    expect(fieldOf({ ...kafka, replicationFactor: 3, brokers: 1 })).toBe('replicationFactor');
    expect(fieldOf({ ...kafka, findMaxRate: { p99Us: 1000, minRate: 10, maxRate: 5 } })).toBe('findMaxRate.minRate');
  });

  it('rejects unknown fields, so a typo is not silently ignored', () => {
    const message = ((): string => {
      try {
        parseWorkload({ ...kafka, partitons: 4 }, 'typo.json');
        return '';
      } catch (error) {
        return (error as Error).message;
      }
    })();
    expect(message).toContain('typo.json');
    expect(message).toContain('partitons');
  });

  it('rejects bindings and publishes that name undeclared exchanges or queues', () => {
    expect(fieldOf({ ...amqp, bindings: [{ exchange: 'ex', queue: 'nope', key: '' }] })).toBe('bindings.0.queue');
    expect(fieldOf({ ...amqp, publish: { exchange: 'other', routingKeys: ['k'] } })).toBe('publish.exchange');
    expect(fieldOf({ ...amqp, queues: [] })).toBe('queues');
  });

  it('an RPC workload needs a server and a known reply-to style', () => {
    const rpc = parseWorkload({ ...amqp, rpc: {} }, 'rpc.json');
    expect(rpc.model === 'amqp' && rpc.rpc?.replyTo).toBe('direct');
    expect(fieldOf({ ...amqp, rpc: {}, consumers: 0 })).toBe('consumers');
    expect(fieldOf({ ...amqp, rpc: { replyTo: 'topic' } })).toBe('rpc.replyTo');
  });

  it('reports a file that is not JSON', () => {
    const dir = mkdtempSync(join(tmpdir(), 'mqlab-workload-'));
    onTestFinished(() => rmSync(dir, { recursive: true, force: true }));
    const file = join(dir, 'bad.json');
    writeFileSync(file, '{ "id": ');
    expect(() => loadWorkload(file)).toThrow(/bad\.json: is not valid JSON/);
  });
});
