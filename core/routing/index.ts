/**
 * The routing layer's public surface (AMQP model): exchange types and their registry, the
 * matchers behind them, field-table helpers and shortstr checks. Pure, single-threaded, no I/O.
 */
export type { ExchangeRouter, ExchangeType, RoutingProperties } from './exchange-type.js';
export { ExchangeTypeRegistry, type ExchangeTypeRegistryOptions } from './exchange-types.js';
export { IndexedRouter } from './indexed-router.js';
export {
  BUILTIN_EXCHANGE_TYPES,
  createTopicExchangeType,
  directExchangeType,
  fanoutExchangeType,
  headersExchangeType,
  topicExchangeType,
  type TopicExchangeOptions,
} from './builtin-exchange-types.js';
export {
  bindingWeight,
  CONSISTENT_HASH_EXCHANGE_TYPE,
  consistentHashExchangeType,
  consistentHashOn,
  type HashOn,
} from './consistent-hash-exchange.js';
export { hashWordCount, TOPIC_TRIE_DEFAULTS, TopicTrie, topicWords, type TopicTrieOptions } from './topic-trie.js';
export { DirectMatcher } from './direct-match.js';
export { FanoutMatcher } from './fanout-match.js';
export {
  compileHeadersBinding,
  HEADERS_MATCH_MODES,
  headersMatch,
  matchHeaders,
  validateHeadersBinding,
  type HeadersBinding,
  type HeadersMatchMode,
} from './headers-match.js';
export { amqpFieldType, fieldTableKey, fieldValueEquals, tablesEqual, type FieldTable } from './field-table.js';
export { assertShortstr, fitsShortstr, SHORTSTR_MAX_BYTES, utf8ByteLength, type ShortstrField } from './names.js';
export * from './vhost/index.js';
