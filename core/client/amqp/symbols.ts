/**
 * Private symbols between the client's connection and its channels: how a connection hands a
 * channel what the broker sent. The public index never exports them.
 */
export const kOpen = Symbol('mqlab.amqp.open');
export const kReply = Symbol('mqlab.amqp.reply');
export const kReplyError = Symbol('mqlab.amqp.replyError');
export const kDeliver = Symbol('mqlab.amqp.deliver');
export const kReturned = Symbol('mqlab.amqp.returned');
export const kConfirm = Symbol('mqlab.amqp.confirm');
export const kCancelled = Symbol('mqlab.amqp.cancelled');
export const kServerClosed = Symbol('mqlab.amqp.serverClosed');
export const kConnectionClosed = Symbol('mqlab.amqp.connectionClosed');
export const kRelease = Symbol('mqlab.amqp.release');
export const kDrain = Symbol('mqlab.amqp.drain');
