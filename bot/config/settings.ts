// Every configuration key patchwindow reads, in one table: the loader validates against it,
// the README's configuration table is checked against it, and logs mask its secrets.
import { z } from 'zod';
import { canonicalZoneName } from '../core/schedule/zone.ts';

export interface SettingDefinition<T> {
  /** Dotted path in the YAML file, e.g. `http.port`. */
  readonly path: string;
  /** Environment variable that overrides the file. */
  readonly env: string;
  readonly schema: z.ZodType<T>;
  readonly defaultValue: T | undefined;
  /** What a valid value looks like, used verbatim in error messages: "expected <expected>". */
  readonly expected: string;
  readonly secret: boolean;
  readonly description: string;
  /** Environment variables are strings; turn one into what `schema` expects. */
  readonly fromEnv: (raw: string) => unknown;
}

const asString = (raw: string): unknown => raw;
const asInteger = (raw: string): unknown => (/^-?\d+$/.test(raw.trim()) ? Number(raw.trim()) : raw);

function setting<T>(definition: Omit<SettingDefinition<T>, 'secret' | 'fromEnv' | 'defaultValue'> & {
  secret?: boolean;
  fromEnv?: (raw: string) => unknown;
  defaultValue?: NoInfer<T>;
}): SettingDefinition<T> {
  return {
    ...definition,
    defaultValue: definition.defaultValue,
    secret: definition.secret ?? false,
    fromEnv: definition.fromEnv ?? asString,
  };
}

const guid = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const nonBlank = z.string().regex(/^\S+$/);

export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
export const LOG_FORMATS = ['auto', 'json', 'pretty'] as const;
export const TEAMS_APP_TYPES = ['SingleTenant', 'MultiTenant', 'UserAssignedMSI'] as const;

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
  'slack.botToken': setting({
    path: 'slack.botToken',
    env: 'SLACK_BOT_TOKEN',
    schema: z.string().regex(/^xoxb-\S+$/),
    secret: true,
    expected: 'a Slack bot token starting with xoxb-',
    description: 'Slack bot token. Read by the Slack adapter, which is not in this version yet.',
  }),
  'slack.signingSecret': setting({
    path: 'slack.signingSecret',
    env: 'SLACK_SIGNING_SECRET',
    schema: nonBlank,
    secret: true,
    expected: 'the Slack app signing secret (no spaces)',
    description: 'Verifies that HTTP requests come from Slack. Read by the Slack adapter, which is not in this version yet.',
  }),
  'slack.appToken': setting({
    path: 'slack.appToken',
    env: 'SLACK_APP_TOKEN',
    schema: z.string().regex(/^xapp-\S+$/),
    secret: true,
    expected: 'a Slack app-level token starting with xapp-',
    description: 'Enables Socket Mode. Read by the Slack adapter, which is not in this version yet.',
  }),
  'teams.appId': setting({
    path: 'teams.appId',
    env: 'MicrosoftAppId',
    schema: z.string().regex(guid),
    expected: 'a GUID (the Azure bot registration\'s app id)',
    description: 'Teams bot app id. Read by the Teams adapter, which is not in this version yet.',
  }),
  'teams.appPassword': setting({
    path: 'teams.appPassword',
    env: 'MicrosoftAppPassword',
    schema: z.string().min(1),
    secret: true,
    expected: 'the client secret of the app registration',
    description: 'Teams bot client secret. Read by the Teams adapter, which is not in this version yet.',
  }),
  'teams.appType': setting({
    path: 'teams.appType',
    env: 'MicrosoftAppType',
    schema: z.enum(TEAMS_APP_TYPES),
    defaultValue: 'SingleTenant',
    expected: `one of ${TEAMS_APP_TYPES.join(', ')}`,
    description: 'Bot Framework app type. Read by the Teams adapter, which is not in this version yet.',
  }),
  'teams.tenantId': setting({
    path: 'teams.tenantId',
    env: 'MicrosoftAppTenantId',
    schema: z.string().regex(guid),
    expected: 'a GUID (the Entra ID tenant id)',
    description: 'Tenant of a SingleTenant bot. Read by the Teams adapter, which is not in this version yet.',
  }),
} as const;

export type SettingPath = keyof typeof settings;
export type SettingValue<P extends SettingPath> = (typeof settings)[P] extends SettingDefinition<infer T> ? T : never;

export const settingList: readonly SettingDefinition<unknown>[] = Object.values(settings);

/** The environment variable naming the config file; not a setting itself. */
export const CONFIG_FILE_ENV = 'PATCHWINDOW_CONFIG';
export const DEFAULT_CONFIG_FILE = 'patchwindow.yaml';
