/** Worker-side endpoints by driver name, for drivers whose generators run in workers. */
import { mqlabAmqplibWorkerDriver } from './mqlab-amqplib-client.js';
import { mqlabKafkajsWorkerDriver } from './mqlab-kafkajs.js';
import { mqlabNativeWorkerDriver } from './mqlab-native-reader.js';
import { rabbitmqWorkerDriver } from './rabbitmq-client.js';
import type { DriverName, WorkerDriver } from './types.js';

export function workerDriver(name: DriverName): WorkerDriver {
  switch (name) {
    case 'mqlab-native':
      return mqlabNativeWorkerDriver;
    case 'rabbitmq':
      return rabbitmqWorkerDriver;
    case 'mqlab-kafkajs':
      return mqlabKafkajsWorkerDriver;
    case 'mqlab-amqplib':
      return mqlabAmqplibWorkerDriver;
    default: {
      const never: never = name;
      throw new Error(`unknown driver ${String(never)}`);
    }
  }
}
