// The helm runner against a tiny real executable standing in for helm (as execa's own tests do,
// never a mocked spawn): the exact argv, the values on stdin, the connection passed on, and
// failures carrying the exit code and a cleaned stderr with the execa error as cause.
import { chmodSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ExecaError } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cleanStderr, findExecutable, HelmCommandError, KuredHelm } from '../../../../../../bot/adapters/cluster/kubernetes/kured-helm.ts';
import type { KuredHelmOptions } from '../../../../../../bot/adapters/cluster/kubernetes/kured-helm.ts';
import { kuredHelmValues } from '../../../../../../bot/adapters/cluster/kubernetes/kured-helm-values.ts';
import { DEFAULT_KURED_MANIFEST_OPTIONS } from '../../../../../../bot/adapters/cluster/kubernetes/kured-manifests.ts';
import type { RebootDaemonSpec } from '../../../../../../bot/core/ports/cluster-port.ts';
import { tempDirs } from '../../../../../support/temp-dirs.ts';

const dirs = tempDirs();
let bin: string;
let record: string;

const spec: RebootDaemonSpec = {
  windowId: 7,
  start: new Date('2026-03-07T21:00:00Z'),
  end: new Date('2026-03-08T01:00:00Z'),
  zone: 'Europe/Zurich',
  concurrency: 1,
  nodeSelector: undefined,
};

/**
 * A fake helm: records its arguments (one per line), its stdin and KUBECONFIG into the record
 * directory, writes FAKE_HELM_STDERR to stderr and exits with FAKE_HELM_EXIT (default 0).
 */
const FAKE_HELM = `#!/bin/sh
for arg in "$@"; do printf '%s\\n' "$arg"; done > "$FAKE_HELM_RECORD/argv"
cat > "$FAKE_HELM_RECORD/stdin"
printf '%s' "\${KUBECONFIG-unset}" > "$FAKE_HELM_RECORD/kubeconfig"
if [ -n "$FAKE_HELM_SLEEP" ]; then sleep "$FAKE_HELM_SLEEP"; fi
if [ -n "$FAKE_HELM_STDERR" ]; then printf '%s\\n' "$FAKE_HELM_STDERR" >&2; fi
exit "\${FAKE_HELM_EXIT:-0}"
`;

beforeAll(() => {
  bin = dirs.make('patchwindow-fake-helm-');
  record = dirs.make('patchwindow-fake-helm-record-');
  writeFileSync(join(bin, 'helm'), FAKE_HELM);
  chmodSync(join(bin, 'helm'), 0o755);
});

afterAll(() => {
  dirs.removeAll();
});

function helm(overrides: Partial<KuredHelmOptions> = {}, fake: Record<string, string> = {}): KuredHelm {
  return new KuredHelm({
    binary: join(bin, 'helm'),
    chart: 'kubereboot/kured',
    version: '6.1.0',
    repositoryUrl: undefined,
    release: 'kured',
    timeout: '2m',
    kubeconfig: undefined,
    context: undefined,
    kured: DEFAULT_KURED_MANIFEST_OPTIONS,
    env: { PATH: process.env['PATH'], FAKE_HELM_RECORD: record, ...fake },
    ...overrides,
  });
}

function recorded(): { argv: string[]; stdin: string; kubeconfig: string } {
  return {
    argv: readFileSync(join(record, 'argv'), 'utf8').split('\n').slice(0, -1),
    stdin: readFileSync(join(record, 'stdin'), 'utf8'),
    kubeconfig: readFileSync(join(record, 'kubeconfig'), 'utf8'),
  };
}

async function rejection(promise: Promise<unknown>): Promise<HelmCommandError> {
  try {
    await promise;
  } catch (error) {
    expect(error).toBeInstanceOf(HelmCommandError);
    return error as HelmCommandError;
  }
  throw new Error('expected helm to fail');
}

