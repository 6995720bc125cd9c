// The built-in kured manifests (method (a)): kured's own window narrowed to the patchwindow window,
// the flags of DESIGN.md, labels, RBAC and the YAML `patchwindow manifests kured` prints.
import { describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import {
  DEFAULT_KURED_MANIFEST_OPTIONS,
  kuredArgs,
  kuredManifests,
  kuredWindowFlags,
  manifestsToYaml,
} from '../../../../../../bot/adapters/cluster/kubernetes/kured-manifests.ts';
import type { KubeManifest } from '../../../../../../bot/adapters/cluster/kubernetes/kured-manifests.ts';
import { NO_KURED_OPTIONS, PATCHWINDOW_OWNED_FLAGS } from '../../../../../../bot/adapters/cluster/kubernetes/kured-options.ts';
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

function find(manifests: readonly KubeManifest[], kind: string): KubeManifest {
  const found = manifests.find((manifest) => manifest.kind === kind);
  if (found === undefined) throw new Error(`no ${kind}`);
  return found;
}

interface Container {
  image: string;
  args: string[];
  env: unknown[];
}
function container(manifests: readonly KubeManifest[]): Container {
  const ds = find(manifests, 'DaemonSet') as unknown as { spec: { template: { spec: { containers: Container[]; affinity?: unknown } } } };
  const first = ds.spec.template.spec.containers[0];
  if (first === undefined) throw new Error('no container');
  return first;
}

describe('kuredWindowFlags', () => {
  it('crossing midnight in a zone: local start and end times, both weekdays, the zone', () => {
    expect(kuredWindowFlags(spec.start, spec.end, spec.zone)).toEqual({
      startTime: '22:00',
      endTime: '02:30',
      rebootDays: ['sa', 'su'],
      timeZone: 'Europe/Zurich',
    });
  });

  it('a window on one day in New York after the DST change', () => {
    expect(kuredWindowFlags(new Date('2026-11-03T19:00:00Z'), new Date('2026-11-03T22:00:00Z'), 'America/New_York')).toEqual({
      startTime: '14:00',
      endTime: '17:00',
      rebootDays: ['tu'],
      timeZone: 'America/New_York',
    });
  });

  it('ending exactly at local midnight does not add the next day', () => {
    const flags = kuredWindowFlags(new Date('2026-03-07T21:00:00Z'), new Date('2026-03-07T23:00:00Z'), 'Europe/Zurich');
    expect(flags).toMatchObject({ startTime: '22:00', endTime: '00:00', rebootDays: ['sa'] });
  });

  it('24 hours or more: whole days, every weekday touched', () => {
    expect(kuredWindowFlags(new Date('2026-06-01T00:00:00Z'), new Date('2026-06-03T00:00:00Z'), 'UTC')).toEqual({
      startTime: '00:00',
      endTime: '23:59:59',
      rebootDays: ['mo', 'tu'],
      timeZone: 'UTC',
    });
    expect(kuredWindowFlags(new Date('2026-06-01T00:00:00Z'), new Date('2026-06-20T00:00:00Z'), 'UTC').rebootDays).toEqual(['mo', 'tu', 'we', 'th', 'fr', 'sa', 'su']);
  });

  it('seconds are kept when the window has them', () => {
    expect(kuredWindowFlags(new Date('2026-06-01T10:00:30Z'), new Date('2026-06-01T11:00:00Z'), 'UTC')).toMatchObject({ startTime: '10:00:30', endTime: '11:00' });
  });

  it('refuses an empty window and an unknown zone', () => {
    expect(() => kuredWindowFlags(spec.end, spec.start, 'UTC')).toThrow(RangeError);
    expect(() => kuredWindowFlags(spec.start, spec.end, 'Mars/Olympus')).toThrow(/unknown time zone/);
  });
});

describe('kuredArgs', () => {
  it('has the flags of DESIGN.md: period 1m, the window, lock TTL, annotate nodes, concurrency, its DaemonSet', () => {
    expect(kuredArgs(spec, { ...DEFAULT_KURED_MANIFEST_OPTIONS, namespace: 'ops-kured', lockTtl: '45m' })).toEqual([
      '--ds-name=kured',
      '--ds-namespace=ops-kured',
      '--period=1m',
      '--start-time=22:00',
      '--end-time=02:30',
      '--reboot-days=sa,su',
      '--time-zone=Europe/Zurich',
      '--lock-ttl=45m',
      '--annotate-nodes=true',
      '--concurrency=2',
      '--reboot-sentinel=/sentinel/reboot-required',
    ]);
  });

  it("appends the user's options after patchwindow's own flags, each as one --flag=value", () => {
    const args = kuredArgs(spec, { ...DEFAULT_KURED_MANIFEST_OPTIONS, options: { ...NO_KURED_OPTIONS, drainTimeout: '10m', blockingPodSelectors: ['app=batch,tier in (a,b)'] } });
    expect(args.slice(-3)).toEqual(['--reboot-sentinel=/sentinel/reboot-required', '--blocking-pod-selector=app=batch,tier in (a,b)', '--drain-timeout=10m']);
  });

  it('no option can change a flag patchwindow owns: every owned flag appears once, before any option', () => {
    const everything: KuredUserOptions = {
      ...NO_KURED_OPTIONS,
      blockingPodSelectors: ['a=b'],
      prometheusUrl: 'http://prometheus:9090',
      alertFilterRegexp: '^Watchdog$',
      drainTimeout: '5m',
      rebootSentinelCommand: 'test -f /var/run/reboot-required',
      preRebootNodeLabels: ['x=y'],
    };
    const args = kuredArgs(spec, { ...DEFAULT_KURED_MANIFEST_OPTIONS, options: everything });
    const names = args.map((arg) => arg.slice(2, arg.indexOf('=')));
    for (const owned of PATCHWINDOW_OWNED_FLAGS.filter((flag) => flag !== 'node-id' && flag !== 'lock-annotation' && flag !== 'reboot-sentinel')) {
      expect(names.filter((name) => name === owned)).toHaveLength(1);
    }
    const firstOption = names.indexOf('blocking-pod-selector');
    expect(names.slice(firstOption).every((name) => !PATCHWINDOW_OWNED_FLAGS.includes(name))).toBe(true);
  });

  it('a sentinel command replaces the sentinel file', () => {
    const args = kuredArgs(spec, { ...DEFAULT_KURED_MANIFEST_OPTIONS, options: { ...NO_KURED_OPTIONS, rebootSentinelCommand: 'sh -c "needs-restarting -r; test $? -eq 1"' } });
    expect(args.some((arg) => arg.startsWith('--reboot-sentinel='))).toBe(false);
    expect(args).toContain('--reboot-sentinel-command=sh -c "needs-restarting -r; test $? -eq 1"');
  });

  it('refuses an option value with a newline: it would reach kured as something else', () => {
    expect(() => kuredArgs(spec, { ...DEFAULT_KURED_MANIFEST_OPTIONS, options: { ...NO_KURED_OPTIONS, rebootCommand: '/bin/true\n--period=1s' } })).toThrow(
      /--reboot-command contains a control character/,
    );
  });

  it('refuses a concurrency that is not a positive integer', () => {
    expect(() => kuredArgs({ ...spec, concurrency: 0 }, DEFAULT_KURED_MANIFEST_OPTIONS)).toThrow(RangeError);
  });
});

describe('kuredManifests', () => {
  it('Namespace, ServiceAccount, ClusterRole + binding, Role + binding, DaemonSet, in apply order', () => {
    const manifests = kuredManifests(spec);
    expect(manifests.map((manifest) => `${manifest.kind}/${manifest.metadata.namespace ?? ''}/${manifest.metadata.name}`)).toEqual([
      'Namespace//kured',
      'ServiceAccount/kured/kured',
      'ClusterRole//patchwindow-kured-kured',
      'ClusterRoleBinding//patchwindow-kured-kured',
      'Role/kured/kured',
      'RoleBinding/kured/kured',
      'DaemonSet/kured/kured',
    ]);
  });

  it('labels everything as patchwindow-managed for the window', () => {
    for (const manifest of kuredManifests(spec)) {
      expect(manifest.metadata.labels).toEqual({ 'app.kubernetes.io/managed-by': 'patchwindow', 'patchwindow.dev/window': '42' });
    }
  });

  it('gives kured what 1.23 needs: nodes get/patch, pods list, evictions, daemonsets get; its own DaemonSet get/patch/update', () => {
    const manifests = kuredManifests(spec);
    expect(find(manifests, 'ClusterRole')['rules']).toEqual([
      { apiGroups: [''], resources: ['nodes'], verbs: ['get', 'patch'] },
      { apiGroups: [''], resources: ['pods'], verbs: ['get', 'list', 'delete'] },
      { apiGroups: [''], resources: ['pods/eviction'], verbs: ['create'] },
      { apiGroups: ['apps'], resources: ['daemonsets'], verbs: ['get'] },
    ]);
    expect(find(manifests, 'Role')['rules']).toEqual([
      { apiGroups: ['apps'], resources: ['daemonsets'], resourceNames: ['kured'], verbs: ['get', 'patch', 'update'] },
    ]);
    expect(find(manifests, 'RoleBinding')['subjects']).toEqual([{ kind: 'ServiceAccount', name: 'kured', namespace: 'kured' }]);
  });

  it('runs the configured image with kured node id from the downward API', () => {
    const manifests = kuredManifests(spec, { ...DEFAULT_KURED_MANIFEST_OPTIONS, image: 'registry.example/kured:1.23.0' });
    const kured = container(manifests);
    expect(kured.image).toBe('registry.example/kured:1.23.0');
    expect(kured.args).toContain('--period=1m');
    expect(kured.env).toEqual([{ name: 'KURED_NODE_ID', valueFrom: { fieldRef: { fieldPath: 'spec.nodeName' } } }]);
    expect(container(kuredManifests(spec)).image).toBe('ghcr.io/kubereboot/kured:1.23.0');
  });

  it("mounts the host's /var/run read-only where --reboot-sentinel looks (kured 1.23 checks the file from inside its container)", () => {
    const ds = find(kuredManifests(spec), 'DaemonSet') as unknown as {
      spec: { template: { spec: { volumes?: unknown[]; containers: { args: string[]; volumeMounts?: unknown[] }[] } } };
    };
    const pod = ds.spec.template.spec;
    expect(pod.volumes).toEqual([{ name: 'sentinel', hostPath: { path: '/var/run', type: 'Directory' } }]);
    expect(pod.containers[0]?.volumeMounts).toEqual([{ name: 'sentinel', mountPath: '/sentinel', readOnly: true }]);
    expect(pod.containers[0]?.args).toContain('--reboot-sentinel=/sentinel/reboot-required');
    const withCommand = find(kuredManifests(spec, { ...DEFAULT_KURED_MANIFEST_OPTIONS, options: { ...NO_KURED_OPTIONS, rebootSentinelCommand: '/usr/bin/needs-reboot' } }), 'DaemonSet') as unknown as typeof ds;
    expect(withCommand.spec.template.spec.volumes).toBeUndefined();
    expect(withCommand.spec.template.spec.containers[0]?.volumeMounts).toBeUndefined();
  });

  it('in kube-system: no Namespace object', () => {
    const manifests = kuredManifests(spec, { ...DEFAULT_KURED_MANIFEST_OPTIONS, namespace: 'kube-system' });
    expect(manifests.some((manifest) => manifest.kind === 'Namespace')).toBe(false);
    expect(container(manifests).args).toContain('--ds-namespace=kube-system');
  });

  it('a node selector becomes a required node affinity', () => {
    const manifests = kuredManifests({ ...spec, nodeSelector: 'pool=blue,zone in (a,b),!gpu' });
    const ds = find(manifests, 'DaemonSet') as unknown as { spec: { template: { spec: { affinity?: unknown } } } };
    expect(ds.spec.template.spec.affinity).toEqual({
      nodeAffinity: {
        requiredDuringSchedulingIgnoredDuringExecution: {
          nodeSelectorTerms: [
            {
              matchExpressions: [
                { key: 'pool', operator: 'In', values: ['blue'] },
                { key: 'zone', operator: 'In', values: ['a', 'b'] },
                { key: 'gpu', operator: 'DoesNotExist' },
              ],
            },
          ],
        },
      },
    });
    expect(() => kuredManifests({ ...spec, nodeSelector: 'a in (' })).toThrow(/label selector/);
  });

  it('prints as a YAML stream that reads back to the same objects', () => {
    const manifests = kuredManifests(spec);
    const yaml = manifestsToYaml(manifests);
    expect(yaml.startsWith('---\napiVersion: v1\nkind: Namespace\n')).toBe(true);
    expect(parseAllDocuments(yaml).map((document) => document.toJS() as unknown)).toEqual(manifests);
  });
});
