// README's promises that can drift from the code: the configuration table and the two commands.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { CONFIG_FILE_ENV, settingList } from '../../bot/config/settings.ts';

const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');
const ciScript = readFileSync(new URL('../../.ci/run', import.meta.url), 'utf8');

function tableRows(): Map<string, string[]> {
  const rows = new Map<string, string[]>();
  for (const line of readme.split('\n')) {
    const match = /^\| `([A-Za-z_]+)` \|(.*)\|$/.exec(line);
    if (match?.[1] === undefined || match[2] === undefined) continue;
    rows.set(match[1], match[2].split('|').map((cell) => cell.trim()));
  }
  return rows;
}

function shown(value: unknown): string {
  return typeof value === 'string' || typeof value === 'number' ? String(value) : JSON.stringify(value);
}

describe('README configuration table', () => {
  const rows = tableRows();

  it.each(settingList.map((definition) => [definition.env, definition] as const))('documents %s with its key and default', (_env, definition) => {
    const row = rows.get(definition.env);
    expect(row, `README has no row for ${definition.env}`).toBeDefined();
    expect(row?.[0]).toBe(`\`${definition.path}\``);
    expect(row?.[1]).toBe(definition.defaultValue === undefined ? '–' : `\`${definition.defaultText ?? shown(definition.defaultValue)}\``);
  });

  it('documents nothing that is not a setting', () => {
    const known = new Set([CONFIG_FILE_ENV, ...settingList.map((definition) => definition.env)]);
    const configRows = [...rows.keys()].filter((name) => /^(PATCHWINDOW_|SLACK_|Microsoft)/.test(name));
    expect(configRows.filter((name) => !known.has(name))).toEqual([]);
  });
});

describe('README commands', () => {
  it('gives the install-and-start and install-and-test commands', () => {
    expect(readme).toContain('```sh\nnpm ci && npm start\n```');
    expect(readme).toContain('```sh\nnpm ci && npm test\n```');
  });

  it('is what CI runs', () => {
    expect(ciScript).toMatch(/^npm ci && npm test$/m);
    expect(ciScript).toMatch(/^npm run test:browser$/m);
    expect(ciScript).toMatch(/^npm run test:chaos$/m);
    expect(readme).toContain('`npm run test:chaos`');
    expect(ciScript).toMatch(/^CLUSTER_KURED=standin npm run test:cluster$/m);
  });
});
