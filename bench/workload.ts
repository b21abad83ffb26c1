/**
 * Workloads as data: each file in bench/workloads describes one scenario (model, topology, load,
 * timing), in the spirit of OpenMessaging Benchmark's workload files. The schema is the one place
 * that says what a workload may hold; it is checked once, when the file is loaded, and a bad file
 * gets an error naming the file and the offending field.
 *
 * Invariants of a parsed workload: every binding names a declared exchange and queue; the publish
 * exchange is declared (or is '', the default exchange); replicationFactor <= brokers.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import { PAYLOAD_HEADER_BYTES } from './runner/payload.js';

const positiveInt = z.number().int().positive();
const count = (max: number): z.ZodNumber => z.number().int().min(0).max(max);

/** Search for the max sustainable rate: bisection over offered rates with short trials. */
export const findMaxRateSchema = z
  .object({
    /** The latency bound: a trial passes when its p99 (from intended send) is at or below this. */
    p99Us: z.number().positive(),
    /** Measured seconds per trial. */
    trialS: z.number().positive().max(60).default(1),
    /** Warm-up seconds per trial. */
    warmupS: z.number().min(0).max(60).default(0.2),
    /** The bracket of offered rates (msgs/s over all producers). */
    minRate: z.number().positive().default(1_000),
    maxRate: z.number().positive().default(5_000_000),
    /** Trials after the bracket is checked. */
    steps: z.number().int().min(1).max(20).default(5),
  })
  .strict()
  .refine((f) => f.minRate < f.maxRate, { message: 'minRate must be below maxRate', path: ['minRate'] });

const common = {
  /** The results file's scenario id, for example `kafka.e2e.200B`. */
  id: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._-]*$/, 'letters, digits and . _ - only'),
  description: z.string().optional(),
  /** The driver used when the command line names none. */
  driver: z.string().optional(),
  producers: z.number().int().min(1).max(64),
  consumers: count(64),
  /** Bytes per message; the first PAYLOAD_HEADER_BYTES carry producer id, sequence and send times. */
  messageSize: z.number().int().min(PAYLOAD_HEADER_BYTES).max(1_048_576),
  /** Offered msgs/s over all producers, open loop; 0 sends as fast as the driver takes them. */
  rate: z.number().min(0),
  durationS: z.number().positive().max(3_600),
  warmupS: z.number().min(0).max(600).default(0.5),
  /** Run the workload at a fraction of another scenario's rate measured earlier in the same run. */
  rateFrom: z.object({ scenario: z.string(), fraction: z.number().positive().max(1) }).strict().optional(),
  findMaxRate: findMaxRateSchema.optional(),
};

export const kafkaWorkloadSchema = z
  .object({
    model: z.literal('kafka'),
    ...common,
    topics: positiveInt.max(64).default(1),
    /** Partitions per topic. */
    partitions: positiveInt.max(256).default(1),
    /** Brokers (worker threads) in the cluster; default: the replication factor. */
    brokers: positiveInt.max(16).optional(),
    replicationFactor: positiveInt.max(16).default(1),
    minInsyncReplicas: positiveInt.max(16).optional(),
    acks: z.union([z.literal('all'), z.literal(-1), z.literal(0), z.literal(1)]).default('all'),
    /** Producer batch.size in bytes (native and kafkajs-shaped drivers). */
    batchBytes: positiveInt.max(1_048_576).default(16_384),
    /** kafkajs-shaped driver: messages per producer.send(). */
    messagesPerSend: positiveInt.max(100_000).default(500),
    /** Unused by the Kafka model; accepted so one file can be switched between models. */
    prefetch: positiveInt.optional(),
  })
  .strict()
  .superRefine((w, ctx) => {
    const brokers = w.brokers ?? w.replicationFactor;
    if (w.replicationFactor > brokers) ctx.addIssue({ code: 'custom', path: ['replicationFactor'], message: `replicationFactor ${w.replicationFactor} exceeds brokers ${brokers}` });
    if (w.minInsyncReplicas !== undefined && w.minInsyncReplicas > w.replicationFactor) {
      ctx.addIssue({ code: 'custom', path: ['minInsyncReplicas'], message: `minInsyncReplicas ${w.minInsyncReplicas} exceeds replicationFactor ${w.replicationFactor}` });
    }
  });

const exchangeSchema = z.object({ name: z.string().min(1), type: z.enum(['direct', 'fanout', 'topic']) }).strict();
const queueSchema = z.object({ name: z.string().min(1) }).strict();
const bindingSchema = z.object({ exchange: z.string().min(1), queue: z.string().min(1), key: z.string().default('') }).strict();

