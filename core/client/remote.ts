/**
 * Clients in other threads. `shareCluster(cluster)` (in the cluster's thread) gives a MessagePort to
 * hand to a worker; `attachCluster(port)` (in the worker) gives a ClientContext on which the native
 * PartitionWriter and PartitionReader work as in the cluster's thread:
 *
 *   // main thread
 *   const port = shareCluster(cluster);
 *   new Worker(file, { workerData: { port }, transferList: [port] });
 *   // worker
 *   const ctx = await attachCluster(workerData.port);
 *   const writer = await PartitionWriter.open(ctx, 'events', 0, { acks: 1 });
 *
 * The kafkajs-shaped producer and consumer work there too (`new Kafka({ cluster: ctx })`): a
 * consumer's group calls (JoinGroup, SyncGroup, Heartbeat, LeaveGroup, offset commits and fetches)
 * go to the coordinator in the cluster's thread. Admins need the cluster's own thread.
 *
 * Only the control plane goes through the port: metadata, group calls, and the broker calls that
 * attach a connection's rings or open a reader (their ports travel along). Requests are answered in
 * the order they arrive at the coordinator (a heartbeat sent before a LeaveGroup acts before it);
 * only a parked JoinGroup or SyncGroup answers later. Records never do: the worker's
 * writer encodes into its own request ring, shared with the broker, and its reader reads the leader's
 * segments, exactly as in the cluster's thread. Broker liveness is the state word of each broker's
 * control block, which the worker reads itself.
 */
import { MessageChannel, MessagePort, type TransferListItem } from 'node:worker_threads';
import { BrokerState, STATE_WORD, type BrokerCallName, type BrokerCalls, type BrokerConfig, type BrokerLink, type Cluster, type TopicMetadata } from '../cluster/index.js';
import { errorFromRecord, errorToRecord, MqlabInternalError, type ErrorRecord, type MqlabError } from '../errors/index.js';
import { MemberIdRequiredError } from '../stream/group/index.js';
import { callCoordinator, ClientContext, type ClusterLink, type GroupCall, type GroupCallName, type GroupCalls } from './context.js';

interface BrokerInfo {
  readonly id: number;
  readonly control: SharedArrayBuffer;
}

type Request =
  | { readonly id: number; readonly op: 'hello' }
  | { readonly id: number; readonly op: 'initProducerId' }
  | { readonly id: number; readonly op: 'metadata'; readonly topics: readonly string[]; readonly allowAutoTopicCreation: boolean }
  | { readonly id: number; readonly op: 'group'; readonly call: GroupCall }
  | { readonly id: number; readonly op: 'call'; readonly brokerId: number; readonly method: BrokerCallName; readonly args: unknown };

/** A request before it gets its id. */
type RequestBody = Request extends infer R ? (R extends Request ? Omit<R, 'id'> : never) : never;

type Reply = { readonly id: number; readonly ok: true; readonly value: unknown; readonly brokers: readonly BrokerInfo[] } | { readonly id: number; readonly ok: false; readonly error: ErrorRecord };

/**
 * Serves one remote client context over a new MessagePort (transfer it to the worker). The port
 * closes with the cluster.
 */
export function shareCluster(cluster: Cluster): MessagePort {
  const { port1, port2 } = new MessageChannel();
  const brokers = (): BrokerInfo[] => cluster.brokers.flatMap((id) => {
    const handle = cluster.broker(id);
    return handle === undefined ? [] : [{ id, control: handle.controlBuffer }];
  });
  const answer = async (request: Request): Promise<unknown> => {
    switch (request.op) {
      case 'hello':
        return cluster.config;
      case 'initProducerId':
        return cluster.controller.initProducerId();
      case 'metadata':
        return cluster.controller.fetchMetadata(request.topics, request.allowAutoTopicCreation);
      case 'group':
        return callCoordinator(cluster.controller, request.call);
      case 'call': {
        const handle = cluster.broker(request.brokerId);
        if (handle === undefined) throw new MqlabInternalError('CLOSED', `broker ${request.brokerId} is not available`);
        const args = request.args as BrokerCalls[BrokerCallName]['args'];
        const ports = Object.values(args).filter((v): v is MessagePort => v instanceof MessagePort);
        return handle.call(request.method, args, ports);
      }
      default: {
        const unknown: never = request;
        throw new MqlabInternalError('INVALID_ARGUMENT', `unknown request ${JSON.stringify(unknown)}`);
      }
    }
  };
  port1.on('message', (request: Request) => {
    answer(request).then(
      (value) => port1.postMessage({ id: request.id, ok: true, value, brokers: brokers() } satisfies Reply),
      (error: unknown) => port1.postMessage({ id: request.id, ok: false, error: errorToRecord(error) } satisfies Reply),
    );
  });
  port1.unref();
  const stop = cluster.onClose(() => port1.close());
  port1.once('close', stop);
  return port2;
}

/** A ClientContext in this thread on a cluster another thread shares (see shareCluster). */
export async function attachCluster(port: MessagePort): Promise<ClientContext> {
  const link = new RemoteLink(port);
  await link.hello();
  return new ClientContext(link);
}

class RemoteBroker implements BrokerLink {
  readonly control: Int32Array;
  constructor(
    readonly id: number,
    control: SharedArrayBuffer,
    private readonly link: RemoteLink,
  ) {
    this.control = new Int32Array(control);
  }

