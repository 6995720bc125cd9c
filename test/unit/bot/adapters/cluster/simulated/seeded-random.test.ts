import { describe, expect, it } from 'vitest';
import { SeededRandom } from '../../../../../../bot/adapters/cluster/simulated/seeded-random.ts';

function draws(random: SeededRandom, count: number): number[] {
  return Array.from({ length: count }, () => random.next());
}

describe('SeededRandom', () => {
  it('repeats its sequence for the same seed and differs for another', () => {
    expect(draws(new SeededRandom(42), 20)).toEqual(draws(new SeededRandom(42), 20));
    expect(draws(new SeededRandom(42), 20)).not.toEqual(draws(new SeededRandom(43), 20));
  });

  it('draws in [0, 1) and integers within both bounds', () => {
    const random = new SeededRandom(7);
    for (const value of draws(random, 1000)) {
      expect(value).toBeGreaterThanOrEqual(0);
      expect(value).toBeLessThan(1);
    }
    const integers = new Set(Array.from({ length: 1000 }, () => random.integer(3, 8)));
    expect([...integers].sort()).toEqual([3, 4, 5, 6, 7, 8]);
  });

  it('shuffles a copy without losing or duplicating items', () => {
    const items = ['a', 'b', 'c', 'd', 'e'];
    const shuffled = new SeededRandom(3).shuffled(items);
    expect([...shuffled].sort()).toEqual(items);
    expect(items).toEqual(['a', 'b', 'c', 'd', 'e']);
  });

  it('refuses to pick from nothing', () => {
    expect(() => new SeededRandom(1).pick([])).toThrow(RangeError);
  });

  it('makes boot ids shaped like a node UUID', () => {
    expect(new SeededRandom(5).bootId()).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
  });
});
