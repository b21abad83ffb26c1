/**
 * The routing walk of one message from an exchange to its queues, as rabbit_exchange:route does it:
 * - every routing key (the key, then CC and BCC) is routed, and the union taken;
 * - an exchange destination (exchange-to-exchange binding) is walked in turn, each exchange at most
 *   once, so cycles end and each queue gets one copy however many paths lead to it;
 * - an exchange whose own bindings matched nothing hands the message to its alternate exchange, if
 *   that exists (chains follow, loops end at an exchange already seen; a missing AE drops it);
 * - the default exchange routes to the queue named by each key; keys naming a direct reply-to
 *   target (`amq.rabbitmq.reply-to.…`) are collected apart, in {@link replyKeys}.
 *
 * Nothing is allocated per message in steady state: queues and exchanges carry a pass stamp instead
 * of a visited set, the work list is reused, and result lists come from a small pool (routes nest:
 * a delivery can trigger a dead-letter or a trace that routes again before the outer route's
 * result has been used).
 */
import type { Exchange } from './exchange.js';
import type { Message } from './message.js';
import type { Queue } from './queue.js';

export const DIRECT_REPLY_TO = 'amq.rabbitmq.reply-to';
export const DIRECT_REPLY_PREFIX = 'amq.rabbitmq.reply-to.';

export interface RouteScope {
  readonly queues: ReadonlyMap<string, Queue>;
  readonly exchanges: ReadonlyMap<string, Exchange>;
}

export class MessageRouter {
  private pass = 0;
  private readonly work: Exchange[] = [];
  private readonly pool: Queue[][] = [];
  /** Direct reply-to keys the last {@link route} met on the default exchange. */
  readonly replyKeys: string[] = [];

  /** A result list to route into; give it back with {@link release}. */
  acquire(): Queue[] {
    return this.pool.pop() ?? [];
  }

  release(list: Queue[]): void {
    // pop() is inlined by V8; assigning length = 0 is a runtime call, measurable per message.
    while (list.length > 0) list.pop();
    this.pool.push(list);
  }

  /** Appends to `out` each queue the message reaches from `start`, once. */
  route(scope: RouteScope, start: Exchange, msg: Message, out: Queue[]): void {
    const pass = ++this.pass;
    const replyKeys = this.replyKeys;
    while (replyKeys.length > 0) replyKeys.pop();
    const work = this.work;
    start.routeStamp = pass;
    work.push(start);
    const headers = msg.properties.headers;
    const extra = msg.extraKeys;
    const keyCount = extra === null ? 1 : extra.length + 1;
    for (let w = 0; w < work.length; w++) {
      const exchange = work[w]!;
      let matched = false;
      for (let k = 0; k < keyCount; k++) {
        const key = k === 0 ? msg.routingKey : extra![k - 1]!;
        if (exchange.name === '') {
          if (key.startsWith(DIRECT_REPLY_PREFIX)) {
            if (!replyKeys.includes(key)) replyKeys.push(key);
            continue;
          }
          const queue = scope.queues.get(key);
          if (queue !== undefined && queue.routeStamp !== pass) {
            queue.routeStamp = pass;
            out.push(queue);
          }
          continue;
        }
        const destinations = exchange.router.route(key, headers, msg.properties);
        for (let d = 0; d < destinations.length; d++) {
          const destination = destinations[d]!;
          matched = true;
          if (destination.routeStamp === pass) continue;
          destination.routeStamp = pass;
          if (destination.kind === 'queue') out.push(destination);
          else work.push(destination);
        }
      }
      if (!matched && exchange.alternateExchange !== undefined) {
        const alternate = scope.exchanges.get(exchange.alternateExchange);
        if (alternate !== undefined && alternate.routeStamp !== pass) {
          alternate.routeStamp = pass;
          work.push(alternate);
        }
      }
    }
    while (work.length > 0) work.pop();
  }
}
