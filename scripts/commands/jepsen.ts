/**
 * `mqlab jepsen`: the soak form of the F15 Jepsen-style run. Three brokers, RF 3,
 * min.insync.replicas 2; faults one at a time for --duration seconds, then a drain and the check.
 * Exits non-zero on a violation under acks=all (or when the cluster did not heal or drain); with
 * acks=1 and acks=0 the loss Kafka allows is reported, not judged.
 */
import type { Argv } from 'yargs';
import { startCluster } from '../../core/client/kafka/index.js';
import { formatJepsenSummary, JEPSEN_BROKERS, JEPSEN_CLUSTER, runJepsen, type FaultMode, type JepsenAcks } from '../../conformance/kafka/jepsen.js';

const ACKS = { all: -1, '1': 1, '0': 0 } as const satisfies Record<string, JepsenAcks>;
const FAULT_MODES = ['kill', 'pause', 'mixed'] as const satisfies readonly FaultMode[];

export function jepsenCommand<T>(y: Argv<T>): Argv<T> {
  return y.command(
    'jepsen',
    'soak: faults on a 3-broker cluster while producers write, then check every acknowledged record',
    (b) =>
      b
        .option('duration', { type: 'number', default: 60, describe: 'seconds of faults before the drain' })
        .option('acks', { type: 'string', choices: ['all', '1', '0'] as const, default: 'all' as const, describe: 'producer acks' })
        .option('faults', { choices: FAULT_MODES, default: 'mixed' as const, describe: 'kill/restart, pause/resume, or both (3 kills per pause)' })
        .option('seed', { type: 'number', describe: 'nemesis schedule seed (default random; printed)' })
        .option('partitions', { type: 'number', default: 3, describe: 'partitions, one producer each' }),
    async (argv) => {
      const seed = argv.seed ?? Math.floor(Math.random() * 0x7fff_ffff);
      const acks = ACKS[argv.acks];
      process.stdout.write(`jepsen: acks=${argv.acks}, faults ${argv.faults}, ${argv.duration} s, seed ${seed}\n`);
      const cluster = await startCluster({ brokers: JEPSEN_BROKERS, config: JEPSEN_CLUSTER });
      try {
        const result = await runJepsen(cluster, {
          acks,
          faults: argv.faults,
          seed,
          durationMs: argv.duration * 1000,
          partitions: argv.partitions,
          onProgress: (p) => process.stdout.write(`  ${(p.elapsedMs / 1000).toFixed(0)} s: ${p.faults} faults, ${p.acked} acked, ${p.failed} failed sends' records\n`),
        });
        process.stdout.write(`${formatJepsenSummary(result)}\n`);
        if (acks === -1 && !result.valid) process.exitCode = 1;
      } finally {
        await cluster.close();
      }
    },
  );
}
