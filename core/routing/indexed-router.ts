/**
 * The part every built-in router shares: RabbitMQ's binding identity (destination, binding key,
 * arguments) kept in a {@link BindingIndex}, over a matcher that only sees routes. A subclass says
 * what a route is for its type and keeps its matcher in step.
 *
 * Invariant: the matcher holds a route exactly while at least one binding maps onto it.
 */
import { bindingIdentity, BindingIndex } from './binding-index.js';
import type { ExchangeRouter, RoutingProperties } from './exchange-type.js';
import { fieldTableKey, type FieldTable } from './field-table.js';

export abstract class IndexedRouter<D> implements ExchangeRouter<D> {
  private readonly index = new BindingIndex<D>();

  bind(bindingKey: string, destination: D, args?: FieldTable): boolean {
    const argsKey = fieldTableKey(args);
    const route = this.routeOf(bindingKey, argsKey);
    const added = this.index.add(destination, route, bindingIdentity(bindingKey, argsKey));
    if (added === 'new-route') this.addRoute(route, destination, bindingKey, args);
    return added !== 'duplicate';
  }

  unbind(bindingKey: string, destination: D, args?: FieldTable): boolean {
    const argsKey = fieldTableKey(args);
    const route = this.routeOf(bindingKey, argsKey);
    const removed = this.index.remove(destination, route, bindingIdentity(bindingKey, argsKey));
    if (removed === 'route-removed') this.removeRoute(route, destination, bindingKey, args);
    return removed !== 'missing';
  }

  get size(): number {
    return this.index.size;
  }

  clear(): void {
    this.index.clear();
    this.clearRoutes();
  }

  abstract route(routingKey: string, headers?: FieldTable, properties?: RoutingProperties): readonly D[];

  /** What the matcher keys a binding by, given its key and canonical arguments. */
  protected abstract routeOf(bindingKey: string, argsKey: string): string;
  protected abstract addRoute(route: string, destination: D, bindingKey: string, args: FieldTable | undefined): void;
  protected abstract removeRoute(route: string, destination: D, bindingKey: string, args: FieldTable | undefined): void;
  protected abstract clearRoutes(): void;
}
