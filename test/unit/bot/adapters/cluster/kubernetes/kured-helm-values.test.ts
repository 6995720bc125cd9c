// The kured chart's values for a window (method (b), helm): the same window, lock TTL, node
// annotations, concurrency and user options as the built-in manifests, in the chart's value names.
import { describe, expect, it } from 'vitest';
import { imageValues, kuredHelmValues } from '../../../../../../bot/adapters/cluster/kubernetes/kured-helm-values.ts';
import type { KuredHelmValueOptions } from '../../../../../../bot/adapters/cluster/kubernetes/kured-helm-values.ts';
import { DEFAULT_KURED_MANIFEST_OPTIONS, kuredWindowFlags } from '../../../../../../bot/adapters/cluster/kubernetes/kured-manifests.ts';
import { NO_KURED_OPTIONS } from '../../../../../../bot/adapters/cluster/kubernetes/kured-options.ts';
import type { KuredUserOptions } from '../../../../../../bot/adapters/cluster/kubernetes/kured-options.ts';
import type { RebootDaemonSpec } from '../../../../../../bot/core/ports/cluster-port.ts';

const spec: RebootDaemonSpec = {
  windowId: 42,
  start: new Date('2026-03-07T21:00:00Z'), // Sat 22:00 in Zurich
  end: new Date('2026-03-08T01:30:00Z'), // Sun 02:30 in Zurich
  zone: 'Europe/Zurich',
  concurrency: 2,
  nodeSelector: undefined,
};

const base: KuredHelmValueOptions = { ...DEFAULT_KURED_MANIFEST_OPTIONS, lockTtl: '45m', daemonSetName: 'kured' };

function withOptions(options: Partial<KuredUserOptions>): KuredHelmValueOptions {
  return { ...base, options: { ...NO_KURED_OPTIONS, ...options } };
}

