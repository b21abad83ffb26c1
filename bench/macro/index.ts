/**
 * The macro suite: whole-engine scenarios on embedded clusters. Scenarios run one after another,
 * each on its own cluster, so none shares threads or memory with another. Most are workload files
 * run by the runner (bench/runner); the throughput-ceiling scenarios with code of their own (native
 * produce and log re-read, kafkajs-shaped produce and consume, topic routing, the AMQP closed-loop
 * modes) keep their ids and code.
 */
import type { DriverName } from '../drivers/types.js';
import type { Measurement } from '../micro/types.js';
import { kafkaFailoverRecovery } from './failover.js';
import { kafkaCompatConsume, kafkaCompatProduce, kafkaConsume, kafkaProduce, kafkaProduceReplicated } from './kafka.js';
import { runTopicRouteScenarios } from './topic-route.js';
import { rabbitmqReachable, runAmqpScenarios } from './amqp.js';
import { runWorkloadScenario, type MacroOptions } from './workload-scenario.js';

export type { MacroOptions } from './workload-scenario.js';

export interface MacroScenario {
  /** The ids this entry produces (a filter runs the entry when any of them matches). */
  readonly ids: readonly string[];
  /** In the default `mqlab bench` suite. */
  readonly inDefault: boolean;
  /** The workload file, for entries the runner measures. */
  readonly workload?: { readonly file: string; readonly driver?: DriverName };
  readonly run: (options: MacroOptions, earlier: readonly Measurement[]) => Promise<Measurement | Measurement[]>;
}

function fromWorkload(id: string, file: string, inDefault: boolean, driver?: DriverName): MacroScenario {
  return { ids: [id], inDefault, workload: { file, ...(driver === undefined ? {} : { driver }) }, run: (o, earlier) => runWorkloadScenario(file, o, earlier, driver) };
}

export const MACRO_SCENARIOS: readonly MacroScenario[] = [
  { ids: ['kafka.produce.200B'], inDefault: true, run: (o) => kafkaProduce(o, 1) },
  { ids: ['kafka.consume.200B'], inDefault: true, run: (o) => kafkaConsume(o) },
  fromWorkload('kafka.e2e.200B', 'kafka-e2e.json', true),
  { ids: ['kafka.produce.rf3.acksall.200B'], inDefault: true, run: (o) => kafkaProduceReplicated(o, -1) },
  { ids: ['kafka.produce.rf3.acks1.200B'], inDefault: false, run: (o) => kafkaProduceReplicated(o, 1) },
  fromWorkload('kafka.rf3.acksall.e2e.200B', 'kafka-rf3-acksall-e2e.json', false),
  fromWorkload('kafka.rf3.acks1.e2e.200B', 'kafka-rf3-acks1-e2e.json', false),
  { ids: ['kafka.failover.recovery'], inDefault: true, run: () => kafkaFailoverRecovery({ mode: 'kill', rounds: 10 }) },
  { ids: ['kafka.failover.recovery.pause'], inDefault: false, run: () => kafkaFailoverRecovery({ mode: 'pause', rounds: 10 }) },
  { ids: ['kafka.produce.200B.p6'], inDefault: false, run: (o) => kafkaProduce(o, 6) },
  { ids: ['kafka.compat.produce.200B'], inDefault: true, run: (o) => kafkaCompatProduce(o) },
  { ids: ['kafka.compat.consume.200B'], inDefault: true, run: (o) => kafkaCompatConsume(o) },
  fromWorkload('kafka.compat.e2e.200B', 'kafka-compat-e2e.json', false),
  fromWorkload('kafka.e2e.maxrate.200B', 'kafka-e2e-max-rate.json', true),
  { ids: ['peer.qlobber.route.10k', 'amqp.topic.route.10k', 'amqp.topic.route.10k.uncached'], inDefault: true, run: (o) => Promise.resolve(runTopicRouteScenarios(o)) },
  {
    ids: ['amqp.simple.200B', 'amqp.work.200B', 'amqp.fanout.200B.q10', 'amqp.rpc.200B', 'peer.rabbitmq.work.200B'],
    inDefault: true,
    run: async (o) => {
      const reachable = await rabbitmqReachable();
      const out = await runAmqpScenarios(o, reachable);
      if (!reachable) out.push({ id: 'peer.rabbitmq.work.200B', target: 'rabbitmq', params: {}, messages: 0, payloadBytes: 0, elapsedNs: 0, threads: 1, skipped: 'RabbitMQ not reachable' });
      return out;
    },
  },
  fromWorkload('amqp.simple.e2e.200B', 'amqp-simple.json', false),
  fromWorkload('amqp.work.e2e.200B', 'amqp-work.json', true),
  fromWorkload('peer.rabbitmq.work.e2e.200B', 'amqp-work.json', true, 'rabbitmq'),
  fromWorkload('amqp.pubsub.e2e.200B', 'amqp-pubsub.json', false),
  fromWorkload('amqp.routing.e2e.200B', 'amqp-routing.json', false),
  fromWorkload('amqp.topics.e2e.200B', 'amqp-topics.json', false),
  fromWorkload('peer.rabbitmq.topics.e2e.200B', 'amqp-topics.json', false, 'rabbitmq'),
  fromWorkload('amqp.rpc.e2e.200B', 'amqp-rpc.json', false),
  fromWorkload('peer.rabbitmq.rpc.e2e.200B', 'amqp-rpc.json', false, 'rabbitmq'),
];

/** True when `id` matches a --scenario pattern: the exact id, or a prefix ending in `*`. */
export function matchesScenario(id: string, patterns: readonly string[] | undefined): boolean {
  if (patterns === undefined || patterns.length === 0) return true;
  return patterns.some((p) => (p.endsWith('*') ? id.startsWith(p.slice(0, -1)) : id === p));
}

export async function runMacroSuite(options: MacroOptions, onlyDefault: boolean, patterns?: readonly string[]): Promise<Measurement[]> {
  const out: Measurement[] = [];
  for (const scenario of MACRO_SCENARIOS) {
    if (onlyDefault && !scenario.inDefault) continue;
    if (!scenario.ids.some((id) => matchesScenario(id, patterns))) continue;
    const result = await scenario.run(options, out);
    out.push(...(Array.isArray(result) ? result : [result]).filter((m) => matchesScenario(m.id, patterns)));
  }
  return out;
}
