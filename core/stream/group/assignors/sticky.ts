/**
 * The sticky assignment core shared by `sticky` and `cooperative-sticky` (Kafka's
 * AbstractStickyAssignor), and the eager StickyAssignor itself.
 *
 * Goals, in priority order: (1) balance — partition counts differ by at most one, or a member with
 * two or more fewer partitions than another cannot take any of that member's partitions; (2)
 * stickiness — a member keeps as many of its owned partitions as balance allows.
 *
 * Two algorithms, chosen as Kafka chooses them:
 * - constrained, when every member subscribes to the same topics: each member keeps its owned
 *   partitions up to its quota (sorted by partition number, then topic), then the free partitions
 *   (sorted by topic, then partition) are dealt round robin to members below `floor(P/C)` in member
 *   id order, then one each to members that may still reach `ceil(P/C)`. Exactly `P % C` members
 *   end at `ceil(P/C)`. It also records which partitions move from a current member to another.
 * - general, otherwise: keep valid owned partitions, give each free partition (topics with the
 *   fewest potential members first) to the least-loaded member subscribed to it, then move
 *   partitions from members with at least two more than a potential taker until balanced, undoing
 *   the moves if they did not improve the balance score.
 *
 * Where Java iterates a HashMap or HashSet (member entries, the partitions of one movement pair),
 * this code uses member id order and insertion order, so it is deterministic. Results can differ
 * from a Java run only where Java's result depends on hash order.
 *
 * Two members claiming one partition: the higher `generationId` keeps it; on a tie neither does and
 * the partition is reassigned (and counted as transferring ownership).
 */
import { MqlabInternalError } from '../../../errors/index.js';
import {
  compareStrings,
  flattenOwned,
  keyOf,
  partitionsOf,
  tpKey,
  subscribedPartitionCounts,
  toGroupAssignment,
} from './partitions.js';
import type { Assignor, AssignorMember, GroupAssignment, TopicPartition } from './types.js';

export const STICKY_ASSIGNOR_NAME = 'sticky';

/** AbstractStickyAssignor.DEFAULT_GENERATION: the generation of a member that reports none. */
export const DEFAULT_GENERATION = -1;

export interface StickyResult {
  /** memberId -> partitions, in the order the algorithm assigned them. */
  readonly assignment: Map<string, TopicPartition[]>;
  /**
   * partition key -> its new owner, for partitions that leave one current member for another, as
   * the constrained algorithm tracks them; `null` when the general algorithm ran (the cooperative
   * assignor then derives them from owned vs. assigned partitions).
   */
  readonly partitionsTransferringOwnership: Map<string, string> | null;
}

interface OwnershipView {
  readonly subscriptionsEqual: boolean;
  /** Each member's valid, still-existing owned partitions after resolving double claims. */
  readonly consumerToOwned: Map<string, TopicPartition[]>;
  readonly partitionsWithMultiplePreviousOwners: Set<string>;
  readonly maxGeneration: number;
}

function generationOf(member: AssignorMember): number {
  return member.generationId ?? DEFAULT_GENERATION;
}

function sameTopics(a: ReadonlySet<string>, b: ReadonlySet<string>): boolean {
  if (a.size !== b.size) return false;
  for (const t of a) if (!b.has(t)) return false;
  return true;
}

/** AbstractStickyAssignor.allSubscriptionsEqual, which also collects the valid owned partitions. */
function readOwnership(members: readonly AssignorMember[], counts: ReadonlyMap<string, number>): OwnershipView {
  let subscriptionsEqual = true;
  let firstTopics: Set<string> | undefined;
  let maxGeneration = DEFAULT_GENERATION;
  const consumerToOwned = new Map<string, TopicPartition[]>();
  const previousOwner = new Map<string, AssignorMember>();
  const multiple = new Set<string>();

  const removeFrom = (memberId: string, key: string): void => {
    const list = consumerToOwned.get(memberId);
    if (list === undefined) return;
    const i = list.findIndex((tp) => keyOf(tp) === key);
    if (i >= 0) list.splice(i, 1);
  };

  for (const member of members) {
    const topics = new Set(member.subscription);
    if (firstTopics === undefined) firstTopics = topics;
    else if (subscriptionsEqual && !sameTopics(firstTopics, topics)) subscriptionsEqual = false;

    const generation = generationOf(member);
    maxGeneration = Math.max(maxGeneration, generation);
    const owned: TopicPartition[] = [];
    consumerToOwned.set(member.memberId, owned);
    for (const tp of flattenOwned(member.ownedPartitions, counts)) {
      const key = keyOf(tp);
      const other = previousOwner.get(key);
      if (other === undefined) {
        owned.push(tp);
        previousOwner.set(key, member);
        continue;
      }
      const otherGeneration = generationOf(other);
      if (generation === otherGeneration) {
        multiple.add(key);
        removeFrom(other.memberId, key);
        previousOwner.set(key, member);
      } else if (generation > otherGeneration) {
        owned.push(tp);
        removeFrom(other.memberId, key);
        previousOwner.set(key, member);
      }
    }
  }
  return { subscriptionsEqual, consumerToOwned, partitionsWithMultiplePreviousOwners: multiple, maxGeneration };
}

