// The validated configuration the composition root wires everything from.
import type { CLUSTER_MODES, CONSOLE_MODES, LOG_FORMATS, LOG_LEVELS, TEAMS_APP_TYPES } from './settings.ts';

export type LogLevel = (typeof LOG_LEVELS)[number];
export type LogFormat = (typeof LOG_FORMATS)[number];
export type TeamsAppType = (typeof TEAMS_APP_TYPES)[number];

export interface Config {
  /** Absolute path of the YAML file that was read, if any. */
  readonly file: string | undefined;
  readonly http: { readonly host: string; readonly port: number };
  readonly log: { readonly level: LogLevel; readonly format: LogFormat };
  readonly db: { readonly path: string };
  readonly schedules: { readonly defaultZone: string };
  readonly cluster: { readonly mode: (typeof CLUSTER_MODES)[number] };
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
  readonly slack: {
    readonly botToken: string | undefined;
    readonly signingSecret: string | undefined;
    readonly appToken: string | undefined;
  };
  readonly teams: {
    readonly appId: string | undefined;
    readonly appPassword: string | undefined;
    readonly appType: TeamsAppType;
    readonly tenantId: string | undefined;
  };
}
