/**
 * A set of destinations kept as an array that routing hands out without copying.
 *
 * Invariant: an array returned by {@link snapshot} is never mutated afterwards. The first change
 * after a snapshot works on a copy (copy-on-write), so bulk binding stays O(1) per destination and
 * a routing result stays valid however the bindings change later.
 */
const NO_DESTINATIONS: readonly never[] = Object.freeze([]);

export class DestinationList<D> {
  private items: D[] = [];
  private readonly index = new Map<D, number>();
  private shared = false;

  /** False when `destination` was already there. */
  add(destination: D): boolean {
    if (this.index.has(destination)) return false;
    this.own();
    this.index.set(destination, this.items.length);
    this.items.push(destination);
    return true;
  }

  /** False when `destination` was not there. Order is not kept. */
  remove(destination: D): boolean {
    const at = this.index.get(destination);
    if (at === undefined) return false;
    this.own();
    const last = this.items.pop() as D;
    if (at < this.items.length) {
      this.items[at] = last;
      this.index.set(last, at);
    }
    this.index.delete(destination);
    return true;
  }

  has(destination: D): boolean {
    return this.index.has(destination);
  }

  get size(): number {
    return this.items.length;
  }

  /** The destinations, each once. Do not mutate; later changes do not show in it. */
  snapshot(): readonly D[] {
    if (this.items.length === 0) return NO_DESTINATIONS;
    this.shared = true;
    return this.items;
  }

  clear(): void {
    this.items = [];
    this.index.clear();
    this.shared = false;
  }

  private own(): void {
    if (this.shared) {
      this.items = this.items.slice();
      this.shared = false;
    }
  }
}
