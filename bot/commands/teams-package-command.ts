// `patchwindow teams package --app-id <guid> [--out file]`: the Teams app zip (manifest and both
// icons at the zip root) with the bot registration's app id filled in.
import { readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { zipArchive } from '../adapters/teams/zip-archive.ts';
import type { Output } from './schedule-preview-command.ts';

const TEAMS_MANIFESTS = fileURLToPath(new URL('../../manifests/teams/', import.meta.url));
const PLACEHOLDER = '00000000-0000-0000-0000-000000000000';
const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function runTeamsPackage(options: { appId: string; out?: string }, io: { readonly stdout: Output; readonly stderr: Output; readonly cwd: string }): number {
  if (!GUID.test(options.appId) || options.appId === PLACEHOLDER) {
    io.stderr.write(`patchwindow: --app-id "${options.appId}" is not a GUID; expected the bot registration's app id (MicrosoftAppId), e.g. 0b9b3a1e-8f5c-4d3e-9a2b-1c2d3e4f5a6b\n`);
    return 2;
  }
  const manifest = readFileSync(join(TEAMS_MANIFESTS, 'manifest.json'), 'utf8').replaceAll(PLACEHOLDER, options.appId.toLowerCase());
  const zip = zipArchive([
    { name: 'manifest.json', data: Buffer.from(manifest, 'utf8') },
    { name: 'color.png', data: readFileSync(join(TEAMS_MANIFESTS, 'color.png')) },
    { name: 'outline.png', data: readFileSync(join(TEAMS_MANIFESTS, 'outline.png')) },
  ]);
  const path = resolve(io.cwd, options.out ?? 'patchwindow-teams.zip');
  writeFileSync(path, zip);
  io.stdout.write(`wrote ${path} (${zip.length} bytes): manifest.json, color.png, outline.png; upload it in Teams (Apps → Manage your apps → Upload an app)\n`);
  return 0;
}
