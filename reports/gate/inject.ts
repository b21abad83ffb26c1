/**
 * An injected slowdown, for validating the gate itself and nothing else: the candidate's figures of
 * matching scenarios are scaled down as they are read, as if the code had got that much slower. The
 * gate prints that it is active. Spec grammar (MQLAB_GATE_INJECT_SLOWDOWN or --inject-slowdown):
 *
 *   spec     = entry *( "," entry )
 *   entry    = pattern ":" fraction       ; pattern: exact id or prefix ending in "*"
 *   fraction = decimal in [0, 1)          ; 0.15 → 15% fewer msgs/s
 */
import type { Results } from '../../bench/results.js';
import { mostSpecific } from './config.js';

export const INJECT_ENV = 'MQLAB_GATE_INJECT_SLOWDOWN';

export interface Slowdown {
  readonly pattern: string;
  readonly fraction: number;
}

export function parseSlowdown(spec: string): Slowdown[] {
  const out: Slowdown[] = [];
  for (const entry of spec.split(',').map((e) => e.trim()).filter((e) => e.length > 0)) {
    const at = entry.lastIndexOf(':');
    const pattern = entry.slice(0, at);
    const fraction = Number(entry.slice(at + 1));
    if (at <= 0 || !/^[^*]+\*?$/.test(pattern) || !(fraction >= 0 && fraction < 1)) {
      throw new Error(`bad slowdown "${entry}": expected scenario:fraction, e.g. log.append.200B:0.15`);
    }
    out.push({ pattern, fraction });
  }
  return out;
}

/** `results` with each matching scenario's throughput and samples scaled by (1 - fraction). */
export function applySlowdown(results: Results, slowdowns: readonly Slowdown[]): Results {
  if (slowdowns.length === 0) return results;
  const patterns = slowdowns.map((s) => s.pattern);
  return {
    ...results,
    scenarios: results.scenarios.map((s) => {
      const p = mostSpecific(s.id, patterns);
      const slowdown = slowdowns.find((x) => x.pattern === p);
      if (slowdown === undefined) return s;
      const k = 1 - slowdown.fraction;
      return {
        ...s,
        throughput: { msgs_per_s: s.throughput.msgs_per_s * k, MB_per_s: s.throughput.MB_per_s * k },
        ...(s.samples_msgs_per_s === undefined ? {} : { samples_msgs_per_s: s.samples_msgs_per_s.map((v) => v * k) }),
      };
    }),
  };
}
