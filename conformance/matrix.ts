/**
 * The conformance matrix: one row per checklist id for one target, Autobahn-style. Plain data,
 * validated with zod before it is written; `formatMatrixSummary` renders it as text and nothing
 * here prints.
 */
import { z } from 'zod';

export const CHECK_STATUSES = ['pass', 'fail', 'n/a', 'version'] as const;
export type CheckStatus = (typeof CHECK_STATUSES)[number];

export const checkResultSchema = z.object({
  id: z.string().regex(/^[A-Z]\d\d$/),
  title: z.string(),
  status: z.enum(CHECK_STATUSES),
  message: z.string(),
  duration_ms: z.number().nonnegative(),
});

export const matrixSchema = z.object({
  target: z.string(),
  version: z.string(),
  /** False when the target could not be reached: every check is then n/a (or fail in CI). */
  available: z.boolean(),
  /** Test files that failed to load or run outside any test: a failure of the run. */
  errors: z.array(z.string()),
  checks: z.array(checkResultSchema),
});

export type CheckResult = z.infer<typeof checkResultSchema>;
export type Matrix = z.infer<typeof matrixSchema>;

export function matrixFailed(matrix: Matrix): boolean {
  return matrix.errors.length > 0 || matrix.checks.some((c) => c.status === 'fail');
}

export function countByStatus(matrix: Matrix): Record<CheckStatus, number> {
  const counts: Record<CheckStatus, number> = { pass: 0, fail: 0, 'n/a': 0, version: 0 };
  for (const c of matrix.checks) counts[c.status] += 1;
  return counts;
}

export function formatMatrixSummary(matrix: Matrix): string {
  const counts = countByStatus(matrix);
  const lines = [`conformance: ${matrix.target} (${matrix.version})${matrix.available ? '' : ' UNAVAILABLE'}`];
  for (const c of matrix.checks) {
    if (c.status !== 'fail') continue;
    lines.push(`  fail    ${c.id} ${c.title}`);
    for (const line of c.message.split('\n').slice(0, 4)) lines.push(`          ${line}`);
  }
  // n/a and version rows are many and repetitive: one line per reason, listing the ids.
  const byReason = new Map<string, string[]>();
  for (const c of matrix.checks) {
    if (c.status !== 'n/a' && c.status !== 'version') continue;
    const reason = `${c.status} (${c.message.split('\n')[0] ?? ''})`;
    byReason.set(reason, [...(byReason.get(reason) ?? []), c.id]);
  }
  for (const [reason, ids] of byReason) lines.push(`  ${reason}: ${ids.join(' ')}`);
  for (const e of matrix.errors) lines.push(`  error   ${e.split('\n')[0] ?? ''}`);
  lines.push(`pass ${counts.pass}, fail ${counts.fail}, n/a ${counts['n/a']}, version ${counts.version} of ${matrix.checks.length}`);
  return lines.join('\n');
}
