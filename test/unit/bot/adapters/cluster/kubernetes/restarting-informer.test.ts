// RestartingInformer over a scripted informer: synced after a list, every failure reported and
// followed by a restart with a doubling backoff (reset by a good list), nothing after stop().
import type { Informer, KubernetesObject, ObjectCache } from '@kubernetes/client-node';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { RestartingInformer } from '../../../../../../bot/adapters/cluster/kubernetes/restarting-informer.ts';

type Callback = (value?: unknown) => void;

/** An informer whose start() results are scripted: 'ok', or an error to reject with. */
class ScriptedInformer {
  readonly callbacks = new Map<string, Callback[]>();
  readonly script: (Error | 'ok')[] = [];
  starts = 0;
  stops = 0;
  items: unknown[] = [];

  on(verb: string, callback: Callback): void {
    this.callbacks.set(verb, [...(this.callbacks.get(verb) ?? []), callback]);
  }

  emit(verb: string, value?: unknown): void {
    for (const callback of this.callbacks.get(verb) ?? []) callback(value);
  }

  start(): Promise<void> {
    this.starts++;
    const next = this.script.shift() ?? 'ok';
    return next === 'ok' ? Promise.resolve() : Promise.reject(next);
  }

  stop(): Promise<void> {
    this.stops++;
    return Promise.resolve();
  }

  list(): unknown[] {
    return this.items;
  }
}

function setUp(script: (Error | 'ok')[]) {
  const fake = new ScriptedInformer();
  fake.script.push(...script);
  const errors: unknown[] = [];
  const changes = { count: 0 };
  const informer = new RestartingInformer(fake as unknown as Informer<KubernetesObject> & ObjectCache<KubernetesObject>, {
    onChange: () => {
      changes.count++;
    },
    onError: (error) => errors.push(error),
    initialBackoffMs: 100,
    maxBackoffMs: 400,
  });
  return { fake, informer, errors, changes };
}

describe('RestartingInformer', () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('is synced after the first list and tells of it and of every change', async () => {
    const { fake, informer, changes } = setUp(['ok']);
    expect(informer.synced).toBe(false);
    informer.start();
    informer.start(); // once
    await vi.advanceTimersByTimeAsync(0);
    expect(fake.starts).toBe(1);
    expect(informer.synced).toBe(true);
    expect(changes.count).toBe(1);
    fake.items = [{ metadata: { name: 'node-1' } }];
    fake.emit('add', fake.items[0]);
    fake.emit('update', fake.items[0]);
    fake.emit('delete', fake.items[0]);
    expect(changes.count).toBe(4);
    expect(informer.list()).toEqual(fake.items);
  });

  it('reports every failure and restarts with a doubling backoff, reset by a good list', async () => {
    const failure = (n: number): Error => new Error(`list failed ${n}`);
    const { fake, informer, errors } = setUp([failure(1), failure(2), failure(3), failure(4), 'ok']);
    informer.start();
    await vi.advanceTimersByTimeAsync(0);
    expect(errors).toEqual([failure(1)]);
    expect(informer.synced).toBe(false);
    await vi.advanceTimersByTimeAsync(99);
    expect(fake.starts).toBe(1);
    await vi.advanceTimersByTimeAsync(1); // 100 ms
    expect(fake.starts).toBe(2);
    await vi.advanceTimersByTimeAsync(200); // then 200 ms
    expect(fake.starts).toBe(3);
    await vi.advanceTimersByTimeAsync(400); // then 400 ms (the maximum)
    expect(fake.starts).toBe(4);
    await vi.advanceTimersByTimeAsync(400); // still 400 ms
    expect(fake.starts).toBe(5);
    expect(informer.synced).toBe(true);
    // a watch error after a good list: back to the first delay
    fake.emit('error', failure(5));
    expect(informer.synced).toBe(false);
    await vi.advanceTimersByTimeAsync(100);
    expect(fake.starts).toBe(6);
    expect(informer.synced).toBe(true);
    expect(errors.map(String)).toEqual([1, 2, 3, 4, 5].map((n) => String(failure(n))));
  });

  it('stopped while a (re)start is under way: what that start opens once it completes is stopped too', async () => {
    const { fake, informer, changes } = setUp([new Error('cut')]);
    informer.start();
    await vi.advanceTimersByTimeAsync(0);
    // the restart after the backoff is still connecting when the informer is stopped
    let connected: () => void = () => undefined;
    fake.start = () => {
      fake.starts++;
      return new Promise<void>((resolve) => {
        connected = resolve;
      });
    };
    await vi.advanceTimersByTimeAsync(100);
    expect(fake.starts).toBe(2);
    await informer.stop();
    expect(fake.stops).toBe(1);
    // client-node's informer opens its watch although stop() came first: it is stopped again
    connected();
    await vi.advanceTimersByTimeAsync(0);
    expect(fake.stops).toBe(2);
    expect(informer.synced).toBe(false);
    expect(changes.count).toBe(0);
  });

  it('an event after stop() (a watch left open underneath) stops the informer again', async () => {
    const { fake, informer, changes } = setUp(['ok']);
    informer.start();
    await vi.advanceTimersByTimeAsync(0);
    const before = changes.count;
    await informer.stop();
    fake.emit('update', { metadata: { name: 'late' } });
    expect(fake.stops).toBe(2);
    expect(changes.count).toBe(before);
  });

  it('reports nothing and restarts nothing after stop()', async () => {
    const { fake, informer, errors, changes } = setUp([new Error('first')]);
    informer.start();
    await vi.advanceTimersByTimeAsync(0);
    await informer.stop();
    expect(fake.stops).toBe(1);
    fake.emit('error', new Error('aborted by stop'));
    fake.emit('add', { metadata: { name: 'late' } });
    await vi.advanceTimersByTimeAsync(1000);
    expect(fake.starts).toBe(1);
    expect(errors).toHaveLength(1);
    expect(changes.count).toBe(0);
    expect(informer.running).toBe(false);
  });
});