describe('KuredHelm.install', () => {
  it('runs helm upgrade --install with the window values on stdin', async () => {
    await helm().install(spec);
    const { argv, stdin, kubeconfig } = recorded();
    expect(argv).toEqual([
      'upgrade',
      '--install',
      '--namespace',
      'kured',
      '--create-namespace',
      '--version',
      '6.1.0',
      '--values',
      '-',
      '--timeout',
      '2m',
      '--',
      'kured',
      'kubereboot/kured',
    ]);
    expect(JSON.parse(stdin)).toEqual(kuredHelmValues(spec, { ...DEFAULT_KURED_MANIFEST_OPTIONS, daemonSetName: 'kured' }));
    expect(kubeconfig).toBe('unset');
  });

  it("passes the bot's connection (KUBECONFIG, context), a repository URL and names with spaces as single arguments", async () => {
    await helm({
      kubeconfig: '/etc/patchwindow/kube config',
      context: 'prod-east',
      repositoryUrl: 'https://kubereboot.github.io/charts',
      chart: 'kured',
      release: 'ops-kured',
      kured: { ...DEFAULT_KURED_MANIFEST_OPTIONS, namespace: 'ops' },
    }).install(spec);
    const { argv, kubeconfig } = recorded();
    expect(argv).toEqual([
      'upgrade',
      '--install',
      '--namespace',
      'ops',
      '--create-namespace',
      '--version',
      '6.1.0',
      '--repo',
      'https://kubereboot.github.io/charts',
      '--values',
      '-',
      '--timeout',
      '2m',
      '--kube-context',
      'prod-east',
      '--',
      'ops-kured',
      'kured',
    ]);
    expect(kubeconfig).toBe('/etc/patchwindow/kube config');
  });

  it("fails with helm's exit code and its stderr, cleaned, and the execa error as cause", async () => {
    const stderr = '\u001b[31mError: INSTALLATION FAILED: Kubernetes cluster unreachable: Get "https://admin:hunter2@10.0.0.1:6443/version": token=abc123 refused\u001b[0m';
    const error = await rejection(helm({}, { FAKE_HELM_EXIT: '1', FAKE_HELM_STDERR: stderr }).install(spec));
    expect(error.message).toBe('helm exited with code 1: Error: INSTALLATION FAILED: Kubernetes cluster unreachable: Get "https://***@10.0.0.1:6443/version": token=*** refused');
    expect(error.exitCode).toBe(1);
    expect(error.stderr).not.toContain('hunter2');
    expect(error.cause).toBeInstanceOf(ExecaError);
  });

  it('says so when the helm binary does not exist', async () => {
    const error = await rejection(helm({ binary: join(bin, 'no-such-helm') }).install(spec));
    expect(error.message).toBe(`helm install failed: the helm binary "${join(bin, 'no-such-helm')}" was not found`);
    expect(error.exitCode).toBeUndefined();
  });

  it('kills a helm that runs past its timeout plus the grace', async () => {
    const started = Date.now();
    const error = await rejection(helm({ timeout: '100ms', killGraceMs: 100 }, { FAKE_HELM_SLEEP: '30' }).install(spec));
    expect(error.message).toMatch(/^helm install did not finish in time and was killed/);
    expect(Date.now() - started).toBeLessThan(10_000);
  });

  it('refuses a timeout that is not a Go duration', () => {
    expect(() => helm({ timeout: '2 minutes' })).toThrow(/not a positive Go duration/);
  });
});

describe('KuredHelm.uninstall', () => {
  it('runs helm uninstall, waiting with foreground deletion', async () => {
    await helm({ context: 'prod-east' }).uninstall();
    expect(recorded().argv).toEqual(['uninstall', '--namespace', 'kured', '--wait', '--cascade', 'foreground', '--timeout', '2m', '--kube-context', 'prod-east', '--', 'kured']);
  });

  it('an absent release is already uninstalled', async () => {
    await expect(helm({}, { FAKE_HELM_EXIT: '1', FAKE_HELM_STDERR: 'Error: uninstall: Release not loaded: kured: release: not found' }).uninstall()).resolves.toBeUndefined();
  });

  it('any other failure carries the exit code and stderr', async () => {
    const error = await rejection(helm({}, { FAKE_HELM_EXIT: '1', FAKE_HELM_STDERR: 'Error: uninstallation completed with 1 error(s): timed out waiting for the condition' }).uninstall());
    expect(error.message).toBe('helm exited with code 1: Error: uninstallation completed with 1 error(s): timed out waiting for the condition');
  });
});

describe('cleanStderr', () => {
  it('masks credentials, drops colours and blank lines, bounds the length', () => {
    expect(cleanStderr('\n\nWARNING: x\n\nError: Authorization: Bearer eyJhbGciOi.abc\npassword=p4ss secret: "s3cr3t"\n')).toBe(
      'WARNING: x\nError: Authorization: *** ***\npassword=*** secret: "***"',
    );
    expect(cleanStderr('x'.repeat(5000))).toHaveLength(1001);
  });
});

describe('findExecutable', () => {
  it('looks a name up on PATH, takes a path as it is, and finds nothing that is not executable', () => {
    expect(findExecutable('helm', { PATH: `/nonexistent:${bin}` })).toBe(join(bin, 'helm'));
    expect(findExecutable(join(bin, 'helm'), { PATH: '' })).toBe(join(bin, 'helm'));
    expect(findExecutable('helm', { PATH: '/nonexistent' })).toBeUndefined();
    writeFileSync(join(bin, 'plain'), 'not executable');
    expect(findExecutable('plain', { PATH: bin })).toBeUndefined();
  });
});
