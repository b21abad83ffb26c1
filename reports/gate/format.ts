/** The gate's outcome as a plain-text table; a pure function of the data, like the report renderer. */
import type { Comparison } from './decide.js';
import type { GateOutcome } from './flow.js';

const pct = (x: number): string => `${x >= 0 ? '+' : ''}${(x * 100).toFixed(1)}%`;
const ratio = (x: number | undefined): string => (x === undefined ? '-' : x.toFixed(3));

function row(c: Comparison): string[] {
  return [
    c.id,
    ratio(c.ratio),
    c.low === undefined || c.high === undefined ? '-' : `${ratio(c.low)}..${ratio(c.high)}`,
    c.ratio === undefined ? '-' : pct(c.ratio - 1),
    c.noiseFloor === undefined ? '-' : `±${(c.noiseFloor * 100).toFixed(1)}%`,
    `-${(c.threshold * 100).toFixed(0)}%`,
    `${c.baselineRuns}/${c.candidateRuns}`,
    c.verdict.toUpperCase(),
    c.note ?? '',
  ];
}

export function formatTable(comparisons: readonly Comparison[]): string {
  const header = ['scenario', 'ratio', '95% CI', 'change', 'A/A floor', 'threshold', 'runs b/c', 'verdict', 'note'];
  const rows = [header, ...comparisons.map(row)];
  const widths = header.map((_, i) => Math.max(...rows.map((r) => (r[i] ?? '').length)));
  return rows.map((r) => r.map((cell, i) => cell.padEnd(widths[i] ?? 0)).join('  ').trimEnd()).join('\n');
}

export function formatOutcome(outcome: GateOutcome): string {
  if (outcome.status === 'refused') {
    const lines = outcome.mismatches.map((m) => `  ${m.field}: baseline ${m.baseline}, candidate ${m.candidate}`);
    return `gate REFUSED: the runs come from unlike machines; nothing was compared.\n${lines.join('\n')}`;
  }
  const regressions = outcome.comparisons.filter((c) => c.verdict === 'regression').map((c) => c.id);
  const failures = outcome.comparisons.filter((c) => c.verdict === 'failed').map((c) => c.id);
  const reasons = [
    ...(regressions.length > 0 ? [`regression confirmed on re-run: ${regressions.join(', ')}`] : []),
    ...(failures.length > 0 ? [`scenario failed: ${failures.join(', ')}`] : []),
  ];
  const summary =
    outcome.status === 'pass'
      ? `gate PASS (${outcome.rounds === 2 ? 'suspected regressions were not confirmed on re-run' : 'no regression suspected'})`
      : `gate FAIL: ${reasons.join('; ')}`;
  return `${formatTable(outcome.comparisons)}\n${summary}`;
}
