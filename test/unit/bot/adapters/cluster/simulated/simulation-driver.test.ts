import { describe, expect, it } from 'vitest';
import { SimulationDriver, type IntervalTimer } from '../../../../../../bot/adapters/cluster/simulated/simulation-driver.ts';
import { ManualClock } from '../../../../../support/manual-clock.ts';
import { START } from './simulation-harness.ts';

/** Fires only when told to. */
class FakeTimer implements IntervalTimer {
  readonly intervals: number[] = [];
  #callback: (() => void) | undefined;

  every(intervalMs: number, callback: () => void): () => void {
    this.intervals.push(intervalMs);
    this.#callback = callback;
    return () => {
      this.#callback = undefined;
    };
  }

  fire(): void {
    this.#callback?.();
  }
}

describe('SimulationDriver', () => {
  it('advances the simulation to the clock every interval while started', () => {
    const clock = new ManualClock(START);
    const advanced: Date[] = [];
    const timer = new FakeTimer();
    const driver = new SimulationDriver({ advanceTo: (now) => advanced.push(now) }, clock, { onError: () => undefined, timer });
    driver.start();
    driver.start();
    expect(driver.running).toBe(true);
    expect(timer.intervals).toEqual([200]);
    clock.advance(200);
    timer.fire();
    clock.advance(200);
    timer.fire();
    expect(advanced).toEqual([new Date(START.getTime() + 200), new Date(START.getTime() + 400)]);
    driver.stop();
    driver.stop();
    expect(driver.running).toBe(false);
    timer.fire();
    expect(advanced).toHaveLength(2);
  });

  it('reports errors and keeps going', () => {
    const errors: unknown[] = [];
    const timer = new FakeTimer();
    let calls = 0;
    const simulation = {
      advanceTo: () => {
        calls++;
        if (calls === 1) throw new Error('watcher failed');
      },
    };
    const driver = new SimulationDriver(simulation, new ManualClock(START), { onError: (error) => errors.push(error), timer, intervalMs: 50 });
    driver.start();
    timer.fire();
    timer.fire();
    expect(calls).toBe(2);
    expect(errors).toEqual([new Error('watcher failed')]);
    expect(timer.intervals).toEqual([50]);
  });

  it('refuses an interval that is not positive', () => {
    expect(() => new SimulationDriver({ advanceTo: () => undefined }, new ManualClock(START), { onError: () => undefined, intervalMs: 0 })).toThrow(
      'intervalMs must be positive, not 0',
    );
  });
});
