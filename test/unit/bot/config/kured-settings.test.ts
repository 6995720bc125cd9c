// The kured section of the configuration: lock TTL, deployment method, helm settings and the
// user's kured options, from nested YAML keys (kured.options.drainTimeout) and the environment,
// each validated with a one-line error and never falling back to a default.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { NO_KURED_OPTIONS } from '../../../../bot/adapters/cluster/kubernetes/kured-options.ts';
import { ConfigError } from '../../../../bot/config/config-error.ts';
import { loadConfig } from '../../../../bot/config/load-config.ts';
import type { Config } from '../../../../bot/config/config.ts';

let cwd: string;

beforeEach(() => {
  cwd = mkdtempSync(join(tmpdir(), 'patchwindow-kured-config-'));
});

afterEach(() => {
  rmSync(cwd, { recursive: true, force: true });
});

function kured(yaml: string | undefined, env: Record<string, string> = {}): Config['kured'] {
  if (yaml !== undefined) writeFileSync(join(cwd, 'patchwindow.yaml'), yaml);
  return loadConfig({ env, cwd }).kured;
}

function failure(yaml: string | undefined, env: Record<string, string> = {}): string {
  try {
    kured(yaml, env);
  } catch (error: unknown) {
    expect(error).toBeInstanceOf(ConfigError);
    return (error as Error).message;
  }
  throw new Error('expected a ConfigError');
}

