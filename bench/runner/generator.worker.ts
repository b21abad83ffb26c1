/** The piscina entry of a load-generator worker: opens the task's endpoint and runs its loop. */
import { workerDriver } from '../drivers/worker-drivers.js';
import { runConsumer, runProducer, runRpcClient, runRpcServer, type GeneratorResult, type GeneratorTask } from './generator.js';

export default async function generator(task: GeneratorTask): Promise<GeneratorResult> {
  const driver = workerDriver(task.driver);
  switch (task.role) {
    case 'producer': {
      const endpoint = await driver.openProducer(task.spec);
      try {
        return await runProducer(endpoint, task);
      } finally {
        await endpoint.close();
      }
    }
    case 'consumer':
      return runConsumer((sink) => driver.openConsumer(task.spec, sink), task);
    case 'rpc-client':
      if (driver.openRpcClient === undefined) throw new Error(`driver ${task.driver} has no RPC client`);
      return runRpcClient((sink) => driver.openRpcClient!(task.spec, sink), task);
    case 'rpc-server':
      if (driver.openRpcServer === undefined) throw new Error(`driver ${task.driver} has no RPC server`);
      return runRpcServer(() => driver.openRpcServer!(task.spec), task);
  }
}
