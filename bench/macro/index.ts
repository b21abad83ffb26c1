/**
 * The macro suite: whole-engine scenarios on embedded clusters. Scenarios run one after another,
 * each on its own cluster, so none shares threads or memory with another.
 */
import type { Measurement, MicroOptions } from '../micro/types.js';
import { kafkaCompatConsume, kafkaCompatProduce, kafkaConsume, kafkaE2e, kafkaProduce } from './kafka.js';
import { runTopicRouteScenarios } from './topic-route.js';
import { rabbitmqReachable, runAmqpScenarios } from './amqp.js';

export interface MacroScenario {
  readonly id: string;
  /** In the default `mqlab bench` suite. */
  readonly inDefault: boolean;
  readonly run: (options: MicroOptions, earlier: readonly Measurement[]) => Promise<Measurement | Measurement[]>;
}

/** Half the produce rate measured earlier in the same run: "half the sustainable rate". */
function halfSustainable(earlier: readonly Measurement[]): number {
  const produce = earlier.find((m) => m.id === 'kafka.produce.200B');
  const rate = produce === undefined ? 1_000_000 : produce.messages / (produce.elapsedNs / 1e9);
  return Math.max(10_000, Math.round(rate / 2 / 10_000) * 10_000);
}

export const MACRO_SCENARIOS: readonly MacroScenario[] = [
  { id: 'kafka.produce.200B', inDefault: true, run: (o) => kafkaProduce(o, 1) },
  { id: 'kafka.consume.200B', inDefault: true, run: (o) => kafkaConsume(o) },
  { id: 'kafka.e2e.200B', inDefault: true, run: (o, earlier) => kafkaE2e(o, halfSustainable(earlier)) },
  { id: 'kafka.produce.200B.p6', inDefault: false, run: (o) => kafkaProduce(o, 6) },
  { id: 'kafka.compat.produce.200B', inDefault: true, run: (o) => kafkaCompatProduce(o) },
  { id: 'kafka.compat.consume.200B', inDefault: true, run: (o) => kafkaCompatConsume(o) },
  { id: 'amqp.topic.route.10k', inDefault: true, run: (o) => Promise.resolve(runTopicRouteScenarios(o)) },
  { id: 'amqp.work.200B', inDefault: true, run: async (o) => runAmqpScenarios(o, await rabbitmqReachable()) },
];

export async function runMacroSuite(options: MicroOptions, onlyDefault: boolean): Promise<Measurement[]> {
  const out: Measurement[] = [];
  for (const scenario of MACRO_SCENARIOS) {
    if (onlyDefault && !scenario.inDefault) continue;
    const result = await scenario.run(options, out);
    out.push(...(Array.isArray(result) ? result : [result]));
  }
  return out;
}
