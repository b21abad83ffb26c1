/**
 * The max sustainable rate: the highest offered rate at which a workload keeps its p99 latency
 * (from intended send) at or below a bound, delivers what it is offered (at least 95 %), and passes
 * the delivery checks. Bisection in log space between minRate and maxRate, with short trials; every
 * trial is kept as a point of the rate-versus-p99 curve.
 */
import type { CurvePoint, Measurement } from '../micro/types.js';
import type { FindMaxRate, Workload } from '../workload.js';
import { runWorkload, type WorkloadRunOptions } from './run-workload.js';

/** Fraction of the offered rate a trial must deliver to count as sustained. */
const KEEP_UP = 0.95;

export function trialPasses(m: Measurement, offered: number, p99Us: number): boolean {
  if (m.error !== undefined || m.skipped !== undefined || m.latency === undefined) return false;
  const achieved = m.elapsedNs > 0 ? m.messages / (m.elapsedNs / 1e9) : 0;
  return m.latency.p99_us <= p99Us && achieved >= KEEP_UP * offered;
}

/** Searches with `trial`, which runs the workload at one offered rate. */
export async function searchMaxRate(search: FindMaxRate, trial: (rate: number) => Promise<Measurement>): Promise<{ best: Measurement | undefined; curve: CurvePoint[]; last: Measurement }> {
  const curve: CurvePoint[] = [];
  let best: Measurement | undefined;
  const probe = async (rate: number): Promise<{ ok: boolean; m: Measurement }> => {
    const r = Math.round(rate);
    const m = await trial(r);
    const ok = trialPasses(m, r, search.p99Us);
    curve.push({ rate_msgs_per_s: r, msgs_per_s: m.elapsedNs > 0 ? m.messages / (m.elapsedNs / 1e9) : 0, p99_us: m.latency?.p99_us ?? 0, ok });
    if (ok && (best === undefined || r > Number(best.params.rate_msgs_per_s))) best = m;
    return { ok, m };
  };
  let lo = search.minRate;
  let hi = search.maxRate;
  const low = await probe(lo);
  let last = low.m;
  if (low.ok) {
    const high = await probe(hi);
    last = high.m;
    if (!high.ok) {
      for (let i = 0; i < search.steps; i++) {
        const mid = Math.sqrt(lo * hi);
        const r = await probe(mid);
        last = r.m;
        if (r.ok) lo = mid;
        else hi = mid;
      }
    }
  }
  curve.sort((a, b) => a.rate_msgs_per_s - b.rate_msgs_per_s);
  return { best, curve, last };
}

/** Runs the search for a workload and returns one scenario: the best passing trial, with the curve. */
export async function findMaxRate(workload: Workload, search: FindMaxRate, options: WorkloadRunOptions = {}): Promise<Measurement> {
  const { best, curve, last } = await searchMaxRate(search, (rate) =>
    runWorkload(workload, { ...options, rate, durationMs: search.trialS * 1000, warmupMs: search.warmupS * 1000 }),
  );
  const chosen = best ?? last;
  const maxRate = best === undefined ? 0 : Number(best.params.rate_msgs_per_s);
  return {
    ...chosen,
    params: { ...chosen.params, search_p99_us: search.p99Us },
    extra: { ...chosen.extra, max_sustainable_msgs_per_s: maxRate },
    curve,
    ...(best === undefined && chosen.skipped === undefined ? { error: chosen.error ?? `no offered rate from ${search.minRate} msgs/s kept p99 <= ${search.p99Us} us` } : {}),
  };
}
