/**
 * From results files to what the report shows: plain data, no markup. Every figure keeps its raw
 * number; formatting happens in render.ts. Chart data is shaped for uPlot (column arrays) and is
 * embedded in the page as JSON; the charts' ids are generated here and never derived from names.
 */
import type { Results, Scenario } from '../bench/results.js';
import { SEED_RATES, targetFor } from '../bench/targets.js';
import { latencyCurve, type LatencyCurve } from './latency-curve.js';
import type { Check, CheckStatus, Matrix } from './matrix.js';
import { bootstrapRatioCI, hashSeed, type RatioInterval } from './stats.js';

export type SeedKind = keyof typeof SEED_RATES;

export interface BarsChart {
  readonly kind: 'bars';
  readonly id: string;
  readonly unit: string;
  readonly labels: string[];
  readonly series: { label: string; values: (number | null)[] }[];
}

export interface LatencyChart {
  readonly kind: 'latency';
  readonly id: string;
  readonly series: { label: string; x: number[]; y: number[] }[];
}

export interface TimeSeriesChart {
  readonly kind: 'timeseries';
  readonly id: string;
  /** Sample index (run order) of each point; points are bucket means when the run had many samples. */
  readonly x: number[];
  readonly mean: number[];
  readonly min: number[];
  readonly max: number[];
  readonly bucket: number;
}

export type ChartSpec = BarsChart | LatencyChart | TimeSeriesChart;

export interface TargetCheck {
  readonly label: string;
  readonly ok: boolean;
}

export interface SeedRow {
  readonly scenario: Scenario;
  readonly seed: SeedKind;
  readonly msgsRatio: number;
  readonly mbRatio: number;
}

export interface ThroughputRow {
  readonly scenario: Scenario;
  readonly referenceMBPerS: number | undefined;
  readonly checks: TargetCheck[];
}

export interface LatencyPanel {
  readonly scenario: Scenario;
  readonly curve: LatencyCurve;
  readonly chartId: string;
}

export interface TimeSeriesPanel {
  readonly scenario: Scenario;
  /** undefined: the scenario recorded no samples ("no time series"). */
  readonly chartId: string | undefined;
  readonly samples: number;
  /** The samples are monotonic: the benchmark tool stored them sorted, so their time order is lost. */
  readonly sorted: boolean;
}

export interface BaselineRow {
  readonly id: string;
  readonly current: Scenario | undefined;
  readonly baseline: Scenario | undefined;
  /** current / baseline msgs/s, when both sides ran. */
  readonly ratio: number | undefined;
  readonly ci: RatioInterval | undefined;
  readonly p99Ratio: number | undefined;
}

export interface MatrixCell {
  readonly status: CheckStatus | 'missing';
  readonly check: Check | undefined;
}

export interface MatrixModel {
  readonly targets: { target: string; version: string; pass: number; fail: number; na: number }[];
  readonly rows: { id: string; title: string; cells: MatrixCell[] }[];
}

export interface ReportModel {
  readonly results: Results;
  readonly baseline: Results | undefined;
  readonly seedRows: SeedRow[];
  readonly throughput: ThroughputRow[];
  readonly latency: LatencyPanel[];
  readonly timeSeries: TimeSeriesPanel[];
  readonly baselineRows: BaselineRow[] | undefined;
  readonly matrix: MatrixModel | undefined;
  readonly charts: ChartSpec[];
  readonly totals: { scenarios: number; failed: number; checksMet: number; checksTotal: number };
}

/** Time series longer than this are drawn as bucket means with min/max envelopes. */
export const MAX_SERIES_POINTS = 400;

function seedKindOf(s: Scenario): SeedKind | undefined {
  const fromTarget = targetFor(s.id)?.seed;
  if (fromTarget !== undefined) return fromTarget;
  const name = s.reference?.name;
  if (name === 'seed.produce') return 'produce';
  if (name === 'seed.consume') return 'consume';
  return undefined;
}

