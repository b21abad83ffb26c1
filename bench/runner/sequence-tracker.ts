/**
 * Delivery checks from the sequence numbers in the payload. A stream is one (producer, target)
 * pair; its sequence numbers run 0, 1, 2, ... in send order.
 *
 * - A consumer counts a duplicate when it sees a sequence number of a stream it has seen before,
 *   and a reordering when a number arrives below the highest it has seen of that stream.
 * - The runner merges the consumers that share a sink (one queue, or one consumer group): a bit
 *   set by two consumers is a duplicate too, and every sequence number below what the producers
 *   sent and not seen by any of them is lost.
 *
 * One bit per message, grown by doubling: 10 M messages cost 1.25 MB.
 */

/** A consumer's view of one stream, as it crosses threads. */
export interface StreamRecord {
  readonly stream: number;
  readonly bits: Uint8Array;
  readonly distinct: number;
}

export interface TrackerSnapshot {
  readonly streams: StreamRecord[];
  readonly duplicated: number;
  readonly reordered: number;
  readonly received: number;
}

class StreamState {
  bits = new Uint8Array(1024);
  highest = -1;
  distinct = 0;
}

export class SequenceTracker {
  readonly #streams: (StreamState | undefined)[] = [];
  duplicated = 0;
  reordered = 0;
  received = 0;

  constructor(readonly targets: number) {}

  /** Records one message; stream = producer * targets + target. */
  record(producer: number, target: number, sequence: number): void {
    const stream = producer * this.targets + target;
    let s = this.#streams[stream];
    if (s === undefined) {
      s = new StreamState();
      this.#streams[stream] = s;
    }
    this.received++;
    const byte = sequence >>> 3;
    if (byte >= s.bits.length) {
      let size = s.bits.length * 2;
      while (size <= byte) size *= 2;
      const grown = new Uint8Array(size);
      grown.set(s.bits);
      s.bits = grown;
    }
    const mask = 1 << (sequence & 7);
    if ((s.bits[byte]! & mask) !== 0) {
      this.duplicated++;
      return;
    }
    s.bits[byte] = s.bits[byte]! | mask;
    s.distinct++;
    if (sequence < s.highest) this.reordered++;
    else s.highest = sequence;
  }

  snapshot(): TrackerSnapshot {
    const streams: StreamRecord[] = [];
    this.#streams.forEach((s, stream) => {
      if (s !== undefined) streams.push({ stream, bits: s.bits.subarray(0, (s.highest >>> 3) + 1), distinct: s.distinct });
    });
    return { streams, duplicated: this.duplicated, reordered: this.reordered, received: this.received };
  }
}

function popcount(bits: Uint8Array, limitBits: number): number {
  let n = 0;
  const fullBytes = Math.min(bits.length, limitBits >>> 3);
  for (let i = 0; i < fullBytes; i++) {
    let b = bits[i]!;
    while (b !== 0) {
      b &= b - 1;
      n++;
    }
  }
  if (fullBytes < bits.length && (limitBits & 7) !== 0) {
    let b = bits[fullBytes]! & ((1 << (limitBits & 7)) - 1);
    while (b !== 0) {
      b &= b - 1;
      n++;
    }
  }
  return n;
}

export interface DeliveryCounts {
  lost: number;
  duplicated: number;
  reordered: number;
  /** Distinct messages delivered. */
  delivered: number;
  /** Messages the sinks should have received. */
  expected: number;
  /** Messages of streams that should not reach the sink at all (misrouted). */
  unexpected: number;
}

/**
 * Merges the snapshots of the consumers of one sink. `sent[stream]` is how many messages each
 * stream sent; `routed(stream)` says whether the stream reaches this sink.
 */
export function countDeliveries(snapshots: readonly TrackerSnapshot[], sent: readonly number[], routed: (stream: number) => boolean): DeliveryCounts {
  const out: DeliveryCounts = { lost: 0, duplicated: 0, reordered: 0, delivered: 0, expected: 0, unexpected: 0 };
  const merged = new Map<number, Uint8Array>();
  for (const snap of snapshots) {
    out.duplicated += snap.duplicated;
    out.reordered += snap.reordered;
    for (const r of snap.streams) {
      const had = merged.get(r.stream);
      if (had === undefined) {
        merged.set(r.stream, Uint8Array.from(r.bits));
        continue;
      }
      const into = had.length >= r.bits.length ? had : Uint8Array.from({ length: r.bits.length }, (_, i) => had[i] ?? 0);
      for (let i = 0; i < r.bits.length; i++) {
        const overlap = into[i]! & r.bits[i]!;
        if (overlap !== 0) out.duplicated += popcount(Uint8Array.of(overlap), 8);
        into[i] = into[i]! | r.bits[i]!;
      }
      merged.set(r.stream, into);
    }
  }
  sent.forEach((n, stream) => {
    if (!routed(stream)) {
      const stray = merged.get(stream);
      if (stray !== undefined) out.unexpected += popcount(stray, stray.length * 8);
      return;
    }
    out.expected += n;
    const bits = merged.get(stream);
    const seen = bits === undefined ? 0 : popcount(bits, n);
    out.delivered += seen;
    out.lost += n - seen;
  });
  return out;
}
