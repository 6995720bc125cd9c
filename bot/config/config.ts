// The validated configuration the composition root wires everything from.
import type { KuredUserOptions } from '../adapters/cluster/kubernetes/kured-options.ts';
import type { CLUSTER_MODES, CONSOLE_MODES, KURED_METHODS, LOG_FORMATS, LOG_LEVELS, TEAMS_APP_TYPES, TEAMS_MODES } from './settings.ts';

export type LogLevel = (typeof LOG_LEVELS)[number];
export type LogFormat = (typeof LOG_FORMATS)[number];
export type TeamsAppType = (typeof TEAMS_APP_TYPES)[number];
export type TeamsMode = (typeof TEAMS_MODES)[number];
export type KuredMethod = (typeof KURED_METHODS)[number];

export interface KuredHelmConfig {
  readonly binary: string;
  readonly chart: string;
  readonly version: string;
  /** helm --repo; unset: the chart reference says where the chart is. */
  readonly repositoryUrl: string | undefined;
  readonly release: string;
  /** helm --timeout, a Go duration. */
  readonly timeout: string;
}

export interface Config {
  /** Absolute path of the YAML file that was read, if any. */
  readonly file: string | undefined;
  readonly http: { readonly host: string; readonly port: number };
  readonly log: { readonly level: LogLevel; readonly format: LogFormat };
  readonly db: { readonly path: string };
  readonly schedules: { readonly defaultZone: string };
  readonly cluster: {
    readonly mode: (typeof CLUSTER_MODES)[number];
    /** KUBECONFIG; unset means in-cluster credentials in a pod, else ~/.kube/config. */
    readonly kubeconfig: string | undefined;
    /** PATCHWINDOW_KUBE_CONTEXT; unset means the kubeconfig's current context. */
    readonly context: string | undefined;
  };
  /** Leader election between replicas on a Lease (real clusters only). */
  readonly leaderElection: {
    /** Unset: on for a real cluster, off for the simulated one. */
    readonly enabled: boolean | undefined;
    readonly lease: string;
    /** Unset: the pod's namespace, else the kubeconfig context's, else `default`. */
    readonly namespace: string | undefined;
    /** Unset: host name and a random suffix. */
    readonly identity: string | undefined;
  };
  /** The kured the bot deploys for a window. */
  readonly kured: {
    readonly namespace: string;
    readonly image: string;
    /** kured --lock-ttl, a Go duration. */
    readonly lockTtl: string;
    readonly method: KuredMethod;
    /** Used when method is helm. */
    readonly helm: KuredHelmConfig;
    /** The user's own kured options, passed through to kured. */
    readonly options: KuredUserOptions;
  };
  /** The in-cluster safety net created with kured (a Job running `patchwindow reap`). */
  readonly safetyNet: { readonly enabled: boolean; readonly image: string; readonly graceMs: number };
  readonly sim: { readonly nodes: number; readonly pending: number };
  readonly console: { readonly mode: (typeof CONSOLE_MODES)[number]; readonly users: readonly string[]; readonly token: string | undefined };
  readonly approvals: {
    readonly approvers: readonly string[];
    readonly fourEyes: boolean;
    readonly required: boolean;
    readonly requestTtlMs: number;
    readonly leadMs: number;
  };
  readonly windows: { readonly concurrency: number; readonly maxConcurrency: number; readonly notBackAfterMs: number; readonly nodeTimeMs: number };
  /** The node agent (`patchwindow agent`); the bot ignores this section. */
  readonly agent: {
    readonly nodeName: string | undefined;
    readonly host: string;
    readonly port: number;
    readonly sentinelFile: string;
    /** Set: command mode (the file is not watched). */
    readonly sentinelCommand: readonly string[] | undefined;
    readonly rebootExitCode: number;
    readonly nsenter: boolean;
    readonly commandTimeoutMs: number;
    readonly scanIntervalMs: number;
    readonly heartbeatIntervalMs: number;
  };
  readonly slack: {
    readonly botToken: string | undefined;
    readonly signingSecret: string | undefined;
    readonly appToken: string | undefined;
    /** Channel id the bot posts to and takes commands from; required when botToken is set. */
    readonly channel: string | undefined;
    /** Web API base URL, ending in a slash. */
    readonly apiUrl: string;
    /** The slash command, e.g. `/patchwindow`. */
    readonly command: string;
    /** Set: requests from other workspaces are refused. */
    readonly teamId: string | undefined;
  };
  readonly teams: {
    /** auto: Teams when appId is set; on: always (unauthenticated without appId, loopback only); off: never. */
    readonly mode: TeamsMode;
    /** Set: requests must carry Bot Framework tokens for this app. */
    readonly appId: string | undefined;
    readonly appPassword: string | undefined;
    readonly appType: TeamsAppType;
    readonly tenantId: string | undefined;
  };
}
