import { describe, expect, it } from 'vitest';
import { commandVerdict, showCommand } from '../../../../agent/core/command-verdict.ts';

const shown = 'needs-restarting -r';

describe('commandVerdict', () => {
  it('reads the configured code as "reboot needed" and 0 as "not needed"', () => {
    expect(commandVerdict({ kind: 'exited', exitCode: 1, stderr: '' }, 1, shown)).toEqual({
      ok: true,
      observation: { pending: true, reason: 'SentinelCommand', packages: [], evidence: 'needs-restarting -r exited 1' },
    });
    expect(commandVerdict({ kind: 'exited', exitCode: 0, stderr: '' }, 1, shown)).toMatchObject({ ok: true, observation: { pending: false } });
    expect(commandVerdict({ kind: 'exited', exitCode: 42, stderr: '' }, 42, shown)).toMatchObject({ ok: true, observation: { pending: true } });
  });

  it('treats any other exit code as an error that quotes stderr, cleaned and bounded', () => {
    const verdict = commandVerdict({ kind: 'exited', exitCode: 3, stderr: `boom\n\u001b[31mred\u001b[0m ${'x'.repeat(500)}` }, 1, shown);
    expect(verdict.ok).toBe(false);
    if (verdict.ok) return;
    expect(verdict.kind).toBe('exit-code');
    expect(verdict.message).toMatch(/^needs-restarting -r exited 3, expected 1 \(reboot needed\) or 0 \(not needed\): boom \[31mred \[0m x+…$/);
    expect(verdict.message.length).toBeLessThan(400);
  });

  it('treats timeouts, signals and missing programs as errors', () => {
    expect(commandVerdict({ kind: 'timed-out', timeoutMs: 30_000 }, 1, shown)).toEqual({
      ok: false,
      kind: 'timeout',
      message: 'needs-restarting -r did not finish within 30000 ms and was killed',
    });
    expect(commandVerdict({ kind: 'signal', signal: 'SIGSEGV' }, 1, shown)).toMatchObject({ ok: false, kind: 'signal' });
    expect(commandVerdict({ kind: 'not-found' }, 1, shown)).toEqual({ ok: false, kind: 'not-found', message: 'needs-restarting -r: program not found' });
    expect(commandVerdict({ kind: 'not-started', reason: 'EACCES' }, 1, shown)).toMatchObject({ ok: false, kind: 'not-found' });
  });
});

describe('showCommand', () => {
  it('quotes only the words that need it', () => {
    expect(showCommand(['needs-restarting', '-r'])).toBe('needs-restarting -r');
    expect(showCommand(['/usr/bin/test', '-e', '/var/run/a file'])).toBe('/usr/bin/test -e "/var/run/a file"');
  });
});
