// The Helm chart's promises that hold without helm (the cluster tier renders and applies it:
// test/cluster/helm-chart.cluster.test.ts): its version is the package's, every value in
// values.yaml has a comment, a row with its default in the chart's README and a place in
// values.schema.json, every setting the templates name is a real one, the settings users may add
// through bot.config and agent.config are exactly those the chart does not set or exclude, and the
// defaults the templates leave out (as manifests/bot does) are the bot's own.
import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { isMap, parse, parseDocument } from 'yaml';
import type { Node, Pair, YAMLMap } from 'yaml';
import { DEFAULT_PATCHWINDOW_IMAGE } from '../../../bot/adapters/cluster/kubernetes/reap-job.ts';
import { settingList, settings } from '../../../bot/config/settings.ts';

const chart = new URL('../../../manifests/helm/patchwindow/', import.meta.url);
const read = (path: string): string => readFileSync(new URL(path, chart), 'utf8');
const packageJson = JSON.parse(readFileSync(new URL('../../../package.json', import.meta.url), 'utf8')) as { version: string };
const values = parse(read('values.yaml')) as Record<string, unknown>;
const templateFiles = readdirSync(new URL('templates/', chart)).filter((name) => name.endsWith('.yaml') || name.endsWith('.tpl') || name.endsWith('.txt'));
const templates = templateFiles.map((name) => read(`templates/${name}`)).join('\n');

/** Settings the chart sets from its own values or as constants: not for bot.config. */
const SET_BY_THE_CHART = [
  'PATCHWINDOW_HTTP_HOST',
  'PATCHWINDOW_HTTP_PORT',
  'PATCHWINDOW_DB',
  'PATCHWINDOW_LOG_FORMAT',
  'PATCHWINDOW_CLUSTER',
  'PATCHWINDOW_KURED_NAMESPACE',
  'PATCHWINDOW_IMAGE',
  'PATCHWINDOW_CONSOLE',
  'PATCHWINDOW_TEAMS',
  'PATCHWINDOW_LEADER_ELECTION',
  'PATCHWINDOW_LEADER_ELECTION_LEASE',
  'PATCHWINDOW_SAFETY_NET',
  'PATCHWINDOW_SAFETY_NET_GRACE',
  'PATCHWINDOW_AGENT_HOST',
  'PATCHWINDOW_AGENT_PORT',
  'PATCHWINDOW_AGENT_SENTINEL_FILE',
  'PATCHWINDOW_AGENT_SENTINEL_COMMAND',
  'PATCHWINDOW_AGENT_REBOOT_EXIT_CODE',
  'PATCHWINDOW_AGENT_NSENTER',
];
/** Settings the chart cannot serve, with why. */
const NOT_THROUGH_THE_CHART: Record<string, string> = {
  PATCHWINDOW_LEADER_ELECTION_NAMESPACE: "the Lease's Role is in the release's namespace",
  PATCHWINDOW_KUBE_CONTEXT: 'in a pod the bot uses its in-cluster credentials, which have no contexts',
  PATCHWINDOW_SIM_NODES: 'the simulated cluster only; the chart runs against the real one',
  PATCHWINDOW_SIM_PENDING: 'the simulated cluster only',
  PATCHWINDOW_KURED_METHOD: "kured by helm needs RBAC the chart does not grant (its release Secrets, the chart's objects)",
};
const notThroughTheChart = (env: string): boolean => env in NOT_THROUGH_THE_CHART || env.startsWith('PATCHWINDOW_KURED_HELM_');

interface Leaf {
  readonly path: string;
  readonly value: unknown;
  readonly comment: string | undefined;
}

/**
 * Every leaf of values.yaml (a scalar, a list or an empty map) with its comment: the lines above
 * its key (yaml puts those of a map's first key on the map) or at the end of its line.
 */
