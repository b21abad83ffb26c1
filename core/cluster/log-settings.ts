/**
 * The partition-log settings a broker derives from its config. Kept apart from config.ts so a broker
 * worker can use it without loading zod: resolveBrokerConfig validates these once in the main thread.
 */
import type { PartitionLogOptions } from '../log/index.js';

/** The subset of BrokerConfig the log needs (a structural type, so this file imports no zod). */
export interface LogSettingsSource {
  readonly segmentBytes: number;
  readonly messageMaxBytes: number;
  readonly retentionBytes: number;
  readonly retentionMs: number;
}

export function partitionLogSettings(config: LogSettingsSource): Partial<PartitionLogOptions> {
  return {
    segmentBytes: config.segmentBytes,
    maxMessageBytes: config.messageMaxBytes,
    retentionBytes: config.retentionBytes,
    retentionMs: config.retentionMs,
  };
}
