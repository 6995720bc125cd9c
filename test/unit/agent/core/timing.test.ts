import { describe, expect, it } from 'vitest';
import { API_BACKOFF, backoffDelayMs, jittered } from '../../../../agent/core/timing.ts';

describe('jittered', () => {
  it('spreads a delay over ±10 % by default', () => {
    expect(jittered(300_000, () => 0)).toBe(270_000);
    expect(jittered(300_000, () => 0.5)).toBe(300_000);
    expect(jittered(300_000, () => 0.999_999)).toBe(330_000);
    expect(jittered(1000, () => 1, 0.5)).toBe(1500);
  });
});

describe('backoffDelayMs', () => {
  it('doubles from 1 s up to 5 min, landing in the upper half of each step', () => {
    const lowest = Array.from({ length: 12 }, (_, attempt) => backoffDelayMs(attempt, API_BACKOFF, () => 0));
    const highest = Array.from({ length: 12 }, (_, attempt) => backoffDelayMs(attempt, API_BACKOFF, () => 1));
    expect(lowest).toEqual([500, 1000, 2000, 4000, 8000, 16_000, 32_000, 64_000, 128_000, 150_000, 150_000, 150_000]);
    expect(highest).toEqual([1000, 2000, 4000, 8000, 16_000, 32_000, 64_000, 128_000, 256_000, 300_000, 300_000, 300_000]);
  });

  it('stays bounded for any number of attempts', () => {
    expect(backoffDelayMs(10_000, { initialMs: 100, maxMs: 2000 }, () => 0.5)).toBe(1500);
  });
});