function allPartitionsSorted(counts: ReadonlyMap<string, number>, topicOrder: readonly string[]): TopicPartition[] {
  return topicOrder.flatMap((topic) => partitionsOf(topic, counts.get(topic) ?? 0));
}

function internal(message: string): MqlabInternalError {
  return new MqlabInternalError('INTERNAL', `sticky assignor: ${message}`);
}

/** AbstractStickyAssignor.ConstrainedAssignmentBuilder, without racks. */
function constrainedAssign(view: OwnershipView, counts: ReadonlyMap<string, number>): StickyResult {
  const consumers = [...view.consumerToOwned.keys()];
  const total = [...counts.values()].reduce((a, b) => a + b, 0);
  const minQuota = Math.floor(total / consumers.length);
  const maxQuota = Math.ceil(total / consumers.length);
  const expectedOverMin = total % consumers.length;
  let currentOverMin = 0;

  const assignment = new Map<string, TopicPartition[]>(consumers.map((c) => [c, []]));
  const assigned = new Set<string>();
  const allRevoked = new Set<string>();
  const transferring = new Map<string, string>();
  const underMin: string[] = [];
  let exactlyMin: string[] = [];

  const take = (consumer: string, partitions: readonly TopicPartition[]): void => {
    assignment.get(consumer)?.push(...partitions);
    for (const tp of partitions) assigned.add(keyOf(tp));
  };

  for (const [consumer, ownedAll] of view.consumerToOwned) {
    const owned = ownedAll
      .filter((tp) => !view.partitionsWithMultiplePreviousOwners.has(keyOf(tp)))
      .sort((a, b) => a.partition - b.partition || compareStrings(a.topic, b.topic));
    if (owned.length < minQuota) {
      take(consumer, owned);
      underMin.push(consumer);
    } else if (owned.length >= maxQuota && currentOverMin < expectedOverMin) {
      currentOverMin += 1;
      if (currentOverMin === expectedOverMin) exactlyMin = [];
      take(consumer, owned.slice(0, maxQuota));
      for (const tp of owned.slice(maxQuota)) allRevoked.add(keyOf(tp));
    } else {
      take(consumer, owned.slice(0, minQuota));
      for (const tp of owned.slice(minQuota)) allRevoked.add(keyOf(tp));
      if (currentOverMin < expectedOverMin) exactlyMin.push(consumer);
    }
  }

  const unassigned = allPartitionsSorted(counts, [...counts.keys()].sort(compareStrings)).filter((tp) => !assigned.has(keyOf(tp)));
  underMin.sort(compareStrings);
  exactlyMin.sort(compareStrings);

  const assignNew = (tp: TopicPartition, consumer: string): number => {
    const list = assignment.get(consumer);
    if (list === undefined) throw internal(`unknown consumer ${consumer}`);
    list.push(tp);
    const key = keyOf(tp);
    if (allRevoked.has(key) || view.partitionsWithMultiplePreviousOwners.has(key)) transferring.set(key, consumer);
    return list.length;
  };

  // Round robin over the members below minQuota (a cursor into `underMin`, which shrinks as members
  // fill), then one each to members at minQuota that may still reach maxQuota.
  let cursor = 0;
  for (const tp of unassigned) {
    let consumer: string | undefined;
    let fromUnder = false;
    if (cursor < underMin.length) {
      consumer = underMin[cursor];
      fromUnder = true;
    } else if (underMin.length === 0) {
      consumer = exactlyMin.shift();
      if (consumer === undefined) throw internal('no more unfilled consumers to be assigned');
    } else {
      cursor = 0;
      consumer = underMin[0];
      fromUnder = true;
    }
    if (consumer === undefined) throw internal('no consumer to assign to');
    const count = assignNew(tp, consumer);
    if (count === minQuota && fromUnder) {
      underMin.splice(cursor, 1);
      exactlyMin.push(consumer);
    } else {
      if (fromUnder) cursor += 1;
      if (count === maxQuota) currentOverMin += 1;
    }
  }

  if (underMin.length > 0) {
    if (currentOverMin !== expectedOverMin) throw internal('expected members over minQuota not reached and no partitions left');
    for (const consumer of underMin) {
      if ((assignment.get(consumer)?.length ?? 0) !== minQuota) throw internal(`consumer ${consumer} did not reach minQuota`);
    }
  }
  return { assignment, partitionsTransferringOwnership: transferring };
}

