// The sentinel command runner against tiny real executables (as execa's own tests do), never mocks.
import { chmodSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hostCommandLine, runCommand } from '../../../../agent/adapters/run-command.ts';
import { tempDirs } from '../../../support/temp-dirs.ts';

const dirs = tempDirs();
let bin: string;

function script(name: string, body: string): string {
  const path = join(bin, name);
  writeFileSync(path, `#!/bin/sh\n${body}\n`);
  chmodSync(path, 0o755);
  return path;
}

beforeAll(() => {
  bin = dirs.make('patchwindow-bin-');
});

afterAll(() => {
  dirs.removeAll();
});

describe('runCommand', () => {
  it.each([0, 1, 3])('reports exit code %i', async (code) => {
    expect(await runCommand([script(`exit-${code}`, `exit ${code}`)], 5000)).toEqual({ kind: 'exited', exitCode: code, stderr: '' });
  });

  it('passes arguments as they are, without a shell', async () => {
    const echo = script('args', 'printf "%s|" "$@" >&2; exit 1');
    expect(await runCommand([echo, 'a b', '$(id)', ';reboot'], 5000)).toEqual({ kind: 'exited', exitCode: 1, stderr: 'a b|$(id)|;reboot|' });
  });

  it('kills a command that runs past the timeout, children included', async () => {
    // `sleep` is a child of the shell: killing only the shell would leave it holding the output pipe.
    const slow = script('slow', 'sleep 30; exit 0');
    const started = Date.now();
    expect(await runCommand([slow], 300)).toEqual({ kind: 'timed-out', timeoutMs: 300 });
    expect(Date.now() - started).toBeLessThan(10_000);
  });

  it('kills the command when the run is aborted (agent shutdown)', async () => {
    const slow = script('slow-abort', 'sleep 30');
    const controller = new AbortController();
    const running = runCommand([slow], 60_000, controller.signal);
    controller.abort();
    expect((await running).kind).toBe('timed-out');
  });

  it('reports a program that does not exist', async () => {
    expect(await runCommand([join(bin, 'does-not-exist')], 5000)).toEqual({ kind: 'not-found' });
  });

  it('reports a file that cannot be executed', async () => {
    const plain = join(bin, 'not-executable');
    writeFileSync(plain, 'exit 1\n');
    expect(await runCommand([plain], 5000)).toEqual({ kind: 'not-started', reason: 'EACCES' });
  });

  it('reports a command killed by a signal', async () => {
    expect(await runCommand([script('self-kill', 'kill -KILL $$')], 5000)).toEqual({ kind: 'signal', signal: 'SIGKILL' });
  });
});

describe('hostCommandLine', () => {
  it('enters the host mount namespace through nsenter only when asked', () => {
    expect(hostCommandLine(['needs-restarting', '-r'], false)).toEqual(['needs-restarting', '-r']);
    expect(hostCommandLine(['needs-restarting', '-r'], true)).toEqual(['nsenter', '--target', '1', '--mount', '--', 'needs-restarting', '-r']);
  });
});
