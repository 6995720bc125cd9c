// Reads the YAML file and the environment once, validates every key against the settings
// table and fails fast with one line that names the key, the (masked) value and what is expected.
import { readFileSync } from 'node:fs';
import { isAbsolute, resolve } from 'node:path';
import { isMap, isScalar, LineCounter, parseDocument } from 'yaml';
import type { Node, Pair } from 'yaml';
import { closestName } from '../core/text/closest-name.ts';
import { ConfigError } from './config-error.ts';
import type { Config } from './config.ts';
import { maskSecret } from './mask-secret.ts';
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
    kured: { namespace: required(settings['kured.namespace']), image: required(settings['kured.image']) },
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
    throw new ConfigError(`${definition.env}=${JSON.stringify(shown)} (environment): expected ${definition.expected}`);
  }
  const fromFile = file?.values.get(definition.path);
  if (fromFile !== undefined) {
    const parsed = definition.schema.safeParse(fromFile.value);
    if (parsed.success) return parsed.data;
    const shown = definition.secret ? JSON.stringify(maskSecret(fromFile.value)) : JSON.stringify(fromFile.value);
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
  const label = explicit ?? DEFAULT_CONFIG_FILE;
  const path = resolve(sources.cwd, label);
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
    throw new ConfigError(`${where}: invalid YAML (${reason})`);
  }
  const lineOf = (node: Node | null | undefined): number =>
    node?.range === undefined || node.range === null ? 1 : lines.linePos(node.range[0]).line;
  const values = new Map<string, FileValue>();
  const root = document.contents;
  if (root === null || (isScalar(root) && root.value === null)) return values;
  if (!isMap(root)) throw new ConfigError(`${label} line ${lineOf(root)}: expected a mapping of settings at the top level`);

  const knownPaths = settingList.map((definition) => definition.path);
  const sections = [...new Set(knownPaths.map((path) => path.split('.')[0] ?? ''))];
  for (const sectionPair of root.items as Pair<Node, Node | null>[]) {
    const section = keyText(sectionPair);
    if (!sections.includes(section)) throw unknownKey(section, sections, label, lineOf(sectionPair.key));
    const sectionNode = sectionPair.value;
    const sectionKeys = knownPaths.filter((path) => path.startsWith(`${section}.`));
    if (sectionNode === null || (isScalar(sectionNode) && sectionNode.value === null)) continue;
    if (!isMap(sectionNode)) {
      const keys = sectionKeys.map((path) => path.slice(section.length + 1)).join(', ');
      throw new ConfigError(
        `${section}=${JSON.stringify(sectionNode.toJSON())} (${label} line ${lineOf(sectionNode)}): expected a mapping with keys ${keys}`,
      );
    }
    for (const pair of sectionNode.items as Pair<Node, Node | null>[]) {
      const path = `${section}.${keyText(pair)}`;
      if (!sectionKeys.includes(path)) throw unknownKey(path, knownPaths, label, lineOf(pair.key));
      const value: unknown = pair.value === null ? null : pair.value.toJSON();
      values.set(path, { value, line: lineOf(pair.value ?? pair.key) });
    }
  }
  return values;
}

function keyText(pair: Pair<Node, Node | null>): string {
  return isScalar(pair.key) ? String(pair.key.value) : JSON.stringify(pair.key.toJSON());
}

function unknownKey(key: string, known: readonly string[], label: string, line: number): ConfigError {
  const suggestion = closestName(key, known);
  return new ConfigError(
    `unknown key "${key}" (${label} line ${line})` +
      (suggestion === undefined ? `; known: ${known.join(', ')}` : `; did you mean "${suggestion}"?`),
  );
}
