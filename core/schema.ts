/**
 * zod, loaded on first use. Importing it costs about 100 ms in a fresh thread, and a broker worker
 * that is only handed settings the main thread validated never needs it: so modules that a worker
 * loads build their schemas through `zod()` when they first validate, never at import.
 */
import { createRequire } from 'node:module';
import type * as ZodModule from 'zod';

const require = createRequire(import.meta.url);
let loaded: typeof ZodModule | undefined;

export function zod(): typeof ZodModule.z {
  loaded ??= require('zod') as typeof ZodModule;
  return loaded.z;
}

/** A value built once, on first use (for schemas). */
export function lazy<T>(build: () => T): () => T {
  let value: T | undefined;
  let built = false;
  return () => {
    if (!built) {
      value = build();
      built = true;
    }
    return value as T;
  };
}
