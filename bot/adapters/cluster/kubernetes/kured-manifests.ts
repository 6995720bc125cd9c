// The kured resources a window deploys (method (a), built-in manifests), as plain objects: one pure
// generator shared by the Kubernetes adapter (server-side apply) and `patchwindow manifests kured`
// (YAML for review and GitOps), so what is printed is exactly what is applied.
// kured 1.23's own window is a daily time range plus weekdays in a zone; it is narrowed to the
// patchwindow window so a kured left behind stays inert outside it.
import { DateTime } from 'luxon';
import { stringify } from 'yaml';
import { parseLabelSelector } from '../../../core/cluster/label-selector.ts';
import type { LabelRequirement } from '../../../core/cluster/label-selector.ts';
import type { RebootDaemonSpec } from '../../../core/ports/cluster-port.ts';
import { kuredOptionArgs, NO_KURED_OPTIONS } from './kured-options.ts';
import type { KuredUserOptions } from './kured-options.ts';

export const DEFAULT_KURED_IMAGE = 'ghcr.io/kubereboot/kured:1.23.0';
export const DEFAULT_KURED_NAMESPACE = 'kured';
export const DEFAULT_KURED_LOCK_TTL = '30m';
/** kured's DaemonSet and ServiceAccount name in its namespace; the lock annotation is on this DaemonSet. */
export const KURED_NAME = 'kured';
export const MANAGED_BY_LABEL = 'app.kubernetes.io/managed-by';
export const MANAGED_BY = 'patchwindow';
export const WINDOW_LABEL = 'patchwindow.dev/window';
export const FIELD_MANAGER = 'patchwindow';

export interface KubeManifest {
  readonly apiVersion: string;
  readonly kind: string;
  readonly metadata: {
    readonly name: string;
    readonly namespace?: string;
    readonly labels: Readonly<Record<string, string>>;
  };
  readonly [field: string]: unknown;
}

export interface KuredManifestOptions {
  readonly namespace: string;
  readonly image: string;
  /** kured --lock-ttl: a lock older than this is taken over (a node that died holding it). */
  readonly lockTtl: string;
  /** The user's own kured options (kured-options.ts); none when unset. */
  readonly options?: KuredUserOptions;
}

export const DEFAULT_KURED_MANIFEST_OPTIONS: KuredManifestOptions = Object.freeze({
  namespace: DEFAULT_KURED_NAMESPACE,
  image: DEFAULT_KURED_IMAGE,
  lockTtl: DEFAULT_KURED_LOCK_TTL,
  options: NO_KURED_OPTIONS,
});

/**
 * Where kured looks for the host's /var/run/reboot-required: kured 1.23 tests for the file from
 * inside its container, so the host's /var/run is mounted read-only there (as kured's own manifest
 * and chart do). Not needed when a sentinel command is set: kured runs that on the host (nsenter).
 */
export const SENTINEL_MOUNT = '/sentinel';
export const SENTINEL_FILE_ARG = `--reboot-sentinel=${SENTINEL_MOUNT}/reboot-required`;

export interface KuredWindowFlags {
  /** kured --start-time / --end-time (local wall-clock, HH:MM or HH:MM:SS). */
  readonly startTime: string;
  readonly endTime: string;
  /** kured --reboot-days: every weekday the window touches, in kured's two-letter form. */
  readonly rebootDays: readonly string[];
  readonly timeZone: string;
}

const WEEKDAYS = ['mo', 'tu', 'we', 'th', 'fr', 'sa', 'su'] as const;
const DAY_MS = 86_400_000;

/**
 * kured's window for [start, end) in `zone`. kured checks the weekday of "now" and then whether the
 * time of day lies in [start-time, end-time] (wrapping past midnight when end-time is earlier), so:
 * the window's local start and end times, and every local weekday from start to just before end.
 * A window of 24 hours or more cannot be a daily range: the whole of each of its days is allowed.
 */