describe('kuredHelmValues', () => {
  it("narrows the chart's kured to the window: period 1m, times, days, zone, lock TTL, annotations, concurrency", () => {
    expect(kuredHelmValues(spec, base)).toEqual({
      fullnameOverride: 'kured',
      image: { repository: 'ghcr.io/kubereboot/kured', tag: '1.23.0', pullPolicy: 'IfNotPresent' },
      dsAnnotations: { 'patchwindow.dev/window': '42' },
      podLabels: { 'patchwindow.dev/window': '42' },
      configuration: {
        period: '1m',
        startTime: '22:00',
        endTime: '02:30',
        rebootDays: ['sa', 'su'],
        timeZone: 'Europe/Zurich',
        lockTtl: '45m',
        annotateNodes: true,
        concurrency: '2',
        useRebootSentinelHostPath: true,
        rebootSentinel: '/sentinel/reboot-required',
      },
      extraArgs: {},
    });
  });

  it('uses the same window as the built-in manifests (here: more than a day, so whole days)', () => {
    const end = new Date('2026-03-10T01:30:00Z');
    const window = kuredWindowFlags(spec.start, end, spec.zone);
    const { configuration } = kuredHelmValues({ ...spec, end }, base) as { configuration: Record<string, unknown> };
    expect(configuration).toMatchObject({ startTime: window.startTime, endTime: window.endTime, rebootDays: window.rebootDays, timeZone: window.timeZone });
    expect(configuration).toMatchObject({ startTime: '00:00', endTime: '23:59:59', rebootDays: ['mo', 'tu', 'sa', 'su'] });
  });

  it("passes the user's options in the chart's names; what the chart lacks goes to extraArgs; numbers as strings so 0 survives the chart's ifs", () => {
    const values = kuredHelmValues(
      spec,
      withOptions({
        blockingPodSelectors: ['app=batch', 'runtime=long,cost=expensive'],
        prometheusUrl: 'http://prometheus.monitoring:9090',
        alertFilterRegexp: '^(Watchdog|InfoInhibitor)$',
        alertFilterMatchOnly: true,
        alertFiringOnly: true,
        drainTimeout: '10m',
        drainDelay: '30s',
        drainGracePeriod: 0,
        drainPodSelector: 'app!=node-local-dns',
        skipWaitForDeleteTimeout: 0,
        forceReboot: true,
        rebootMethod: 'signal',
        rebootSignal: 39,
        rebootDelay: '1m',
        lockReleaseDelay: '5m',
        preferNoScheduleTaint: 'kured.dev/kured-node-reboot',
        preRebootNodeLabels: ['rebooting=true'],
        postRebootNodeLabels: ['rebooting=false'],
      }),
    ) as { configuration: Record<string, unknown>; extraArgs: Record<string, string> };
    expect(values.configuration).toMatchObject({
      blockingPodSelector: ['app=batch', 'runtime=long,cost=expensive'],
      prometheusUrl: 'http://prometheus.monitoring:9090',
      alertFilterRegexp: '^(Watchdog|InfoInhibitor)$',
      alertFilterMatchOnly: true,
      alertFiringOnly: true,
      drainTimeout: '10m',
      drainDelay: '30s',
      drainGracePeriod: '0',
      drainPodSelector: 'app!=node-local-dns',
      skipWaitForDeleteTimeout: '0',
      forceReboot: true,
      rebootDelay: '1m',
      lockReleaseDelay: '5m',
      preferNoScheduleTaint: 'kured.dev/kured-node-reboot',
      preRebootNodeLabels: ['rebooting=true'],
      postRebootNodeLabels: ['rebooting=false'],
    });
    expect(values.extraArgs).toEqual({ 'reboot-method': 'signal', 'reboot-signal': '39' });
  });

  it('a sentinel command replaces the mounted sentinel file', () => {
    const { configuration } = kuredHelmValues(spec, withOptions({ rebootSentinelCommand: '/usr/bin/needs-reboot' })) as { configuration: Record<string, unknown> };
    expect(configuration['useRebootSentinelHostPath']).toBe(false);
    expect(configuration['rebootSentinel']).toBeUndefined();
    expect(configuration['rebootSentinelCommand']).toBe('/usr/bin/needs-reboot');
  });

  it('names the DaemonSet after the release and keeps a node selector as affinity', () => {
    const values = kuredHelmValues({ ...spec, nodeSelector: 'pool=blue' }, { ...base, daemonSetName: 'ops-kured' });
    expect(values['fullnameOverride']).toBe('ops-kured');
    expect(values['affinity']).toEqual({
      nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [{ matchExpressions: [{ key: 'pool', operator: 'In', values: ['blue'] }] }] } },
    });
  });

  it.each([
    [{ rebootCommand: 'echo a: b' }, /--reboot-command .*cannot go through the kured chart/],
    [{ rebootCommand: '/bin/reboot # now' }, /--reboot-command/],
    [{ alertFilterRegexp: '^Foo:' }, /--alert-filter-regexp/],
    [{ rebootSentinelCommand: ' leading' }, /--reboot-sentinel-command/],
    [{ rebootCommand: 'reboot\n--period=1s' }, /control character/],
  ])("refuses %j: the chart's unquoted YAML would change it", (options, message) => {
    expect(() => kuredHelmValues(spec, withOptions(options))).toThrow(message);
  });

  it('refuses a concurrency that is not a positive integer', () => {
    expect(() => kuredHelmValues({ ...spec, concurrency: 0 }, base)).toThrow(RangeError);
  });
});

describe('imageValues', () => {
  it.each([
    ['ghcr.io/kubereboot/kured:1.23.0', { repository: 'ghcr.io/kubereboot/kured', tag: '1.23.0' }],
    ['registry.local:5000/kured:1.23.0', { repository: 'registry.local:5000/kured', tag: '1.23.0' }],
    ['registry.local:5000/kured', { repository: 'registry.local:5000/kured', tag: '' }],
    ['kured:1.23.0@sha256:abc123', { repository: 'kured', tag: '1.23.0@sha256:abc123' }],
  ])('%s', (image, expected) => {
    expect(imageValues(image)).toEqual(expected);
  });

  it('refuses a digest without a tag (the chart writes repository:tag)', () => {
    expect(() => imageValues('ghcr.io/kubereboot/kured@sha256:abc123')).toThrow(/digest needs a tag/);
  });
});
