import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ConfigError } from '../../../../bot/config/config-error.ts';
import { loadConfig } from '../../../../bot/config/load-config.ts';
import type { ConfigSources } from '../../../../bot/config/load-config.ts';
import { CONFIG_FILE_ENV, settingList } from '../../../../bot/config/settings.ts';
import { NO_KURED_OPTIONS } from '../../../../bot/adapters/cluster/kubernetes/kured-options.ts';

let cwd: string;

beforeEach(() => {
  cwd = mkdtempSync(join(tmpdir(), 'patchwindow-config-'));
});

afterEach(() => {
  rmSync(cwd, { recursive: true, force: true });
});

function load(env: Record<string, string> = {}, extra: Partial<ConfigSources> = {}): ReturnType<typeof loadConfig> {
  return loadConfig({ env, cwd, ...extra });
}

function writeYaml(text: string, name = 'patchwindow.yaml'): string {
  const path = join(cwd, name);
  writeFileSync(path, text);
  return path;
}

function failure(run: () => unknown): string {
  try {
    run();
  } catch (error: unknown) {
    expect(error).toBeInstanceOf(ConfigError);
    return (error as Error).message;
  }
  throw new Error('expected a ConfigError');
}

describe('loadConfig defaults', () => {
  it('uses the embedded defaults when nothing is configured', () => {
    const config = load();
    expect(config).toEqual({
      file: undefined,
      http: { host: '127.0.0.1', port: 3000 },
      log: { level: 'info', format: 'auto' },
      db: { path: join(cwd, 'data/patchwindow.db') },
      schedules: { defaultZone: 'UTC' },
      cluster: { mode: 'auto', kubeconfig: undefined, context: undefined },
      leaderElection: { enabled: undefined, lease: 'patchwindow-bot', namespace: undefined, identity: undefined },
      kured: {
        namespace: 'kured',
        image: 'ghcr.io/kubereboot/kured:1.23.0',
        lockTtl: '30m',
        method: 'manifests',
        helm: { binary: 'helm', chart: 'kubereboot/kured', version: '6.1.0', repositoryUrl: undefined, release: 'kured', timeout: '2m' },
        options: NO_KURED_OPTIONS,
      },
      safetyNet: { enabled: true, image: 'ghcr.io/patchwindow/patchwindow:0.1.0', graceMs: 120_000 },
      sim: { nodes: 6, pending: 4 },
      console: { mode: 'auto', users: ['alice', 'bob', 'carol'], token: undefined },
      approvals: {
        approvers: ['console:alice', 'console:bob', 'console:carol'],
        fourEyes: true,
        required: true,
        requestTtlMs: 7_200_000,
        leadMs: 86_400_000,
      },
      windows: { concurrency: 1, maxConcurrency: 10, notBackAfterMs: 900_000, nodeTimeMs: 600_000 },
      agent: {
        nodeName: undefined,
        host: '127.0.0.1',
        port: 9102,
        sentinelFile: '/var/run/reboot-required',
        sentinelCommand: undefined,
        rebootExitCode: 1,
        nsenter: false,
        commandTimeoutMs: 30_000,
        scanIntervalMs: 300_000,
        heartbeatIntervalMs: 1_800_000,
      },
      slack: {
        botToken: undefined,
        signingSecret: undefined,
        appToken: undefined,
        channel: undefined,
        apiUrl: 'https://slack.com/api/',
        command: '/patchwindow',
        teamId: undefined,
      },
      teams: { mode: 'auto', appId: undefined, appPassword: undefined, appType: 'SingleTenant', tenantId: undefined },
    });
  });

  it('ignores environment variables that are not its own', () => {
    expect(load({ PATH: '/usr/bin', HOME: '/root', SLACKWARE: 'x' }).http.port).toBe(3000);
  });
});

