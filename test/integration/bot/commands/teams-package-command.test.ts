import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startCli } from '../../../support/cli-process.ts';

let directory: string;

beforeEach(() => {
  directory = mkdtempSync(join(tmpdir(), 'patchwindow-teams-package-'));
});

afterEach(() => {
  rmSync(directory, { recursive: true, force: true });
});

describe('patchwindow teams package', () => {
  it('writes the app zip with the manifest (app and bot id filled in) and both icons at its root', async () => {
    const cli = startCli(['teams', 'package', '--app-id', '0B9B3A1E-8F5C-4D3E-9A2B-1C2D3E4F5A6B', '--out', 'app.zip'], { cwd: directory, env: {} });
    expect((await cli.exited).code).toBe(0);
    const script = 'import json,sys,zipfile\nz=zipfile.ZipFile(sys.argv[1])\nassert z.testzip() is None\nm=json.loads(z.read("manifest.json"))\nprint(json.dumps({"names":z.namelist(),"id":m["id"],"bot":m["bots"][0]["botId"]}))';
    const listed = JSON.parse(execFileSync('python3', ['-c', script, join(directory, 'app.zip')], { encoding: 'utf8' })) as unknown;
    const id = '0b9b3a1e-8f5c-4d3e-9a2b-1c2d3e4f5a6b';
    expect(listed).toEqual({ names: ['manifest.json', 'color.png', 'outline.png'], id, bot: id });
  });

  it('refuses an app id that is not a GUID, writing nothing', async () => {
    const cli = startCli(['teams', 'package', '--app-id', 'my-bot', '--out', 'app.zip'], { cwd: directory, env: {} });
    expect((await cli.exited).code).toBe(2);
    expect(cli.stderr()).toBe(
      'patchwindow: --app-id "my-bot" is not a GUID; expected the bot registration\'s app id (MicrosoftAppId), e.g. 0b9b3a1e-8f5c-4d3e-9a2b-1c2d3e4f5a6b\n',
    );
    expect(existsSync(join(directory, 'app.zip'))).toBe(false);
  });
});
