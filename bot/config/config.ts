// The validated configuration the composition root wires everything from.
import type { LOG_FORMATS, LOG_LEVELS, TEAMS_APP_TYPES } from './settings.ts';

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
