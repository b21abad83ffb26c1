/**
 * The public surface of core/memory: SharedArrayBuffer primitives. Other layers import only from
 * here: the ByteRing (SPSC frames between two threads) and the doorbells (Atomics wait/notify that
 * notifies only a peer that flagged itself asleep), which any pair of adjacent int32 words can use.
 */
export { ByteRing, NO_SPACE, RING_END, type FrameHandler, type PeerStatus } from './byte-ring.js';
export { byteRingDefaults, type ByteRingAttachOptions, type ByteRingOptions } from './byte-ring-options.js';
export { armDoorbell, disarmDoorbell, parkOnDoorbell, parkOnDoorbellAsync, ringAlways, ringIfAsleep } from './doorbell.js';
export { CACHE_LINE_BYTES, FRAME_ALIGN_BYTES, FRAME_HEADER_BYTES, frameBytes, ringBufferBytes } from './layout.js';
