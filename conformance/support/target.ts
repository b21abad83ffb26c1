/**
 * The target of this test file: chosen once per file from the environment, closed after the file.
 * `requires()` turns a missing capability into a skip whose note the runner reports as n/a.
 */
import { afterAll, type TestContext } from 'vitest';
import { NOTE_NA } from '../notes.js';
import { targetFromEnv, type Capability, type Target } from '../targets/index.js';

let current: Target | undefined;

export function suiteTarget(): Target {
  if (current === undefined) {
    const target = targetFromEnv();
    current = target;
    afterAll(async () => {
      await target.close();
      current = undefined;
    });
  }
  return current;
}


/** Skips the test as n/a unless the target has every capability; returns the target. */
export function requires(ctx: TestContext, ...capabilities: Capability[]): Target {
  const target = suiteTarget();
  const missing = capabilities.filter((c) => !target.capabilities.has(c));
  if (missing.length > 0) ctx.skip(`${NOTE_NA}target ${target.name} lacks ${missing.join(', ')}`);
  return target;
}

export function notApplicable(ctx: TestContext, reason: string): never {
  ctx.skip(`${NOTE_NA}${reason}`);
}
