/**
 * Target selection. Tests and the runner pick the target by name; inside a vitest worker the name
 * and URL come from MQLAB_CONFORMANCE_TARGET and MQLAB_CONFORMANCE_URL, which the runner sets.
 */
import { CoreTarget } from './core.js';
import { RabbitmqTarget } from './rabbitmq.js';
import { TARGET_NAMES, type Target, type TargetName } from './types.js';

export * from './types.js';
export { CoreTarget, type CoreProfile, type CoreTargetOptions } from './core.js';
export { DEFAULT_RABBITMQ_URL, RabbitmqTarget, rabbitmqctlAvailable } from './rabbitmq.js';

export const ENV_TARGET = 'MQLAB_CONFORMANCE_TARGET';
export const ENV_URL = 'MQLAB_CONFORMANCE_URL';
/** "1" when rabbitmqctl may toggle the firehose on the rabbitmq target. */
export const ENV_FIREHOSE = 'MQLAB_CONFORMANCE_FIREHOSE';

export function isTargetName(name: string): name is TargetName {
  return (TARGET_NAMES as readonly string[]).includes(name);
}

export interface SelectTargetOptions {
  readonly url?: string;
  readonly firehose?: boolean;
}

export function createTarget(name: TargetName, options: SelectTargetOptions = {}): Target {
  switch (name) {
    case 'core':
      return new CoreTarget();
    case 'rabbitmq':
      return new RabbitmqTarget({
        ...(options.url === undefined ? {} : { url: options.url }),
        ...(options.firehose === undefined ? {} : { firehose: options.firehose }),
      });
    default: {
      const unknown: never = name;
      throw new Error(`unknown conformance target ${String(unknown)}`);
    }
  }
}

/** The target the environment selects (default core). */
export function targetFromEnv(env: NodeJS.ProcessEnv = process.env): Target {
  const name = env[ENV_TARGET] ?? 'core';
  if (!isTargetName(name)) throw new Error(`${ENV_TARGET}=${name}: expected one of ${TARGET_NAMES.join(', ')}`);
  const url = env[ENV_URL];
  return createTarget(name, { ...(url === undefined || url === '' ? {} : { url }), firehose: env[ENV_FIREHOSE] === '1' });
}
