/** The drivers by name: the main-thread registry (sessions) and the worker-side one (endpoints). */
import { mqlabAmqplibDriver } from './mqlab-amqplib.js';
import { mqlabKafkajsDriver } from './mqlab-kafkajs.js';
import { mqlabNativeDriver } from './mqlab-native.js';
import { rabbitmqDriver } from './rabbitmq.js';
import { DRIVER_NAMES, type Driver, type DriverName } from './types.js';

export * from './types.js';

const DRIVERS: Readonly<Record<DriverName, Driver>> = {
  'mqlab-native': mqlabNativeDriver,
  'mqlab-kafkajs': mqlabKafkajsDriver,
  'mqlab-amqplib': mqlabAmqplibDriver,
  rabbitmq: rabbitmqDriver,
};

export function isDriverName(name: string): name is DriverName {
  return (DRIVER_NAMES as readonly string[]).includes(name);
}

export function getDriver(name: string): Driver {
  if (!isDriverName(name)) throw new Error(`unknown driver '${name}'; drivers are ${DRIVER_NAMES.join(', ')}`);
  return DRIVERS[name];
}

/** The driver a workload runs on when none is named: its own `driver`, else the model's mqlab default. */
export function defaultDriverFor(model: 'kafka' | 'amqp'): DriverName {
  return model === 'kafka' ? 'mqlab-native' : 'mqlab-amqplib';
}