describe('kured settings', () => {
  it('defaults: built-in manifests, lock TTL 30m, the kured chart 6.1.0 for helm, no options', () => {
    expect(kured(undefined)).toEqual({
      namespace: 'kured',
      image: 'ghcr.io/kubereboot/kured:1.23.0',
      lockTtl: '30m',
      method: 'manifests',
      helm: { binary: 'helm', chart: 'kubereboot/kured', version: '6.1.0', repositoryUrl: undefined, release: 'kured', timeout: '2m' },
      options: NO_KURED_OPTIONS,
    });
  });

  it('reads nested keys from the file', () => {
    const config = kured(
      [
        'kured:',
        '  lockTtl: 1h',
        '  method: helm',
        '  helm:',
        '    chart: kured',
        '    repositoryUrl: https://kubereboot.github.io/charts',
        '    release: ops-kured',
        '    timeout: 90s',
        '  options:',
        '    blockingPodSelectors: ["app=batch", "runtime=long,cost=expensive"]',
        '    drainTimeout: 10m',
        '    drainGracePeriod: -1',
        '    alertFilterRegexp: "(?i)^watchdog$"',
        '    forceReboot: true',
        '    rebootMethod: signal',
        '    rebootSignal: 39',
        '    postRebootNodeLabels: [rebooting=false]',
        '',
      ].join('\n'),
    );
    expect(config.lockTtl).toBe('1h');
    expect(config.method).toBe('helm');
    expect(config.helm).toEqual({ binary: 'helm', chart: 'kured', version: '6.1.0', repositoryUrl: 'https://kubereboot.github.io/charts', release: 'ops-kured', timeout: '90s' });
    expect(config.options).toEqual({
      ...NO_KURED_OPTIONS,
      blockingPodSelectors: ['app=batch', 'runtime=long,cost=expensive'],
      drainTimeout: '10m',
      drainGracePeriod: -1,
      alertFilterRegexp: '(?i)^watchdog$',
      forceReboot: true,
      rebootMethod: 'signal',
      rebootSignal: 39,
      postRebootNodeLabels: ['rebooting=false'],
    });
  });

  it('reads every option from the environment, over the file', () => {
    const config = kured('kured:\n  options:\n    drainTimeout: 10m\n', {
      PATCHWINDOW_KURED_LOCK_TTL: '45m',
      PATCHWINDOW_KURED_BLOCKING_POD_SELECTORS: '["app=batch,tier in (a,b)"]',
      PATCHWINDOW_KURED_DRAIN_TIMEOUT: '15m',
      PATCHWINDOW_KURED_SKIP_WAIT_FOR_DELETE_TIMEOUT: '0',
      PATCHWINDOW_KURED_PRE_REBOOT_NODE_LABELS: 'rebooting=true,team=ops',
      PATCHWINDOW_KURED_ALERT_FIRING_ONLY: 'true',
      PATCHWINDOW_KURED_PROMETHEUS_URL: 'http://prometheus.monitoring:9090',
      PATCHWINDOW_KURED_REBOOT_COMMAND: '/usr/bin/systemctl reboot',
      PATCHWINDOW_KURED_HELM_BINARY: '/opt/helm/bin/helm',
    });
    expect(config.lockTtl).toBe('45m');
    expect(config.helm.binary).toBe('/opt/helm/bin/helm');
    expect(config.options).toMatchObject({
      blockingPodSelectors: ['app=batch,tier in (a,b)'],
      drainTimeout: '15m',
      skipWaitForDeleteTimeout: 0,
      preRebootNodeLabels: ['rebooting=true', 'team=ops'],
      alertFiringOnly: true,
      prometheusUrl: 'http://prometheus.monitoring:9090',
      rebootCommand: '/usr/bin/systemctl reboot',
    });
  });

  it.each([
    [{ PATCHWINDOW_KURED_LOCK_TTL: '0' }, 'PATCHWINDOW_KURED_LOCK_TTL="0" (environment): expected a Go duration such as 30m or 1h30m, more than 0'],
    [{ PATCHWINDOW_KURED_LOCK_TTL: '30 minutes' }, 'PATCHWINDOW_KURED_LOCK_TTL="30 minutes" (environment): expected a Go duration such as 30m or 1h30m, more than 0'],
    [{ PATCHWINDOW_KURED_METHOD: 'kustomize' }, 'PATCHWINDOW_KURED_METHOD="kustomize" (environment): expected one of manifests, helm'],
    [{ PATCHWINDOW_KURED_DRAIN_TIMEOUT: '10' }, 'PATCHWINDOW_KURED_DRAIN_TIMEOUT="10" (environment): expected a Go duration such as 10m (0: no timeout)'],
    [{ PATCHWINDOW_KURED_DRAIN_GRACE_PERIOD: '-2' }, "PATCHWINDOW_KURED_DRAIN_GRACE_PERIOD=\"-2\" (environment): expected seconds from -1 to 86400 (-1: each pod's own grace period)"],
    [{ PATCHWINDOW_KURED_ALERT_FILTER_REGEXP: 'x(?=y)' }, 'PATCHWINDOW_KURED_ALERT_FILTER_REGEXP="x(?=y)" (environment): expected a Go regular expression, e.g. ^(Watchdog|InfoInhibitor)$'],
    [{ PATCHWINDOW_KURED_BLOCKING_POD_SELECTORS: 'app=batch' }, /^PATCHWINDOW_KURED_BLOCKING_POD_SELECTORS="app=batch" \(environment\): expected a list of label selectors/],
    [{ PATCHWINDOW_KURED_BLOCKING_POD_SELECTORS: '["a in ("]' }, /^PATCHWINDOW_KURED_BLOCKING_POD_SELECTORS=.*expected a list of label selectors/],
    [{ PATCHWINDOW_KURED_PROMETHEUS_URL: 'http://admin:hunter2@prom:9090' }, /^PATCHWINDOW_KURED_PROMETHEUS_URL=.*expected an http\(s\) URL without credentials/],
    [{ PATCHWINDOW_KURED_REBOOT_COMMAND: 'reboot\nnow' }, /^PATCHWINDOW_KURED_REBOOT_COMMAND=.*expected a command line/],
    [{ PATCHWINDOW_KURED_PRE_REBOOT_NODE_LABELS: 'rebooting' }, /^PATCHWINDOW_KURED_PRE_REBOOT_NODE_LABELS=.*expected a list of key=value labels/],
    [{ PATCHWINDOW_KURED_HELM_RELEASE: 'Kured_1' }, /^PATCHWINDOW_KURED_HELM_RELEASE=.*expected a helm release name/],
    [{ PATCHWINDOW_KURED_HELM_CHART: '--post-renderer=/bin/evil' }, /^PATCHWINDOW_KURED_HELM_CHART=.*expected a chart reference/],
    [{ PATCHWINDOW_KURED_HELM_VERSION: '--devel' }, /^PATCHWINDOW_KURED_HELM_VERSION=.*expected a chart version or constraint/],
  ])('refuses %j', (env, message) => {
    expect(failure(undefined, env)).toMatch(message);
  });

  it('names the nested key and its line for a bad file value', () => {
    expect(failure('kured:\n  options:\n    drainTimeout: soon\n')).toBe('kured.options.drainTimeout="soon" (patchwindow.yaml line 3): expected a Go duration such as 10m (0: no timeout)');
  });

  it('unknown nested keys are errors with a suggestion, groups must be mappings', () => {
    expect(failure('kured:\n  options:\n    drainTimout: 10m\n')).toBe('unknown key "kured.options.drainTimout" (patchwindow.yaml line 3); did you mean "kured.options.drainTimeout"?');
    expect(failure('kured:\n  helm:\n    relase: x\n')).toBe('unknown key "kured.helm.relase" (patchwindow.yaml line 3); did you mean "kured.helm.release"?');
    expect(failure('kured:\n  helm: 3\n')).toBe('kured.helm=3 (patchwindow.yaml line 2): expected a mapping with keys binary, chart, version, repositoryUrl, release, timeout');
    expect(failure('kured: []\n')).toMatch(/^kured=\[\] \(patchwindow.yaml line 1\): expected a mapping with keys namespace, image, lockTtl, method, helm, options$/);
    expect(kured('kured:\n  options:\n').options).toEqual(NO_KURED_OPTIONS);
  });

  it('refuses combinations kured would ignore or helm could not run', () => {
    expect(failure(undefined, { PATCHWINDOW_KURED_REBOOT_SIGNAL: '39' })).toMatch(/rebootSignal is set but kured.options.rebootMethod is not signal/);
    expect(failure(undefined, { PATCHWINDOW_KURED_REBOOT_METHOD: 'signal', PATCHWINDOW_KURED_REBOOT_COMMAND: 'reboot' })).toMatch(/rebootCommand is set but kured.options.rebootMethod is signal/);
    expect(failure(undefined, { PATCHWINDOW_KURED_ALERT_FILTER_MATCH_ONLY: 'true' })).toMatch(/alertFilterMatchOnly is true without kured.options.alertFilterRegexp/);
    expect(failure(undefined, { PATCHWINDOW_KURED_HELM_REPOSITORY_URL: 'https://kubereboot.github.io/charts' })).toMatch(
      /^kured.helm.chart="kubereboot\/kured" with kured.helm.repositoryUrl: expected the chart's name/,
    );
  });
});