describe('loadConfig sources', () => {
  it('reads ./patchwindow.yaml when present', () => {
    const path = writeYaml('http:\n  port: 8080\n  host: 0.0.0.0\nlog:\n  level: debug\n');
    const config = load();
    expect(config.file).toBe(path);
    expect(config.http).toEqual({ host: '0.0.0.0', port: 8080 });
    expect(config.log.level).toBe('debug');
  });

  it('reads the file named by --config, relative to the working directory', () => {
    mkdirSync(join(cwd, 'etc'));
    writeYaml('db:\n  path: /var/lib/patchwindow/p.db\n', 'etc/custom.yaml');
    expect(load({}, { configPath: 'etc/custom.yaml' }).db.path).toBe('/var/lib/patchwindow/p.db');
  });

  it('reads the file named by PATCHWINDOW_CONFIG', () => {
    writeYaml('http:\n  port: 9000\n', 'other.yaml');
    expect(load({ PATCHWINDOW_CONFIG: 'other.yaml' }).http.port).toBe(9000);
  });

  it('lets the environment override the file', () => {
    writeYaml('http:\n  port: 8080\n');
    expect(load({ PATCHWINDOW_HTTP_PORT: '9090' }).http.port).toBe(9090);
  });

  it('treats an empty environment variable as unset', () => {
    writeYaml('http:\n  port: 8080\n');
    expect(load({ PATCHWINDOW_HTTP_PORT: '', SLACK_BOT_TOKEN: '' }).http.port).toBe(8080);
  });

  it('reads platform-conventional names for Slack and Teams', () => {
    const config = load({
      SLACK_BOT_TOKEN: 'xoxb-1234-5678-abcdef',
      SLACK_SIGNING_SECRET: '8f742231b10e8888abcd99yyyzzz85a5',
      SLACK_APP_TOKEN: 'xapp-1-A111-222-abc',
      MicrosoftAppId: '0b9b3a1e-8f5c-4d3e-9a2b-1c2d3e4f5a6b',
      MicrosoftAppPassword: 'not-a-real-password',
      MicrosoftAppType: 'MultiTenant',
      MicrosoftAppTenantId: 'aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee',
      PATCHWINDOW_TEAMS: 'off',
    });
    expect(config.slack.botToken).toBe('xoxb-1234-5678-abcdef');
    expect(config.slack.appToken).toBe('xapp-1-A111-222-abc');
    expect(config.teams.appType).toBe('MultiTenant');
    expect(config.teams.tenantId).toBe('aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee');
    expect(config.teams.mode).toBe('off');
  });

  it('keeps an absolute database path and resolves a relative one against the working directory', () => {
    expect(load({ PATCHWINDOW_DB: '/tmp/x/p.db' }).db.path).toBe('/tmp/x/p.db');
    expect(load({ PATCHWINDOW_DB: 'state/p.db' }).db.path).toBe(join(cwd, 'state/p.db'));
  });

  it('accepts an empty file and empty sections', () => {
    writeYaml('# nothing yet\n');
    expect(load().http.port).toBe(3000);
    writeYaml('http:\nlog:\n');
    expect(load().http.port).toBe(3000);
  });

  it('writes the default zone in its usual capitalisation', () => {
    expect(load({ PATCHWINDOW_DEFAULT_ZONE: 'europe/zurich' }).schedules.defaultZone).toBe('Europe/Zurich');
    expect(load({ PATCHWINDOW_DEFAULT_ZONE: 'utc' }).schedules.defaultZone).toBe('UTC');
  });

  it('reads lists, booleans and durations from the environment and the file', () => {
    writeYaml('approvals:\n  approvers: [console:alice, slack:U012AB3CD, slack-group:S0ONCALL1]\n  requestTtl: 90m\n  fourEyes: false\n');
    const config = load({ PATCHWINDOW_CONSOLE_USERS: 'dan, erin', PATCHWINDOW_APPROVAL_LEAD: '12h' });
    expect(config.approvals).toMatchObject({ approvers: ['console:alice', 'slack:U012AB3CD', 'slack-group:S0ONCALL1'], requestTtlMs: 5_400_000, fourEyes: false, leadMs: 43_200_000 });
    expect(config.console.users).toEqual(['dan', 'erin']);
  });

  it('refuses more pending simulated nodes than nodes', () => {
    expect(failure(() => load({ PATCHWINDOW_SIM_NODES: '3', PATCHWINDOW_SIM_PENDING: '4' }))).toBe(
      'PATCHWINDOW_SIM_PENDING=4 is more than PATCHWINDOW_SIM_NODES=3: expected at most 3',
    );
  });

  it('accepts port 0 (any free port)', () => {
    expect(load({ PATCHWINDOW_HTTP_PORT: '0' }).http.port).toBe(0);
  });
});

