/** Pure text renderers for results: the CLI prints what these return. */
import type { Results } from './results.js';
import type { ProgressSample } from './runner/run-workload.js';
import { targetFor } from './targets.js';

function fmtRate(n: number): string {
  if (n >= 1e6) return `${(n / 1e6).toFixed(2)} M`;
  if (n >= 1e3) return `${(n / 1e3).toFixed(1)} k`;
  return n.toFixed(0);
}

function verdict(id: string, msgsPerS: number, ratio: number | undefined, p99Us: number | undefined, p50Us: number | undefined): string {
  const t = targetFor(id);
  if (t === undefined) return '';
  const parts: string[] = [];
  if (t.maxP50Us !== undefined && p50Us !== undefined) parts.push(p50Us <= t.maxP50Us ? `p50<=${t.maxP50Us}us ok` : `p50>${t.maxP50Us}us MISS`);
  if (t.maxP99Us !== undefined && p99Us !== undefined) parts.push(p99Us <= t.maxP99Us ? `p99<=${t.maxP99Us}us ok` : `p99>${t.maxP99Us}us MISS`);
  if (t.minMsgsPerS !== undefined) parts.push(msgsPerS >= t.minMsgsPerS ? `>=${fmtRate(t.minMsgsPerS)} ok` : `<${fmtRate(t.minMsgsPerS)} MISS`);
  const minRatio = t.versus?.minRatio;
  if (minRatio !== undefined && ratio !== undefined) parts.push(ratio >= minRatio ? `>=${minRatio}x ok` : `<${minRatio}x MISS`);
  return parts.join(', ');
}

/**
 * One progress line in the form users of Kafka's perf tool know:
 * `N records sent, X records/sec (Y MB/sec), Z ms avg latency, W ms max latency.`
 * Latency here is end to end, from the intended send time; without consumers it is not measured.
 */
export function formatProgress(p: ProgressSample): string {
  const perS = p.intervalS > 0 ? p.sent / p.intervalS : 0;
  const mbPerS = p.intervalS > 0 ? p.bytes / p.intervalS / (1024 * 1024) : 0;
  const ms = (us: number): string => (Number.isNaN(us) ? 'n/a' : (us / 1000).toFixed(2));
  return `${p.sent} records sent, ${perS.toFixed(1)} records/sec (${mbPerS.toFixed(2)} MB/sec), ${ms(p.avgLatencyUs)} ms avg latency, ${ms(p.maxLatencyUs)} ms max latency.`;
}

function deliveryCell(s: Results['scenarios'][number]): string {
  if (s.lost === undefined) return '';
  return `${s.lost}/${s.duplicated ?? 0}/${s.reordered ?? 0}`;
}

export function formatSummary(results: Results): string {
  const rows: string[][] = [['scenario', 'target', 'msgs/s', 'MB/s', 'threads', 'p50/p99 us', 'lost/dup/reord', 'status', 'vs', 'ratio', 'target check']];
  for (const s of results.scenarios) {
    const ratio = s.reference?.ratio;
    rows.push([
      s.id,
      s.target,
      fmtRate(s.throughput.msgs_per_s),
      s.throughput.MB_per_s.toFixed(1),
      `${s.threads}/${s.cores} cores`,
      s.latency === undefined ? '' : `${s.latency.p50_us}/${s.latency.p99_us}`,
      deliveryCell(s),
      s.status === 'failed' ? 'FAILED' : 'ok',
      s.reference?.name ?? '',
      ratio === undefined ? '' : `${ratio.toFixed(2)}x`,
      verdict(s.id, s.throughput.msgs_per_s, ratio, s.latency?.p99_us, s.latency?.p50_us),
    ]);
  }
  for (const k of results.skipped ?? []) rows.push([k.id, k.target, '', '', '', '', '', 'SKIPPED', '', '', '']);
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => (r[i] ?? '').length)));
  const lines = rows.map((r) => r.map((c, i) => c.padEnd(widths[i] ?? 0)).join('  ').trimEnd());
  const e = results.env;
  const notes: string[] = [];
  for (const s of results.scenarios) if (s.error !== undefined) notes.push(`${s.id}: ${s.error}`);
  for (const s of results.scenarios) {
    if (s.curve !== undefined) notes.push(`${s.id} rate -> p99: ${s.curve.map((c) => `${fmtRate(c.rate_msgs_per_s)}/s ${c.p99_us}us${c.ok ? '' : ' x'}`).join(', ')}`);
  }
  for (const k of results.skipped ?? []) notes.push(`${k.id} skipped: ${k.reason}`);
  return [`mqlab bench --suite ${results.suite} | node ${e.node} | ${e.cpu} | ${e.cores} cores | ${e.commit.slice(0, 12)}`, ...lines, ...notes].join('\n');
}
