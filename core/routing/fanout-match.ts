/**
 * The fanout exchange matcher: every bound destination receives one copy; the routing key and the
 * binding key play no part.
 *
 * Invariant: a result lists each destination once and is never mutated afterwards.
 */
import { DestinationList } from './destination-list.js';

export class FanoutMatcher<D> {
  private readonly list = new DestinationList<D>();

  /** False when `destination` was already bound. */
  add(destination: D): boolean {
    return this.list.add(destination);
  }

  /** False when `destination` was not bound. */
  remove(destination: D): boolean {
    return this.list.remove(destination);
  }

  has(destination: D): boolean {
    return this.list.has(destination);
  }

  /** Every bound destination. Do not mutate. */
  match(): readonly D[] {
    return this.list.snapshot();
  }

  get size(): number {
    return this.list.size;
  }

  clear(): void {
    this.list.clear();
  }
}
