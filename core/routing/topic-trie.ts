/**
 * The topic exchange matcher: a trie over binding-key words with RabbitMQ's word semantics, and a
 * bounded cache of results per routing key.
 *
 * Words (rabbit_db_topic_exchange:split_topic_key):
 * - a key is split on '.'; "" is zero words; empty words are kept ("a..b" is a, "", b; "." is two
 *   empty words);
 * - in a binding key, the word `*` matches exactly one word (an empty word too) and `#` matches zero
 *   or more words; only whole words are wildcards (`a*`, `a#b` are literal words);
 * - a routing key's words are all literal: a message published with `*` or `#` in its key matches
 *   those words literally, or through wildcards.
 *
 * Matching walks the trie with the key's words. A state is (node, i): the node's pattern prefix has
 * matched the first i words. A `#` node may absorb any number of further words, so its states for
 * one node are always a suffix range i..n; the trie records, per `#` node and match pass, the lowest
 * i entered and never expands a state twice. That bounds a match by (trie nodes) x (words + 1) even
 * for patterns like `#.#.#` that have exponentially many ways to split a key.
 *
 * Cost per match, cache aside: the key's words are hashed in place (no split, no substrings) and
 * looked up once in the trie's word table; trie edges are keyed by word ids. When the matched
 * bindings all end at one node (one pattern, or several destinations on one pattern), the result is
 * that node's destination array itself, shared copy-on-write: no allocation at all. Otherwise the
 * destinations are deduped with one stamp per destination id and copied into one new array.
 *
 * Invariants:
 * - (pattern, destination) is a set: adding it twice is a no-op, one remove deletes it;
 * - a match returns each destination at most once;
 * - the cache never returns a result computed before the latest change to the bindings;
 * - returned arrays are never mutated afterwards (the cache may hand the same array out again, and a
 *   node's shared array is copied before its next change).
 */
import { DestinationTable } from './destination-table.js';
import { WordTable } from './word-table.js';

export const STAR = '*';
export const HASH = '#';

const NO_WORDS: readonly string[] = Object.freeze([]);
const NO_DESTINATIONS: readonly never[] = Object.freeze([]);

/** The words of a routing or binding key: "" is zero words, empty words are kept. */
export function topicWords(key: string): readonly string[] {
  return key === '' ? NO_WORDS : key.split('.');
}

/** How many whole-word `#` wildcards a binding key has. */
export function hashWordCount(bindingKey: string): number {
  let count = 0;
  for (const word of topicWords(bindingKey)) if (word === HASH) count++;
  return count;
}

export const TOPIC_TRIE_DEFAULTS = {
  /** Routing keys whose results are kept; 0 turns the cache off. */
  cacheSize: 4096,
} as const;

export interface TopicTrieOptions {
  readonly cacheSize?: number;
}

/** The bindings whose pattern ends at one node: destinations, their ids, and each id's index. */
class NodeBindings<D> {
  ids: number[] = [];
  destinations: D[] = [];
  readonly index = new Map<number, number>();
  /** True once `destinations` was handed out as a result: the next change works on a copy. */
  shared = false;

  add(id: number, destination: D): void {
    this.own();
    this.index.set(id, this.ids.length);
    this.ids.push(id);
    this.destinations.push(destination);
  }

  /** Swap-removes id; false when it was not here. */
  remove(id: number): boolean {
    const at = this.index.get(id);
    if (at === undefined) return false;
    this.own();
    const lastId = this.ids.pop()!;
    const lastDestination = this.destinations.pop() as D;
    if (at < this.ids.length) {
      this.ids[at] = lastId;
      this.destinations[at] = lastDestination;
      this.index.set(lastId, at);
    }
    this.index.delete(id);
    return true;
  }

  private own(): void {
    if (this.shared) {
      this.ids = this.ids.slice();
      this.destinations = this.destinations.slice();
      this.shared = false;
    }
  }
}

