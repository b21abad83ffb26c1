/**
 * The header every benchmark message carries, so consumers can check delivery and time it without
 * any side channel. Times are monotonic nanoseconds from process.hrtime, which all threads of one
 * process share, held as float64 (exact to 2^53 ns) so stamping allocates no BigInt.
 *
 *   offset  size  field
 *   0       4     producer id (u32 LE)
 *   4       4     target: partition index (Kafka) or routing-key index (AMQP) (u32 LE)
 *   8       4     sequence number within (producer, target), from 0 (u32 LE)
 *   12      4     reserved, 0
 *   16      8     intended send time, ns (f64 LE): the open-loop schedule's slot
 *   24      8     actual send time, ns (f64 LE)
 *   32      ...   filler up to the workload's messageSize
 */
export const PAYLOAD_HEADER_BYTES = 32;
export const OFF_PRODUCER = 0;
export const OFF_TARGET = 4;
export const OFF_SEQUENCE = 8;
export const OFF_INTENDED_NS = 16;
export const OFF_ACTUAL_NS = 24;

/** Monotonic now in ns, as a float64. */
export function nowNs(): number {
  return Number(process.hrtime.bigint());
}

export interface PayloadHeader {
  producer: number;
  target: number;
  sequence: number;
  intendedNs: number;
  actualNs: number;
}

export function writeHeader(view: DataView, at: number, h: PayloadHeader): void {
  view.setUint32(at + OFF_PRODUCER, h.producer, true);
  view.setUint32(at + OFF_TARGET, h.target, true);
  view.setUint32(at + OFF_SEQUENCE, h.sequence, true);
  view.setUint32(at + 12, 0, true);
  view.setFloat64(at + OFF_INTENDED_NS, h.intendedNs, true);
  view.setFloat64(at + OFF_ACTUAL_NS, h.actualNs, true);
}

export function readHeader(view: DataView, at: number): PayloadHeader {
  return {
    producer: view.getUint32(at + OFF_PRODUCER, true),
    target: view.getUint32(at + OFF_TARGET, true),
    sequence: view.getUint32(at + OFF_SEQUENCE, true),
    intendedNs: view.getFloat64(at + OFF_INTENDED_NS, true),
    actualNs: view.getFloat64(at + OFF_ACTUAL_NS, true),
  };
}

/** A message buffer of `size` bytes with a recognisable filler after the header. */
export function createPayload(size: number): Uint8Array {
  const bytes = new Uint8Array(size);
  for (let i = PAYLOAD_HEADER_BYTES; i < size; i++) bytes[i] = (i * 31) & 0xff;
  return bytes;
}
