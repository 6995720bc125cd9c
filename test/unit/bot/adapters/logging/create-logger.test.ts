import { describe, expect, it } from 'vitest';
import { captureLogger } from '../../../../support/capture-logger.ts';

describe('createLogger', () => {
  it('writes JSON lines with an ISO time, a level label and the service name', () => {
    const { logger, lines } = captureLogger();
    logger.info({ node: 'aks-1' }, 'hello');
    expect(lines()).toEqual([
      expect.objectContaining({ level: 'info', service: 'patchwindow', node: 'aks-1', msg: 'hello', time: expect.stringMatching(/^\d{4}-\d\d-\d\dT/) as unknown }),
    ]);
  });

  it('redacts secrets by path, at the top level and nested', () => {
    const { logger, text } = captureLogger();
    logger.info(
      {
        token: 'xoxb-top-level-secret',
        config: { slack: { botToken: 'xoxb-nested-secret', signingSecret: 'signing-secret-value' } },
        teams: { appPassword: 'teams-password-value' },
        request: { headers: { authorization: 'Bearer bearer-secret-value' } },
      },
      'configured',
    );
    const output = text();
    for (const secret of ['xoxb-top-level-secret', 'xoxb-nested-secret', 'signing-secret-value', 'teams-password-value', 'bearer-secret-value']) {
      expect(output).not.toContain(secret);
    }
    expect(output).toContain('[redacted]');
  });

  it('respects the level', () => {
    const { logger, lines } = captureLogger('info');
    logger.debug('hidden');
    logger.warn('shown');
    expect(lines().map((line) => line['msg'])).toEqual(['shown']);
  });
});
