/**
 * `mqlab/amqp`: amqplib's promise API over mqlab's AMQP broker model. Code written for amqplib
 * moves over by changing its import; `createAmqpHost()` gives an isolated broker, `host.share()` and
 * `attachAmqpHost(port)` reach it from another thread, and the transport interface lets another
 * transport replace the in-process one.
 */
export { connect, type ConnectOptions, type SocketOptions } from './connect.js';
export { Connection } from './connection.js';
export { Channel } from './channel.js';
export { ConfirmChannel } from './confirm-channel.js';
export { AmqpHost, createAmqpHost, defaultAmqpHost, type AmqpHostOptions } from './host.js';
export { attachAmqpHost, RemoteAmqpHost } from './port-transport.js';
export { quorumStoreDefaults, quorumTopicName, type QuorumStoreOptions } from './quorum-store.js';
export { IllegalOperationError, ServerClosedError } from './errors.js';
export type {
  AmqpEndpoint,
  AmqpReply,
  AmqpRequest,
  AmqpRpcMethods,
  AmqpRpcName,
  AmqpTransport,
  AmqpTransportConnection,
  AmqpTransportListener,
  AmqpTransportOpenOptions,
  TransportGetOk,
  TransportMessage,
} from './transport.js';
export * from './types.js';
