import { describe, expect, it } from 'vitest';
import { distribution, median, percentile } from '../../bench/percentiles.ts';

describe('nearest-rank percentiles', () => {
  it('quotes measured values only: p95 of 1..100 is 95, p99 is 99, p50 is 50', () => {
    const samples = Array.from({ length: 100 }, (_, index) => 100 - index); // unsorted on purpose
    expect(distribution(samples)).toEqual({ count: 100, min: 1, p50: 50, p95: 95, p99: 99, max: 100 });
  });

  it('with few samples the high percentiles are the maximum', () => {
    expect(distribution([30, 10, 20])).toEqual({ count: 3, min: 10, p50: 20, p95: 30, p99: 30, max: 30 });
    expect(median([4, 1, 3, 2])).toBe(2);
  });

  it('refuses an empty sample and percentiles outside (0, 100]', () => {
    expect(() => distribution([])).toThrow(RangeError);
    expect(() => percentile([1], 0)).toThrow(RangeError);
    expect(() => percentile([1], 101)).toThrow(RangeError);
  });
});