interface Movement {
  readonly src: string;
  readonly dst: string;
}

/** Which partitions moved between which members during one general assignment, per topic. */
class PartitionMovements {
  private readonly byTopic = new Map<string, Map<string, Map<string, TopicPartition>>>();
  private readonly movements = new Map<string, Movement>();

  private static pairKey(src: string, dst: string): string {
    return JSON.stringify([src, dst]);
  }

  private removeRecord(tp: TopicPartition): Movement | undefined {
    const key = keyOf(tp);
    const pair = this.movements.get(key);
    if (pair === undefined) return undefined;
    this.movements.delete(key);
    const topicMap = this.byTopic.get(tp.topic);
    const pk = PartitionMovements.pairKey(pair.src, pair.dst);
    const set = topicMap?.get(pk);
    set?.delete(key);
    if (set !== undefined && set.size === 0) topicMap?.delete(pk);
    if (topicMap !== undefined && topicMap.size === 0) this.byTopic.delete(tp.topic);
    return pair;
  }

  private addRecord(tp: TopicPartition, pair: Movement): void {
    this.movements.set(keyOf(tp), pair);
    let topicMap = this.byTopic.get(tp.topic);
    if (topicMap === undefined) {
      topicMap = new Map();
      this.byTopic.set(tp.topic, topicMap);
    }
    const pk = PartitionMovements.pairKey(pair.src, pair.dst);
    let set = topicMap.get(pk);
    if (set === undefined) {
      set = new Map();
      topicMap.set(pk, set);
    }
    set.set(keyOf(tp), tp);
  }

  move(tp: TopicPartition, oldConsumer: string, newConsumer: string): void {
    const existing = this.removeRecord(tp);
    if (existing === undefined) this.addRecord(tp, { src: oldConsumer, dst: newConsumer });
    else if (existing.src !== newConsumer) this.addRecord(tp, { src: existing.src, dst: newConsumer });
  }

  /**
   * Moving a partition of a topic back along a movement already made for that topic would undo
   * stickiness; move the partition that made the opposite movement instead.
   */
  actualPartitionToMove(tp: TopicPartition, oldConsumer: string, newConsumer: string): TopicPartition {
    const topicMap = this.byTopic.get(tp.topic);
    if (topicMap === undefined) return tp;
    const src = this.movements.get(keyOf(tp))?.src ?? oldConsumer;
    const reverse = topicMap.get(PartitionMovements.pairKey(newConsumer, src));
    if (reverse === undefined) return tp;
    for (const candidate of reverse.values()) return candidate;
    return tp;
  }
}