export function targetChecks(s: Scenario, byId: ReadonlyMap<string, Scenario>): TargetCheck[] {
  const t = targetFor(s.id);
  if (t === undefined || s.status === 'failed') return [];
  const out: TargetCheck[] = [];
  if (t.minMsgsPerS !== undefined) out.push({ label: `≥ ${formatRate(t.minMsgsPerS)} msgs/s`, ok: s.throughput.msgs_per_s >= t.minMsgsPerS });
  if (t.versus !== undefined) {
    const peer = byId.get(t.versus.id);
    if (peer !== undefined && peer.throughput.msgs_per_s > 0) {
      const ratio = s.throughput.msgs_per_s / peer.throughput.msgs_per_s;
      out.push({ label: `≥ ${t.versus.minRatio}× ${t.versus.id}`, ok: ratio >= t.versus.minRatio });
    }
  }
  if (t.maxP50Us !== undefined && s.latency !== undefined) out.push({ label: `p50 ≤ ${t.maxP50Us} µs`, ok: s.latency.p50_us <= t.maxP50Us });
  if (t.maxP99Us !== undefined && s.latency !== undefined) out.push({ label: `p99 ≤ ${t.maxP99Us} µs`, ok: s.latency.p99_us <= t.maxP99Us });
  return out;
}

export function formatRate(n: number): string {
  if (!Number.isFinite(n)) return String(n);
  if (n >= 1e9) return `${(n / 1e9).toFixed(2)} G`;
  if (n >= 1e6) return `${(n / 1e6).toFixed(2)} M`;
  if (n >= 1e3) return `${(n / 1e3).toFixed(1)} k`;
  return n.toFixed(0);
}

function positiveOrNull(n: number | undefined): number | null {
  return n !== undefined && n > 0 && Number.isFinite(n) ? n : null;
}

function downsample(samples: readonly number[], id: string): TimeSeriesChart {
  const bucket = Math.max(1, Math.ceil(samples.length / MAX_SERIES_POINTS));
  const x: number[] = [];
  const mean: number[] = [];
  const min: number[] = [];
  const max: number[] = [];
  for (let from = 0; from < samples.length; from += bucket) {
    const to = Math.min(samples.length, from + bucket);
    let sum = 0;
    let lo = Number.POSITIVE_INFINITY;
    let hi = Number.NEGATIVE_INFINITY;
    for (let i = from; i < to; i++) {
      const v = samples[i] ?? 0;
      sum += v;
      if (v < lo) lo = v;
      if (v > hi) hi = v;
    }
    x.push(from);
    mean.push(sum / (to - from));
    min.push(lo);
    max.push(hi);
  }
  return { kind: 'timeseries', id, x, mean, min, max, bucket };
}

/** True when a series of more than two values never rises or never falls. */
export function isMonotonic(values: readonly number[]): boolean {
  if (values.length <= 2) return false;
  let rises = false;
  let falls = false;
  for (let i = 1; i < values.length; i++) {
    const d = (values[i] ?? 0) - (values[i - 1] ?? 0);
    if (d > 0) rises = true;
    else if (d < 0) falls = true;
    if (rises && falls) return false;
  }
  return rises !== falls;
}

function matrixModel(matrices: readonly Matrix[]): MatrixModel {
  const rows = new Map<string, string>();
  for (const m of matrices) for (const c of m.checks) if (!rows.has(c.id)) rows.set(c.id, c.title);
  const lookup = matrices.map((m) => new Map(m.checks.map((c) => [c.id, c])));
  return {
    targets: matrices.map((m) => ({
      target: m.target,
      version: m.version,
      pass: m.checks.filter((c) => c.status === 'pass').length,
      fail: m.checks.filter((c) => c.status === 'fail').length,
      na: m.checks.filter((c) => c.status === 'n/a').length,
    })),
    rows: [...rows].map(([id, title]) => ({
      id,
      title,
      cells: lookup.map((byId) => {
        const check = byId.get(id);
        return { status: check?.status ?? 'missing', check };
      }),
    })),
  };
}

function baselineRows(results: Results, baseline: Results): BaselineRow[] {
  const baseById = new Map(baseline.scenarios.map((s) => [s.id, s]));
  const rows: BaselineRow[] = results.scenarios.map((current) => {
    const base = baseById.get(current.id);
    const both = base !== undefined && current.status === 'ok' && base.status === 'ok';
    const ratio = both && base.throughput.msgs_per_s > 0 ? current.throughput.msgs_per_s / base.throughput.msgs_per_s : undefined;
    const ci =
      both && current.samples_msgs_per_s !== undefined && base.samples_msgs_per_s !== undefined
        ? bootstrapRatioCI(current.samples_msgs_per_s, base.samples_msgs_per_s, { seed: hashSeed(current.id) })
        : undefined;
    const p99Ratio = both && current.latency !== undefined && base.latency !== undefined && base.latency.p99_us > 0 ? current.latency.p99_us / base.latency.p99_us : undefined;
    return { id: current.id, current, baseline: base, ratio, ci, p99Ratio };
  });
  const currentIds = new Set(results.scenarios.map((s) => s.id));
  for (const base of baseline.scenarios) {
    if (!currentIds.has(base.id)) rows.push({ id: base.id, current: undefined, baseline: base, ratio: undefined, ci: undefined, p99Ratio: undefined });
  }
  return rows;
}