export function kuredWindowFlags(start: Date, end: Date, zone: string): KuredWindowFlags {
  if (!(end.getTime() > start.getTime())) throw new RangeError(`window end ${end.toISOString()} is not after its start ${start.toISOString()}`);
  const from = DateTime.fromJSDate(start, { zone });
  if (!from.isValid) throw new RangeError(`unknown time zone "${zone}"`);
  const last = DateTime.fromMillis(end.getTime() - 1, { zone });
  const to = DateTime.fromJSDate(end, { zone });
  const days: string[] = [];
  for (let day = from.startOf('day'); day <= last; day = day.plus({ days: 1 })) {
    const name = WEEKDAYS[day.weekday - 1];
    if (name !== undefined && !days.includes(name)) days.push(name);
    if (days.length === WEEKDAYS.length) break;
  }
  const ordered = WEEKDAYS.filter((name) => days.includes(name));
  if (end.getTime() - start.getTime() >= DAY_MS) {
    return { startTime: '00:00', endTime: '23:59:59', rebootDays: ordered, timeZone: zone };
  }
  return { startTime: wallClock(from), endTime: wallClock(to), rebootDays: ordered, timeZone: zone };
}

function wallClock(time: DateTime): string {
  return time.second === 0 ? time.toFormat('HH:mm') : time.toFormat('HH:mm:ss');
}

/**
 * kured's command-line arguments for the window: patchwindow's own flags, then the user's options
 * (which can never set one of patchwindow's, see kured-options.ts).
 */
export function kuredArgs(spec: RebootDaemonSpec, options: KuredManifestOptions): string[] {
  if (!Number.isInteger(spec.concurrency) || spec.concurrency < 1) {
    throw new RangeError(`reboot daemon concurrency must be a positive integer, not ${spec.concurrency}`);
  }
  const window = kuredWindowFlags(spec.start, spec.end, spec.zone);
  return [
    `--ds-name=${KURED_NAME}`,
    `--ds-namespace=${options.namespace}`,
    '--period=1m',
    `--start-time=${window.startTime}`,
    `--end-time=${window.endTime}`,
    `--reboot-days=${window.rebootDays.join(',')}`,
    `--time-zone=${window.timeZone}`,
    `--lock-ttl=${options.lockTtl}`,
    '--annotate-nodes=true',
    `--concurrency=${spec.concurrency}`,
    ...(usesSentinelFile(options) ? [SENTINEL_FILE_ARG] : []),
    ...kuredOptionArgs(options.options ?? NO_KURED_OPTIONS),
  ];
}

function usesSentinelFile(options: KuredManifestOptions): boolean {
  return options.options?.rebootSentinelCommand === undefined;
}

function labelsFor(spec: RebootDaemonSpec): Record<string, string> {
  return { [MANAGED_BY_LABEL]: MANAGED_BY, [WINDOW_LABEL]: String(spec.windowId) };
}

/** Cluster-scoped names carry the namespace, so two installations (namespaces) never collide. */
export function clusterRoleName(namespace: string): string {
  return `patchwindow-kured-${namespace}`;
}

/**
 * Everything method (a) applies, in apply order: Namespace (except for kube-system and default),
 * ServiceAccount, ClusterRole + binding (nodes, pods, evictions, daemonsets get for the drain),
 * Role + binding (its own DaemonSet for the lock), the DaemonSet.
 */