/** AbstractStickyAssignor.GeneralAssignmentBuilder, without racks. */
function generalAssign(
  members: readonly AssignorMember[],
  view: OwnershipView,
  counts: ReadonlyMap<string, number>,
): StickyResult {
  const totalPartitions = [...counts.values()].reduce((a, b) => a + b, 0);
  const topicToConsumers = new Map<string, string[]>([...counts.keys()].map((t) => [t, []]));
  const consumerToTopics = new Map<string, string[]>();
  const consumerTopicSet = new Map<string, Set<string>>();
  const currentAssignment = new Map<string, TopicPartition[]>();
  for (const member of members) {
    const topics = [...new Set(member.subscription)].filter((t) => counts.has(t));
    consumerToTopics.set(member.memberId, topics);
    consumerTopicSet.set(member.memberId, new Set(topics));
    for (const t of topics) topicToConsumers.get(t)?.push(member.memberId);
    currentAssignment.set(member.memberId, [...(view.consumerToOwned.get(member.memberId) ?? [])]);
  }
  const currentPartitionConsumer = new Map<string, string>();
  for (const [consumer, list] of currentAssignment) for (const tp of list) currentPartitionConsumer.set(keyOf(tp), consumer);

  const potentialCount = (topic: string): number => topicToConsumers.get(topic)?.length ?? 0;
  const sortedAllTopics = [...topicToConsumers.keys()].sort((a, b) => potentialCount(a) - potentialCount(b) || compareStrings(a, b));
  let sortedAllPartitions = allPartitionsSorted(counts, sortedAllTopics);

  const size = (consumer: string): number => currentAssignment.get(consumer)?.length ?? 0;
  const active = new Set<string>();
  const sortedSubscriptions = (): string[] => [...active].sort((a, b) => size(a) - size(b) || compareStrings(a, b));
  const subscribes = (consumer: string, topic: string): boolean => consumerTopicSet.get(consumer)?.has(topic) === true;
  const movements = new PartitionMovements();
  let revocationRequired = false;

  // Owned partitions of members from older generations are remembered as their previous owner.
  const prevAssignment = new Map<string, { consumer: string; generation: number }>();
  const remember = (partitions: readonly TopicPartition[], consumer: string, generation: number): void => {
    for (const tp of partitions) {
      const prior = prevAssignment.get(keyOf(tp));
      if (prior === undefined || generation > prior.generation) prevAssignment.set(keyOf(tp), { consumer, generation });
    }
  };
  for (const member of members) {
    const owned = flattenOwned(member.ownedPartitions, counts);
    if (member.generationId !== undefined && member.generationId < view.maxGeneration) remember(owned, member.memberId, member.generationId);
    else if (member.generationId === undefined && view.maxGeneration > DEFAULT_GENERATION) remember(owned, member.memberId, DEFAULT_GENERATION);
  }

  // Keep owned partitions the owner still subscribes to.
  const assignedKeys = new Set<string>();
  for (const [consumer, list] of currentAssignment) {
    const kept: TopicPartition[] = [];
    for (const tp of list) {
      if (!topicToConsumers.has(tp.topic)) currentPartitionConsumer.delete(keyOf(tp));
      else if (!subscribes(consumer, tp.topic)) revocationRequired = true;
      else {
        kept.push(tp);
        assignedKeys.add(keyOf(tp));
      }
    }
    currentAssignment.set(consumer, kept);
  }
  let unassigned = sortedAllPartitions.filter((tp) => !assignedKeys.has(keyOf(tp)));
  for (const consumer of currentAssignment.keys()) active.add(consumer);

  const maxAssignmentSize = (consumer: string): number => {
    const topics = consumerToTopics.get(consumer) ?? [];
    if (topics.length === counts.size) return totalPartitions;
    return topics.reduce((sum, t) => sum + (counts.get(t) ?? 0), 0);
  };

  const isBalanced = (): boolean => {
    const sorted = sortedSubscriptions();
    const first = sorted[0];
    const last = sorted[sorted.length - 1];
    if (first === undefined || last === undefined) return true;
    if (size(first) >= size(last) - 1) return true;
    const owner = new Map<string, string>();
    for (const [consumer, list] of currentAssignment) for (const tp of list) owner.set(keyOf(tp), consumer);
    for (const consumer of sorted) {
      const count = size(consumer);
      if (count === maxAssignmentSize(consumer)) continue;
      for (const topic of consumerToTopics.get(consumer) ?? []) {
        const partitionCount = counts.get(topic) ?? 0;
        for (let p = 0; p < partitionCount; p++) {
          const other = owner.get(tpKey(topic, p));
          if (other === undefined || other === consumer) continue;
          if (count + 1 < size(other)) return false;
        }
      }
    }
    return true;
  };

  const balanceScore = (assignment: ReadonlyMap<string, readonly TopicPartition[]>): number => {
    const sizes = [...assignment.values()].map((l) => l.length);
    let score = 0;
    for (let i = 0; i < sizes.length; i++) for (let j = i + 1; j < sizes.length; j++) score += Math.abs((sizes[i] ?? 0) - (sizes[j] ?? 0));
    return score;
  };

  const processMovement = (tp: TopicPartition, newConsumer: string): void => {
    const key = keyOf(tp);
    const oldConsumer = currentPartitionConsumer.get(key);
    if (oldConsumer === undefined) throw internal(`partition ${tp.topic}-${tp.partition} has no current owner`);
    movements.move(tp, oldConsumer, newConsumer);
    const from = currentAssignment.get(oldConsumer) ?? [];
    const i = from.findIndex((x) => keyOf(x) === key);
    if (i >= 0) from.splice(i, 1);
    currentAssignment.get(newConsumer)?.push(tp);
    currentPartitionConsumer.set(key, newConsumer);
  };

  const reassignTo = (tp: TopicPartition, newConsumer: string): void => {
    const consumer = currentPartitionConsumer.get(keyOf(tp));
    if (consumer === undefined) return;
    processMovement(movements.actualPartitionToMove(tp, consumer, newConsumer), newConsumer);
  };

  const reassign = (tp: TopicPartition): void => {
    const newConsumer = sortedSubscriptions().find((c) => subscribes(c, tp.topic));
    if (newConsumer === undefined) throw internal(`no consumer for ${tp.topic}-${tp.partition}`);
    reassignTo(tp, newConsumer);
  };

  const performReassignments = (reassignable: readonly TopicPartition[]): boolean => {
    let performed = false;
    let modified: boolean;
    do {
      modified = false;
      for (const tp of reassignable) {
        if (isBalanced()) break;
        const consumer = currentPartitionConsumer.get(keyOf(tp));
        if (consumer === undefined || !currentAssignment.has(consumer)) continue;
        const prev = prevAssignment.get(keyOf(tp));
        if (prev !== undefined && currentAssignment.has(prev.consumer) && size(consumer) > size(prev.consumer) + 1) {
          reassignTo(tp, prev.consumer);
          performed = modified = true;
          continue;
        }
        for (const other of topicToConsumers.get(tp.topic) ?? []) {
          if (currentAssignment.has(other) && size(consumer) > size(other) + 1) {
            reassign(tp);
            performed = modified = true;
            break;
          }
        }
      }
    } while (modified);
    return performed;
  };

  // balance()
  const sortedAtStart = sortedSubscriptions();
  const lastAtStart = sortedAtStart[sortedAtStart.length - 1];
  const initializing = lastAtStart === undefined || size(lastAtStart) === 0;

  for (const tp of unassigned) {
    if (potentialCount(tp.topic) === 0) continue;
    const consumer = sortedSubscriptions().find((c) => subscribes(c, tp.topic));
    if (consumer === undefined) continue;
    currentAssignment.get(consumer)?.push(tp);
    currentPartitionConsumer.set(keyOf(tp), consumer);
  }

  const canTopicParticipate = (topic: string): boolean => potentialCount(topic) >= 2;
  sortedAllPartitions = sortedAllPartitions.filter((tp) => canTopicParticipate(tp.topic));
  unassigned = unassigned.filter((tp) => canTopicParticipate(tp.topic));

  const fixedAssignments = new Map<string, TopicPartition[]>();
  for (const consumer of consumerToTopics.keys()) {
    const list = currentAssignment.get(consumer) ?? [];
    const canParticipate = list.length < maxAssignmentSize(consumer) || list.some((tp) => canTopicParticipate(tp.topic));
    if (!canParticipate) {
      active.delete(consumer);
      fixedAssignments.set(consumer, list);
      currentAssignment.delete(consumer);
    }
  }

  const preBalance = new Map([...currentAssignment].map(([c, l]) => [c, [...l]] as const));
  const preBalanceOwners = new Map(currentPartitionConsumer);

  if (!revocationRequired) performReassignments(unassigned);
  const reassignmentPerformed = performReassignments(sortedAllPartitions);

  if (!initializing && reassignmentPerformed && balanceScore(currentAssignment) >= balanceScore(preBalance)) {
    currentAssignment.clear();
    for (const [c, l] of preBalance) currentAssignment.set(c, [...l]);
    currentPartitionConsumer.clear();
    for (const [k, c] of preBalanceOwners) currentPartitionConsumer.set(k, c);
  }

  for (const [consumer, list] of fixedAssignments) {
    currentAssignment.set(consumer, list);
    active.add(consumer);
  }
  return { assignment: currentAssignment, partitionsTransferringOwnership: null };
}

/**
 * Runs the sticky algorithm. Members are processed in member id order; the result has an entry for
 * every member.
 */
export function stickyAssign(members: readonly AssignorMember[], partitionsPerTopic: ReadonlyMap<string, number>): StickyResult {
  if (members.length === 0) return { assignment: new Map(), partitionsTransferringOwnership: new Map() };
  const ordered = [...members].sort((a, b) => compareStrings(a.memberId, b.memberId));
  const counts = subscribedPartitionCounts(ordered, partitionsPerTopic);
  const view = readOwnership(ordered, counts);
  return view.subscriptionsEqual ? constrainedAssign(view, counts) : generalAssign(ordered, view, counts);
}

/** The eager StickyAssignor (`sticky`): the sticky assignment as is; owners revoke everything first. */
export function assignSticky(members: readonly AssignorMember[], partitionsPerTopic: ReadonlyMap<string, number>): GroupAssignment {
  return toGroupAssignment(members, stickyAssign(members, partitionsPerTopic).assignment);
}

export const stickyAssignor: Assignor = {
  name: STICKY_ASSIGNOR_NAME,
  assign: assignSticky,
};
