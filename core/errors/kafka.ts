/**
 * Kafka's error codes, as the protocol defines them (org.apache.kafka.common.protocol.Errors), and
 * the typed error that carries one. The shape follows KafkaJS's KafkaJSProtocolError: `type` is the
 * Kafka name, `code` the number, `retriable` whether a retry can help.
 */
import { MqlabError, registerErrorFactory, type ErrorRecord } from './base.js';

/** name -> [code, retriable] */
const KAFKA_ERRORS = {
  UNKNOWN_SERVER_ERROR: [-1, false],
  OFFSET_OUT_OF_RANGE: [1, false],
  CORRUPT_MESSAGE: [2, true],
  UNKNOWN_TOPIC_OR_PARTITION: [3, true],
  INVALID_FETCH_SIZE: [4, false],
  LEADER_NOT_AVAILABLE: [5, true],
  NOT_LEADER_OR_FOLLOWER: [6, true],
  REQUEST_TIMED_OUT: [7, true],
  BROKER_NOT_AVAILABLE: [8, false],
  REPLICA_NOT_AVAILABLE: [9, true],
  MESSAGE_TOO_LARGE: [10, false],
  OFFSET_METADATA_TOO_LARGE: [12, false],
  NETWORK_EXCEPTION: [13, true],
  COORDINATOR_LOAD_IN_PROGRESS: [14, true],
  COORDINATOR_NOT_AVAILABLE: [15, true],
  NOT_COORDINATOR: [16, true],
  INVALID_TOPIC_EXCEPTION: [17, false],
  RECORD_LIST_TOO_LARGE: [18, false],
  NOT_ENOUGH_REPLICAS: [19, true],
  NOT_ENOUGH_REPLICAS_AFTER_APPEND: [20, true],
  INVALID_REQUIRED_ACKS: [21, false],
  ILLEGAL_GENERATION: [22, false],
  INCONSISTENT_GROUP_PROTOCOL: [23, false],
  INVALID_GROUP_ID: [24, false],
  UNKNOWN_MEMBER_ID: [25, false],
  INVALID_SESSION_TIMEOUT: [26, false],
  REBALANCE_IN_PROGRESS: [27, false],
  INVALID_COMMIT_OFFSET_SIZE: [28, false],
  TOPIC_AUTHORIZATION_FAILED: [29, false],
  INVALID_TIMESTAMP: [32, false],
  TOPIC_ALREADY_EXISTS: [36, false],
  INVALID_PARTITIONS: [37, false],
  INVALID_REPLICATION_FACTOR: [38, false],
  INVALID_REPLICA_ASSIGNMENT: [39, false],
  INVALID_CONFIG: [40, false],
  NOT_CONTROLLER: [41, true],
  INVALID_REQUEST: [42, false],
  POLICY_VIOLATION: [44, false],
  OUT_OF_ORDER_SEQUENCE_NUMBER: [45, false],
  DUPLICATE_SEQUENCE_NUMBER: [46, false],
  INVALID_PRODUCER_EPOCH: [47, false],
  INVALID_PRODUCER_ID_MAPPING: [49, false],
  UNSUPPORTED_FOR_MESSAGE_FORMAT: [43, false],
  GROUP_ID_NOT_FOUND: [69, false],
  FENCED_LEADER_EPOCH: [74, true],
  UNKNOWN_LEADER_EPOCH: [75, true],
  UNKNOWN_PRODUCER_ID: [59, false],
  OFFSET_NOT_AVAILABLE: [78, true],
  MEMBER_ID_REQUIRED: [79, false],
  PREFERRED_LEADER_NOT_AVAILABLE: [80, true],
  GROUP_MAX_SIZE_REACHED: [81, false],
  FENCED_INSTANCE_ID: [82, false],
  UNSTABLE_OFFSET_COMMIT: [88, true],
} as const satisfies Record<string, readonly [number, boolean]>;

export type KafkaErrorType = keyof typeof KAFKA_ERRORS;

export function kafkaErrorCode(type: KafkaErrorType): number {
  return KAFKA_ERRORS[type][0];
}

const typeByCode = new Map<number, KafkaErrorType>(
  (Object.keys(KAFKA_ERRORS) as KafkaErrorType[]).map((t) => [KAFKA_ERRORS[t][0], t]),
);

export function kafkaErrorType(code: number): KafkaErrorType | undefined {
  return typeByCode.get(code);
}

/**
 * A Kafka protocol error. `code` and `type` are Kafka's; `retriable` is Kafka's own classification
 * (RetriableException), which the clients use to decide whether to refresh metadata and retry.
 */
export class KafkaProtocolError extends MqlabError {
  constructor(type: KafkaErrorType, message: string) {
    const [code, retriable] = KAFKA_ERRORS[type];
    super('kafka', code, type, message, retriable, 'KafkaJSProtocolError');
  }
}

/** A client-side configuration or argument error (KafkaJS's KafkaJSNonRetriableError family). */
export class KafkaConfigError extends MqlabError {
  constructor(message: string, type = 'INVALID_CONFIG') {
    super('kafka', kafkaErrorCode('INVALID_CONFIG'), type, message, false, 'KafkaJSNonRetriableError');
  }
}

registerErrorFactory('kafka', (r: ErrorRecord) => {
  const known = kafkaErrorType(r.code);
  if (r.name === 'KafkaJSProtocolError' && known !== undefined && known === r.type) return new KafkaProtocolError(known, r.message);
  return new MqlabError('kafka', r.code, r.type, r.message, r.retriable, r.name);
});

/**
 * A call the client cannot make in its current state (after disconnect, before connect). Kafka has
 * no protocol code for it; it carries NETWORK_EXCEPTION's code (13), as a closed connection would
 * produce, and `type` says what happened.
 */
export class KafkaClientStateError extends MqlabError {
  constructor(type: 'DISCONNECTED' | 'NOT_CONNECTED' | 'NOT_RUNNING', message: string) {
    super('kafka', kafkaErrorCode('NETWORK_EXCEPTION'), type, message, false, 'KafkaJSError');
  }
}
