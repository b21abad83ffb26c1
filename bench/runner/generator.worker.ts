/** The piscina entry of a load-generator worker: opens the task's endpoint and runs its loop. */
import { workerDriver } from '../drivers/worker-drivers.js';
import { runConsumer, runProducer, type ConsumerResult, type GeneratorTask, type ProducerResult } from './generator.js';

export default async function generator(task: GeneratorTask): Promise<ProducerResult | ConsumerResult> {
  const driver = workerDriver(task.driver);
  if (task.role === 'producer') {
    const endpoint = await driver.openProducer(task.spec);
    try {
      return await runProducer(endpoint, task);
    } finally {
      await endpoint.close();
    }
  }
  return runConsumer((sink) => driver.openConsumer(task.spec, sink), task);
}
