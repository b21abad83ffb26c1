/**
 * An exchange: its type's router over destinations (queues and, for exchange-to-exchange bindings,
 * other exchanges), its flags, and the bindings it takes part in, so that deleting either end of a
 * binding removes it from the other.
 *
 * Invariants: a binding is in `source.outgoing`, in `destination.incoming` and in the source's
 * router, or in none of them. The default exchange ("") has no router bindings: it routes to the
 * queue named by the routing key.
 */
import type { ExchangeRouter, ExchangeType, FieldTable } from '../index.js';
import type { Queue } from './queue.js';

export type Destination = Queue | Exchange;

export interface Binding {
  readonly source: Exchange;
  readonly destination: Destination;
  readonly key: string;
  readonly args: FieldTable | undefined;
  /** The arguments' canonical text (fieldTableKey), part of the binding's identity. */
  readonly argsKey: string;
}

export class Exchange {
  readonly kind = 'exchange';
  readonly router: ExchangeRouter<Destination>;
  readonly outgoing = new Set<Binding>();
  readonly incoming = new Set<Binding>();
  /** The alternate-exchange argument, when it names one. */
  readonly alternateExchange: string | undefined;
  deleted = false;
  /** Routing pass stamp (see MessageRouter). */
  routeStamp = 0;

  constructor(
    readonly name: string,
    readonly type: ExchangeType,
    readonly durable: boolean,
    readonly autoDelete: boolean,
    readonly internal: boolean,
    readonly args: FieldTable | undefined,
  ) {
    this.router = type.createRouter<Destination>(args);
    const ae = args?.['alternate-exchange'];
    this.alternateExchange = typeof ae === 'string' ? ae : undefined;
  }
}