class TrieNode<D> {
  /** Children by literal word, keyed by the word's interned id. */
  literal: Map<number, TrieNode<D>> | null = null;
  star: TrieNode<D> | null = null;
  hash: TrieNode<D> | null = null;
  /** The bindings whose pattern ends here. */
  bound: NodeBindings<D> | null = null;
  /** For a `#` node: the match pass that last entered it, and the lowest word index entered. */
  pass = 0;
  low = 0;
  readonly parent: TrieNode<D> | null;
  /** The edge from the parent: a literal word, or `*` / `#` for the wildcard edges. */
  readonly word: string;
  /** The literal word's interned id; -1 for the root and the wildcard edges. */
  readonly wordId: number;

  constructor(parent: TrieNode<D> | null, word: string, wordId: number) {
    this.parent = parent;
    this.word = word;
    this.wordId = wordId;
  }

  isLeaf(): boolean {
    return this.literal === null && this.star === null && this.hash === null;
  }
}

/**
 * A set of topic bindings (pattern -> destination) that answers which destinations a routing key
 * reaches. Destinations are compared as Map keys (SameValueZero): use queue names or ids.
 */
export class TopicTrie<D> {
  private readonly root = new TrieNode<D>(null, '', -1);
  private readonly destinations = new DestinationTable<D>();
  /**
   * Literal binding words interned as ids: a routing key's words are looked up here once per match,
   * straight from the key, and the trie's maps are keyed by small integers.
   */
  private readonly vocabulary = new WordTable();
  private readonly cacheSize: number;
  private cache = new Map<string, readonly D[]>();
  private bindings = 0;
  // The state of the match in progress; a match never re-enters the trie.
  private keyWordIds = new Int32Array(16);
  private wordCount = 0;
  private pass = 0;
  /** The nodes whose bindings the match reached, each at most once per pass. */
  private readonly hits: NodeBindings<D>[] = [];
  private readonly scratch: D[] = [];

  constructor(options: TopicTrieOptions = {}) {
    this.cacheSize = Math.max(0, Math.floor(options.cacheSize ?? TOPIC_TRIE_DEFAULTS.cacheSize));
  }

  /** The number of (pattern, destination) bindings. */
  get size(): number {
    return this.bindings;
  }

  /** Adds a binding; false when it was already there. */
  add(pattern: string, destination: D): boolean {
    let node = this.root;
    for (const word of topicWords(pattern)) node = this.child(node, word) ?? this.addChild(node, word);
    const known = this.destinations.idOf(destination);
    if (known !== undefined && node.bound?.index.has(known) === true) return false;
    (node.bound ??= new NodeBindings<D>()).add(this.destinations.acquire(destination), destination);
    this.bindings++;
    this.invalidate();
    return true;
  }

  /** Removes a binding; false when it was not there. */
  remove(pattern: string, destination: D): boolean {
    const id = this.destinations.idOf(destination);
    const node = this.find(pattern);
    if (id === undefined || node === undefined || node.bound === null || !node.bound.remove(id)) return false;
    if (node.bound.ids.length === 0) {
      node.bound = null;
      this.prune(node);
    }
    this.destinations.release(id);
    this.bindings--;
    this.invalidate();
    return true;
  }

  has(pattern: string, destination: D): boolean {
    const id = this.destinations.idOf(destination);
    return id !== undefined && this.find(pattern)?.bound?.index.has(id) === true;
  }

  clear(): void {
    this.root.literal = null;
    this.root.star = null;
    this.root.hash = null;
    this.root.bound = null;
    this.destinations.clear();
    this.vocabulary.clear();
    this.bindings = 0;
    this.invalidate();
  }

  /**
   * The destinations `routingKey` reaches, each once, in no particular order. Served from the
   * cache when the bindings have not changed since the key was last matched. Do not mutate.
   */
  match(routingKey: string): readonly D[] {
    const cached = this.cache.get(routingKey);
    if (cached !== undefined) return cached;
    const result = this.matchUncached(routingKey);
    if (this.cacheSize > 0) {
      if (this.cache.size >= this.cacheSize) {
        // Evict the oldest entry (Map iteration follows insertion order).
        const oldest = this.cache.keys().next();
        if (oldest.done !== true) this.cache.delete(oldest.value);
      }
      this.cache.set(routingKey, result);
    }
    return result;
  }