export function kuredManifests(spec: RebootDaemonSpec, options: KuredManifestOptions = DEFAULT_KURED_MANIFEST_OPTIONS): KubeManifest[] {
  const { namespace } = options;
  const labels = labelsFor(spec);
  const podLabels = { 'app.kubernetes.io/name': KURED_NAME, [MANAGED_BY_LABEL]: MANAGED_BY };
  const subject = { kind: 'ServiceAccount', name: KURED_NAME, namespace };
  const rbacName = clusterRoleName(namespace);
  const affinity = nodeAffinity(spec.nodeSelector);
  const sentinel = usesSentinelFile(options);
  const manifests: KubeManifest[] = [];
  if (namespace !== 'kube-system' && namespace !== 'default') {
    manifests.push({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: namespace, labels } });
  }
  manifests.push(
    { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: KURED_NAME, namespace, labels } },
    {
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'ClusterRole',
      metadata: { name: rbacName, labels },
      rules: [
        { apiGroups: [''], resources: ['nodes'], verbs: ['get', 'patch'] },
        { apiGroups: [''], resources: ['pods'], verbs: ['get', 'list', 'delete'] },
        { apiGroups: [''], resources: ['pods/eviction'], verbs: ['create'] },
        { apiGroups: ['apps'], resources: ['daemonsets'], verbs: ['get'] },
      ],
    },
    {
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'ClusterRoleBinding',
      metadata: { name: rbacName, labels },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: rbacName },
      subjects: [subject],
    },
    {
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'Role',
      metadata: { name: KURED_NAME, namespace, labels },
      rules: [{ apiGroups: ['apps'], resources: ['daemonsets'], resourceNames: [KURED_NAME], verbs: ['get', 'patch', 'update'] }],
    },
    {
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'RoleBinding',
      metadata: { name: KURED_NAME, namespace, labels },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: KURED_NAME },
      subjects: [subject],
    },
    {
      apiVersion: 'apps/v1',
      kind: 'DaemonSet',
      metadata: { name: KURED_NAME, namespace, labels },
      spec: {
        selector: { matchLabels: podLabels },
        updateStrategy: { type: 'RollingUpdate' },
        template: {
          metadata: { labels: { ...podLabels, [WINDOW_LABEL]: String(spec.windowId) } },
          spec: {
            serviceAccountName: KURED_NAME,
            hostPID: true,
            restartPolicy: 'Always',
            tolerations: [
              { key: 'node-role.kubernetes.io/control-plane', effect: 'NoSchedule' },
              { key: 'node-role.kubernetes.io/master', effect: 'NoSchedule' },
            ],
            ...(affinity === undefined ? {} : { affinity }),
            ...(sentinel ? { volumes: [{ name: 'sentinel', hostPath: { path: '/var/run', type: 'Directory' } }] } : {}),
            containers: [
              {
                name: 'kured',
                image: options.image,
                imagePullPolicy: 'IfNotPresent',
                command: ['/usr/bin/kured'],
                args: kuredArgs(spec, options),
                securityContext: { privileged: true },
                ports: [{ containerPort: 8080, name: 'metrics' }],
                env: [{ name: 'KURED_NODE_ID', valueFrom: { fieldRef: { fieldPath: 'spec.nodeName' } } }],
                ...(sentinel ? { volumeMounts: [{ name: 'sentinel', mountPath: SENTINEL_MOUNT, readOnly: true }] } : {}),
              },
            ],
          },
        },
      },
    },
  );
  return manifests;
}

/** `--nodes <selector>` as a required node affinity (a pod nodeSelector only knows equality). */
export function nodeAffinity(selector: string | undefined): Record<string, unknown> | undefined {
  if (selector === undefined || selector.trim() === '') return undefined;
  const parsed = parseLabelSelector(selector);
  if (!parsed.ok) throw new Error(parsed.message);
  if (parsed.selector.requirements.length === 0) return undefined;
  return {
    nodeAffinity: {
      requiredDuringSchedulingIgnoredDuringExecution: {
        nodeSelectorTerms: [{ matchExpressions: parsed.selector.requirements.map(matchExpression) }],
      },
    },
  };
}

function matchExpression(requirement: LabelRequirement): Record<string, unknown> {
  switch (requirement.operator) {
    case 'exists':
      return { key: requirement.key, operator: 'Exists' };
    case 'doesNotExist':
      return { key: requirement.key, operator: 'DoesNotExist' };
    case 'equals':
      return { key: requirement.key, operator: 'In', values: [requirement.value] };
    case 'notEquals':
      return { key: requirement.key, operator: 'NotIn', values: [requirement.value] };
    case 'in':
      return { key: requirement.key, operator: 'In', values: [...requirement.values] };
    case 'notIn':
      return { key: requirement.key, operator: 'NotIn', values: [...requirement.values] };
  }
}

/** The manifests as one multi-document YAML stream. */
export function manifestsToYaml(manifests: readonly KubeManifest[]): string {
  return manifests.map((manifest) => `---\n${stringify(manifest, { lineWidth: 0 })}`).join('');
}