describe('loadConfig bad values: one line naming the key, the value and what is expected', () => {
  const cases: [string, Record<string, string>, string][] = [
    ['port out of range', { PATCHWINDOW_HTTP_PORT: '70000' }, 'PATCHWINDOW_HTTP_PORT="70000" (environment): expected an integer from 0 to 65535 (0 picks a free port)'],
    ['port not a number', { PATCHWINDOW_HTTP_PORT: 'http' }, 'PATCHWINDOW_HTTP_PORT="http" (environment): expected an integer from 0 to 65535 (0 picks a free port)'],
    ['port fractional', { PATCHWINDOW_HTTP_PORT: '80.5' }, 'PATCHWINDOW_HTTP_PORT="80.5" (environment): expected an integer from 0 to 65535 (0 picks a free port)'],
    ['negative port', { PATCHWINDOW_HTTP_PORT: '-1' }, 'PATCHWINDOW_HTTP_PORT="-1" (environment): expected an integer from 0 to 65535 (0 picks a free port)'],
    ['host with a space', { PATCHWINDOW_HTTP_HOST: 'local host' }, 'PATCHWINDOW_HTTP_HOST="local host" (environment): expected a host name or IP address to listen on, e.g. 127.0.0.1 or 0.0.0.0'],
    ['log level', { PATCHWINDOW_LOG_LEVEL: 'verbose' }, 'PATCHWINDOW_LOG_LEVEL="verbose" (environment): expected one of fatal, error, warn, info, debug, trace, silent'],
    ['log level in the wrong case', { PATCHWINDOW_LOG_LEVEL: 'INFO' }, 'PATCHWINDOW_LOG_LEVEL="INFO" (environment): expected one of fatal, error, warn, info, debug, trace, silent'],
    ['log format', { PATCHWINDOW_LOG_FORMAT: 'text' }, 'PATCHWINDOW_LOG_FORMAT="text" (environment): expected one of auto, json, pretty'],
    ['unknown time zone', { PATCHWINDOW_DEFAULT_ZONE: 'Europe/Zürich' }, 'PATCHWINDOW_DEFAULT_ZONE="Europe/Zürich" (environment): expected an IANA time zone such as Europe/Zurich, or UTC'],
    ['time zone abbreviation', { PATCHWINDOW_DEFAULT_ZONE: 'CEST' }, 'PATCHWINDOW_DEFAULT_ZONE="CEST" (environment): expected an IANA time zone such as Europe/Zurich, or UTC'],
    ['bad duration', { PATCHWINDOW_REQUEST_TTL: 'two hours' }, 'PATCHWINDOW_REQUEST_TTL="two hours" (environment): expected a duration like 30m or 2h (at most 7d)'],
    ['duration too long', { PATCHWINDOW_NOT_BACK_AFTER: '2d' }, 'PATCHWINDOW_NOT_BACK_AFTER="2d" (environment): expected a duration like 15m (at most 1d)'],
    ['bad boolean', { PATCHWINDOW_FOUR_EYES: 'yes' }, 'PATCHWINDOW_FOUR_EYES="yes" (environment): expected true or false'],
    ['bad approver', { PATCHWINDOW_APPROVERS: 'alice' }, 'PATCHWINDOW_APPROVERS="alice" (environment): expected a list of actor ids such as console:alice, slack:U012AB3CD, teams:<AAD object id>, or Slack user groups such as slack-group:S0123ABCD'],
    ['Slack user group by handle', { PATCHWINDOW_APPROVERS: 'slack-group:@oncall' }, 'PATCHWINDOW_APPROVERS="slack-group:@oncall" (environment): expected a list of actor ids such as console:alice, slack:U012AB3CD, teams:<AAD object id>, or Slack user groups such as slack-group:S0123ABCD'],
    ['bad console user', { PATCHWINDOW_CONSOLE_USERS: 'Alice Smith' }, 'PATCHWINDOW_CONSOLE_USERS="Alice Smith" (environment): expected a list of 1 to 20 lower-case user names, e.g. alice,bob,carol'],
    ['short console token', { PATCHWINDOW_CONSOLE_TOKEN: 'short' }, 'PATCHWINDOW_CONSOLE_TOKEN="****" (environment): expected a random string of at least 16 characters without spaces'],
    ['unknown cluster mode', { PATCHWINDOW_CLUSTER: 'aks' }, 'PATCHWINDOW_CLUSTER="aks" (environment): expected one of auto, sim, kube'],
    ['kured namespace', { PATCHWINDOW_KURED_NAMESPACE: 'Kured_NS' }, 'PATCHWINDOW_KURED_NAMESPACE="Kured_NS" (environment): expected a Kubernetes namespace name, e.g. kured or kube-system'],
    ['teams app type', { MicrosoftAppType: 'singletenant' }, 'MicrosoftAppType="singletenant" (environment): expected one of SingleTenant, MultiTenant, UserAssignedMSI'],
    ['teams app id', { MicrosoftAppId: 'my-bot' }, "MicrosoftAppId=\"my-bot\" (environment): expected a GUID (the Azure bot registration's app id)"],
    ['teams tenant id', { MicrosoftAppTenantId: 'contoso.onmicrosoft.com' }, 'MicrosoftAppTenantId="contoso.onmicrosoft.com" (environment): expected a GUID (the Entra ID tenant id)'],
    ['teams mode', { PATCHWINDOW_TEAMS: 'yes' }, 'PATCHWINDOW_TEAMS="yes" (environment): expected one of auto, on, off'],
  ];
  it.each(cases)('%s', (_name, env, message) => {
    expect(failure(() => load(env))).toBe(message);
  });

  it('masks a long secret to its first four characters', () => {
    expect(failure(() => load({ SLACK_BOT_TOKEN: 'xoxp-1234567890-abcdefghijkl' }))).toBe(
      'SLACK_BOT_TOKEN="xoxp****" (environment): expected a Slack bot token starting with xoxb-',
    );
  });

  it('masks a short secret completely', () => {
    expect(failure(() => load({ SLACK_APP_TOKEN: 'abc' }))).toBe(
      'SLACK_APP_TOKEN="****" (environment): expected a Slack app-level token starting with xapp-',
    );
  });

  it('masks secrets that come from the file', () => {
    writeYaml('slack:\n  signingSecret: "has a space in it"\n');
    expect(failure(() => load())).toBe(
      'slack.signingSecret="has ****" (patchwindow.yaml line 2): expected the Slack app signing secret (no spaces)',
    );
  });

  it('names the file and line of a bad value in the file', () => {
    writeYaml('http:\n  host: 127.0.0.1\n  port: 99999\n');
    expect(failure(() => load())).toBe(
      'http.port=99999 (patchwindow.yaml line 3): expected an integer from 0 to 65535 (0 picks a free port)',
    );
  });

  it('does not accept a quoted number for a numeric key in the file', () => {
    writeYaml('http:\n  port: "3000"\n');
    expect(failure(() => load())).toBe(
      'http.port="3000" (patchwindow.yaml line 2): expected an integer from 0 to 65535 (0 picks a free port)',
    );
  });

  it('reports a value that is a list where a scalar is expected', () => {
    writeYaml('log:\n  level: [info, debug]\n');
    expect(failure(() => load())).toBe(
      'log.level=["info","debug"] (patchwindow.yaml line 2): expected one of fatal, error, warn, info, debug, trace, silent',
    );
  });

  it('reports a key set to nothing', () => {
    writeYaml('db:\n  path:\n');
    expect(failure(() => load())).toBe('db.path=null (patchwindow.yaml line 2): expected a file path');
  });
});

