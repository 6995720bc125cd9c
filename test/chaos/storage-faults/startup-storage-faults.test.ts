// `patchwindow bot` started on a database it cannot use: a file that is not a database, one with
// a damaged page or cut short, one the bot's user may not write, a read-only volume, a full volume
// (fresh and existing database). Each time the real process exits 2 with one line on stderr that
// says what is wrong, and the database file is exactly as it was (nothing written to it).
// A second bot on the same database is refused by the writer lock: tested in
// test/integration/bot/commands/bot-command.test.ts (the real CLI, exit 2 with one line) and
// test/integration/storage/open-store.test.ts (another process holding it, and SIGKILL releasing it).
import { createHash } from 'node:crypto';
import { once } from 'node:events';
import { chmodSync, existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { openStore } from '../../../storage/open-store.ts';
import { SqliteDatabase } from '../../../storage/sqlite-database.ts';
import { cliRuns } from '../../support/cli-runs.ts';
import type { CliResult } from '../../support/cli-runs.ts';
import type { CliOptions } from '../../support/cli-process.ts';
import { tempDirs } from '../../support/temp-dirs.ts';
import { mountable, SmallFilesystem } from './small-filesystem.ts';

const dirs = tempDirs();
const runs = cliRuns();
const volumes: SmallFilesystem[] = [];
/** The bot runs as this user when the tests run as root (root may write any file). */
const NOBODY = { uid: 65534, gid: 65534 };
const isRoot = process.getuid?.() === 0;

afterEach(async () => {
  await runs.killAll();
  for (const volume of volumes.splice(0)) volume.unmount();
  dirs.removeAll();
});

function botOptions(path: string, extra: Partial<CliOptions> = {}): CliOptions {
  return { cwd: extra.cwd ?? dirs.make(), env: { PATCHWINDOW_HTTP_PORT: '0', PATCHWINDOW_LOG_FORMAT: 'json', PATCHWINDOW_DB: path }, ...(extra.user === undefined ? {} : { user: extra.user }) };
}

/** Runs the bot; one that has not exited after `ms` (it started after all, or hangs) is killed and reported. */
async function runBot(options: CliOptions, ms = 30_000): Promise<CliResult> {
  const bot = runs.start(['bot'], options);
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<'late'>((resolve) => {
    timer = setTimeout(() => {
      resolve('late');
    }, ms);
  });
  const outcome = await Promise.race([once(bot.child, 'close'), deadline]);
  clearTimeout(timer);
  if (outcome === 'late') {
    await bot.kill();
    throw new Error(`patchwindow bot did not exit within ${ms} ms; stderr: ${bot.stderr()}; stdout: ${bot.stdout().slice(-600)}`);
  }
  const { code, signal } = await bot.exited;
  return { code, signal, stdout: bot.stdout(), stderr: bot.stderr() };
}

/** Exit 2, exactly `line` on stderr, and no sign on stdout that the bot got as far as serving. */
function expectRefused(result: CliResult, line: string): void {
  expect({ code: result.code, stderr: result.stderr }).toEqual({ code: 2, stderr: `patchwindow: storage error: ${line}\n` });
  expect(result.stdout).not.toContain('HTTP server listening');
}

/** A digest of the database's contents (main file and write-ahead log; an empty log is no log), to prove nothing was written. */
function snapshot(path: string): Record<string, string> {
  const present = [path, `${path}-wal`].filter((file) => existsSync(file) && statSync(file).size > 0);
  return Object.fromEntries(present.map((file) => [file, createHash('sha256').update(readFileSync(file)).digest('hex')]));
}

/** Every row of every table, read without writing: what the database holds, whatever its bytes. */
async function contents(path: string): Promise<Record<string, unknown[]>> {
  const database = await SqliteDatabase.connect(path, { readOnly: true });
  try {
    const tables = await database.all("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name");
    const result: Record<string, unknown[]> = {};
    for (const { name } of tables) result[String(name)] = await database.all(`SELECT * FROM "${String(name)}" ORDER BY rowid`);
    return result;
  } finally {
    await database.close();
  }
}

/** A database the bot wrote: a few hundred audit rows, checkpointed into the main file. */
async function databaseWithHistory(path: string): Promise<void> {
  const store = await openStore(path, { now: () => new Date('2026-11-25T12:00:00Z') });
  await store.database.transaction(async (tx) => {
    for (let index = 0; index < 300; index++) {
      await tx.run("INSERT INTO audit_log (at, actor, action, subject, details) VALUES ('2026-11-25T12:00:00.000Z', 'console:alice', 'window.requested', 'window:1', ?)", [
        JSON.stringify({ index, reason: 'kernel 6.12.9 '.repeat(12) }),
      ]);
    }
  });
  await store.database.exec('PRAGMA wal_checkpoint(TRUNCATE)');
  await store.close();
}

function damagedMessage(path: string): string {
  return `database ${path} is damaged (database disk image is malformed): restore it from a backup, or move it away to start with an empty one`;
}

describe('patchwindow bot on a corrupt database file', () => {
  it('a file that is not a SQLite database: exit 2, one line, the file untouched', async () => {
    const path = join(dirs.make(), 'p.db');
    writeFileSync(path, 'this is not a database, it is what a botched restore left behind\n'.repeat(20));
    const before = snapshot(path);

    expectRefused(await runBot(botOptions(path)), `${path} is not a SQLite database`);
    expect(snapshot(path)).toEqual(before);
  });

  it('a page of garbage inside a valid database, which SQLite itself opens: exit 2, one line, untouched', async () => {
    const path = join(dirs.make(), 'p.db');
    await databaseWithHistory(path);
    const bytes = readFileSync(path);
    bytes.fill(0xa5, bytes.length - 4096);
    writeFileSync(path, bytes);
    const before = snapshot(path);

    expectRefused(await runBot(botOptions(path)), damagedMessage(path));
    expect(snapshot(path)).toEqual(before);
  });

  it('a database cut short (a copy that stopped half way): exit 2, one line, untouched', async () => {
    const path = join(dirs.make(), 'p.db');
    await databaseWithHistory(path);
    writeFileSync(path, readFileSync(path).subarray(0, 40_000));
    const before = snapshot(path);

    expectRefused(await runBot(botOptions(path)), damagedMessage(path));
    expect(snapshot(path)).toEqual(before);
  });
});

describe('patchwindow bot on a read-only database', () => {
  it(`a database file the bot's user may not write${isRoot ? ' (the bot runs as nobody: root may write anything)' : ''}: exit 2, one line, untouched`, async () => {
    const directory = dirs.make();
    chmodSync(directory, 0o777);
    const path = join(directory, 'p.db');
    await databaseWithHistory(path);
    chmodSync(path, 0o444);
    const before = snapshot(path);

    const result = await runBot(botOptions(path, { cwd: directory, ...(isRoot ? { user: NOBODY } : {}) }));

    expectRefused(
      result,
      `database ${path} cannot be written (${path}: permission denied): the bot must be able to write its database; check the file's owner and mode, and that its volume is not read-only`,
    );
    expect(snapshot(path)).toEqual(before);
  });

  it.skipIf(!mountable)('a volume mounted read-only (a real tmpfs; needs root to mount): exit 2, one line, untouched', async () => {
    const volume = SmallFilesystem.mount(8192);
    volumes.push(volume);
    const path = join(volume.path, 'p.db');
    await databaseWithHistory(path);
    const before = snapshot(path);
    volume.readOnly();

    expectRefused(await runBot(botOptions(path)), `database directory ${volume.path} for ${path} cannot be created or written: read-only file system`);
    expect(snapshot(path)).toEqual(before);
  });
});

describe.skipIf(!mountable)('patchwindow bot on a full volume (a real tmpfs filled to the last byte; needs root to mount)', () => {
  it('a new database: exit 2, one line, no database file left behind', async () => {
    const volume = SmallFilesystem.mount(8192);
    volumes.push(volume);
    volume.fill();
    const path = join(volume.path, 'p.db');

    expectRefused(await runBot(botOptions(path)), `database ${path} cannot be written: no space left on its volume`);
    expect(existsSync(path)).toBe(false);
  });

  it('the database of an earlier run: exit 2, one line, the database untouched', async () => {
    const volume = SmallFilesystem.mount(8192);
    volumes.push(volume);
    const path = join(volume.path, 'p.db');
    // A bot ran here and stopped cleanly; then the volume filled up.
    const first = runs.start(['bot'], botOptions(path));
    await first.waitForLog((line) => line['msg'] === 'HTTP server listening');
    first.child.kill('SIGTERM');
    expect((await first.exited).code).toBe(0);
    volume.fill();
    const before = snapshot(path);

    const result = await runBot(botOptions(path));

    expectRefused(result, `database ${path} cannot be written: no space left on its volume`);
    expect(snapshot(path)).toEqual(before);
  });

  it('the database of a bot that was killed: it opens, the first write fails, and the bot exits 2 instead of hanging half started', async () => {
    const volume = SmallFilesystem.mount(8192);
    volumes.push(volume);
    const path = join(volume.path, 'p.db');
    // Killed, its write-ahead log and shared-memory file stay: the next start can open and read without new space.
    const first = runs.start(['bot'], botOptions(path));
    await first.waitForLog((line) => line['msg'] === 'HTTP server listening');
    await first.kill();
    const before = await contents(path);
    volume.fill();

    const result = await runBot(botOptions(path));

    expect(result.stdout).toContain('"msg":"database open"');
    expectRefused(result, `database ${path} cannot be written: no space left on its volume`);
    // Closing checkpointed the log into the file, so the bytes moved; what the database holds did not.
    volume.free();
    expect(await contents(path)).toEqual(before);
  });
});
