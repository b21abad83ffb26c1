/**
 * Private symbols of the Kafka client: reachable from tests and the conformance suite through
 * `mqlab/internal`, never exported by `mqlab/kafka`.
 */

/** Ends a consumer as a crash would: no LeaveGroup, no commit; the coordinator notices by session timeout. */
export const kCrash = Symbol('mqlab.consumer.crash');
