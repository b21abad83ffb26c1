/**
 * The gate's own calibration figure, for results that carry none (a suite without the memory-copy
 * ceiling): 200-byte frames copied into an ordinary buffer, timed in batches of 1,000 for about
 * 200 ms, in the gate process right after the benchmark process it calibrates. The figure is the
 * median batch rate in msgs/s. One thread; it yields to the event loop between slices.
 */
import { setImmediate as nextTurn } from 'node:timers/promises';
import { median } from '../../reports/stats.js';

const FRAME_BYTES = 200;
const BATCH = 1000;
const SLICE_MS = 20;

export async function measureCalibration(durationMs = 200): Promise<number> {
  const frame = new Uint8Array(FRAME_BYTES).fill(0x5a);
  const region = new Uint8Array(FRAME_BYTES * BATCH);
  const rates: number[] = [];
  const end = performance.now() + durationMs;
  while (performance.now() < end) {
    const sliceEnd = performance.now() + SLICE_MS;
    while (performance.now() < sliceEnd) {
      const t0 = process.hrtime.bigint();
      for (let i = 0, p = 0; i < BATCH; i++, p += FRAME_BYTES) region.set(frame, p);
      const ns = Number(process.hrtime.bigint() - t0);
      if (ns > 0) rates.push((BATCH * 1e9) / ns);
    }
    await nextTurn();
  }
  return median(rates);
}