  get alive(): boolean {
    return Atomics.load(this.control, STATE_WORD) === BrokerState.RUNNING;
  }

  call<K extends BrokerCallName>(method: K, args: BrokerCalls[K]['args'], transfer: readonly TransferListItem[] = []): Promise<BrokerCalls[K]['result']> {
    return this.link.request({ op: 'call', brokerId: this.id, method, args }, transfer) as Promise<BrokerCalls[K]['result']>;
  }
}

class RemoteLink implements ClusterLink {
  readonly local = undefined;
  #config: BrokerConfig | undefined;
  readonly #pending = new Map<number, { resolve(value: unknown): void; reject(error: Error): void }>();
  readonly #brokers = new Map<number, RemoteBroker>();
  readonly #leaders = new Map<string, { leader: number; leaderEpoch: number }>();
  readonly #partitions = new Map<string, readonly number[]>();
  readonly #closeHooks = new Set<() => void>();
  #nextId = 1;
  #closed = false;

  constructor(private readonly port: MessagePort) {
    port.on('message', (reply: Reply) => {
      const pending = this.#pending.get(reply.id);
      if (pending === undefined) return;
      this.#pending.delete(reply.id);
      if (!reply.ok) {
        pending.reject(rebuildError(reply.error));
        return;
      }
      this.#learnBrokers(reply.brokers);
      pending.resolve(reply.value);
    });
    // Either side closed the port (the cluster closed, or this link did): nothing pending will be answered.
    port.once('close', () => this.#onClosed());
    port.unref();
  }

  get config(): BrokerConfig {
    if (this.#config === undefined) throw new MqlabInternalError('CLOSED', 'the remote cluster link is not connected');
    return this.#config;
  }

  async hello(): Promise<void> {
    this.#config = (await this.request({ op: 'hello' })) as BrokerConfig;
  }

  async fetchMetadata(topics: readonly string[], allowAutoTopicCreation: boolean): Promise<TopicMetadata[]> {
    const metadata = (await this.request({ op: 'metadata', topics, allowAutoTopicCreation })) as TopicMetadata[];
    for (const topic of metadata) {
      for (const p of topic.partitions) this.#leaders.set(`${topic.name}:${p.partitionId}`, { leader: p.leader, leaderEpoch: p.leaderEpoch });
      this.#partitions.set(topic.name, topic.partitions.map((p) => p.partitionId));
    }
    return metadata;
  }

  async group<K extends GroupCallName>(method: K, args: GroupCalls[K]['args']): Promise<GroupCalls[K]['result']> {
    return (await this.request({ op: 'group', call: { method, args } as GroupCall })) as GroupCalls[K]['result'];
  }

  knownPartitions(topic: string): readonly number[] | undefined {
    return this.#partitions.get(topic);
  }

  onClose(hook: () => void): () => void {
    this.#closeHooks.add(hook);
    return () => this.#closeHooks.delete(hook);
  }

  async initProducerId(): Promise<{ producerId: number; producerEpoch: number }> {
    return (await this.request({ op: 'initProducerId' })) as { producerId: number; producerEpoch: number };
  }

  broker(id: number): BrokerLink | undefined {
    const broker = this.#brokers.get(id);
    return broker?.alive === true ? broker : undefined;
  }

  currentLeader(topic: string, partition: number): { leader: number; leaderEpoch: number } | undefined {
    return this.#leaders.get(`${topic}:${partition}`);
  }

  close(): void {
    this.#onClosed();
    this.port.close();
  }

  #onClosed(): void {
    if (this.#closed) return;
    this.#closed = true;
    for (const pending of this.#pending.values()) pending.reject(new MqlabInternalError('CLOSED', 'the remote cluster link closed'));
    this.#pending.clear();
    for (const hook of [...this.#closeHooks]) hook();
    this.#closeHooks.clear();
  }

  request(body: RequestBody, transfer: readonly TransferListItem[] = []): Promise<unknown> {
    // A closed port drops what is posted to it: the answer would never come.
    if (this.#closed) return Promise.reject(new MqlabInternalError('CLOSED', 'the remote cluster link closed'));
    const id = this.#nextId++;
    return new Promise((resolve, reject) => {
      this.#pending.set(id, { resolve, reject });
      // The port keeps this thread alive only while an answer is awaited.
      this.port.ref();
      this.port.postMessage({ ...body, id }, [...transfer]);
    }).finally(() => {
      if (this.#pending.size === 0) this.port.unref();
    });
  }

  #learnBrokers(brokers: readonly BrokerInfo[]): void {
    for (const { id, control } of brokers) {
      const known = this.#brokers.get(id);
      if (known === undefined || known.control.buffer !== control) this.#brokers.set(id, new RemoteBroker(id, control, this));
    }
  }
}

/**
 * The typed error of a record from the cluster's thread. MEMBER_ID_REQUIRED comes back as the class
 * that carries the member id the coordinator assigned (its record keeps it as an extra field).
 */
function rebuildError(record: ErrorRecord): MqlabError {
  const memberId: unknown = (record as ErrorRecord & { readonly memberId?: unknown }).memberId;
  if (record.model === 'kafka' && record.type === 'MEMBER_ID_REQUIRED' && typeof memberId === 'string') {
    const error = new MemberIdRequiredError(memberId, '');
    error.message = record.message;
    return error;
  }
  return errorFromRecord(record);
}
