/**
 * Statistics for comparing a run with its baseline, kept apart from rendering (tinybench's
 * statistics.ts). Everything here is deterministic: the bootstrap draws from a seeded PRNG, so the
 * same two results files always give the same interval, and a report can be regenerated exactly.
 */

/** mulberry32: a small, fast 32-bit PRNG; plenty for resampling, never for anything secret. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** FNV-1a over UTF-16 code units: turns a scenario id into a stable seed. */
export function hashSeed(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

export function mean(values: readonly number[]): number {
  let sum = 0;
  for (const v of values) sum += v;
  return values.length > 0 ? sum / values.length : Number.NaN;
}

/**
 * Consecutive samples averaged into at most `maxBlocks` blocks. Resampling blocks rather than single
 * samples keeps the bootstrap honest for autocorrelated series (a slow patch in a run spans many
 * samples), and bounds its cost when a run holds tens of thousands of samples.
 */
export function blockMeans(samples: readonly number[], maxBlocks: number): number[] {
  const blocks = Math.min(samples.length, Math.max(1, Math.floor(maxBlocks)));
  const out: number[] = [];
  for (let b = 0; b < blocks; b++) {
    const from = Math.floor((b * samples.length) / blocks);
    const to = Math.floor(((b + 1) * samples.length) / blocks);
    out.push(mean(samples.slice(from, to)));
  }
  return out;
}

/** The q-quantile (0..1) of ascending `sorted`, linearly interpolated. */
export function quantileSorted(sorted: readonly number[], q: number): number {
  if (sorted.length === 0) return Number.NaN;
  const pos = (sorted.length - 1) * q;
  const lo = Math.floor(pos);
  const hi = Math.ceil(pos);
  const a = sorted[lo] ?? Number.NaN;
  const b = sorted[hi] ?? Number.NaN;
  return a + (b - a) * (pos - lo);
}

export interface RatioInterval {
  /** mean(current) / mean(baseline) over the samples. */
  readonly ratio: number;
  readonly low: number;
  readonly high: number;
  /** Confidence level, e.g. 0.95. */
  readonly level: number;
  readonly iterations: number;
}

export interface BootstrapOptions {
  readonly iterations?: number;
  readonly level?: number;
  readonly seed?: number;
  /** Samples are averaged into at most this many consecutive blocks before resampling. */
  readonly maxBlocks?: number;
  /** The location statistic compared (default: the mean); the gate passes a robust one. */
  readonly center?: (values: readonly number[]) => number;
}

export const BOOTSTRAP_DEFAULTS = { iterations: 2000, level: 0.95, seed: 1, maxBlocks: 1000 } as const;

/**
 * Percentile bootstrap interval for center(current) / center(baseline), the mean unless
 * `options.center` names another statistic: both sides resampled with replacement, independently,
 * `iterations` times. Returns undefined when either side has fewer than
 * two samples or the baseline mean is not positive.
 */
export function bootstrapRatioCI(current: readonly number[], baseline: readonly number[], options: BootstrapOptions = {}): RatioInterval | undefined {
  const { iterations, level, seed, maxBlocks } = { ...BOOTSTRAP_DEFAULTS, ...options };
  const center = options.center ?? mean;
  if (current.length < 2 || baseline.length < 2) return undefined;
  const cur = blockMeans(current, maxBlocks);
  const base = blockMeans(baseline, maxBlocks);
  const baseCenter = center(base);
  if (!(baseCenter > 0)) return undefined;
  const random = seededRandom(seed);
  const ratios: number[] = [];
  for (let i = 0; i < iterations; i++) {
    const b = center(resample(base, random));
    if (b > 0) ratios.push(center(resample(cur, random)) / b);
  }
  ratios.sort((x, y) => x - y);
  const tail = (1 - level) / 2;
  return { ratio: center(cur) / baseCenter, low: quantileSorted(ratios, tail), high: quantileSorted(ratios, 1 - tail), level, iterations };
}

/** `values` drawn with replacement, as many as there are. */
function resample(values: readonly number[], random: () => number): number[] {
  const out = new Array<number>(values.length);
  for (let i = 0; i < values.length; i++) out[i] = values[Math.floor(random() * values.length)] ?? Number.NaN;
  return out;
}

export interface Interval {
  readonly estimate: number;
  readonly low: number;
  readonly high: number;
  readonly level: number;
  readonly iterations: number;
}

/**
 * Percentile bootstrap interval for `statistic` over one sample (for example the ratios of paired
 * runs). Returns undefined with fewer than two values. Seeded, so the same values give the same
 * interval.
 */
export function bootstrapInterval(
  values: readonly number[],
  statistic: (values: readonly number[]) => number,
  options: Omit<BootstrapOptions, 'maxBlocks' | 'center'> = {},
): Interval | undefined {
  const { iterations, level, seed } = { ...BOOTSTRAP_DEFAULTS, ...options };
  if (values.length < 2) return undefined;
  const random = seededRandom(seed);
  const estimates: number[] = [];
  for (let i = 0; i < iterations; i++) estimates.push(statistic(resample(values, random)));
  estimates.sort((x, y) => x - y);
  const tail = (1 - level) / 2;
  return { estimate: statistic(values), low: quantileSorted(estimates, tail), high: quantileSorted(estimates, 1 - tail), level, iterations };
}

export function median(values: readonly number[]): number {
  return quantileSorted([...values].sort((x, y) => x - y), 0.5);
}

/**
 * Mean of what is left after dropping floor(fraction * n) values from each end: a single outlier
 * run (a neighbour's burst on a shared machine) moves it little, and it still uses most of the data.
 */
export function trimmedMean(values: readonly number[], fraction: number): number {
  const sorted = [...values].sort((x, y) => x - y);
  const cut = Math.floor(sorted.length * fraction);
  return mean(sorted.slice(cut, sorted.length - cut));
}

/**
 * Which values are inliers: within `k` robust standard deviations (1.4826 × the median absolute
 * deviation, at least `minScale`) of the median. On a shared machine a run that a neighbour
 * disturbed is far from the others and says nothing about the code; dropping it keeps one burst
 * from deciding a comparison. `minScale` keeps a few near-identical values from making every other
 * value an outlier.
 */
export function inlierMask(values: readonly number[], k: number, minScale: number): boolean[] {
  if (values.length < 3) return values.map(() => true);
  const m = median(values);
  const scale = Math.max(1.4826 * median(values.map((v) => Math.abs(v - m))), minScale);
  return values.map((v) => Math.abs(v - m) <= k * scale);
}
