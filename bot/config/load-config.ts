// Reads the YAML file and the environment once, validates every key against the settings
// table and fails fast with one line that names the key, the (masked) value and what is expected.
import { readFileSync } from 'node:fs';
import { isAbsolute, resolve } from 'node:path';
import { isMap, isScalar, LineCounter, parseDocument } from 'yaml';
import type { Node, Pair } from 'yaml';
import { closestName } from '../core/text/closest-name.ts';
import { ConfigError } from './config-error.ts';
import type { KuredUserOptions } from '../adapters/cluster/kubernetes/kured-options.ts';
import type { Config } from './config.ts';
import { maskSecret } from './mask-secret.ts';
import { shownText, shownValue } from './shown-text.ts';
import { CONFIG_FILE_ENV, DEFAULT_CONFIG_FILE, settingList, settings } from './settings.ts';
import type { SettingDefinition } from './settings.ts';

export interface ConfigSources {
  /** `--config` from the command line, if given. */
  readonly configPath?: string | undefined;
  readonly env: Readonly<Record<string, string | undefined>>;
  /** Directory relative paths are resolved against. */
  readonly cwd: string;
}

interface FileValue {
  readonly value: unknown;
  readonly line: number;
}

interface LoadedFile {
  readonly label: string;
  readonly path: string;
  readonly values: ReadonlyMap<string, FileValue>;
}

export function loadConfig(sources: ConfigSources): Config {
  const file = readConfigFile(sources);
  rejectUnknownEnvironment(sources.env);
  const lookup = <T>(definition: SettingDefinition<T>): T | undefined => resolveSetting(definition, file, sources.env);
  const required = <T>(definition: SettingDefinition<T>): T => {
    const value = lookup(definition);
    if (value === undefined) throw new ConfigError(`${definition.env} is required: expected ${definition.expected}`);
    return value;
  };
  const dbPath = required(settings['db.path']);
  return {
    file: file?.path,
    http: { host: required(settings['http.host']), port: required(settings['http.port']) },
    log: { level: required(settings['log.level']), format: required(settings['log.format']) },
    db: { path: isAbsolute(dbPath) ? dbPath : resolve(sources.cwd, dbPath) },
    schedules: { defaultZone: required(settings['schedules.defaultZone']) },
    cluster: { mode: required(settings['cluster.mode']), kubeconfig: lookup(settings['cluster.kubeconfig']), context: lookup(settings['cluster.context']) },
    leaderElection: {
      enabled: lookup(settings['leaderElection.enabled']),
      lease: required(settings['leaderElection.lease']),
      namespace: lookup(settings['leaderElection.namespace']),
      identity: lookup(settings['leaderElection.identity']),
    },
    kured: kuredSettings(lookup, required),
    safetyNet: { enabled: required(settings['safetyNet.enabled']), image: required(settings['safetyNet.image']), graceMs: required(settings['safetyNet.grace']) },
    sim: simSettings(required(settings['sim.nodes']), required(settings['sim.pending'])),
    console: { mode: required(settings['console.mode']), users: required(settings['console.users']), token: lookup(settings['console.token']) },
    approvals: {
      approvers: required(settings['approvals.approvers']),
      fourEyes: required(settings['approvals.fourEyes']),
      required: required(settings['approvals.required']),
      requestTtlMs: required(settings['approvals.requestTtl']),
      leadMs: required(settings['approvals.lead']),
    },
    windows: {
      concurrency: required(settings['windows.concurrency']),
      maxConcurrency: required(settings['windows.maxConcurrency']),
      notBackAfterMs: required(settings['windows.notBackAfter']),
      nodeTimeMs: required(settings['windows.nodeTime']),
    },
    agent: {
      nodeName: lookup(settings['agent.nodeName']),
      host: required(settings['agent.host']),
      port: required(settings['agent.port']),
      sentinelFile: required(settings['agent.sentinelFile']),
      sentinelCommand: lookup(settings['agent.sentinelCommand']),
      rebootExitCode: required(settings['agent.rebootExitCode']),
      nsenter: required(settings['agent.nsenter']),
      commandTimeoutMs: required(settings['agent.commandTimeout']),
      scanIntervalMs: required(settings['agent.scanInterval']),
      heartbeatIntervalMs: required(settings['agent.heartbeatInterval']),
    },
    slack: {
      botToken: lookup(settings['slack.botToken']),
      signingSecret: lookup(settings['slack.signingSecret']),
      appToken: lookup(settings['slack.appToken']),
      channel: lookup(settings['slack.channel']),
      apiUrl: required(settings['slack.apiUrl']),
      command: required(settings['slack.command']),
      teamId: lookup(settings['slack.teamId']),
    },
    teams: {
      mode: required(settings['teams.mode']),
      appId: lookup(settings['teams.appId']),
      appPassword: lookup(settings['teams.appPassword']),
      appType: required(settings['teams.appType']),
      tenantId: lookup(settings['teams.tenantId']),
    },
  };
}