describe('loadConfig unknown keys: typos never fall back to defaults', () => {
  it('reports an unknown PATCHWINDOW_ variable with a suggestion', () => {
    expect(failure(() => load({ PATCHWINDOW_HTTP_PROT: '8080' }))).toBe(
      'unknown environment variable PATCHWINDOW_HTTP_PROT; did you mean PATCHWINDOW_HTTP_PORT?',
    );
  });

  it('lists the known variables when nothing is close', () => {
    // Every PATCHWINDOW_ variable the settings table knows, in its order, after the config file's.
    const known = [CONFIG_FILE_ENV, ...settingList.map((definition) => definition.env)].filter((name) => name.startsWith('PATCHWINDOW_'));
    expect(known.slice(0, 3)).toEqual(['PATCHWINDOW_CONFIG', 'PATCHWINDOW_HTTP_HOST', 'PATCHWINDOW_HTTP_PORT']);
    expect(failure(() => load({ PATCHWINDOW_SOMETHING_ELSE_ENTIRELY: '1' }))).toBe(
      `unknown environment variable PATCHWINDOW_SOMETHING_ELSE_ENTIRELY; known: ${known.join(', ')}`,
    );
  });

  it('reports an unknown section with its line', () => {
    writeYaml('# settings\nhtp:\n  port: 8080\n');
    expect(failure(() => load())).toBe('unknown key "htp" (patchwindow.yaml line 2); did you mean "http"?');
  });

  it('reports an unknown key inside a section', () => {
    writeYaml('http:\n  host: 0.0.0.0\n  prot: 8080\n');
    expect(failure(() => load())).toBe('unknown key "http.prot" (patchwindow.yaml line 3); did you mean "http.port"?');
  });

  it('reports a section that is not a mapping', () => {
    writeYaml('http: 8080\n');
    expect(failure(() => load())).toBe('http=8080 (patchwindow.yaml line 1): expected a mapping with keys host, port');
  });

  it('reports a document that is not a mapping', () => {
    writeYaml('- http\n- log\n');
    expect(failure(() => load())).toBe('patchwindow.yaml line 1: expected a mapping of settings at the top level');
  });
});

