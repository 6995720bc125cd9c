// Every configuration key patchwindow reads, in one table: the loader validates against it,
// the README's configuration table is checked against it, and logs mask its secrets.
import { z } from 'zod';
import { parseDurationText } from '../core/schedule/parse-duration.ts';
import { canonicalZoneName } from '../core/schedule/zone.ts';
import { DEFAULT_PATCHWINDOW_IMAGE, DEFAULT_REAP_GRACE_MS } from '../adapters/cluster/kubernetes/reap-job.ts';
import {
  goDurationMs,
  goRegexpProblem,
  isNodeLabel,
  isPrintableText,
  isQualifiedName,
  labelSelectorProblem,
  prometheusUrlProblem,
  REBOOT_METHODS,
} from '../adapters/cluster/kubernetes/kured-options.ts';

export interface SettingDefinition<T> {
  /** Dotted path in the YAML file, e.g. `http.port`. */
  readonly path: string;
  /** Environment variable that overrides the file. */
  readonly env: string;
  readonly schema: z.ZodType<T>;
  readonly defaultValue: T | undefined;
  /** How the default is written in docs when it differs from the value (durations, lists). */
  readonly defaultText: string | undefined;
  /** What a valid value looks like, used verbatim in error messages: "expected <expected>". */
  readonly expected: string;
  readonly secret: boolean;
  readonly description: string;
  /** Environment variables are strings; turn one into what `schema` expects. */
  readonly fromEnv: (raw: string) => unknown;
}

const asString = (raw: string): unknown => raw;
const asBoolean = (raw: string): unknown => (/^(true|false)$/i.test(raw.trim()) ? raw.trim().toLowerCase() === 'true' : raw);
/** Comma-separated in the environment, a YAML list in the file. */
const asList = (raw: string): unknown => raw.split(',').map((item) => item.trim()).filter((item) => item !== '');

/** A duration like 90m or 2h, as milliseconds. */
const durationMs = (max: number) =>
  z
    .string()
    .transform((text, context) => {
      const parsed = parseDurationText(text, '2h');
      if (!parsed.ok || parsed.minutes * 60_000 > max) {
        context.addIssue({ code: 'custom', message: 'bad duration' });
        return z.NEVER;
      }
      return parsed.minutes * 60_000;
    });
const DAY_MS = 86_400_000;

const PRECISE_DURATION = /^(?:(\d+)h)?(?:(\d+)m)?(?:(\d+)s)?$/;
/** A duration with seconds, like 30s, 5m or 1h30m, as milliseconds: the agent's timers need seconds. */
const preciseDurationMs = (min: number, max: number) =>
  z.string().transform((text, context) => {
    const match = PRECISE_DURATION.exec(text.trim());
    const [, hours = '0', minutes = '0', seconds = '0'] = match ?? [];
    const total = (Number(hours) * 3600 + Number(minutes) * 60 + Number(seconds)) * 1000;
    if (match === null || text.trim() === '' || total < min || total > max) {
      context.addIssue({ code: 'custom', message: 'bad duration' });
      return z.NEVER;
    }
    return total;
  });
/** A JSON array in the environment (a word list cannot be comma-split safely), a YAML list in the file. */
const asJsonArray = (raw: string): unknown => {
  try {
    return JSON.parse(raw);
  } catch {
    return raw;
  }
};
const asInteger = (raw: string): unknown => (/^-?\d+$/.test(raw.trim()) ? Number(raw.trim()) : raw);

function setting<T>(definition: Omit<SettingDefinition<T>, 'secret' | 'fromEnv' | 'defaultValue' | 'defaultText'> & {
  defaultText?: string;
  secret?: boolean;
  fromEnv?: (raw: string) => unknown;
  defaultValue?: NoInfer<T>;
}): SettingDefinition<T> {
  return {
    ...definition,
    defaultValue: definition.defaultValue,
    defaultText: definition.defaultText,
    secret: definition.secret ?? false,
    fromEnv: definition.fromEnv ?? asString,
  };
}

/** A Go duration as kured and helm read it (30m, 1h30m, 90s), kept as written. */
const goDuration = ({ positive }: { readonly positive: boolean }) =>
  z
    .string()
    .trim()
    .refine((text) => {
      const ms = goDurationMs(text);
      return ms !== undefined && (!positive || ms > 0) && ms <= 366 * DAY_MS;
    });
/** One argv word: printable, no spaces, not an option itself. */
const commandWord = z.string().refine((word) => isPrintableText(word, 4096) && !/\s/.test(word) && !word.startsWith('-'));

const guid = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const nonBlank = z.string().regex(/^\S+$/);

export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
export const LOG_FORMATS = ['auto', 'json', 'pretty'] as const;
export const TEAMS_APP_TYPES = ['SingleTenant', 'MultiTenant', 'UserAssignedMSI'] as const;
export const TEAMS_MODES = ['auto', 'on', 'off'] as const;
export const CLUSTER_MODES = ['auto', 'sim', 'kube'] as const;
export const KURED_METHODS = ['manifests', 'helm'] as const;
export const CONSOLE_MODES = ['auto', 'on', 'off'] as const;
const CONSOLE_USER = /^[a-z][a-z0-9_-]{0,31}$/;
/** A person (`console:`, `slack:`, `teams:`) or a Slack user group (`slack-group:` and its S… id). */
const APPROVER_ID = /^((console|slack|teams):[A-Za-z0-9._@-]{1,128}|slack-group:S[A-Z0-9]{2,30})$/;

