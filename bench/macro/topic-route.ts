/**
 * Topic routing decisions per second over 10,000 bindings: mqlab's topic trie (with its per-key
 * result cache, as the exchange uses it, and without) against the qlobber package on the same
 * bindings and keys. One thread; each sample times a pass over every key.
 */
import { createRequire } from 'node:module';
import { TopicTrie } from '../../core/routing/index.js';
import type { Measurement, MicroOptions } from '../micro/types.js';

const BINDINGS = 10_000;
const KEYS = 2_000;
const WORDS = ['stock', 'nyse', 'nasdaq', 'usd', 'eur', 'ibm', 'msft', 'orders', 'eu', 'us', 'created', 'paid', 'shipped', 'error', 'info', 'kern', 'cron', 'auth', 'lazy', 'quick'];

interface Qlobber {
  add(topic: string, value: number): void;
  match(topic: string): number[];
}
type QlobberCtor = new (options: { separator: string; wildcard_one: string; wildcard_some: string }) => Qlobber;

/** A small deterministic generator, so every run routes the same bindings and keys. */
function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 0x1_0000_0000;
  };
}

export function topicWorkload(): { patterns: string[]; keys: string[] } {
  const r = rng(42);
  const word = (): string => WORDS[Math.floor(r() * WORDS.length)]!;
  const patterns: string[] = [];
  for (let i = 0; i < BINDINGS; i++) {
    const n = 2 + Math.floor(r() * 4);
    const parts: string[] = [];
    for (let w = 0; w < n; w++) {
      const x = r();
      parts.push(x < 0.1 ? '*' : x < 0.14 ? '#' : word());
    }
    patterns.push(parts.join('.'));
  }
  const keys: string[] = [];
  for (let i = 0; i < KEYS; i++) {
    const n = 2 + Math.floor(r() * 4);
    keys.push(Array.from({ length: n }, word).join('.'));
  }
  return { patterns, keys };
}

function timeRouting(durationMs: number, route: (key: string) => number, keys: readonly string[]): { messages: number; elapsedNs: number; samples: number[]; matched: number } {
  let matched = 0;
  for (const key of keys) matched += route(key);
  const samples: number[] = [];
  let messages = 0;
  let elapsedNs = 0;
  const until = performance.now() + durationMs;
  while (performance.now() < until) {
    const start = process.hrtime.bigint();
    for (let i = 0; i < keys.length; i++) route(keys[i]!);
    const ns = Number(process.hrtime.bigint() - start);
    elapsedNs += ns;
    messages += keys.length;
    samples.push(keys.length / (ns / 1e9));
  }
  return { messages, elapsedNs, samples, matched };
}

export function runTopicRouteScenarios(options: MicroOptions): Measurement[] {
  const { patterns, keys } = topicWorkload();
  const require = createRequire(import.meta.url);
  const { Qlobber } = require('qlobber') as { Qlobber: QlobberCtor };
  const qlobber = new Qlobber({ separator: '.', wildcard_one: '*', wildcard_some: '#' });
  const trie = new TopicTrie<number>({ cacheSize: 4096 });
  patterns.forEach((p, i) => {
    qlobber.add(p, i);
    trie.add(p, i);
  });
  const params = { bindings: BINDINGS, keys: KEYS };
  const peer = timeRouting(options.durationMs, (k) => qlobber.match(k).length, keys);
  const cached = timeRouting(options.durationMs, (k) => trie.match(k).length, keys);
  const uncached = timeRouting(options.durationMs, (k) => trie.matchUncached(k).length, keys);
  const measurement = (id: string, target: string, t: ReturnType<typeof timeRouting>, extra: Record<string, number>): Measurement => ({
    id,
    target,
    params: { ...params, ...(id === 'amqp.topic.route.10k' ? { cache: 'per-routing-key' } : {}) },
    messages: t.messages,
    payloadBytes: 0,
    elapsedNs: t.elapsedNs,
    threads: 1,
    samplesMsgsPerS: t.samples,
    extra: { matched_destinations_first_pass: t.matched, ...extra },
  });
  return [
    measurement('peer.qlobber.route.10k', 'qlobber', peer, {}),
    measurement('amqp.topic.route.10k', 'mqlab', cached, { uncached_msgs_per_s: uncached.messages / (uncached.elapsedNs / 1e9) }),
    measurement('amqp.topic.route.10k.uncached', 'mqlab', uncached, {}),
  ];
}
