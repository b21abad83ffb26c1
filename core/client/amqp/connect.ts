/**
 * `connect(url?, socketOptions?)`: amqplib's entry point over an in-process broker.
 *
 * amqplib's signature is kept so code moves over by changing its import. The URL (a string, or
 * amqplib's connect-options object) names no server here: it is accepted and ignored. The broker
 * is `host` from either argument (`connect({ host })`, `connect(url, { host })`): an
 * {@link AmqpHost} in this thread, or one another thread shares (`attachAmqpHost(port)`); else the
 * host of `cluster` from either argument (one per cluster; its quorum queues replicate there), else
 * the embedded default host.
 */
import { Cluster } from '../../cluster/index.js';
import { Connection } from './connection.js';
import { AmqpHost, clusterAmqpHost, defaultAmqpHost } from './host.js';
import { kOpen } from './symbols.js';
import type { AmqpEndpoint } from './transport.js';

/** amqplib's connect options, plus the host to connect to. */
export interface ConnectOptions {
  protocol?: string;
  hostname?: string;
  port?: number;
  username?: string;
  password?: string;
  locale?: string;
  frameMax?: number;
  heartbeat?: number;
  vhost?: string;
  /** The broker to connect to (an AmqpHost, or `attachAmqpHost(port)`); default: the embedded default host. */
  host?: AmqpEndpoint;
  /** The cluster whose host to connect to (when no host is given). */
  cluster?: Cluster;
}

/** amqplib's socket options, plus the host to connect to. */
export interface SocketOptions {
  /** The broker to connect to; default: the embedded default host. */
  host?: unknown;
  /** The cluster whose host to connect to (when no host is given). */
  cluster?: unknown;
  clientProperties?: { connection_name?: string } & Record<string, unknown>;
  [option: string]: unknown;
}

function isEndpoint(value: unknown): value is AmqpEndpoint {
  if (value instanceof AmqpHost) return true;
  if (typeof value !== 'object' || value === null) return false;
  const { transport, ready } = value as { transport?: unknown; ready?: unknown };
  return typeof ready === 'function' && typeof transport === 'object' && transport !== null && typeof (transport as { open?: unknown }).open === 'function';
}

function hostOf(value: unknown): AmqpEndpoint | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  const host = (value as { host?: unknown }).host;
  return isEndpoint(host) ? host : undefined;
}

function clusterOf(value: unknown): Cluster | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  const cluster = (value as { cluster?: unknown }).cluster;
  return cluster instanceof Cluster ? cluster : undefined;
}

function pickHost(url: string | ConnectOptions | undefined, socketOptions: SocketOptions | undefined): AmqpEndpoint {
  const host = hostOf(url) ?? hostOf(socketOptions);
  if (host !== undefined) return host;
  const cluster = clusterOf(url) ?? clusterOf(socketOptions);
  return cluster === undefined ? defaultAmqpHost() : clusterAmqpHost(cluster);
}

export function connect(url?: string | ConnectOptions, socketOptions?: SocketOptions): Promise<Connection> {
  const host = pickHost(url, socketOptions);
  const name = socketOptions?.clientProperties?.connection_name;
  return host.ready().then(() => new Connection()[kOpen](host.transport, name === undefined ? {} : { name }));
}
