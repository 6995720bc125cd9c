import { describe, expect, it } from 'vitest';
import { FUZZ_BUDGET, FUZZ_TOTAL } from './fuzz-budget.ts';

describe('the fuzz budget', () => {
  it('adds up to the 100,000 cases a chaos run promises', () => {
    expect(Object.values(FUZZ_BUDGET).reduce((sum, runs) => sum + runs, 0)).toBe(FUZZ_TOTAL);
  });
});
