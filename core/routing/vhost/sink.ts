/**
 * What the broker model sends to a connection: the host (a broker worker) implements a
 * {@link ConnectionSink} per connection and forwards each call to its client.
 *
 * Rules for hosts:
 * - Calls are synchronous, during the model method that caused them. Outputs of a method logically
 *   follow its reply (RabbitMQ sends basic.consume-ok before the first delivery), so a host that
 *   forwards them should send the method's reply first.
 * - A sink must not call back into the model synchronously; queue the work instead.
 * - Arguments are positional so a delivery allocates nothing. The {@link Message} is shared by every
 *   queue it reached: read it, never mutate it.
 */
import type { AmqpError } from '../../errors/index.js';
import type { Message } from './message.js';

export interface ConnectionSink {
  /** basic.deliver: the message's exchange, routing key, properties and body are on `message`. */
  deliver(channel: number, consumerTag: string, deliveryTag: number, redelivered: boolean, message: Message): void;
  /** basic.return of an unroutable mandatory message (312 NO_ROUTE), sent before its confirm. */
  returned(channel: number, replyCode: number, replyText: string, message: Message): void;
  /** basic.ack (ack = true) or basic.nack of a publish in confirm mode. */
  confirm(channel: number, deliveryTag: number, multiple: boolean, ack: boolean): void;
  /** basic.cancel from the server: the consumer's queue was deleted (amqplib hands the callback null). */
  consumerCancelled(channel: number, consumerTag: string): void;
  /** channel.close from the server: a channel error. The channel is already gone. */
  channelClosed(channel: number, error: AmqpError): void;
  /** connection.close from the server: a connection error. Every channel is already gone. */
  connectionClosed(error: AmqpError): void;
}
