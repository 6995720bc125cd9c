import { renameSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { TOKEN_FILE_MAX_AGE_MS, TokenFile } from '../../../../agent/adapters/token-file.ts';
import { tempDirs } from '../../../support/temp-dirs.ts';

const dirs = tempDirs();

afterEach(() => {
  dirs.removeAll();
});

/** Replaces the file atomically, as the kubelet's projected volume does. */
function rotate(path: string, token: string): void {
  writeFileSync(`${path}.new`, token);
  renameSync(`${path}.new`, path);
}

describe('TokenFile', () => {
  it('reads the token, trimmed', async () => {
    const path = join(dirs.make(), 'token');
    writeFileSync(path, 'first-token\n');
    expect(await new TokenFile(path).token()).toBe('first-token');
  });

  it('reads the file again as soon as it is replaced', async () => {
    const path = join(dirs.make(), 'token');
    writeFileSync(path, 'first-token');
    const file = new TokenFile(path, { now: () => 0 });
    expect(await file.token()).toBe('first-token');
    rotate(path, 'second-token');
    expect(await file.token()).toBe('second-token');
  });

  it('keeps the token it read while the file is unchanged, and reads again after a minute regardless', async () => {
    const path = join(dirs.make(), 'token');
    writeFileSync(path, 'token-a');
    utimesSync(path, 1_000_000, 1_000_000);
    let now = 1_000;
    const file = new TokenFile(path, { now: () => now });
    expect(await file.token()).toBe('token-a');
    // Same inode, size and mtime: a change no stat can see (the mtime is put back).
    writeFileSync(path, 'token-b');
    utimesSync(path, 1_000_000, 1_000_000);
    now += TOKEN_FILE_MAX_AGE_MS - 1;
    expect(await file.token()).toBe('token-a');
    now += 1;
    expect(await file.token()).toBe('token-b');
  });

  it('fails with the path and the reason, never the token', async () => {
    const path = join(dirs.make(), 'token');
    writeFileSync(path, '  \n');
    await expect(new TokenFile(path).token()).rejects.toThrow(`cannot read the token file ${path}: the file is empty`);
    rmSync(path);
    await expect(new TokenFile(path).token()).rejects.toThrow(new RegExp(`^cannot read the token file ${path}: ENOENT`));
  });
});
