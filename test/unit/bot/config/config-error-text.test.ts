// What a ConfigError quotes stays one short line (found by the chaos tier's fuzzing): a huge
// value, a YAML error about a long token, a key or a file name with line breaks once made
// messages of thousands of characters, or broke them over lines and overwrote them (CR). The
// YAML tokens are covered by the chaos tier (test/chaos/fuzz/config-files.test.ts).
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ConfigError } from '../../../../bot/config/config-error.ts';
import { loadConfig, parseSettingsYaml } from '../../../../bot/config/load-config.ts';
import { shownText, shownValue } from '../../../../bot/config/shown-text.ts';

let cwd: string;

beforeEach(() => {
  cwd = mkdtempSync(join(tmpdir(), 'patchwindow-config-'));
});

afterEach(() => {
  rmSync(cwd, { recursive: true, force: true });
});

function failure(run: () => unknown): string {
  try {
    run();
  } catch (error: unknown) {
    expect(error).toBeInstanceOf(ConfigError);
    return (error as Error).message;
  }
  throw new Error('expected a ConfigError');
}

describe('shownValue and shownText', () => {
  it('quote short values as JSON and cut long ones at 120 characters', () => {
    expect(shownValue('8o80')).toBe('"8o80"');
    expect(shownValue([1, 'a'])).toBe('[1,"a"]');
    const long = shownValue('x'.repeat(5000));
    expect(long).toBe(`"${'x'.repeat(118)}…`);
  });

  it('escape control characters and line separators in text quoted as it is', () => {
    expect(shownText('a\r\nb\u2028c\u0000')).toBe('a\\u000d\\u000ab\\u2028c\\u0000');
    expect(shownText('patchwindow.yaml')).toBe('patchwindow.yaml');
  });
});

describe('ConfigError messages', () => {
  it('cut a huge wrong value in the file or the environment', () => {
    const path = join(cwd, 'p.yaml');
    writeFileSync(path, `http:\n  port: "${'9'.repeat(5000)}x"\n`);
    const fromFile = failure(() => loadConfig({ configPath: path, env: {}, cwd }));
    expect(fromFile).toMatch(/^http\.port="9{118}… \(.*p\.yaml line 2\): expected /);
    expect(fromFile.length).toBeLessThan(400);
    const fromEnv = failure(() => loadConfig({ env: { PATCHWINDOW_HTTP_PORT: 'y'.repeat(5000) }, cwd }));
    expect(fromEnv).toMatch(/^PATCHWINDOW_HTTP_PORT="y{118}… \(environment\): expected /);
  });

  it('escape line breaks in a config file name and in an unknown key', () => {
    expect(failure(() => loadConfig({ env: { PATCHWINDOW_CONFIG: 'conf\r\nig.yaml' }, cwd }))).toBe('config file conf\\u000d\\u000aig.yaml (PATCHWINDOW_CONFIG) not found');
    const unknown = failure(() => parseSettingsYaml('"ht\\ntp":\n  port: 1\n', 'p.yaml'));
    expect(unknown).toMatch(/^unknown key "ht\\u000atp" \(p\.yaml line 1\)/);
    expect(unknown).not.toMatch(/[\r\n]/);
  });
});