function leaves(map: YAMLMap, prefix = ''): Leaf[] {
  return map.items.flatMap((pair: Pair, index) => {
    const key = pair.key as Node & { value: unknown };
    const path = `${prefix}${String(key.value)}`;
    const value = pair.value as Node | null;
    if (isMap(value) && value.items.length > 0) return leaves(value, `${path}.`);
    const comment = [index === 0 ? map.commentBefore : undefined, key.commentBefore, value?.comment, key.comment].find((text) => text !== undefined && text !== null && text.trim() !== '');
    return [{ path, value: value === null ? null : (value.toJSON() as unknown), comment: comment ?? undefined }];
  });
}

const document = parseDocument(read('values.yaml'));
const valueLeaves = isMap(document.contents) ? leaves(document.contents) : [];

interface SchemaNode {
  type?: string | string[];
  properties?: Record<string, SchemaNode>;
  additionalProperties?: boolean | SchemaNode;
  propertyNames?: { enum: string[] };
}
const schema = JSON.parse(read('values.schema.json')) as SchemaNode;
const schemaAt = (path: string): SchemaNode | undefined =>
  path.split('.').reduce<SchemaNode | undefined>((node, key) => node?.properties?.[key] ?? (typeof node?.additionalProperties === 'object' ? node.additionalProperties : undefined), schema);

const valueAt = (path: string): unknown => path.split('.').reduce<unknown>((node, key) => (node as Record<string, unknown> | undefined)?.[key], values);

describe('Chart.yaml', () => {
  it("carries the package's version as version and appVersion, so the default image is the bot's own", () => {
    const chartYaml = parse(read('Chart.yaml')) as { apiVersion: string; name: string; version: string; appVersion: string };
    expect(chartYaml).toMatchObject({ apiVersion: 'v2', name: 'patchwindow', version: packageJson.version, appVersion: packageJson.version });
    const image = values['image'] as { repository: string; tag: string };
    expect(image.tag).toBe('');
    expect(`${image.repository}:${chartYaml.appVersion}`).toBe(DEFAULT_PATCHWINDOW_IMAGE);
  });
});

describe('values.yaml', () => {
  it('has leaves to check', () => {
    expect(valueLeaves.map((leaf) => leaf.path)).toEqual(expect.arrayContaining(['bot.chat', 'agent.mode', 'serviceMonitor.enabled', 'bot.resources.limits.memory']));
  });

  it.each(valueLeaves.map((leaf) => [leaf.path, leaf] as const))('documents %s with a comment', (_path, leaf) => {
    expect(leaf.comment, `${leaf.path} has no comment in values.yaml`).toBeDefined();
  });

  it.each(valueLeaves.map((leaf) => [leaf.path, leaf] as const))('%s has its place in values.schema.json', (path) => {
    expect(schemaAt(path), `values.schema.json has no ${path}`).toBeDefined();
  });

  it('values.schema.json refuses keys values.yaml does not have (a typo fails at install), except in free-form maps', () => {
    const freeForm = new Set(['bot.config', 'agent.config', 'bot.nodeSelector', 'agent.nodeSelector', 'bot.affinity', 'bot.serviceAccountAnnotations', 'serviceMonitor.labels', 'global']);
    const problems: string[] = [];
    const visit = (node: SchemaNode, path: string): void => {
      if (node.properties === undefined) return;
      if (node.additionalProperties !== false) problems.push(`${path || '(root)'} allows unknown keys`);
      for (const [key, child] of Object.entries(node.properties)) {
        const childPath = path === '' ? key : `${path}.${key}`;
        if (!freeForm.has(childPath)) visit(child, childPath);
        if (childPath !== 'global' && valueAt(childPath) === undefined) problems.push(`${childPath} is in the schema, not in values.yaml`);
      }
    };
    visit(schema, '');
    expect(problems).toEqual([]);
  });

  it("leaves the bot's own defaults out of the environment only where they are the bot's defaults", () => {
    // bot-deployment.yaml adds these variables only when the value differs from what it compares with
    expect(templates).toContain('{{- else if ne $bot "patchwindow-bot" }}');
    expect(settings['leaderElection.lease'].defaultValue).toBe('patchwindow-bot');
    expect(templates).toContain('{{- if ne (toString .Values.bot.safetyNet.grace) "2m" }}');
    expect(valueAt('bot.safetyNet.grace')).toBe(settings['safetyNet.grace'].defaultText);
    expect(valueAt('bot.safetyNet.enabled')).toBe(settings['safetyNet.enabled'].defaultValue);
    expect(valueAt('bot.kured.namespace')).toBe(settings['kured.namespace'].defaultValue);
    expect(valueAt('agent.file.path')).toBe(settings['agent.sentinelFile'].defaultValue);
    expect(valueAt('agent.command.rebootExitCode')).toBe(settings['agent.rebootExitCode'].defaultValue);
  });
});

