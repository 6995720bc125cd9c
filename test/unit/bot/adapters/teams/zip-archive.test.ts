// The zip is checked by a real unzip implementation: Python's zipfile, run as a tiny real program.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { zipArchive } from '../../../../../bot/adapters/teams/zip-archive.ts';

function listWithPython(zip: Buffer): { name: string; size: number; content: string }[] {
  const directory = mkdtempSync(join(tmpdir(), 'patchwindow-zip-'));
  try {
    const path = join(directory, 'a.zip');
    writeFileSync(path, zip);
    const script = 'import json,sys,zipfile\nz=zipfile.ZipFile(sys.argv[1])\nassert z.testzip() is None\nprint(json.dumps([{"name":i.filename,"size":i.file_size,"content":z.read(i).decode("latin-1")} for i in z.infolist()]))';
    return JSON.parse(execFileSync('python3', ['-c', script, path], { encoding: 'utf8' })) as { name: string; size: number; content: string }[];
  } finally {
    rmSync(directory, { recursive: true, force: true });
  }
}

describe('zipArchive', () => {
  it('writes entries a standard unzip reads back byte for byte, CRCs checked', () => {
    const binary = Buffer.from([0, 1, 2, 255, 254, 10, 13]);
    const zip = zipArchive([
      { name: 'manifest.json', data: Buffer.from('{"a":1}\n') },
      { name: 'color.png', data: binary },
      { name: 'empty.txt', data: Buffer.alloc(0) },
    ]);
    expect(listWithPython(zip)).toEqual([
      { name: 'manifest.json', size: 8, content: '{"a":1}\n' },
      { name: 'color.png', size: 7, content: binary.toString('latin1') },
      { name: 'empty.txt', size: 0, content: '' },
    ]);
  });

  it('gives the same bytes for the same input', () => {
    const entries = [{ name: 'x', data: Buffer.from('y') }];
    expect(zipArchive(entries).equals(zipArchive(entries))).toBe(true);
  });

  it('refuses names that are not plain printable ASCII', () => {
    expect(() => zipArchive([{ name: 'a\\b', data: Buffer.alloc(0) }])).toThrow(RangeError);
    expect(() => zipArchive([{ name: '', data: Buffer.alloc(0) }])).toThrow(RangeError);
  });
});
