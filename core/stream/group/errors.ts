/**
 * Group-coordination errors that carry more than a code. Every other group failure is a plain
 * KafkaProtocolError with Kafka's code (ILLEGAL_GENERATION 22, UNKNOWN_MEMBER_ID 25, ...).
 */
import { KafkaProtocolError, type ErrorRecord } from '../../errors/index.js';

/**
 * JoinGroup answered MEMBER_ID_REQUIRED (79): the coordinator assigned `memberId` and the member
 * must join again with it. Named like kafkajs's KafkaJSMemberIdRequired, which carries the same
 * field. Across a thread hop the record keeps `memberId` as an extra field.
 */
export class MemberIdRequiredError extends KafkaProtocolError {
  readonly memberId: string;

  constructor(memberId: string, groupId: string) {
    super('MEMBER_ID_REQUIRED', `Group '${groupId}' requires a member id: join again with member id '${memberId}'`);
    this.name = 'KafkaJSMemberIdRequired';
    this.memberId = memberId;
  }

  override toRecord(): ErrorRecord & { readonly memberId: string } {
    return { ...super.toRecord(), memberId: this.memberId };
  }
}
