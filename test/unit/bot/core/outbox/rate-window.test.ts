import { describe, expect, it } from 'vitest';
import { RateWindow } from '../../../../../bot/core/outbox/rate-window.ts';

describe('RateWindow', () => {
  it('allows `count` events at once, then waits until the oldest leaves the window', () => {
    const window = new RateWindow({ count: 3, perMs: 60_000 });
    for (const at of [0, 10, 20]) {
      expect(window.waitMs(at)).toBe(0);
      window.record(at);
    }
    expect(window.waitMs(20)).toBe(59_980);
    expect(window.waitMs(59_999)).toBe(1);
    expect(window.waitMs(60_000)).toBe(0);
    window.record(60_000);
    // The second event is still inside the window until 60 010.
    expect(window.waitMs(60_000)).toBe(10);
  });

  it('never lets more than `count` events fall into any rolling period when every event waits its turn', () => {
    const window = new RateWindow({ count: 50, perMs: 60_000 });
    const events: number[] = [];
    let now = 0;
    // Someone who wants to update once every 700 ms for ten minutes.
    while (now < 600_000) {
      const wait = window.waitMs(now);
      if (wait === 0) {
        window.record(now);
        events.push(now);
        now += 700;
      } else {
        now += wait;
      }
    }
    for (const [index, at] of events.entries()) {
      expect(events.filter((other) => other > at - 60_000 && other <= at).length, `events in the minute up to event ${index}`).toBeLessThanOrEqual(50);
    }
    // And it uses what the limit allows: about 50 a minute, not far fewer.
    expect(events.length).toBeGreaterThanOrEqual(490);
  });

  it('counts events recorded while over the limit (attempts the platform counts), and waits for them too', () => {
    const window = new RateWindow({ count: 2, perMs: 1000 });
    window.record(0);
    window.record(0);
    window.record(500);
    // Three in the window, one over: the next waits until two of them are gone.
    expect(window.waitMs(500)).toBe(500);
    expect(window.waitMs(999)).toBe(1);
    window.record(1000);
    expect(window.waitMs(1000)).toBe(500);
    expect(window.waitMs(1500)).toBe(0);
  });

  it('refuses a limit that allows nothing or has no period', () => {
    expect(() => new RateWindow({ count: 0, perMs: 1000 })).toThrow(/positive whole count/);
    expect(() => new RateWindow({ count: 1.5, perMs: 1000 })).toThrow(/positive whole count/);
    expect(() => new RateWindow({ count: 5, perMs: 0 })).toThrow(/positive period/);
    expect(() => new RateWindow({ count: 5, perMs: Number.NaN })).toThrow(/positive period/);
  });
});
