import { describe, expect, it } from 'vitest';
import { maskSecret } from '../../../../bot/config/mask-secret.ts';

describe('maskSecret', () => {
  it('keeps four characters of a long secret so the kind of token is recognisable', () => {
    expect(maskSecret('xoxb-123456789-abcdefgh')).toBe('xoxb****');
  });
  it('hides a short secret completely', () => {
    expect(maskSecret('hunter2')).toBe('****');
    expect(maskSecret('')).toBe('****');
  });
  it('hides values that are not strings', () => {
    expect(maskSecret(123456789012345)).toBe('****');
    expect(maskSecret({ token: 'xoxb-123456789-abcdefgh' })).toBe('****');
  });
});
