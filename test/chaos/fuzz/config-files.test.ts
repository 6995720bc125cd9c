// Fuzzing the configuration: arbitrary YAML text (parseSettingsYaml), settings files that are
// nearly right (loadConfig on a real file: typos, wrong types, hostile strings), and environment
// variables. Every input gives a Config or a ConfigError of one line (the CLI prints it and exits
// 2) that never shows a secret; nothing else may be thrown.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { stringify } from 'yaml';
import { afterAll, describe, expect, it } from 'vitest';
import { ConfigError } from '../../../bot/config/config-error.ts';
import { loadConfig, parseSettingsYaml } from '../../../bot/config/load-config.ts';
import { CONFIG_FILE_ENV, settingList } from '../../../bot/config/settings.ts';
import type { SettingDefinition } from '../../../bot/config/settings.ts';
import { tempDirs } from '../../support/temp-dirs.ts';
import { anyText, HOSTILE_FRAGMENTS } from './arbitraries.ts';
import { fuzzSync } from './fuzz-run.ts';

const dirs = tempDirs();
afterAll(() => {
  dirs.removeAll();
});

/** The CLI prints a ConfigError as one line on a terminal: no CR or LF. */
const TERMINAL_LINE_BREAK = /[\r\n]/;
/** Long enough for a setting's name, its expected form and a value cut to a readable length. */
const MAX_CONFIG_ERROR_LENGTH = 1000;

/** Runs `load`; it must return or throw a clear ConfigError, and never show one of `secrets`. */
function expectConfigOrError(load: () => unknown, secrets: readonly string[] = []): void {
  let message: string;
  try {
    load();
    return;
  } catch (error: unknown) {
    if (!(error instanceof ConfigError)) throw new Error(`threw ${String(error)} instead of a ConfigError`, { cause: error });
    message = error.message;
  }
  expect(message.trim()).not.toBe('');
  expect(message).not.toMatch(TERMINAL_LINE_BREAK);
  // An unknown key is answered with every known one (documentation, not an echo of the input).
  expect(message.replace(/; known: [\w., ]+$/, '').length).toBeLessThanOrEqual(MAX_CONFIG_ERROR_LENGTH);
  // maskSecret shows at most a 4-character prefix.
  for (const secret of secrets) expect(message).not.toContain(secret.slice(4));
}

const YAML_PIECES = [
  'http:', 'log:', 'db:', 'slack:', 'teams:', 'console:', 'approvals:', 'windows:', 'kured:', 'sim:', 'agent:', 'schedules:', 'cluster:',
  '  port: 8080', '  host: 127.0.0.1', '  level: debug', '  approvers: [console:alice]', '  token: xoxb-1', '  path: /tmp/x.db', '  nodes: 3',
  '  - a', '- x', 'port', ': ', '? key', '&anchor', '*anchor', '<<: *anchor', '!!binary aGk=', '!!js/function "f(){}"', '!!python/object:os.system',
  '---', '...', '%YAML 1.2', '%TAG ! tag:evil,2026:', '{', '}', '[', ']', '"', "'", '|', '>-', '#', '\t', '  ', '', '\\', '~', 'null', 'true', '0x1F',
  '1e400', '.inf', '-.nan', '2026-12-24', '"\\u0000"', '\\x00', '__proto__:', 'constructor:', '  __proto__: {polluted: true}',
];

const yamlSoup = fc.array(fc.oneof(fc.constantFrom(...YAML_PIECES), fc.constantFrom(...HOSTILE_FRAGMENTS), fc.string({ unit: 'binary', maxLength: 8 })), { maxLength: 16 })
  .chain((pieces) => fc.array(fc.constantFrom('\n', ' ', '', '\n  ', ': '), { minLength: pieces.length, maxLength: pieces.length })
    .map((separators) => pieces.map((piece, index) => `${piece}${separators[index] ?? ''}`).join('')));

/** A "billion laughs" document: aliases of aliases; the reader must refuse it quickly, not expand it. */
const aliasBomb = fc.integer({ min: 2, max: 12 }).map((levels) => {
  const lines = ['a0: &a0 [x, x, x, x, x, x, x, x, x, x]'];
  for (let level = 1; level <= levels; level++) lines.push(`a${level}: &a${level} [${Array.from({ length: 10 }, () => `*a${level - 1}`).join(', ')}]`);
  return `http:\n  host: *a${levels}\n${lines.map((line) => `  ${line}`).join('\n')}\n`;
});

const sections = [...new Set(settingList.map((definition) => definition.path.split('.')[0] ?? ''))];

/** A value the setting accepts, where one is known (its default, in file form). */
function validValue(definition: SettingDefinition<unknown>): unknown {
  const candidates = [definition.defaultText, definition.defaultValue, definition.defaultText?.split(',')];
  return candidates.find((candidate) => candidate !== undefined && definition.schema.safeParse(candidate).success);
}