export const settings = {
  'http.host': setting({
    path: 'http.host',
    env: 'PATCHWINDOW_HTTP_HOST',
    schema: z.string().regex(/^[A-Za-z0-9.:-]+$/),
    defaultValue: '127.0.0.1',
    expected: 'a host name or IP address to listen on, e.g. 127.0.0.1 or 0.0.0.0',
    description: 'Address the HTTP server listens on. The manifests set 0.0.0.0 inside a pod.',
  }),
  'http.port': setting({
    path: 'http.port',
    env: 'PATCHWINDOW_HTTP_PORT',
    schema: z.number().int().min(0).max(65535),
    defaultValue: 3000,
    fromEnv: asInteger,
    expected: 'an integer from 0 to 65535 (0 picks a free port)',
    description: 'HTTP port for /healthz, /readyz, /metrics and the chat endpoints.',
  }),
  'log.level': setting({
    path: 'log.level',
    env: 'PATCHWINDOW_LOG_LEVEL',
    schema: z.enum(LOG_LEVELS),
    defaultValue: 'info',
    expected: `one of ${LOG_LEVELS.join(', ')}`,
    description: 'Least severe log level written.',
  }),
  'log.format': setting({
    path: 'log.format',
    env: 'PATCHWINDOW_LOG_FORMAT',
    schema: z.enum(LOG_FORMATS),
    defaultValue: 'auto',
    expected: `one of ${LOG_FORMATS.join(', ')}`,
    description: 'JSON lines, human-readable lines, or auto: human-readable when stdout is a terminal.',
  }),
  'db.path': setting({
    path: 'db.path',
    env: 'PATCHWINDOW_DB',
    schema: z.string().min(1),
    defaultValue: './data/patchwindow.db',
    expected: 'a file path',
    description: 'SQLite database file; its directory is created. One bot process per file.',
  }),
  'schedules.defaultZone': setting({
    path: 'schedules.defaultZone',
    env: 'PATCHWINDOW_DEFAULT_ZONE',
    schema: z
      .string()
      .refine((name) => canonicalZoneName(name) !== undefined)
      .transform((name) => canonicalZoneName(name) ?? name),
    defaultValue: 'UTC',
    expected: 'an IANA time zone such as Europe/Zurich, or UTC',
    description: 'Time zone of schedule specs and skip dates that name none.',
  }),
  'cluster.mode': setting({
    path: 'cluster.mode',
    env: 'PATCHWINDOW_CLUSTER',
    schema: z.enum(CLUSTER_MODES),
    defaultValue: 'auto',
    expected: `one of ${CLUSTER_MODES.join(', ')}`,
    description: 'sim: the built-in simulated cluster; kube: a real cluster (in-cluster credentials in a pod, else the kubeconfig); auto: kube in a pod or when a kubeconfig exists, else sim.',
  }),
  'cluster.context': setting({
    path: 'cluster.context',
    env: 'PATCHWINDOW_KUBE_CONTEXT',
    schema: z.string().min(1).max(253),
    expected: 'the name of a context in the kubeconfig',
    description: "Kubeconfig context the bot uses instead of the kubeconfig's current one.",
  }),
  'leaderElection.enabled': setting({
    path: 'leaderElection.enabled',
    env: 'PATCHWINDOW_LEADER_ELECTION',
    schema: z.boolean(),
    fromEnv: asBoolean,
    expected: 'true or false',
    description: 'Replicas elect one active bot through a Lease; the others stand by (serve /healthz, not ready) and take over within 30 s. Unset: on for a real cluster, off for the simulated one.',
  }),
  'leaderElection.lease': setting({
    path: 'leaderElection.lease',
    env: 'PATCHWINDOW_LEADER_ELECTION_LEASE',
    schema: z.string().regex(/^[a-z0-9](?:[-a-z0-9.]{0,251}[a-z0-9])?$/),
    defaultValue: 'patchwindow-bot',
    expected: 'a Kubernetes object name, e.g. patchwindow-bot',
    description: 'Name of the coordination.k8s.io Lease the replicas elect the leader on (created when missing).',
  }),
  'leaderElection.namespace': setting({
    path: 'leaderElection.namespace',
    env: 'PATCHWINDOW_LEADER_ELECTION_NAMESPACE',
    schema: z.string().regex(/^[a-z0-9](?:[-a-z0-9]{0,61}[a-z0-9])?$/),
    expected: 'a Kubernetes namespace name, e.g. patchwindow',
    description: "Namespace of the Lease. Unset: the pod's own namespace in a pod (its ServiceAccount's), else the kubeconfig context's namespace, else default.",
  }),
  'leaderElection.identity': setting({
    path: 'leaderElection.identity',
    env: 'PATCHWINDOW_LEADER_ELECTION_IDENTITY',
    schema: z.string().regex(/^[A-Za-z0-9._:@-]{1,128}$/),
    expected: 'up to 128 letters, digits or . _ : @ -',
    description: 'This replica\'s name in the Lease. Unset: the host name (the pod name in a pod) and a random suffix, so a restarted pod is a new candidate.',
  }),
  'kured.namespace': setting({
    path: 'kured.namespace',
    env: 'PATCHWINDOW_KURED_NAMESPACE',
    schema: z.string().regex(/^[a-z0-9](?:[-a-z0-9]{0,61}[a-z0-9])?$/),
    defaultValue: 'kured',
    expected: 'a Kubernetes namespace name, e.g. kured or kube-system',
    description: 'Namespace the bot deploys kured into for a window (created when missing, kept after the window).',
  }),
  'kured.image': setting({
    path: 'kured.image',
    env: 'PATCHWINDOW_KURED_IMAGE',
    schema: nonBlank,
    defaultValue: 'ghcr.io/kubereboot/kured:1.23.0',
    expected: 'a container image reference, e.g. ghcr.io/kubereboot/kured:1.23.0',
    description: 'kured image of the DaemonSet the bot deploys (kured 1.23.x is the reference version).',
  }),
  'kured.lockTtl': setting({
    path: 'kured.lockTtl',
    env: 'PATCHWINDOW_KURED_LOCK_TTL',
    schema: goDuration({ positive: true }),
    defaultValue: '30m',
    expected: 'a Go duration such as 30m or 1h30m, more than 0',
    description: "kured --lock-ttl: a reboot lock older than this is taken over (its node died holding it); patchwindow also reports such a lock as stuck.",
  }),
  'kured.method': setting({
    path: 'kured.method',
    env: 'PATCHWINDOW_KURED_METHOD',
    schema: z.enum(KURED_METHODS),
    defaultValue: 'manifests',
    expected: `one of ${KURED_METHODS.join(', ')}`,
    description: "How kured is deployed for a window: manifests (built in, server-side apply) or helm (the kured chart through the helm binary).",
  }),
  'kured.helm.binary': setting({
    path: 'kured.helm.binary',
    env: 'PATCHWINDOW_KURED_HELM_BINARY',
    schema: commandWord,
    defaultValue: 'helm',
    expected: 'a program name on PATH or a path to the helm 3 binary',
    description: 'The helm binary (method helm); checked at start.',
  }),
  'kured.helm.chart': setting({
    path: 'kured.helm.chart',
    env: 'PATCHWINDOW_KURED_HELM_CHART',
    schema: commandWord,
    defaultValue: 'kubereboot/kured',
    expected: 'a chart reference: repo/name, oci://…, a chart directory or .tgz path, or a name with kured.helm.repositoryUrl',
    description: 'The kured chart (method helm). kubereboot/kured needs `helm repo add kubereboot https://kubereboot.github.io/charts` in the bot\'s helm; or set kured.helm.repositoryUrl and the chart name kured.',
  }),
  'kured.helm.version': setting({
    path: 'kured.helm.version',
    env: 'PATCHWINDOW_KURED_HELM_VERSION',
    schema: z.string().regex(/^[0-9v*~^<>=][0-9A-Za-z.+*~^<>=, |-]{0,63}$/),
    defaultValue: '6.1.0',
    expected: 'a chart version or constraint, e.g. 6.1.0 or ~6.1',
    description: 'Chart version (helm --version; method helm). kured chart 6.1.x deploys kured 1.23.',
  }),
  'kured.helm.repositoryUrl': setting({
    path: 'kured.helm.repositoryUrl',
    env: 'PATCHWINDOW_KURED_HELM_REPOSITORY_URL',
    schema: z.string().regex(/^https?:\/\/[^\s/?#]+(?:\/[^\s?#]*)?$/),
    expected: 'an http(s) chart repository URL, e.g. https://kubereboot.github.io/charts',
    description: 'When set, helm fetches the chart from this repository (helm --repo) and kured.helm.chart is the chart name, e.g. kured.',
  }),
  'kured.helm.release': setting({
    path: 'kured.helm.release',
    env: 'PATCHWINDOW_KURED_HELM_RELEASE',
    schema: z.string().max(53).regex(/^[a-z0-9](?:[-a-z0-9]*[a-z0-9])?$/),
    defaultValue: 'kured',
    expected: 'a helm release name: lower-case letters, digits and -, at most 53 characters',
    description: "Helm release name in kured's namespace (method helm); kured's DaemonSet is named after it.",
  }),
  'kured.helm.timeout': setting({
    path: 'kured.helm.timeout',
    env: 'PATCHWINDOW_KURED_HELM_TIMEOUT',
    schema: goDuration({ positive: true }),
    defaultValue: '2m',
    expected: 'a Go duration such as 2m, more than 0',
    description: "helm --timeout for install and uninstall (method helm); the helm process is killed 30 s after it. The engine waits for helm, so keep it short.",
  }),
  'kured.options.blockingPodSelectors': setting({
    path: 'kured.options.blockingPodSelectors',
    env: 'PATCHWINDOW_KURED_BLOCKING_POD_SELECTORS',
    schema: z.array(z.string().refine((selector) => labelSelectorProblem(selector) === undefined)).max(20),
    defaultValue: [],
    fromEnv: asJsonArray,
    expected: 'a list of label selectors, e.g. ["app=batch","runtime=long,cost=expensive"] (a JSON array in the environment)',
    description: 'kured --blocking-pod-selector: a matching pod on a node postpones its reboot.',
  }),
  'kured.options.prometheusUrl': setting({
    path: 'kured.options.prometheusUrl',
    env: 'PATCHWINDOW_KURED_PROMETHEUS_URL',
    schema: z.string().refine((url) => prometheusUrlProblem(url) === undefined),
    expected: 'an http(s) URL without credentials, e.g. http://prometheus.monitoring:9090',
    description: 'kured --prometheus-url: active alerts there postpone reboots.',
  }),
  'kured.options.alertFilterRegexp': setting({
    path: 'kured.options.alertFilterRegexp',
    env: 'PATCHWINDOW_KURED_ALERT_FILTER_REGEXP',
    schema: z.string().refine((pattern) => goRegexpProblem(pattern) === undefined),
    expected: 'a Go regular expression, e.g. ^(Watchdog|InfoInhibitor)$',
    description: 'kured --alert-filter-regexp: alert names that do not postpone reboots (with alertFilterMatchOnly: the only ones that do).',
  }),
  'kured.options.alertFilterMatchOnly': setting({
    path: 'kured.options.alertFilterMatchOnly',
    env: 'PATCHWINDOW_KURED_ALERT_FILTER_MATCH_ONLY',
    schema: z.boolean(),
    defaultValue: false,
    fromEnv: asBoolean,
    expected: 'true or false',
    description: 'kured --alert-filter-match-only: only alerts matching alertFilterRegexp postpone reboots.',
  }),
  'kured.options.alertFiringOnly': setting({
    path: 'kured.options.alertFiringOnly',
    env: 'PATCHWINDOW_KURED_ALERT_FIRING_ONLY',
    schema: z.boolean(),
    defaultValue: false,
    fromEnv: asBoolean,
    expected: 'true or false',
    description: 'kured --alert-firing-only: pending alerts do not postpone reboots, only firing ones.',
  }),
  'kured.options.drainTimeout': setting({
    path: 'kured.options.drainTimeout',
    env: 'PATCHWINDOW_KURED_DRAIN_TIMEOUT',
    schema: goDuration({ positive: false }),
    expected: 'a Go duration such as 10m (0: no timeout)',
    description: 'kured --drain-timeout: a drain taking longer is given up (the node is uncordoned and tried again, unless forceReboot).',
  }),
  'kured.options.drainDelay': setting({
    path: 'kured.options.drainDelay',
    env: 'PATCHWINDOW_KURED_DRAIN_DELAY',
    schema: goDuration({ positive: false }),
    expected: 'a Go duration such as 30s',
    description: 'kured --drain-delay: wait this long after cordoning before draining.',
  }),
  'kured.options.drainGracePeriod': setting({
    path: 'kured.options.drainGracePeriod',
    env: 'PATCHWINDOW_KURED_DRAIN_GRACE_PERIOD',
    schema: z.number().int().min(-1).max(86_400),
    fromEnv: asInteger,
    expected: "seconds from -1 to 86400 (-1: each pod's own grace period)",
    description: 'kured --drain-grace-period: seconds each evicted pod gets to terminate.',
  }),
  'kured.options.drainPodSelector': setting({
    path: 'kured.options.drainPodSelector',
    env: 'PATCHWINDOW_KURED_DRAIN_POD_SELECTOR',
    schema: z.string().refine((selector) => labelSelectorProblem(selector) === undefined),
    expected: 'a label selector, e.g. app!=node-local-dns',
    description: 'kured --drain-pod-selector: only pods matching it are evicted.',
  }),
  'kured.options.skipWaitForDeleteTimeout': setting({
    path: 'kured.options.skipWaitForDeleteTimeout',
    env: 'PATCHWINDOW_KURED_SKIP_WAIT_FOR_DELETE_TIMEOUT',
    schema: z.number().int().min(0).max(86_400),
    fromEnv: asInteger,
    expected: 'seconds from 0 to 86400',
    description: 'kured --skip-wait-for-delete-timeout: pods deleted longer ago than this are no longer waited for during a drain.',
  }),
  'kured.options.forceReboot': setting({
    path: 'kured.options.forceReboot',
    env: 'PATCHWINDOW_KURED_FORCE_REBOOT',
    schema: z.boolean(),
    defaultValue: false,
    fromEnv: asBoolean,
    expected: 'true or false',
    description: 'kured --force-reboot: reboot even when the drain fails or times out.',
  }),
  'kured.options.rebootSentinelCommand': setting({
    path: 'kured.options.rebootSentinelCommand',
    env: 'PATCHWINDOW_KURED_REBOOT_SENTINEL_COMMAND',
    schema: z.string().refine((command) => isPrintableText(command)),
    expected: 'a command line kured runs on the host; exit code 0 means a reboot is needed',
    description: "kured --reboot-sentinel-command instead of the host's /var/run/reboot-required; see \"kured's sentinel and the agent's\".",
  }),
  'kured.options.rebootMethod': setting({
    path: 'kured.options.rebootMethod',
    env: 'PATCHWINDOW_KURED_REBOOT_METHOD',
    schema: z.enum(REBOOT_METHODS),
    expected: `one of ${REBOOT_METHODS.join(', ')}`,
    description: "kured --reboot-method: command (kured's default) runs rebootCommand on the host, signal sends rebootSignal to the host's init.",
  }),
  'kured.options.rebootCommand': setting({
    path: 'kured.options.rebootCommand',
    env: 'PATCHWINDOW_KURED_REBOOT_COMMAND',
    schema: z.string().refine((command) => isPrintableText(command)),
    expected: 'a command line kured runs on the host, e.g. /bin/systemctl reboot',
    description: "kured --reboot-command (kured's default: /bin/systemctl reboot).",
  }),
  'kured.options.rebootSignal': setting({
    path: 'kured.options.rebootSignal',
    env: 'PATCHWINDOW_KURED_REBOOT_SIGNAL',
    schema: z.number().int().min(1).max(64),
    fromEnv: asInteger,
    expected: 'a signal number from 1 to 64',
    description: "kured --reboot-signal with rebootMethod signal (kured's default: 39, SIGRTMIN+5).",
  }),
  'kured.options.rebootDelay': setting({
    path: 'kured.options.rebootDelay',
    env: 'PATCHWINDOW_KURED_REBOOT_DELAY',
    schema: goDuration({ positive: false }),
    expected: 'a Go duration such as 30s',
    description: 'kured --reboot-delay: wait this long after the drain before rebooting.',
  }),
  'kured.options.lockReleaseDelay': setting({
    path: 'kured.options.lockReleaseDelay',
    env: 'PATCHWINDOW_KURED_LOCK_RELEASE_DELAY',
    schema: goDuration({ positive: false }),
    expected: 'a Go duration such as 5m',
    description: 'kured --lock-release-delay: a node keeps the lock this long after it is back, so the next one waits.',
  }),
  'kured.options.preferNoScheduleTaint': setting({
    path: 'kured.options.preferNoScheduleTaint',
    env: 'PATCHWINDOW_KURED_PREFER_NO_SCHEDULE_TAINT',
    schema: z.string().refine(isQualifiedName),
    expected: 'a taint key, e.g. kured.dev/kured-node-reboot',
    description: 'kured --prefer-no-schedule-taint: a PreferNoSchedule taint on nodes about to reboot, so evicted pods avoid them.',
  }),
  'kured.options.preRebootNodeLabels': setting({
    path: 'kured.options.preRebootNodeLabels',
    env: 'PATCHWINDOW_KURED_PRE_REBOOT_NODE_LABELS',
    schema: z.array(z.string().refine(isNodeLabel)).max(20),
    defaultValue: [],
    fromEnv: asList,
    expected: 'a list of key=value labels, e.g. rebooting=true',
    description: 'kured --pre-reboot-node-labels: labels set on a node before it is cordoned.',
  }),
  'kured.options.postRebootNodeLabels': setting({
    path: 'kured.options.postRebootNodeLabels',
    env: 'PATCHWINDOW_KURED_POST_REBOOT_NODE_LABELS',
    schema: z.array(z.string().refine(isNodeLabel)).max(20),
    defaultValue: [],
    fromEnv: asList,
    expected: 'a list of key=value labels, e.g. rebooting=false',
    description: 'kured --post-reboot-node-labels: labels set on a node after it is uncordoned.',
  }),
  'safetyNet.enabled': setting({
    path: 'safetyNet.enabled',
    env: 'PATCHWINDOW_SAFETY_NET',
    schema: z.boolean(),
    defaultValue: true,
    fromEnv: asBoolean,
    expected: 'true or false',
    description:
      "With kured, a Job in kured's namespace that removes kured at the window's end plus the grace if the bot has not (a bot that died mid-window). false: no Job; kured's own narrowed window is then the only guard.",
  }),
  'safetyNet.image': setting({
    path: 'safetyNet.image',
    env: 'PATCHWINDOW_IMAGE',
    schema: nonBlank,
    defaultValue: DEFAULT_PATCHWINDOW_IMAGE,
    defaultText: 'ghcr.io/patchwindow/patchwindow:<version>',
    expected: 'a container image reference, e.g. ghcr.io/patchwindow/patchwindow:0.1.0',
    description: "patchwindow's own image (the bot's): the safety-net Job runs `patchwindow reap` from it. manifests/bot sets it from the Deployment's image.",
  }),
  'safetyNet.grace': setting({
    path: 'safetyNet.grace',
    env: 'PATCHWINDOW_SAFETY_NET_GRACE',
    schema: preciseDurationMs(1000, 3_600_000),
    defaultValue: DEFAULT_REAP_GRACE_MS,
    defaultText: '2m',
    expected: 'a duration like 2m or 90s (1s to 1h)',
    description: "How long after a window's end the safety-net Job removes kured that is still there.",
  }),
  'sim.nodes': setting({
    path: 'sim.nodes',
    env: 'PATCHWINDOW_SIM_NODES',
    schema: z.number().int().min(1).max(5000),
    defaultValue: 6,
    fromEnv: asInteger,
    expected: 'an integer from 1 to 5000',
    description: 'Nodes of the simulated cluster.',
  }),
  'sim.pending': setting({
    path: 'sim.pending',
    env: 'PATCHWINDOW_SIM_PENDING',
    schema: z.number().int().min(0).max(5000),
    defaultValue: 4,
    fromEnv: asInteger,
    expected: 'an integer from 0 to 5000 (at most sim.nodes)',
    description: 'Simulated nodes that need a reboot at start.',
  }),
  'console.mode': setting({
    path: 'console.mode',
    env: 'PATCHWINDOW_CONSOLE',
    schema: z.enum(CONSOLE_MODES),
    defaultValue: 'auto',
    expected: `one of ${CONSOLE_MODES.join(', ')}`,
    description: 'The web console at / : auto serves it when no chat platform is configured.',
  }),
  'console.users': setting({
    path: 'console.users',
    env: 'PATCHWINDOW_CONSOLE_USERS',
    schema: z.array(z.string().regex(CONSOLE_USER)).min(1).max(20),
    defaultValue: ['alice', 'bob', 'carol'],
    defaultText: 'alice,bob,carol',
    fromEnv: asList,
    expected: 'a list of 1 to 20 lower-case user names, e.g. alice,bob,carol',
    description: 'Who the console lets you act as (the "you are" picker); their actor ids are console:<name>.',
  }),
  'console.token': setting({
    path: 'console.token',
    env: 'PATCHWINDOW_CONSOLE_TOKEN',
    schema: z.string().min(16).regex(/^\S+$/),
    secret: true,
    expected: 'a random string of at least 16 characters without spaces',
    description: 'Required when the HTTP server listens on a non-loopback address: the console asks for it.',
  }),
  'approvals.approvers': setting({
    path: 'approvals.approvers',
    env: 'PATCHWINDOW_APPROVERS',
    schema: z.array(z.string().regex(APPROVER_ID)).max(200),
    defaultValue: ['console:alice', 'console:bob', 'console:carol'],
    defaultText: 'console:alice,console:bob,console:carol',
    fromEnv: asList,
    expected: 'a list of actor ids such as console:alice, slack:U012AB3CD, teams:<AAD object id>, or Slack user groups such as slack-group:S0123ABCD',
    description: 'Who may approve or reject windows. A Slack user group (`slack-group:<id>`) counts its members, read with `usergroups.users.list` at start and every 5 minutes (the Slack app then needs the `usergroups:read` scope).',
  }),
  'approvals.fourEyes': setting({
    path: 'approvals.fourEyes',
    env: 'PATCHWINDOW_FOUR_EYES',
    schema: z.boolean(),
    defaultValue: true,
    fromEnv: asBoolean,
    expected: 'true or false',
    description: 'The requester may not approve their own window. Set false for single-person teams.',
  }),
  'approvals.required': setting({
    path: 'approvals.required',
    env: 'PATCHWINDOW_APPROVAL_REQUIRED',
    schema: z.boolean(),
    defaultValue: true,
    fromEnv: asBoolean,
    expected: 'true or false',
    description: 'Whether on-demand windows need an approval at all.',
  }),
  'approvals.requestTtl': setting({
    path: 'approvals.requestTtl',
    env: 'PATCHWINDOW_REQUEST_TTL',
    schema: durationMs(7 * DAY_MS),
    defaultValue: 2 * 3_600_000,
    defaultText: '2h',
    expected: 'a duration like 30m or 2h (at most 7d)',
    description: 'An unapproved window request expires after this long.',
  }),
  'approvals.lead': setting({
    path: 'approvals.lead',
    env: 'PATCHWINDOW_APPROVAL_LEAD',
    schema: durationMs(7 * DAY_MS),
    defaultValue: DAY_MS,
    defaultText: '24h',
    expected: 'a duration like 12h or 1d (at most 7d)',
    description: 'Scheduled windows ask for approval this long before they start.',
  }),
  'windows.concurrency': setting({
    path: 'windows.concurrency',
    env: 'PATCHWINDOW_CONCURRENCY',
    schema: z.number().int().min(1).max(100),
    defaultValue: 1,
    fromEnv: asInteger,
    expected: 'an integer from 1 to 100',
    description: 'Nodes rebooting at once when a window does not say (--concurrency).',
  }),
  'windows.maxConcurrency': setting({
    path: 'windows.maxConcurrency',
    env: 'PATCHWINDOW_MAX_CONCURRENCY',
    schema: z.number().int().min(1).max(100),
    defaultValue: 10,
    fromEnv: asInteger,
    expected: 'an integer from 1 to 100',
    description: 'The highest --concurrency anyone may ask for.',
  }),
  'windows.notBackAfter': setting({
    path: 'windows.notBackAfter',
    env: 'PATCHWINDOW_NOT_BACK_AFTER',
    schema: durationMs(DAY_MS),
    defaultValue: 15 * 60_000,
    defaultText: '15m',
    expected: 'a duration like 15m (at most 1d)',
    description: 'A node not Ready again this long after its reboot began is reported stuck.',
  }),
  'windows.nodeTime': setting({
    path: 'windows.nodeTime',
    env: 'PATCHWINDOW_DEFAULT_NODE_TIME',
    schema: durationMs(DAY_MS),
    defaultValue: 10 * 60_000,
    defaultText: '10m',
    expected: 'a duration like 10m (at most 1d)',
    description: 'Time per node the planner assumes before any reboot history exists.',
  }),
  'cluster.kubeconfig': setting({
    path: 'cluster.kubeconfig',
    env: 'KUBECONFIG',
    schema: z.string().min(1),
    expected: 'a kubeconfig file path (several joined with the path separator, as kubectl takes them)',
    description: 'Kubeconfig to reach the cluster when not in a pod; unset: in-cluster credentials in a pod, else ~/.kube/config. Read by the agent and by the bot (PATCHWINDOW_CLUSTER).',
  }),
  'agent.nodeName': setting({
    path: 'agent.nodeName',
    env: 'NODE_NAME',
    // Lenient here on purpose: CI systems set NODE_NAME for their own use, and only the agent reads it.
    schema: z.string().min(1).max(253),
    expected: 'the name of the Kubernetes node the agent runs on',
    description: 'The node the agent reports on; the manifests set it from the downward API (spec.nodeName). Required by the agent.',
  }),
  'agent.host': setting({
    path: 'agent.host',
    env: 'PATCHWINDOW_AGENT_HOST',
    schema: z.string().regex(/^[A-Za-z0-9.:-]+$/),
    defaultValue: '127.0.0.1',
    expected: 'a host name or IP address to listen on, e.g. 127.0.0.1 or 0.0.0.0',
    description: 'Address the agent\'s HTTP server (/healthz, /metrics) listens on. The manifests set 0.0.0.0.',
  }),
  'agent.port': setting({
    path: 'agent.port',
    env: 'PATCHWINDOW_AGENT_PORT',
    schema: z.number().int().min(0).max(65535),
    defaultValue: 9102,
    fromEnv: asInteger,
    expected: 'an integer from 0 to 65535 (0 picks a free port)',
    description: 'The agent\'s HTTP port for /healthz and /metrics.',
  }),
  'agent.sentinelFile': setting({
    path: 'agent.sentinelFile',
    env: 'PATCHWINDOW_AGENT_SENTINEL_FILE',
    schema: z.string().regex(/^\/.*[^/]$/),
    defaultValue: '/var/run/reboot-required',
    expected: 'an absolute file path, e.g. /host/var/run/reboot-required',
    description: 'File whose presence means a reboot is pending; the package list is read from <file>.pkgs next to it.',
  }),
  'agent.sentinelCommand': setting({
    path: 'agent.sentinelCommand',
    env: 'PATCHWINDOW_AGENT_SENTINEL_COMMAND',
    schema: z.array(z.string().min(1).max(4096)).min(1).max(64),
    fromEnv: asJsonArray,
    expected: 'the command as a list of words, program first, e.g. ["needs-restarting","-r"] (a JSON array in the environment)',
    description: 'When set, the agent runs this command instead of watching the sentinel file (never through a shell).',
  }),
  'agent.rebootExitCode': setting({
    path: 'agent.rebootExitCode',
    env: 'PATCHWINDOW_AGENT_REBOOT_EXIT_CODE',
    schema: z.number().int().min(1).max(255),
    defaultValue: 1,
    fromEnv: asInteger,
    expected: 'an integer from 1 to 255',
    description: 'Exit code of the sentinel command that means "reboot needed"; 0 means not needed, any other code is an error.',
  }),
  'agent.nsenter': setting({
    path: 'agent.nsenter',
    env: 'PATCHWINDOW_AGENT_NSENTER',
    schema: z.boolean(),
    defaultValue: false,
    fromEnv: asBoolean,
    expected: 'true or false',
    description: 'Run the sentinel command in the host\'s mount namespace (nsenter --target 1 --mount --); needs hostPID and privileges.',
  }),
  'agent.commandTimeout': setting({
    path: 'agent.commandTimeout',
    env: 'PATCHWINDOW_AGENT_COMMAND_TIMEOUT',
    schema: preciseDurationMs(1000, 600_000),
    defaultValue: 30_000,
    defaultText: '30s',
    expected: 'a duration like 30s or 2m (from 1s to 10m)',
    description: 'The sentinel command is killed (with its children) after this long and the scan counts as failed.',
  }),
  'agent.scanInterval': setting({
    path: 'agent.scanInterval',
    env: 'PATCHWINDOW_AGENT_SCAN_INTERVAL',
    schema: preciseDurationMs(1000, DAY_MS),
    defaultValue: 5 * 60_000,
    defaultText: '5m',
    expected: 'a duration like 5m or 90s (from 1s to 24h)',
    description: 'How often the agent polls the sentinel command, or rescans the sentinel file as a fallback to file events; jittered.',
  }),
  'agent.heartbeatInterval': setting({
    path: 'agent.heartbeatInterval',
    env: 'PATCHWINDOW_AGENT_HEARTBEAT_INTERVAL',
    schema: preciseDurationMs(1000, DAY_MS),
    defaultValue: 30 * 60_000,
    defaultText: '30m',
    expected: 'a duration like 30m (from 1s to 24h)',
    description: 'With no change to report, the agent still refreshes the last-scan annotation this often; jittered.',
  }),
  'slack.botToken': setting({
    path: 'slack.botToken',
    env: 'SLACK_BOT_TOKEN',
    schema: z.string().regex(/^xoxb-\S+$/),
    secret: true,
    expected: 'a Slack bot token starting with xoxb-',
    description: 'Slack bot token. When set, Slack is the chat platform (unless console.mode is on).',
  }),
  'slack.signingSecret': setting({
    path: 'slack.signingSecret',
    env: 'SLACK_SIGNING_SECRET',
    schema: nonBlank,
    secret: true,
    expected: 'the Slack app signing secret (no spaces)',
    description: 'Verifies that HTTP requests come from Slack (signature v0). Required in HTTP mode (no app token).',
  }),
  'slack.appToken': setting({
    path: 'slack.appToken',
    env: 'SLACK_APP_TOKEN',
    schema: z.string().regex(/^xapp-\S+$/),
    secret: true,
    expected: 'a Slack app-level token starting with xapp-',
    description: 'Enables Socket Mode: the bot connects out to Slack and needs no public HTTP endpoint.',
  }),
  'slack.channel': setting({
    path: 'slack.channel',
    env: 'PATCHWINDOW_SLACK_CHANNEL',
    schema: z.string().regex(/^[CG][A-Z0-9]{6,20}$/),
    expected: 'a Slack channel id such as C0123456789 (not the #name)',
    description: 'The channel the bot posts to and takes commands and clicks from; required with SLACK_BOT_TOKEN.',
  }),
  'slack.apiUrl': setting({
    path: 'slack.apiUrl',
    env: 'PATCHWINDOW_SLACK_API_URL',
    schema: z
      .string()
      .regex(/^https?:\/\/[^\s/?#]+(?:\/[^\s?#]*)?$/)
      .transform((url) => (url.endsWith('/') ? url : `${url}/`)),
    defaultValue: 'https://slack.com/api/',
    expected: 'an http(s) URL such as https://slack.com/api/',
    description: 'Base URL of the Slack Web API; tests point it at a local fake.',
  }),
  'slack.command': setting({
    path: 'slack.command',
    env: 'PATCHWINDOW_SLACK_COMMAND',
    schema: z.string().regex(/^\/[a-z0-9_-]{1,31}$/),
    defaultValue: '/patchwindow',
    expected: 'a slash command such as /patchwindow (lower case, at most 32 characters)',
    description: 'The slash command the Slack app defines.',
  }),
  'slack.teamId': setting({
    path: 'slack.teamId',
    env: 'PATCHWINDOW_SLACK_TEAM_ID',
    schema: z.string().regex(/^[TE][A-Z0-9]{6,20}$/),
    expected: 'a Slack workspace id such as T0123456789',
    description: 'When set, requests from any other workspace are refused, and the bot token must belong to it.',
  }),
  'teams.appId': setting({
    path: 'teams.appId',
    env: 'MicrosoftAppId',
    schema: z.string().regex(guid),
    expected: 'a GUID (the Azure bot registration\'s app id)',
    description: 'Teams bot app id. When set, Teams is the chat platform (unless teams.mode is off or console.mode is on) and requests must carry Bot Framework tokens.',
  }),
  'teams.appPassword': setting({
    path: 'teams.appPassword',
    env: 'MicrosoftAppPassword',
    schema: z.string().min(1),
    secret: true,
    expected: 'the client secret of the app registration',
    description: 'Teams bot client secret; required with MicrosoftAppId for SingleTenant and MultiTenant, not set for UserAssignedMSI.',
  }),
  'teams.appType': setting({
    path: 'teams.appType',
    env: 'MicrosoftAppType',
    schema: z.enum(TEAMS_APP_TYPES),
    defaultValue: 'SingleTenant',
    expected: `one of ${TEAMS_APP_TYPES.join(', ')}`,
    description: 'Bot Framework app type of the Azure bot registration.',
  }),
  'teams.tenantId': setting({
    path: 'teams.tenantId',
    env: 'MicrosoftAppTenantId',
    schema: z.string().regex(guid),
    expected: 'a GUID (the Entra ID tenant id)',
    description: 'Entra ID tenant of a SingleTenant or UserAssignedMSI bot (required for those); activities from other tenants are refused (without it: from other tenants than the bound conversation\'s).',
  }),
  'teams.mode': setting({
    path: 'teams.mode',
    env: 'PATCHWINDOW_TEAMS',
    schema: z.enum(TEAMS_MODES),
    defaultValue: 'auto',
    expected: `one of ${TEAMS_MODES.join(', ')}`,
    description: 'auto: Teams when MicrosoftAppId is set; on: Teams always (without MicrosoftAppId unauthenticated, for local testing on a loopback address only); off: never.',
  }),
} as const;

export type SettingPath = keyof typeof settings;
export type SettingValue<P extends SettingPath> = (typeof settings)[P] extends SettingDefinition<infer T> ? T : never;

export const settingList: readonly SettingDefinition<unknown>[] = Object.values(settings);

/** The environment variable naming the config file; not a setting itself. */
export const CONFIG_FILE_ENV = 'PATCHWINDOW_CONFIG';
export const DEFAULT_CONFIG_FILE = 'patchwindow.yaml';
