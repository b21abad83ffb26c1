/**
 * The bindings of one exchange as RabbitMQ identifies them, mapped onto the routes a matcher keeps.
 *
 * RabbitMQ's binding identity is (source, destination, binding key, arguments): binding the same
 * queue with the same key twice is idempotent, while the same key with different arguments is a
 * second binding. A matcher only needs a route (for a topic exchange: pattern and destination), and
 * several bindings can share one. The route exists while any of its bindings does.
 *
 * Invariant: `add` reports 'new-route' exactly when the route had no binding before, and `remove`
 * reports 'route-removed' exactly when it lost its last one.
 */
export type BindingAdded = 'duplicate' | 'new-binding' | 'new-route';
export type BindingRemoved = 'missing' | 'binding-removed' | 'route-removed';

export class BindingIndex<D> {
  /** destination -> route -> binding identities */
  private readonly byDestination = new Map<D, Map<string, Set<string>>>();
  private count = 0;

  add(destination: D, route: string, identity: string): BindingAdded {
    let routes = this.byDestination.get(destination);
    if (routes === undefined) {
      routes = new Map();
      this.byDestination.set(destination, routes);
    }
    let identities = routes.get(route);
    if (identities === undefined) {
      identities = new Set();
      routes.set(route, identities);
    }
    if (identities.has(identity)) return 'duplicate';
    identities.add(identity);
    this.count++;
    return identities.size === 1 ? 'new-route' : 'new-binding';
  }

  remove(destination: D, route: string, identity: string): BindingRemoved {
    const routes = this.byDestination.get(destination);
    const identities = routes?.get(route);
    if (routes === undefined || identities === undefined || !identities.delete(identity)) return 'missing';
    this.count--;
    if (identities.size > 0) return 'binding-removed';
    routes.delete(route);
    if (routes.size === 0) this.byDestination.delete(destination);
    return 'route-removed';
  }

  /** The number of bindings (not routes). */
  get size(): number {
    return this.count;
  }

  clear(): void {
    this.byDestination.clear();
    this.count = 0;
  }
}

/** A binding's identity within its exchange and destination: binding key plus canonical arguments. */
export function bindingIdentity(bindingKey: string, argsKey: string): string {
  return `${bindingKey}\u0000${argsKey}`;
}