export const amqpWorkloadSchema = z
  .object({
    model: z.literal('amqp'),
    ...common,
    exchanges: z.array(exchangeSchema).default([]),
    queues: z.array(queueSchema).min(1),
    bindings: z.array(bindingSchema).default([]),
    /** Where producers publish: an exchange ('' is the default exchange) and the routing keys they cycle through. */
    publish: z.object({ exchange: z.string().default(''), routingKeys: z.array(z.string()).min(1) }).strict(),
    /** basic.qos prefetch per consumer channel. */
    prefetch: positiveInt.max(65_535).default(100),
    ack: z.enum(['manual', 'auto']).default('manual'),
    /** Largest number of messages published but not yet consumed, so an in-process broker cannot queue without bound. */
    maxInFlight: positiveInt.default(20_000),
    /**
     * Request/reply (seed mode 6): producers are RPC clients that publish requests with reply_to and
     * correlation_id and time each reply; consumers are RPC servers that answer every request with
     * its body. Replies come back to direct reply-to (amq.rabbitmq.reply-to) or to an exclusive
     * server-named callback queue per client.
     */
    rpc: z.object({ replyTo: z.enum(['direct', 'queue']).default('direct') }).strict().optional(),
    /** Unused by the AMQP model; accepted so one file can be switched between models. */
    acks: z.unknown().optional(),
    replicationFactor: z.literal(1).optional(),
  })
  .strict()
  .superRefine((w, ctx) => {
    const exchanges = new Set(w.exchanges.map((e) => e.name));
    const queues = new Set(w.queues.map((q) => q.name));
    if (w.publish.exchange !== '' && !exchanges.has(w.publish.exchange)) {
      ctx.addIssue({ code: 'custom', path: ['publish', 'exchange'], message: `exchange '${w.publish.exchange}' is not declared in exchanges` });
    }
    if (w.rpc !== undefined && w.consumers === 0) ctx.addIssue({ code: 'custom', path: ['consumers'], message: 'an rpc workload needs at least one consumer (RPC server)' });
    w.bindings.forEach((b, i) => {
      if (!exchanges.has(b.exchange)) ctx.addIssue({ code: 'custom', path: ['bindings', i, 'exchange'], message: `exchange '${b.exchange}' is not declared in exchanges` });
      if (!queues.has(b.queue)) ctx.addIssue({ code: 'custom', path: ['bindings', i, 'queue'], message: `queue '${b.queue}' is not declared in queues` });
    });
  });

export const workloadSchema = z.discriminatedUnion('model', [kafkaWorkloadSchema, amqpWorkloadSchema]);

export type Workload = z.infer<typeof workloadSchema>;
export type KafkaWorkload = z.infer<typeof kafkaWorkloadSchema>;
export type AmqpWorkload = z.infer<typeof amqpWorkloadSchema>;
export type FindMaxRate = z.infer<typeof findMaxRateSchema>;

/** A workload file that does not parse or does not fit the schema. */
export class WorkloadError extends Error {
  override readonly name = 'WorkloadError';
  constructor(
    readonly source: string,
    readonly field: string,
    message: string,
  ) {
    super(`workload ${source}: ${field === '' ? '' : `field "${field}": `}${message}`);
  }
}

/** Validates already-parsed JSON; `source` names it in errors. */
export function parseWorkload(data: unknown, source: string): Workload {
  const parsed = workloadSchema.safeParse(data);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0];
  const field = issue?.path.map(String).join('.') ?? '';
  throw new WorkloadError(source, field, issue?.message ?? 'invalid');
}

export function loadWorkload(file: string): Workload {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw new WorkloadError(file, '', `cannot read it (${error instanceof Error ? error.message : String(error)})`);
  }
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (error) {
    throw new WorkloadError(file, '', `is not valid JSON (${error instanceof Error ? error.message : String(error)})`);
  }
  return parseWorkload(data, file);
}

/**
 * The folder of the shipped workload files. tsc does not copy JSON, so from a build folder
 * (dist/bench/...) this falls back to the sources beside it (bench/workloads).
 */
export function workloadsDir(): string {
  const candidates = [new URL('./workloads/', import.meta.url), new URL('../../bench/workloads/', import.meta.url)];
  for (const url of candidates) {
    const dir = fileURLToPath(url);
    if (existsSync(dir)) return dir;
  }
  return fileURLToPath(candidates[0]!);
}

/** A shipped workload by file name (`kafka-e2e.json`, or `kafka-e2e`), or a path to any file. */
export function resolveWorkloadFile(nameOrPath: string): string {
  if (existsSync(nameOrPath)) return nameOrPath;
  const name = basename(nameOrPath);
  for (const file of name.endsWith('.json') ? [name] : [name, `${name}.json`]) {
    const shipped = join(workloadsDir(), file);
    if (existsSync(shipped)) return shipped;
  }
  return nameOrPath;
}

export function listWorkloadFiles(): string[] {
  const dir = workloadsDir();
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((f) => f.endsWith('.json'))
    .sort()
    .map((f) => join(dir, f));
}
