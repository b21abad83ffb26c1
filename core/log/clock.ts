/**
 * The wall clock for record timestamps on hot paths. Date.now() costs 25-55 ns on the VMs this
 * runs on (more than encoding a 200-byte record), and a Kafka timestamp has millisecond resolution,
 * so a tight append loop need not read the clock for every record.
 *
 * The rule: the first call in each event-loop task (and after every microtask boundary) reads the
 * clock. Within one synchronous run of calls, the clock is then read every `stride` calls; the
 * stride doubles (up to MAX_STRIDE) while consecutive reads return the same millisecond, and drops
 * back to 1 as soon as they differ. So a loop appending millions of records a second reads the
 * clock about once per MAX_STRIDE records, within microseconds of the truth, and a loop that does
 * real work between appends reads it on every call. What a caller can observe: within one
 * synchronous run, a timestamp may lag the clock by the time the last `stride` calls took (under a
 * millisecond unless the caller slows down sharply mid-run). Values come from Date.now() and are
 * never ahead of it.
 */

/** Most calls answered from one clock read. */
export const MAX_STRIDE = 64;

let cached = 0;
let left = 0;
let stride = 1;
/** True from a clock read until the end of the current task's microtask checkpoint. */
let fresh = false;

function expire(): void {
  fresh = false;
}

/** Date.now(), read at most once per stride of calls within one synchronous run (see the file header). */
export function coarseNow(): number {
  if (fresh && --left > 0) return cached;
  const now = Date.now();
  if (!fresh) {
    fresh = true;
    queueMicrotask(expire);
    stride = 1;
  } else if (now === cached) {
    // The last stride of calls fit inside one millisecond tick: take a longer one.
    if (stride < MAX_STRIDE) stride *= 2;
  } else {
    stride = 1;
  }
  cached = now;
  left = stride;
  return now;
}