type Lookup = <T>(definition: SettingDefinition<T>) => T | undefined;
type Required = <T>(definition: SettingDefinition<T>) => T;

function kuredSettings(lookup: Lookup, required: Required): Config['kured'] {
  const helm: Config['kured']['helm'] = {
    binary: required(settings['kured.helm.binary']),
    chart: required(settings['kured.helm.chart']),
    version: required(settings['kured.helm.version']),
    repositoryUrl: lookup(settings['kured.helm.repositoryUrl']),
    release: required(settings['kured.helm.release']),
    timeout: required(settings['kured.helm.timeout']),
  };
  if (helm.repositoryUrl !== undefined && helm.chart.includes('/')) {
    throw new ConfigError(
      `kured.helm.chart=${JSON.stringify(helm.chart)} with kured.helm.repositoryUrl: expected the chart's name in that repository, e.g. kured (helm --repo takes a name, not a repo/name reference)`,
    );
  }
  const options: KuredUserOptions = {
    blockingPodSelectors: required(settings['kured.options.blockingPodSelectors']),
    prometheusUrl: lookup(settings['kured.options.prometheusUrl']),
    alertFilterRegexp: lookup(settings['kured.options.alertFilterRegexp']),
    alertFilterMatchOnly: required(settings['kured.options.alertFilterMatchOnly']),
    alertFiringOnly: required(settings['kured.options.alertFiringOnly']),
    drainTimeout: lookup(settings['kured.options.drainTimeout']),
    drainDelay: lookup(settings['kured.options.drainDelay']),
    drainGracePeriod: lookup(settings['kured.options.drainGracePeriod']),
    drainPodSelector: lookup(settings['kured.options.drainPodSelector']),
    skipWaitForDeleteTimeout: lookup(settings['kured.options.skipWaitForDeleteTimeout']),
    forceReboot: required(settings['kured.options.forceReboot']),
    rebootSentinelCommand: lookup(settings['kured.options.rebootSentinelCommand']),
    rebootMethod: lookup(settings['kured.options.rebootMethod']),
    rebootCommand: lookup(settings['kured.options.rebootCommand']),
    rebootSignal: lookup(settings['kured.options.rebootSignal']),
    rebootDelay: lookup(settings['kured.options.rebootDelay']),
    lockReleaseDelay: lookup(settings['kured.options.lockReleaseDelay']),
    preferNoScheduleTaint: lookup(settings['kured.options.preferNoScheduleTaint']),
    preRebootNodeLabels: required(settings['kured.options.preRebootNodeLabels']),
    postRebootNodeLabels: required(settings['kured.options.postRebootNodeLabels']),
  };
  if (options.rebootSignal !== undefined && options.rebootMethod !== 'signal') {
    throw new ConfigError('kured.options.rebootSignal is set but kured.options.rebootMethod is not signal: expected rebootMethod signal with it (kured ignores the signal otherwise)');
  }
  if (options.rebootCommand !== undefined && options.rebootMethod === 'signal') {
    throw new ConfigError('kured.options.rebootCommand is set but kured.options.rebootMethod is signal: expected rebootMethod command (or unset) with it');
  }
  if (options.alertFilterMatchOnly && options.alertFilterRegexp === undefined) {
    throw new ConfigError('kured.options.alertFilterMatchOnly is true without kured.options.alertFilterRegexp: expected a regexp naming the alerts that postpone reboots');
  }
  return {
    namespace: required(settings['kured.namespace']),
    image: required(settings['kured.image']),
    lockTtl: required(settings['kured.lockTtl']),
    method: required(settings['kured.method']),
    helm,
    options,
  };
}

function simSettings(nodes: number, pending: number): Config['sim'] {
  if (pending > nodes) throw new ConfigError(`PATCHWINDOW_SIM_PENDING=${pending} is more than PATCHWINDOW_SIM_NODES=${nodes}: expected at most ${nodes}`);
  return { nodes, pending };
}

function resolveSetting<T>(
  definition: SettingDefinition<T>,
  file: LoadedFile | undefined,
  env: Readonly<Record<string, string | undefined>>,
): T | undefined {
  const fromEnv = env[definition.env];
  // Empty variables count as unset: Kubernetes renders optional secret references that way.
  if (fromEnv !== undefined && fromEnv !== '') {
    const parsed = definition.schema.safeParse(definition.fromEnv(fromEnv));
    if (parsed.success) return parsed.data;
    const shown = definition.secret ? maskSecret(fromEnv) : fromEnv;
    throw new ConfigError(`${definition.env}=${shownValue(shown)} (environment): expected ${definition.expected}`);
  }
  const fromFile = file?.values.get(definition.path);
  if (fromFile !== undefined) {
    const parsed = definition.schema.safeParse(fromFile.value);
    if (parsed.success) return parsed.data;
    const shown = shownValue(definition.secret ? maskSecret(fromFile.value) : fromFile.value);
    throw new ConfigError(
      `${definition.path}=${shown} (${file?.label ?? ''} line ${fromFile.line}): expected ${definition.expected}`,
    );
  }
  return definition.defaultValue;
}

