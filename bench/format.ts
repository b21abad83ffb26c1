/** Pure text renderers for results: the CLI prints what these return. */
import type { Results } from './results.js';
import { targetFor } from './targets.js';

function fmtRate(n: number): string {
  if (n >= 1e6) return `${(n / 1e6).toFixed(2)} M`;
  if (n >= 1e3) return `${(n / 1e3).toFixed(1)} k`;
  return n.toFixed(0);
}

function verdict(id: string, msgsPerS: number, ratio: number | undefined, p99Us: number | undefined): string {
  const t = targetFor(id);
  if (t === undefined) return '';
  const parts: string[] = [];
  if (t.maxP99Us !== undefined && p99Us !== undefined) parts.push(p99Us <= t.maxP99Us ? `p99<=${t.maxP99Us}us ok` : `p99>${t.maxP99Us}us MISS`);
  if (t.minMsgsPerS !== undefined) parts.push(msgsPerS >= t.minMsgsPerS ? `>=${fmtRate(t.minMsgsPerS)} ok` : `<${fmtRate(t.minMsgsPerS)} MISS`);
  const minRatio = t.versus?.minRatio;
  if (minRatio !== undefined && ratio !== undefined) parts.push(ratio >= minRatio ? `>=${minRatio}x ok` : `<${minRatio}x MISS`);
  return parts.join(', ');
}

export function formatSummary(results: Results): string {
  const rows: string[][] = [['scenario', 'target', 'msgs/s', 'MB/s', 'threads', 'p50/p99 us', 'vs', 'ratio', 'target check']];
  for (const s of results.scenarios) {
    const ratio = s.reference?.ratio;
    rows.push([
      s.id,
      s.target,
      fmtRate(s.throughput.msgs_per_s),
      s.throughput.MB_per_s.toFixed(1),
      `${s.threads}/${s.cores} cores`,
      s.latency === undefined ? '' : `${s.latency.p50_us}/${s.latency.p99_us}`,
      s.reference?.name ?? '',
      ratio === undefined ? '' : `${ratio.toFixed(2)}x`,
      verdict(s.id, s.throughput.msgs_per_s, ratio, s.latency?.p99_us),
    ]);
  }
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => (r[i] ?? '').length)));
  const lines = rows.map((r) => r.map((c, i) => c.padEnd(widths[i] ?? 0)).join('  ').trimEnd());
  const e = results.env;
  return [`mqlab bench --suite ${results.suite} | node ${e.node} | ${e.cpu} | ${e.cores} cores | ${e.commit.slice(0, 12)}`, ...lines].join('\n');
}
