/**
 * `mqlab/internal`: the engine's building blocks for benchmarks and tests — the shared-memory ring,
 * the partition log, the routing primitives and the broker models. Not a stable API: the public
 * entry points are `mqlab`, `mqlab/kafka` and `mqlab/amqp`.
 */
export * from './memory/index.js';
export * from './log/index.js';
export * as routing from './routing/index.js';
export * as partitioners from './stream/partitioners/index.js';
export * as groups from './stream/group/index.js';
export { Broker } from './cluster/broker.js';
export { Controller } from './cluster/controller.js';
export { ClientContext } from './client/context.js';
export { kCrash } from './client/kafka/symbols.js';
export { attachCluster, shareCluster } from './client/remote.js';