  /** {@link match} without the cache: always walks the trie. Do not mutate the result. */
  matchUncached(routingKey: string): readonly D[] {
    // A key has at most length + 1 words; keys are shortstrs, so this rarely grows.
    if (routingKey.length >= this.keyWordIds.length) this.keyWordIds = new Int32Array(routingKey.length + 1);
    this.wordCount = this.vocabulary.lookupWords(routingKey, this.keyWordIds);
    this.pass++;
    this.expand(this.root, 0);
    const hits = this.hits;
    if (hits.length === 0) return NO_DESTINATIONS;
    if (hits.length === 1) {
      const only = hits[0]!;
      hits.length = 0;
      only.shared = true;
      return only.destinations;
    }
    return this.collect();
  }

  /** The number of routing keys whose results are cached. */
  get cachedKeys(): number {
    return this.cache.size;
  }

  /** Processes state (node, i): the node's bindings when all words are used, then its edges. */
  private expand(node: TrieNode<D>, i: number): void {
    if (i === this.wordCount) {
      if (node.bound !== null) this.hits.push(node.bound);
    } else {
      if (node.literal !== null) {
        const next = node.literal.get(this.keyWordIds[i]!);
        if (next !== undefined) this.expand(next, i + 1);
      }
      if (node.star !== null) this.expand(node.star, i + 1);
    }
    if (node.hash !== null) this.enterHash(node.hash, i);
  }

  /** Enters `#` node h at word i: the `#` may absorb words i..j-1 for every j from i to n. */
  private enterHash(h: TrieNode<D>, i: number): void {
    let last = this.wordCount;
    if (h.pass === this.pass) {
      if (i >= h.low) return; // states i..n were already expanded in this pass
      last = h.low - 1;
    } else {
      h.pass = this.pass;
    }
    h.low = i;
    if (h.isLeaf()) {
      // Only the bindings at h are left to reach, and only at j = n.
      if (h.bound !== null && last === this.wordCount) this.hits.push(h.bound);
      return;
    }
    for (let j = i; j <= last; j++) this.expand(h, j);
  }

  /** Dedupes the reached destinations into one new array. */
  private collect(): readonly D[] {
    const hits = this.hits;
    const out = this.scratch;
    const table = this.destinations;
    table.beginPass();
    for (let h = 0; h < hits.length; h++) {
      const { ids, destinations } = hits[h]!;
      for (let k = 0; k < ids.length; k++) {
        if (table.firstInPass(ids[k]!)) out.push(destinations[k]!);
      }
    }
    hits.length = 0;
    const result = out.slice();
    out.length = 0;
    return result;
  }

  private find(pattern: string): TrieNode<D> | undefined {
    let node: TrieNode<D> | undefined = this.root;
    for (const word of topicWords(pattern)) {
      node = this.child(node, word);
      if (node === undefined) return undefined;
    }
    return node;
  }

  private child(node: TrieNode<D>, word: string): TrieNode<D> | undefined {
    if (word === STAR) return node.star ?? undefined;
    if (word === HASH) return node.hash ?? undefined;
    if (node.literal === null) return undefined;
    const id = this.vocabulary.idOf(word);
    return id < 0 ? undefined : node.literal.get(id);
  }

  private addChild(node: TrieNode<D>, word: string): TrieNode<D> {
    if (word === STAR) return (node.star = new TrieNode<D>(node, word, -1));
    if (word === HASH) return (node.hash = new TrieNode<D>(node, word, -1));
    const id = this.vocabulary.acquire(word);
    const child = new TrieNode<D>(node, word, id);
    (node.literal ??= new Map()).set(id, child);
    return child;
  }

  /** Detaches nodes that no longer lead to any binding, from `node` up towards the root. */
  private prune(node: TrieNode<D>): void {
    let current = node;
    while (current.parent !== null && current.bound === null && current.isLeaf()) {
      const parent = current.parent;
      if (current.word === STAR) parent.star = null;
      else if (current.word === HASH) parent.hash = null;
      else if (parent.literal !== null) {
        parent.literal.delete(current.wordId);
        if (parent.literal.size === 0) parent.literal = null;
        this.vocabulary.release(current.wordId);
      }
      current = parent;
    }
  }

  private invalidate(): void {
    if (this.cache.size > 0) this.cache = new Map();
  }
}
