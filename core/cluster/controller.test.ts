/**
 * The controller's broker failure detection, driven by broker handles whose heartbeat the test
 * controls: a lapsed heartbeat takes a broker's partitions offline, a resumed one brings them back,
 * and a terminated broker stays lost. (Real threads: cluster.test.ts.)
 */
import diagnostics from 'node:diagnostics_channel';
import { describe, expect, it, onTestFinished, vi } from 'vitest';
import type { BrokerHandle } from './broker-handle.js';
import { resolveBrokerConfig } from './config.js';
import { Controller } from './controller.js';

/** The parts of a broker handle the controller uses, with a heartbeat the test switches. */
class HeartbeatHandle {
  alive = true;
  beating = true;
  constructor(readonly id: number) {}
  checkHeartbeat(): boolean {
    return this.alive && this.beating;
  }
  call(): Promise<null> {
    return Promise.resolve(null);
  }
}

async function controllerWith(handles: readonly HeartbeatHandle[]): Promise<Controller> {
  const controller = new Controller(resolveBrokerConfig({ heartbeatIntervalMs: 5, brokerSessionTimeoutMs: 20 }), handles.map((h) => h.id));
  for (const h of handles) controller.addBroker(h as unknown as BrokerHandle);
  controller.start();
  onTestFinished(() => controller.stop());
  await controller.createTopics([{ topic: 'events', numPartitions: 2 }]);
  return controller;
}

function lifecycleEvents(): unknown[] {
  const events: unknown[] = [];
  const listener = (message: unknown): void => void events.push(message);
  diagnostics.channel('mqlab:broker:lifecycle').subscribe(listener);
  onTestFinished(() => void diagnostics.channel('mqlab:broker:lifecycle').unsubscribe(listener));
  return events;
}

function leaders(controller: Controller): number[] {
  return controller.metadata.topic('events')!.partitions.map((p) => p.leader);
}

describe('Controller broker heartbeats', () => {
  it('a broker whose heartbeat lapses loses its leaderships, and leads them again when it beats again', async () => {
    const handles = [new HeartbeatHandle(0), new HeartbeatHandle(1)];
    const controller = await controllerWith(handles);
    const events = lifecycleEvents();
    expect(leaders(controller)).toEqual([0, 1]);
    const epoch = controller.metadata.topic('events')!.partitions[1]!.leaderEpoch;

    handles[1]!.beating = false;
    await vi.waitFor(() => expect(leaders(controller)).toEqual([0, -1]));
    expect(controller.metadata.liveBrokers).toEqual([0]);

    handles[1]!.beating = true;
    await vi.waitFor(() => expect(leaders(controller)).toEqual([0, 1]));
    expect(controller.metadata.liveBrokers).toEqual([0, 1]);
    const p = controller.metadata.topic('events')!.partitions[1]!;
    expect(p.leaderEpoch).toBe(epoch + 2);
    expect(p.isr).toEqual([1]);
    expect(events).toEqual([
      { brokerId: 1, event: 'lost' },
      { brokerId: 1, event: 'resumed' },
    ]);
  });

  it('a broker whose thread is gone stays lost', async () => {
    const handles = [new HeartbeatHandle(0), new HeartbeatHandle(1)];
    const controller = await controllerWith(handles);
    controller.brokerLost(1);
    handles[1]!.alive = false;
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(leaders(controller)).toEqual([0, -1]);
    expect(controller.metadata.liveBrokers).toEqual([0]);
  });
});