const secretText = fc.stringMatching(/^[A-Za-z0-9]{16,40}$/).map((text) => `Sx9${text}`);

const wrongValue: fc.Arbitrary<unknown> = fc.oneof(
  fc.constantFrom(...HOSTILE_FRAGMENTS),
  anyText(5000),
  fc.integer(),
  fc.double(),
  fc.boolean(),
  fc.constant(null),
  fc.array(fc.oneof(fc.string({ maxLength: 10 }), fc.integer()), { maxLength: 4 }),
  fc.dictionary(fc.string({ maxLength: 8 }), fc.string({ maxLength: 8 }), { maxKeys: 3 }),
);

interface NearValid {
  readonly document: Record<string, unknown>;
  readonly secrets: string[];
}

/** Most settings of a few sections right, a few wrong: a wrong type, a hostile or huge string, a typo in a key. */
const nearValidSettings: fc.Arbitrary<NearValid> = fc
  .record({
    chosen: fc.subarray([...settingList], { minLength: 1, maxLength: 8 }),
    wrong: fc.array(fc.tuple(fc.nat(), wrongValue), { maxLength: 3 }),
    secrets: fc.array(secretText, { minLength: 4, maxLength: 4 }),
    typo: fc.option(fc.tuple(fc.nat(), fc.constantFrom('x', 's', '_', 'Port', '.'))),
    oddSection: fc.option(fc.tuple(fc.constantFrom(...sections, 'slak', 'HTTP', ''), fc.oneof(fc.constant(null), fc.string({ maxLength: 5 }), fc.array(fc.integer(), { maxLength: 2 })))),
  })
  .map(({ chosen, wrong, secrets, typo, oddSection }) => {
    const document: Record<string, unknown> = {};
    const usedSecrets: string[] = [];
    chosen.forEach((definition, index) => {
      const override = wrong.find(([at]) => at % chosen.length === index);
      let value: unknown = override === undefined ? validValue(definition) : override[1];
      if (definition.secret && override === undefined) {
        value = secrets[usedSecrets.length % secrets.length];
        usedSecrets.push(String(value));
      }
      if (value === undefined) return;
      // Settings nest (kured.helm.chart): walk down, making the groups on the way.
      const parts = definition.path.split('.');
      const last = parts.pop() ?? '';
      let group = document;
      for (const part of parts) {
        const next = group[part];
        group = typeof next === 'object' && next !== null && !Array.isArray(next) ? (next as Record<string, unknown>) : (group[part] = {});
      }
      group[typo !== null && typo[0] % chosen.length === index ? `${last}${typo[1]}` : last] = value;
    });
    if (oddSection !== null) document[oddSection[0]] = oddSection[1];
    return { document, secrets: usedSecrets };
  });

describe('fuzz: configuration', () => {
  it('reads arbitrary YAML text, YAML-ish soups and alias bombs, or names the line at fault', async (context) => {
    const text = fc.oneof({ weight: 3, arbitrary: anyText(2000) }, { weight: 6, arbitrary: yamlSoup }, { weight: 1, arbitrary: aliasBomb });
    await fuzzSync({ context, target: 'config: YAML text', arbitrary: text }, (yaml) => {
      expectConfigOrError(() => parseSettingsYaml(yaml, 'patchwindow.yaml'));
    });
  });

  it('loads nearly right settings files, or names the setting at fault without showing secrets', async (context) => {
    const directory = dirs.make();
    const path = join(directory, 'patchwindow.yaml');
    await fuzzSync({ context, target: 'config: near-valid settings', arbitrary: nearValidSettings }, ({ document, secrets }) => {
      writeFileSync(path, stringify(document));
      expectConfigOrError(() => loadConfig({ configPath: path, env: {}, cwd: directory }), secrets);
    });
  });

  it('loads any environment, or names the variable at fault without showing secrets', async (context) => {
    const directory = dirs.make();
    const names = [...settingList.map((definition) => definition.env), CONFIG_FILE_ENV, 'PATCHWINDOW_HTTP_PROT', 'PATCHWINDOW_', 'PATCHWINDOW_EVIL'];
    const secretEnvs = new Set(settingList.filter((definition) => definition.secret).map((definition) => definition.env));
    const env = fc.dictionary(fc.constantFrom(...names), fc.oneof(fc.constantFrom(...HOSTILE_FRAGMENTS), anyText(300), secretText), { maxKeys: 6 });
    await fuzzSync({ context, target: 'config: files and environment', arbitrary: env }, (variables) => {
      const secrets = Object.entries(variables).filter(([name, value]) => secretEnvs.has(name) && value.length >= 12).map(([, value]) => value);
      expectConfigOrError(() => loadConfig({ env: variables, cwd: directory }), secrets);
    });
  });
});