export function buildReportModel(input: { results: Results; conformance?: readonly Matrix[] | undefined; baseline?: Results | undefined }): ReportModel {
  const { results, baseline } = input;
  const byId = new Map(results.scenarios.map((s) => [s.id, s]));
  const baseById = new Map((baseline?.scenarios ?? []).map((s) => [s.id, s]));
  const charts: ChartSpec[] = [];
  let nextChart = 0;
  const chartId = (): string => `chart-${nextChart++}`;

  const seedRows: SeedRow[] = [];
  for (const s of results.scenarios) {
    const seed = seedKindOf(s);
    if (seed === undefined || s.status === 'failed') continue;
    const rate = SEED_RATES[seed];
    seedRows.push({ scenario: s, seed, msgsRatio: s.throughput.msgs_per_s / rate.msgs_per_s, mbRatio: s.throughput.MB_per_s / rate.MB_per_s });
  }

  const throughput: ThroughputRow[] = results.scenarios.map((s) => {
    const refName = s.reference?.name;
    let referenceMBPerS: number | undefined;
    if (refName === 'seed.produce' || refName === 'seed.consume') referenceMBPerS = SEED_RATES[refName === 'seed.produce' ? 'produce' : 'consume'].MB_per_s;
    else if (refName !== undefined) referenceMBPerS = byId.get(refName)?.throughput.MB_per_s;
    return { scenario: s, referenceMBPerS, checks: targetChecks(s, byId) };
  });
  const labels = throughput.map((r) => r.scenario.id);
  const refLabel = 'reference (peer or seed)';
  charts.push({
    kind: 'bars',
    id: chartId(),
    unit: 'msgs/s',
    labels,
    series: [
      { label: 'this scenario', values: throughput.map((r) => positiveOrNull(r.scenario.status === 'ok' ? r.scenario.throughput.msgs_per_s : undefined)) },
      { label: refLabel, values: throughput.map((r) => positiveOrNull(r.scenario.reference?.msgs_per_s)) },
    ],
  });
  charts.push({
    kind: 'bars',
    id: chartId(),
    unit: 'MB/s',
    labels,
    series: [
      { label: 'this scenario', values: throughput.map((r) => positiveOrNull(r.scenario.status === 'ok' ? r.scenario.throughput.MB_per_s : undefined)) },
      { label: refLabel, values: throughput.map((r) => positiveOrNull(r.referenceMBPerS)) },
    ],
  });

  const latency: LatencyPanel[] = [];
  for (const s of results.scenarios) {
    const curve = latencyCurve(s);
    if (curve === undefined || curve.x.length === 0) continue;
    const id = chartId();
    const series = [{ label: 'this run', x: curve.x, y: curve.y }];
    const base = baseById.get(s.id);
    const baseCurve = base === undefined ? undefined : latencyCurve(base);
    if (baseCurve !== undefined && baseCurve.x.length > 0) series.push({ label: 'baseline', x: baseCurve.x, y: baseCurve.y });
    charts.push({ kind: 'latency', id, series });
    latency.push({ scenario: s, curve, chartId: id });
  }

  const timeSeries: TimeSeriesPanel[] = results.scenarios.map((s) => {
    const samples = s.samples_msgs_per_s;
    if (samples === undefined || samples.length === 0) return { scenario: s, chartId: undefined, samples: 0, sorted: false };
    const id = chartId();
    charts.push(downsample(samples, id));
    return { scenario: s, chartId: id, samples: samples.length, sorted: isMonotonic(samples) };
  });

  const checks = throughput.flatMap((r) => r.checks);
  return {
    results,
    baseline,
    seedRows,
    throughput,
    latency,
    timeSeries,
    baselineRows: baseline === undefined ? undefined : baselineRows(results, baseline),
    matrix: input.conformance === undefined || input.conformance.length === 0 ? undefined : matrixModel(input.conformance),
    charts,
    totals: {
      scenarios: results.scenarios.length,
      failed: results.scenarios.filter((s) => s.status === 'failed').length,
      checksMet: checks.filter((c) => c.ok).length,
      checksTotal: checks.length,
    },
  };
}