describe('loadConfig YAML and file errors', () => {
  it('names the line of invalid YAML', () => {
    writeYaml('http:\n  port: 8080\n  host: [127.0.0.1\nlog:\n  level: info\n');
    expect(failure(() => load())).toBe(
      'patchwindow.yaml line 4, column 1: invalid YAML (Flow sequence in block collection must be sufficiently indented and end with a ])',
    );
  });

  it('names both the line and the reason for a duplicate key', () => {
    writeYaml('http:\n  port: 1\n  port: 2\n');
    expect(failure(() => load())).toBe('patchwindow.yaml line 3, column 3: invalid YAML (Map keys must be unique)');
  });

  it('refuses a --config file that does not exist', () => {
    expect(failure(() => load({}, { configPath: 'missing.yaml' }))).toBe('config file missing.yaml (--config) not found');
  });

  it('refuses a PATCHWINDOW_CONFIG file that does not exist', () => {
    expect(failure(() => load({ PATCHWINDOW_CONFIG: 'gone.yaml' }))).toBe(
      'config file gone.yaml (PATCHWINDOW_CONFIG) not found',
    );
  });

  it('refuses a config path that is a directory', () => {
    mkdirSync(join(cwd, 'dir.yaml'));
    expect(failure(() => load({}, { configPath: 'dir.yaml' }))).toMatch(/^cannot read config file dir\.yaml: EISDIR/);
  });
});
