import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { DEFAULT_CONFIG_PATH, isCompared, mostSpecific, parseGateConfig, readGateConfig, thresholdFor } from './config.js';

const config = parseGateConfig({
  schema: 1,
  calibration: ['ceiling.copy.200B'],
  thresholds: { default: 0.08, scenarios: { 'log.read.200B': 0.1, 'log.*': 0.12, 'ring.*': 0.3 } },
  ignore: ['peer.*'],
  modes: {
    full: { suite: 'micro', scenarios: ['log.*', 'ring.spsc.200B', 'peer.*', 'ceiling.*'], runs: 8, duration: 0.3 },
    smoke: { suite: 'micro', scenarios: ['log.append.200B'], runs: 5, duration: 0.15, minThreshold: 0.25 },
  },
});

describe('gate config', () => {
  it('takes a per-scenario threshold over the default, the exact id over a prefix', () => {
    expect(thresholdFor(config, 'full', 'log.read.200B')).toBe(0.1);
    expect(thresholdFor(config, 'full', 'log.append.200B')).toBe(0.12);
    expect(thresholdFor(config, 'full', 'ring.spsc.200B')).toBe(0.3);
    expect(thresholdFor(config, 'full', 'kafka.produce.200B')).toBe(0.08);
  });

  it('raises every threshold to the mode minimum in smoke mode, never lowers one', () => {
    expect(thresholdFor(config, 'smoke', 'log.read.200B')).toBe(0.25);
    expect(thresholdFor(config, 'smoke', 'ring.spsc.200B')).toBe(0.3);
  });

  it('prefers the longest matching prefix', () => {
    expect(mostSpecific('log.append.200B', ['log.*', 'log.append.*', 'l*'])).toBe('log.append.*');
    expect(mostSpecific('log.append.200B', ['ring.*'])).toBeUndefined();
  });

  it('compares neither ignored scenarios nor calibration figures', () => {
    expect(isCompared(config, 'full', 'log.append.200B')).toBe(true);
    expect(isCompared(config, 'full', 'peer.postMessage.200B')).toBe(false);
    expect(isCompared(config, 'full', 'ceiling.copy.200B')).toBe(false);
    expect(isCompared(config, 'smoke', 'log.read.200B')).toBe(false);
  });

  it('rejects a threshold outside 0..1 and a pattern with an inner *', () => {
    const bad = (patch: object): unknown => ({ ...JSON.parse(readFileSync(DEFAULT_CONFIG_PATH, 'utf8')), ...patch });
    expect(() => parseGateConfig(bad({ thresholds: { default: 1.5 } }))).toThrow();
    expect(() => parseGateConfig(bad({ ignore: ['pe*r.x'] }))).toThrow();
  });

  it('the committed config validates and gives the smoke gate a 25% floor', () => {
    const committed = readGateConfig();
    expect(thresholdFor(committed, 'smoke', 'log.append.batch.200B')).toBeGreaterThanOrEqual(0.25);
    expect(committed.modes.smoke.scenarios.every((p) => !p.endsWith('*'))).toBe(true);
  });
});
