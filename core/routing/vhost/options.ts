/**
 * VirtualHost options: one defaults object, validated once at construction with zod, never on the
 * hot path. Where RabbitMQ releases differ, the option names the behaviour and its default follows
 * the current documentation; the comment says what the 3.10 oracle does.
 */
import { randomBytes } from 'node:crypto';
import { zod } from '../../schema.js';
import { MqlabInternalError } from '../../errors/index.js';
import { ExchangeTypeRegistry } from '../index.js';
import type { QueueStoreProvider } from './queue-store.js';

// This module runs on the main thread only: zod loads with it (see core/schema.ts).
const z = zod();

/** RabbitMQ's hard cap on max_message_size (rabbit_channel's ?MAX_MSG_SIZE): 512 MiB. */
export const MAX_MESSAGE_SIZE_CAP = 536_870_912;

/** The longest TTL RabbitMQ accepts (rabbit_misc:check_expiry): ten years in milliseconds. */
export const MAX_EXPIRY_MS = 315_360_000_000;

export const virtualHostDefaults = {
  /** The vhost name, as reply texts print it ("in vhost '/'"). */
  name: '/',
  /**
   * max_message_size in bytes of body. 16 MiB is RabbitMQ 4.x's default; 3.10 defaults to 128 MiB.
   * At most {@link MAX_MESSAGE_SIZE_CAP}.
   */
  maxMessageSize: 16 * 1024 * 1024,
  /** Add x-last-death-queue/-reason/-exchange to dead-lettered messages (RabbitMQ 3.13+; 3.10 does not). */
  lastDeathHeaders: true,
  /**
   * Whether a reply delivered through direct reply-to counts as routed for `mandatory`. 3.10 routes
   * the reply outside the queue list, so a mandatory reply is delivered and also returned (312).
   */
  directReplyCountsAsRouted: true,
  /** basic.qos global=true limits the channel (true), or is treated as per-consumer (RabbitMQ 4.x with global_qos denied). */
  globalQos: true,
  /** The node name firehose trace messages carry. */
  node: 'mqlab@localhost',
  /** Firehose tracing starts off, as in RabbitMQ (rabbitmqctl trace_on turns it on). */
  tracing: false,
} as const;

export interface VirtualHostOptions {
  readonly name?: string;
  readonly maxMessageSize?: number;
  readonly lastDeathHeaders?: boolean;
  readonly directReplyCountsAsRouted?: boolean;
  readonly globalQos?: boolean;
  readonly node?: string;
  readonly tracing?: boolean;
  /** Exchange types, plugins included. Default: the built-in four. */
  readonly exchangeTypes?: ExchangeTypeRegistry;
  /** Random, unguessable ids for amq.gen-, amq.ctag- and reply-to names (default: 16 random bytes, base64url). */
  readonly randomId?: () => string;
  /**
   * Where quorum queues (x-queue-type quorum) replicate their entries (queue-store.ts). Default
   * none: they are held in memory like classic queues.
   */
  readonly quorumQueueStore?: QueueStoreProvider;
}

export interface ResolvedVirtualHostOptions {
  readonly name: string;
  readonly maxMessageSize: number;
  readonly lastDeathHeaders: boolean;
  readonly directReplyCountsAsRouted: boolean;
  readonly globalQos: boolean;
  readonly node: string;
  readonly tracing: boolean;
  readonly exchangeTypes: ExchangeTypeRegistry;
  readonly randomId: () => string;
  readonly quorumQueueStore: QueueStoreProvider | null;
}

const schema = z.object({
  name: z.string(),
  maxMessageSize: z.number().int().min(1).max(MAX_MESSAGE_SIZE_CAP),
  lastDeathHeaders: z.boolean(),
  directReplyCountsAsRouted: z.boolean(),
  globalQos: z.boolean(),
  node: z.string(),
  tracing: z.boolean(),
});

function defaultRandomId(): string {
  return randomBytes(16).toString('base64url');
}

export function resolveVirtualHostOptions(options: VirtualHostOptions = {}): ResolvedVirtualHostOptions {
  const merged = {
    name: options.name ?? virtualHostDefaults.name,
    maxMessageSize: options.maxMessageSize ?? virtualHostDefaults.maxMessageSize,
    lastDeathHeaders: options.lastDeathHeaders ?? virtualHostDefaults.lastDeathHeaders,
    directReplyCountsAsRouted: options.directReplyCountsAsRouted ?? virtualHostDefaults.directReplyCountsAsRouted,
    globalQos: options.globalQos ?? virtualHostDefaults.globalQos,
    node: options.node ?? virtualHostDefaults.node,
    tracing: options.tracing ?? virtualHostDefaults.tracing,
  };
  const parsed = schema.safeParse(merged);
  if (!parsed.success) {
    throw new MqlabInternalError('INVALID_ARGUMENT', `invalid VirtualHost options: ${parsed.error.message}`);
  }
  return {
    ...parsed.data,
    exchangeTypes: options.exchangeTypes ?? new ExchangeTypeRegistry(),
    randomId: options.randomId ?? defaultRandomId,
    quorumQueueStore: options.quorumQueueStore ?? null,
  };
}