function rejectUnknownEnvironment(env: Readonly<Record<string, string | undefined>>): void {
  const known = [CONFIG_FILE_ENV, ...settingList.map((definition) => definition.env)];
  const ownPrefixed = known.filter((name) => name.startsWith('PATCHWINDOW_'));
  for (const name of Object.keys(env).sort()) {
    if (!name.startsWith('PATCHWINDOW_') || known.includes(name)) continue;
    const suggestion = closestName(name, ownPrefixed);
    throw new ConfigError(
      `unknown environment variable ${name}` +
        (suggestion === undefined ? `; known: ${ownPrefixed.join(', ')}` : `; did you mean ${suggestion}?`),
    );
  }
}

function readConfigFile(sources: ConfigSources): LoadedFile | undefined {
  const fromEnv = sources.env[CONFIG_FILE_ENV];
  const explicit = sources.configPath ?? (fromEnv === '' ? undefined : fromEnv);
  const origin = sources.configPath !== undefined ? '--config' : CONFIG_FILE_ENV;
  const path = resolve(sources.cwd, explicit ?? DEFAULT_CONFIG_FILE);
  const label = shownText(explicit ?? DEFAULT_CONFIG_FILE);
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error: unknown) {
    const code = (error as NodeJS.ErrnoException).code;
    // The default file is optional; a file someone named must exist.
    if (code === 'ENOENT' && explicit === undefined) return undefined;
    if (code === 'ENOENT') throw new ConfigError(`config file ${label} (${origin}) not found`);
    throw new ConfigError(`cannot read config file ${label}: ${(error as Error).message}`, { cause: error });
  }
  return { label, path, values: parseSettingsYaml(text, label) };
}

export function parseSettingsYaml(text: string, label: string): ReadonlyMap<string, FileValue> {
  const lines = new LineCounter();
  const document = parseDocument(text, { lineCounter: lines, uniqueKeys: true, prettyErrors: false });
  const [firstError] = document.errors;
  if (firstError !== undefined) {
    const position = lines.linePos(firstError.pos[0]);
    const where = `${label} line ${position.line}, column ${position.col}`;
    const reason = firstError.message.split(' at line ')[0] ?? firstError.message;
    throw new ConfigError(`${where}: invalid YAML (${shownText(reason)})`);
  }
  const lineOf = (node: Node | null | undefined): number =>
    node?.range === undefined || node.range === null ? 1 : lines.linePos(node.range[0]).line;
  const values = new Map<string, FileValue>();
  const root = document.contents;
  if (root === null || (isScalar(root) && root.value === null)) return values;
  if (!isMap(root)) throw new ConfigError(`${label} line ${lineOf(root)}: expected a mapping of settings at the top level`);

  const knownPaths = settingList.map((definition) => definition.path);
  const sections = [...new Set(knownPaths.map((path) => path.split('.')[0] ?? ''))];
  // A group (a section, or a nested one such as kured.helm) is a mapping of settings and groups.
  const readGroup = (group: string, node: Node | null): void => {
    if (node === null || (isScalar(node) && node.value === null)) return;
    if (!isMap(node)) {
      const keys = [...new Set(knownPaths.filter((path) => path.startsWith(`${group}.`)).map((path) => path.slice(group.length + 1).split('.')[0]))];
      throw new ConfigError(`${group}=${shownValue(node.toJSON())} (${label} line ${lineOf(node)}): expected a mapping with keys ${keys.join(', ')}`);
    }
    for (const pair of node.items as Pair<Node, Node | null>[]) {
      const path = `${group}.${keyText(pair)}`;
      if (knownPaths.includes(path)) {
        const value: unknown = pair.value === null ? null : pair.value.toJSON();
        values.set(path, { value, line: lineOf(pair.value ?? pair.key) });
      } else if (knownPaths.some((known) => known.startsWith(`${path}.`))) {
        readGroup(path, pair.value);
      } else {
        throw unknownKey(path, knownPaths, label, lineOf(pair.key));
      }
    }
  };
  for (const sectionPair of root.items as Pair<Node, Node | null>[]) {
    const section = keyText(sectionPair);
    if (!sections.includes(section)) throw unknownKey(section, sections, label, lineOf(sectionPair.key));
    readGroup(section, sectionPair.value);
  }
  return values;
}

function keyText(pair: Pair<Node, Node | null>): string {
  return isScalar(pair.key) ? String(pair.key.value) : JSON.stringify(pair.key.toJSON());
}

function unknownKey(key: string, known: readonly string[], label: string, line: number): ConfigError {
  const suggestion = closestName(key, known);
  return new ConfigError(
    `unknown key "${shownText(key)}" (${label} line ${line})` +
      (suggestion === undefined ? `; known: ${known.join(', ')}` : `; did you mean "${suggestion}"?`),
  );
}
