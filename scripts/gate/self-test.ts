/**
 * `gate --self-test N`: validates the gate on this machine. It runs the real gate N times on
 * unmodified code (every failure is a false alarm) and N times with a slowdown injected into the
 * candidate's figures (every pass is a miss), alternating the two so that both see the same
 * machine conditions.
 */
import { formatTable, matchesPattern, type Slowdown } from '../../reports/gate/index.js';
import { runGate, type GateOptions } from './run-gate.js';

export interface SelfTestCounts {
  readonly n: number;
  readonly falseAlarms: number;
  readonly detected: number;
  /** Gate runs that refused to compare (unlike machines); counted in neither figure. */
  readonly refused: number;
}

export async function runSelfTest(options: GateOptions, n: number, injected: readonly Slowdown[]): Promise<SelfTestCounts> {
  let falseAlarms = 0;
  let detected = 0;
  let refused = 0;
  for (let i = 1; i <= n; i++) {
    const clean = await runGate({ ...options, slowdowns: [] });
    if (clean.status === 'refused') refused++;
    if (clean.status === 'regression') falseAlarms++;
    const failing = clean.comparisons.filter((c) => c.verdict === 'regression' || c.verdict === 'failed').map((c) => c.id);
    options.log(`self-test ${i}/${n} unmodified: ${clean.status}${failing.length > 0 ? ` (${failing.join(', ')})` : ''}`);
    if (clean.status !== 'pass') options.log(`first round:\n${formatTable(clean.firstRound)}\nconfirmation:\n${formatTable(clean.comparisons)}`);

    const slow = await runGate({ ...options, slowdowns: injected });
    if (slow.status === 'refused') refused++;
    const caught = slow.comparisons.some((c) => c.verdict === 'regression' && injected.some((s) => matchesPattern(c.id, s.pattern)));
    if (caught) detected++;
    const ratio = slow.comparisons.filter((c) => injected.some((s) => matchesPattern(c.id, s.pattern))).map((c) => `${c.id} ${c.ratio?.toFixed(3) ?? '-'} ${c.verdict}`);
    options.log(`self-test ${i}/${n} injected: ${caught ? 'detected' : 'missed'} (${ratio.join('; ')})`);
    if (!caught) options.log(`first round:\n${formatTable(slow.firstRound)}\nconfirmation:\n${formatTable(slow.comparisons)}`);
  }
  return { n, falseAlarms, detected, refused };
}
