import { describe, expect, it } from 'vitest';
import { HttpListenError } from '../../../../bot/adapters/http/http-server.ts';
import { reportStartupFailure } from '../../../../bot/commands/startup-failure.ts';
import { ConfigError } from '../../../../bot/config/config-error.ts';
import { StorageError } from '../../../../storage/storage-error.ts';

function report(error: unknown): { code: number; text: string } {
  let text = '';
  const code = reportStartupFailure(error, { write: (chunk: string) => (text += chunk) });
  return { code, text };
}

describe('reportStartupFailure', () => {
  it.each([
    [new ConfigError('PATCHWINDOW_HTTP_PORT="x" (environment): expected a port'), 'patchwindow: config error: PATCHWINDOW_HTTP_PORT="x" (environment): expected a port\n'],
    [new StorageError('database /d/p.db is in use'), 'patchwindow: storage error: database /d/p.db is in use\n'],
    [new HttpListenError('cannot listen on 127.0.0.1:3000: address already in use'), 'patchwindow: http error: cannot listen on 127.0.0.1:3000: address already in use\n'],
  ])('prints one line and returns exit code 2 for %s', (error, line) => {
    expect(report(error)).toEqual({ code: 2, text: line });
  });

  it('prints the stack and returns exit code 1 for anything else', () => {
    const { code, text } = report(new TypeError('boom'));
    expect(code).toBe(1);
    expect(text).toMatch(/^patchwindow: unexpected failure: TypeError: boom\n\s+at /);
  });
});
