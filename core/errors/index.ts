/** The public surface of mqlab's typed errors: the base, the cross-thread record, and each model's errors. */
export * from './base.js';
export * from './kafka.js';
export * from './amqp.js';
