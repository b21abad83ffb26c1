/**
 * The literal words of a topic trie's binding keys, interned as small integer ids, with a lookup
 * that takes a word as a span of a larger string (a routing key) so that matching never splits the
 * key or allocates a substring.
 *
 * Layout: open addressing with linear probing over `slots` (a power-of-two Int32Array). A slot holds
 * 0 when empty, TOMBSTONE after a delete, or id + 1. Each id keeps its word, the word's hash and a
 * reference count (how many trie edges use it); a word is deleted when its count drops to zero.
 *
 * Invariants: the load (live + tombstones) stays at most 1/2 of the slots, so a probe always ends at
 * an empty slot; a lookup of a word that was never interned (or was deleted) returns -1.
 */
const EMPTY = 0;
const TOMBSTONE = -1;
const FNV_OFFSET = 0x811c9dc5;
const FNV_PRIME = 0x01000193;
const DOT = 0x2e;

/** FNV-1a over UTF-16 code units of text[start, end), with a final avalanche for the low bits. */
export function spanHash(text: string, start: number, end: number): number {
  let hash = FNV_OFFSET;
  for (let i = start; i < end; i++) hash = Math.imul(hash ^ text.charCodeAt(i), FNV_PRIME);
  return finish(hash);
}

function finish(hash: number): number {
  hash ^= hash >>> 16;
  hash = Math.imul(hash, 0x85ebca6b);
  hash ^= hash >>> 13;
  return hash | 0;
}

export class WordTable {
  private slots = new Int32Array(64);
  private used = 0; // live entries plus tombstones
  private readonly words: (string | undefined)[] = [];
  private readonly hashes: number[] = [];
  private readonly refs: number[] = [];
  private readonly freeIds: number[] = [];
  private live = 0;

  get size(): number {
    return this.live;
  }

  /** The id of `word`, or -1. */
  idOf(word: string): number {
    return this.find(word, 0, word.length, spanHash(word, 0, word.length));
  }

  /** Takes one reference on `word` and returns its id. */
  acquire(word: string): number {
    const hash = spanHash(word, 0, word.length);
    const found = this.find(word, 0, word.length, hash);
    if (found >= 0) {
      this.refs[found]!++;
      return found;
    }
    if ((this.used + 1) * 2 > this.slots.length) this.rehash(this.live + 1);
    const id = this.freeIds.pop() ?? this.words.length;
    this.words[id] = word;
    this.hashes[id] = hash;
    this.refs[id] = 1;
    const mask = this.slots.length - 1;
    let slot = hash & mask;
    while (this.slots[slot] !== EMPTY && this.slots[slot] !== TOMBSTONE) slot = (slot + 1) & mask;
    if (this.slots[slot] === EMPTY) this.used++;
    this.slots[slot] = id + 1;
    this.live++;
    return id;
  }

  /** Drops one reference on id; the word is deleted when none are left. */
  release(id: number): void {
    if (--this.refs[id]! > 0) return;
    const mask = this.slots.length - 1;
    let slot = this.hashes[id]! & mask;
    while (this.slots[slot] !== id + 1) slot = (slot + 1) & mask;
    this.slots[slot] = TOMBSTONE;
    this.words[id] = undefined;
    this.freeIds.push(id);
    this.live--;
  }

  /**
   * Writes into `out` the id of each '.'-separated word of `key` (-1 for words not in the table)
   * and returns the word count: 0 for "", and empty words are kept ("a..b" is three words).
   * `out` must hold at least (number of dots + 1) entries.
   */
  lookupWords(key: string, out: Int32Array): number {
    if (key.length === 0) return 0;
    let count = 0;
    let start = 0;
    let hash = FNV_OFFSET;
    for (let i = 0; i < key.length; i++) {
      const unit = key.charCodeAt(i);
      if (unit === DOT) {
        out[count++] = this.find(key, start, i, finish(hash));
        start = i + 1;
        hash = FNV_OFFSET;
      } else {
        hash = Math.imul(hash ^ unit, FNV_PRIME);
      }
    }
    out[count++] = this.find(key, start, key.length, finish(hash));
    return count;
  }

  clear(): void {
    this.slots = new Int32Array(64);
    this.used = 0;
    this.words.length = 0;
    this.hashes.length = 0;
    this.refs.length = 0;
    this.freeIds.length = 0;
    this.live = 0;
  }

  private find(text: string, start: number, end: number, hash: number): number {
    const slots = this.slots;
    const mask = slots.length - 1;
    const length = end - start;
    for (let slot = hash & mask; ; slot = (slot + 1) & mask) {
      const entry = slots[slot]!;
      if (entry === EMPTY) return -1;
      if (entry === TOMBSTONE) continue;
      const id = entry - 1;
      if (this.hashes[id] !== hash) continue;
      const word = this.words[id]!;
      if (word.length !== length) continue;
      let same = true;
      for (let i = 0; i < length; i++) {
        if (word.charCodeAt(i) !== text.charCodeAt(start + i)) {
          same = false;
          break;
        }
      }
      if (same) return id;
    }
  }

  private rehash(needed: number): void {
    let capacity = 64;
    while (needed * 4 > capacity) capacity *= 2; // at most 1/4 full after a rehash
    const slots = new Int32Array(capacity);
    const mask = capacity - 1;
    for (let id = 0; id < this.words.length; id++) {
      if (this.words[id] === undefined) continue;
      let slot = this.hashes[id]! & mask;
      while (slots[slot] !== EMPTY) slot = (slot + 1) & mask;
      slots[slot] = id + 1;
    }
    this.slots = slots;
    this.used = this.live;
  }
}
