/**
 * The direct exchange matcher: a routing key reaches the destinations bound with exactly that key
 * (case-sensitive, byte for byte; "" is a key like any other). Several destinations may share a
 * key, and each receives one copy.
 *
 * Invariants: (key, destination) is a set; a result lists each destination once and is never
 * mutated afterwards ({@link DestinationList}).
 */
import { DestinationList } from './destination-list.js';

const NO_DESTINATIONS: readonly never[] = Object.freeze([]);

export class DirectMatcher<D> {
  private readonly byKey = new Map<string, DestinationList<D>>();
  private bindings = 0;

  /** False when the binding was already there. */
  add(bindingKey: string, destination: D): boolean {
    let list = this.byKey.get(bindingKey);
    if (list === undefined) {
      list = new DestinationList();
      this.byKey.set(bindingKey, list);
    }
    if (!list.add(destination)) return false;
    this.bindings++;
    return true;
  }

  /** False when the binding was not there. */
  remove(bindingKey: string, destination: D): boolean {
    const list = this.byKey.get(bindingKey);
    if (list === undefined || !list.remove(destination)) return false;
    if (list.size === 0) this.byKey.delete(bindingKey);
    this.bindings--;
    return true;
  }

  has(bindingKey: string, destination: D): boolean {
    return this.byKey.get(bindingKey)?.has(destination) === true;
  }

  /** The destinations bound with exactly `routingKey`. Do not mutate. */
  match(routingKey: string): readonly D[] {
    const list = this.byKey.get(routingKey);
    return list === undefined ? NO_DESTINATIONS : list.snapshot();
  }

  get size(): number {
    return this.bindings;
  }

  clear(): void {
    this.byKey.clear();
    this.bindings = 0;
  }
}
