// manifests/teams/ matches what the adapter does and what Teams accepts: one bot in the team and
// personal scopes, commands the grammar knows (and `bind`), ids to be replaced by the app id, and
// icons of the required sizes (the outline one white on transparent).
import { readFileSync } from 'node:fs';
import { inflateSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { helpText } from '../../../../../bot/core/commands/help-text.ts';

interface Manifest {
  manifestVersion: string;
  id: string;
  icons: { color: string; outline: string };
  name: { short: string; full: string };
  description: { short: string; full: string };
  bots: { botId: string; scopes: string[]; isNotificationOnly: boolean; commandLists: { scopes: string[]; commands: { title: string; description: string }[] }[] }[];
}

const folder = new URL('../../../../../manifests/teams/', import.meta.url);
const manifest = JSON.parse(readFileSync(new URL('manifest.json', folder), 'utf8')) as Manifest;
const PLACEHOLDER = '00000000-0000-0000-0000-000000000000';

/** Width, height and RGBA pixels of a non-interlaced 8-bit RGBA PNG (as the icons are written). */
function decodePng(file: string): { width: number; height: number; pixels: Buffer } {
  const data = readFileSync(new URL(file, folder));
  expect(data.subarray(0, 8)).toEqual(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]));
  let offset = 8;
  let width = 0;
  let height = 0;
  const idat: Buffer[] = [];
  while (offset < data.length) {
    const length = data.readUInt32BE(offset);
    const type = data.toString('ascii', offset + 4, offset + 8);
    const body = data.subarray(offset + 8, offset + 8 + length);
    if (type === 'IHDR') {
      width = body.readUInt32BE(0);
      height = body.readUInt32BE(4);
      expect([body[8], body[9], body[12]]).toEqual([8, 6, 0]);
    }
    if (type === 'IDAT') idat.push(body);
    offset += 12 + length;
  }
  const raw = inflateSync(Buffer.concat(idat));
  const pixels = Buffer.alloc(width * height * 4);
  for (let y = 0; y < height; y++) {
    expect(raw[y * (width * 4 + 1)]).toBe(0);
    raw.copy(pixels, y * width * 4, y * (width * 4 + 1) + 1, (y + 1) * (width * 4 + 1));
  }
  return { width, height, pixels };
}

describe('the Teams app manifest', () => {
  it('has one conversational bot in the team and personal scopes, with the app id as placeholder for both ids', () => {
    expect(manifest.manifestVersion).toBe('1.17');
    expect(manifest.id).toBe(PLACEHOLDER);
    expect(manifest.bots).toHaveLength(1);
    expect(manifest.bots[0]).toMatchObject({ botId: PLACEHOLDER, scopes: ['team', 'personal'], isNotificationOnly: false });
    expect(manifest.name.short.length).toBeLessThanOrEqual(30);
    expect(manifest.description.short.length).toBeLessThanOrEqual(80);
  });

  it('lists commands the shared grammar (or the adapter: bind) knows, at most ten per scope, within Teams’ lengths', () => {
    const lists = manifest.bots[0]?.commandLists ?? [];
    expect(lists.map((list) => list.scopes)).toEqual([['team'], ['personal']]);
    for (const list of lists) {
      expect(list.commands.length).toBeLessThanOrEqual(10);
      for (const command of list.commands) {
        expect(command.title.length).toBeLessThanOrEqual(32);
        expect(command.description.length).toBeLessThanOrEqual(128);
        if (command.title === 'bind') continue;
        expect(helpText([command.title]).ok, `help ${command.title}`).toBe(true);
      }
      expect(list.commands.map((command) => command.title)).toEqual(expect.arrayContaining(['status', 'nodes', 'open', 'close', 'help']));
    }
    expect(lists[0]?.commands.map((command) => command.title)).toContain('bind');
  });

  it('has a 192×192 colour icon and a 32×32 outline icon that is white on transparent', () => {
    expect(manifest.icons).toEqual({ color: 'color.png', outline: 'outline.png' });
    const color = decodePng('color.png');
    expect([color.width, color.height]).toEqual([192, 192]);
    const outline = decodePng('outline.png');
    expect([outline.width, outline.height]).toEqual([32, 32]);
    let opaque = 0;
    for (let index = 0; index < outline.pixels.length; index += 4) {
      const [r, g, b, a] = [outline.pixels[index], outline.pixels[index + 1], outline.pixels[index + 2], outline.pixels[index + 3]];
      if (a === 0) continue;
      opaque++;
      expect([r, g, b]).toEqual([255, 255, 255]);
    }
    expect(opaque).toBeGreaterThan(0);
    expect(opaque).toBeLessThan(32 * 32);
  });
});
