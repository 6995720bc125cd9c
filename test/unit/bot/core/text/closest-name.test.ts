import { describe, expect, it } from 'vitest';
import { closestName, editDistance } from '../../../../../bot/core/text/closest-name.ts';

describe('editDistance', () => {
  it.each([
    ['', '', 0],
    ['port', 'port', 0],
    ['prot', 'port', 2],
    ['htp', 'http', 1],
    ['kitten', 'sitting', 3],
    ['', 'abc', 3],
  ])('%s → %s is %i', (a, b, distance) => {
    expect(editDistance(a, b)).toBe(distance);
  });
});

describe('closestName', () => {
  const names = ['http.host', 'http.port', 'log.level', 'db.path'];
  it('suggests the nearest name, ignoring case', () => {
    expect(closestName('http.prot', names)).toBe('http.port');
    expect(closestName('LOG.LEVEL', names)).toBe('log.level');
  });
  it('suggests nothing when every name is far away', () => {
    expect(closestName('completely.different', names)).toBeUndefined();
    expect(closestName('x', [])).toBeUndefined();
  });
});