describe('settings in the chart', () => {
  const known = new Set(settingList.map((definition) => definition.env));

  it('every PATCHWINDOW_* name in the templates and values is a setting', () => {
    const named = new Set([...`${templates}\n${read('values.yaml')}\n${read('values.schema.json')}`.matchAll(/PATCHWINDOW_[A-Z0-9_]+/g)].map((match) => match[0]));
    expect(named.size).toBeGreaterThan(20);
    expect([...named].filter((name) => !known.has(name))).toEqual([]);
  });

  it('the settings it sets itself and the ones it excludes are real settings', () => {
    expect([...SET_BY_THE_CHART, ...Object.keys(NOT_THROUGH_THE_CHART)].filter((name) => !known.has(name))).toEqual([]);
    for (const name of SET_BY_THE_CHART) expect(templates, name).toContain(`name: ${name}`);
  });

  it("bot.config takes every non-secret setting of the bot's that the chart neither sets nor excludes", () => {
    const expected = settingList
      .filter((definition) => definition.env.startsWith('PATCHWINDOW_') && !definition.env.startsWith('PATCHWINDOW_AGENT_'))
      .filter((definition) => !definition.secret && !SET_BY_THE_CHART.includes(definition.env) && !notThroughTheChart(definition.env))
      .map((definition) => definition.env);
    // a new setting fails here until values.schema.json's bot.config lists it (or this test excludes it, with why)
    expect(schemaAt('bot.config')?.propertyNames?.enum).toEqual(expected);
  });

  it('agent.config takes the agent settings the chart does not set, and the log level', () => {
    const expected = settingList
      .filter((definition) => definition.env === 'PATCHWINDOW_LOG_LEVEL' || (definition.env.startsWith('PATCHWINDOW_AGENT_') && !SET_BY_THE_CHART.includes(definition.env)))
      .map((definition) => definition.env);
    expect(schemaAt('agent.config')?.propertyNames?.enum).toEqual(expected);
  });

  it('no secret can be put in values: credentials come from the existing Secret only', () => {
    const secrets = settingList.filter((definition) => definition.secret).map((definition) => definition.env);
    expect(secrets.length).toBeGreaterThan(0);
    for (const secret of secrets) {
      expect(schemaAt('bot.config')?.propertyNames?.enum, secret).not.toContain(secret);
      expect(templates, secret).not.toContain(`name: ${secret}`);
    }
    expect(templates).not.toMatch(/kind: Secret\b/);
  });
});

describe("the chart's README", () => {
  const readme = read('README.md');
  const rows = new Map(
    [...readme.matchAll(/^\| `([A-Za-z0-9.]+)` \| `(.*?)` \|/gm)].map((match) => [match[1] ?? '', match[2] ?? '']),
  );

  it.each(valueLeaves.map((leaf) => [leaf.path, leaf] as const))('has a row for %s with its default', (path, leaf) => {
    expect(rows.get(path), `README.md has no row for ${path}`).toBe(JSON.stringify(leaf.value));
  });

  it('has no row for a value that does not exist', () => {
    const paths = new Set(valueLeaves.map((leaf) => leaf.path));
    expect([...rows.keys()].filter((path) => !paths.has(path))).toEqual([]);
  });
});
