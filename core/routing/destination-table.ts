/**
 * Interns routing destinations (queue names, exchange names, any value) as small integer ids, so a
 * matcher can store ids in its structure and dedupe a result with one stamp per id instead of a Set
 * per match.
 *
 * Invariants: an id stays assigned to its destination while its reference count is above zero, and
 * a freed id is reused. Within one pass ({@link beginPass}), {@link firstInPass} answers true once
 * per id. Passes do not nest: a matcher finishes one match before it starts the next.
 */
export class DestinationTable<D> {
  private readonly ids = new Map<D, number>();
  private readonly values: (D | undefined)[] = [];
  private readonly refs: number[] = [];
  private readonly freeIds: number[] = [];
  private stamps = new Uint32Array(64);
  private pass = 0;

  /** The id of `destination`, or undefined when nothing references it. */
  idOf(destination: D): number | undefined {
    return this.ids.get(destination);
  }

  /** Takes one reference on `destination` and returns its id. */
  acquire(destination: D): number {
    let id = this.ids.get(destination);
    if (id !== undefined) {
      this.refs[id]!++;
      return id;
    }
    id = this.freeIds.pop() ?? this.values.length;
    this.ids.set(destination, id);
    this.values[id] = destination;
    this.refs[id] = 1;
    if (id >= this.stamps.length) {
      const grown = new Uint32Array(this.stamps.length * 2);
      grown.set(this.stamps);
      this.stamps = grown;
    }
    this.stamps[id] = 0;
    return id;
  }

  /** Drops one reference; the id is freed when none are left. */
  release(id: number): void {
    const left = this.refs[id]! - 1;
    this.refs[id] = left;
    if (left > 0) return;
    this.ids.delete(this.values[id] as D);
    this.values[id] = undefined;
    this.freeIds.push(id);
  }

  value(id: number): D {
    return this.values[id] as D;
  }

  /** The number of distinct destinations referenced. */
  get size(): number {
    return this.ids.size;
  }

  /** Starts a dedupe pass. */
  beginPass(): void {
    if (++this.pass === 0xffffffff) {
      this.stamps.fill(0);
      this.pass = 1;
    }
  }

  /** True when `id` was marked in the current pass. */
  seenInPass(id: number): boolean {
    return this.stamps[id] === this.pass;
  }

  /** True the first time `id` is seen in the current pass; marks it. */
  firstInPass(id: number): boolean {
    if (this.stamps[id] === this.pass) return false;
    this.stamps[id] = this.pass;
    return true;
  }

  clear(): void {
    this.ids.clear();
    this.values.length = 0;
    this.refs.length = 0;
    this.freeIds.length = 0;
  }
}
