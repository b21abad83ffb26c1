/**
 * Differential routing: random topic and headers bindings and messages, routed through the
 * selected target and checked against the reference word/header rules, and, when the target is
 * the real RabbitMQ, against mqlab core too. Each queue has exactly one binding, so any difference
 * reduces to one (binding, message) pair: the failure names the smallest one, re-checked alone.
 * MQLAB_CONFORMANCE_SEED replays a run.
 */
import { describe, expect, it, onTestFinished } from 'vitest';
import { CoreTarget } from '../../targets/index.js';
import { AmqpSession, amqpSession } from '../../support/amqp.js';
import { byLabel, routingFixture, topicMatches, type Binding, type BindingArgs, type Publication } from '../../support/routing.js';

/** mulberry32: a small seeded PRNG, so a failing run can be replayed. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const seedFromEnv = Number(process.env['MQLAB_CONFORMANCE_SEED'] ?? '');
const SEED = Number.isInteger(seedFromEnv) && seedFromEnv > 0 ? seedFromEnv : Math.floor(Math.random() * 2 ** 31) + 1;

function pick<T>(rand: () => number, items: readonly T[]): T {
  const item = items[Math.floor(rand() * items.length)];
  if (item === undefined) throw new Error('pick from an empty list');
  return item;
}

function words(rand: () => number, alphabet: readonly string[], max: number): string {
  const n = Math.floor(rand() * (max + 1));
  return Array.from({ length: n }, () => pick(rand, alphabet)).join('.');
}

const HEADER_NAMES = ['h1', 'h2', 'h3'] as const;
const HEADER_VALUES = ['v1', 'v2'] as const;

/** Reference headers matching for string values and void (presence-only) arguments. */
function headersMatch(args: BindingArgs, headers: Record<string, unknown> | undefined): boolean {
  const mode = args['x-match'] === 'any' ? 'any' : 'all';
  const pairs = Object.entries(args).filter(([k]) => !k.startsWith('x-'));
  const ok = ([k, v]: [string, unknown]): boolean => headers !== undefined && k in headers && (v === null || headers[k] === v);
  return mode === 'all' ? pairs.every(ok) : pairs.some(ok);
}

interface Scenario {
  readonly type: 'topic' | 'headers';
  readonly bindings: readonly Binding[];
  readonly publications: readonly Publication[];
  readonly expected: (b: Binding, p: Publication) => boolean;
}

function topicScenario(rand: () => number): Scenario {
  const bindings = Array.from({ length: 24 }, (_, i) => ({ destination: `q${i}`, pattern: words(rand, ['a', 'b', 'c', '*', '#', ''], 4) }));
  const publications = Array.from({ length: 40 }, (_, i) => ({ label: `m${i}`, routingKey: words(rand, ['a', 'b', 'c', ''], 4) }));
  return { type: 'topic', bindings, publications, expected: (b, p) => topicMatches(b.pattern, p.routingKey) };
}

function headersScenario(rand: () => number): Scenario {
  const bindings = Array.from({ length: 24 }, (_, i) => {
    const args: BindingArgs = { 'x-match': rand() < 0.5 ? 'all' : 'any' };
    for (const h of HEADER_NAMES) if (rand() < 0.6) args[h] = rand() < 0.2 ? null : pick(rand, HEADER_VALUES);
    return { destination: `q${i}`, pattern: '', args };
  });
  const publications = Array.from({ length: 40 }, (_, i) => {
    const headers: Record<string, unknown> = {};
    for (const h of HEADER_NAMES) if (rand() < 0.6) headers[h] = pick(rand, HEADER_VALUES);
    return { label: `m${i}`, routingKey: '', headers };
  });
  return { type: 'headers', bindings, publications, expected: (b, p) => headersMatch(b.args ?? {}, p.headers) };
}

/** label → destinations, through a real exchange of the session's target. */
async function routeThrough(session: AmqpSession, scenario: Scenario): Promise<Record<string, string[]>> {
  const f = await routingFixture(session, scenario.type, scenario.bindings.map((b) => b.destination));
  for (const b of scenario.bindings) await f.bind(b);
  return byLabel(await f.route(scenario.publications), scenario.publications.map((p) => p.label));
}

interface Difference {
  readonly binding: Binding;
  readonly publication: Publication;
  readonly actual: boolean;
  readonly other: boolean;
}

function differences(scenario: Scenario, actual: Record<string, string[]>, other: (b: Binding, p: Publication) => boolean): Difference[] {
  const out: Difference[] = [];
  for (const p of scenario.publications) {
    for (const b of scenario.bindings) {
      const got = actual[p.label]?.includes(b.destination) ?? false;
      const want = other(b, p);
      if (got !== want) out.push({ binding: b, publication: p, actual: got, other: want });
    }
  }
  return out;
}

const sizeOf = (d: Difference): number =>
  JSON.stringify(d.binding.args ?? d.binding.pattern).length + JSON.stringify(d.publication.headers ?? d.publication.routingKey).length;

function describeDifference(targetName: string, otherName: string, d: Difference, reproduced: boolean): string {
  const binding = d.binding.args === undefined ? JSON.stringify(d.binding.pattern) : JSON.stringify(d.binding.args);
  const message = d.publication.headers === undefined ? JSON.stringify(d.publication.routingKey) : JSON.stringify(d.publication.headers);
  return `seed ${SEED}: smallest difference: binding ${binding}, message ${message}: ${targetName} ${d.actual ? 'routes' : 'does not route'}, ${otherName} ${d.other ? 'routes' : 'does not route'}${reproduced ? ' (reproduced alone)' : ' (only in the full scenario)'}`;
}

async function differential(session: AmqpSession, scenario: Scenario): Promise<void> {
  const actual = await routeThrough(session, scenario);
  const comparisons: { name: string; decide: (b: Binding, p: Publication) => boolean }[] = [{ name: 'reference', decide: scenario.expected }];
  if (session.target.name !== 'core') {
    const core = new CoreTarget();
    const coreSession = new AmqpSession(core);
    onTestFinished(async () => {
      await coreSession.cleanup();
      await core.close();
    });
    const coreRoutes = await routeThrough(coreSession, scenario);
    comparisons.push({ name: 'core', decide: (b, p) => coreRoutes[p.label]?.includes(b.destination) ?? false });
  }
  for (const { name, decide } of comparisons) {
    const diffs = differences(scenario, actual, decide).sort((a, b) => sizeOf(a) - sizeOf(b));
    const smallest = diffs[0];
    if (smallest === undefined) continue;
    const alone: Scenario = { ...scenario, bindings: [smallest.binding], publications: [smallest.publication] };
    const again = await routeThrough(session, alone);
    const reproduced = (again[smallest.publication.label]?.includes(smallest.binding.destination) ?? false) === smallest.actual;
    expect.fail(`${diffs.length} differences; ${describeDifference(session.target.name, name, smallest, reproduced)}`);
  }
}

describe('differential routing', () => {
  it('R08 differential: random topic bindings and keys route as the reference rules (and core, on rabbitmq)', async (ctx) => {
    const s = amqpSession(ctx);
    await differential(s, topicScenario(prng(SEED)));
  });

  it('R12 differential: random headers bindings and messages route as the reference rules (and core, on rabbitmq)', async (ctx) => {
    const s = amqpSession(ctx);
    await differential(s, headersScenario(prng(SEED ^ 0x5bd1e995)));
  });
});
