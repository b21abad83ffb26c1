/**
 * The broker control block: one SharedArrayBuffer per broker, shared by the broker worker, the
 * controller and every client connection to that broker. All its offsets are named here.
 *
 * ```
 *  byte 0            64                128               192
 *  +-----------------+-----------------+-----------------+
 *  | heartbeat, state| doorbell        | (spare)         |
 *  | (broker writes) | (clients ring)  |                 |
 *  +-----------------+-----------------+-----------------+
 * ```
 *
 * | field          | byte offset | size | meaning                                              |
 * |----------------|-------------|------|------------------------------------------------------|
 * | heartbeat      | 0           | 4    | bumped by the broker's loop at least every heartbeat |
 * | state          | 4           | 4    | {@link BrokerState}                                   |
 * | paused         | 8           | 4    | fault injection: 1 stalls the broker's whole loop     |
 * | fetch delay    | 12          | 4    | fault injection: ms between follower fetches; -1 none |
 * | delay epoch    | 16          | 4    | bumped by whoever sets the fetch delay                 |
 * | delay seen     | 20          | 4    | the epoch the broker read before its last fetch pass   |
 * | bell: sleeping | 64          | 4    | 1 while the broker loop is (about to be) parked      |
 * | bell: sequence | 68          | 4    | bumped by whoever has work for the broker            |
 *
 * Wait/notify (core/memory/doorbell.ts): the broker raises the sleeping flag, re-checks every ring,
 * then parks on the sequence with a timeout of one heartbeat interval. A client that commits a
 * request, or the controller that posts a control message, rings the bell: it costs one load when
 * the broker is awake, and a notify only when it sleeps.
 */

export const BROKER_CONTROL_BYTES = 192;
export const HEARTBEAT_WORD = 0;
export const STATE_WORD = 1;
/** Fault injection: while 1 the broker neither serves, fetches, beats nor reads control messages. */
export const PAUSE_WORD = 2;
/** Fault injection: 0 fetches freely, n > 0 fetches at most every n ms, -1 stops fetching. */
export const FETCH_DELAY_WORD = 3;
/**
 * The fetch delay's handshake: a setter bumps the epoch after the delay; the broker reads the epoch
 * before the delay at the start of each pump and, once the pump's fetch pass is over, stores it as
 * seen. Seen >= a setter's epoch means no fetch under the old delay is still running.
 */
export const FETCH_DELAY_EPOCH_WORD = 4;
export const FETCH_DELAY_SEEN_WORD = 5;
/** The doorbell's first word (sleeping flag); its sequence word follows. */
export const BROKER_BELL_WORD = 16;

export const BrokerState = {
  STARTING: 0,
  RUNNING: 1,
  STOPPED: 2,
} as const;
export type BrokerStateValue = (typeof BrokerState)[keyof typeof BrokerState];
