import { describe, expect, it } from 'vitest';
import { spanHash, WordTable } from './word-table.js';

function wordsOf(table: WordTable, key: string): number[] {
  const out = new Int32Array(key.length + 1);
  return Array.from(out.subarray(0, table.lookupWords(key, out)));
}

describe('word table', () => {
  it('looks up the words of a key in place, with "" as zero words and empty words kept', () => {
    const table = new WordTable();
    const a = table.acquire('a');
    const empty = table.acquire('');
    const long = table.acquire('état');
    expect(wordsOf(table, '')).toEqual([]);
    expect(wordsOf(table, 'a')).toEqual([a]);
    expect(wordsOf(table, 'a..a')).toEqual([a, empty, a]);
    expect(wordsOf(table, '.')).toEqual([empty, empty]);
    expect(wordsOf(table, 'état.b.a')).toEqual([long, -1, a]);
  });

  it('hashes a span the same as the whole word', () => {
    expect(spanHash('x.abc.y', 2, 5)).toBe(spanHash('abc', 0, 3));
  });

  it('counts references and forgets a word when the last one goes', () => {
    const table = new WordTable();
    const id = table.acquire('w');
    expect(table.acquire('w')).toBe(id);
    table.release(id);
    expect(table.idOf('w')).toBe(id);
    table.release(id);
    expect(table.idOf('w')).toBe(-1);
    expect(table.size).toBe(0);
    expect(table.acquire('v')).toBe(id); // the id is reused
  });

  it('keeps every word findable across growth and many deletes', () => {
    const table = new WordTable();
    const ids = new Map<string, number>();
    for (let i = 0; i < 5000; i++) ids.set(`word-${i}`, table.acquire(`word-${i}`));
    for (let i = 0; i < 5000; i += 2) table.release(ids.get(`word-${i}`)!);
    for (let i = 5000; i < 7000; i++) ids.set(`word-${i}`, table.acquire(`word-${i}`));
    for (let i = 0; i < 7000; i++) {
      const expected = i < 5000 && i % 2 === 0 ? -1 : ids.get(`word-${i}`);
      expect(table.idOf(`word-${i}`)).toBe(expected);
    }
    expect(table.size).toBe(4500);
  });
});
