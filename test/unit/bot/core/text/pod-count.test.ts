import { describe, expect, it } from 'vitest';
import { podCount } from '../../../../../bot/core/text/pod-count.ts';

describe('podCount', () => {
  it.each([
    [0, '0 pods'],
    [1, '1 pod'],
    [2, '2 pods'],
    [undefined, '? pods'],
  ])('%s → %s', (count, text) => {
    expect(podCount(count)).toBe(text);
  });
});
