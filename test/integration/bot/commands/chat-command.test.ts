// `patchwindow command <text>` as a real process: the reply on stdout and exit 0, or one line on
// stderr and exit 2 with nothing stored; refused while a bot holds the database.
import { userInfo } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openStoreReadOnly } from '../../../../storage/open-store.ts';
import type { SqliteDatabase } from '../../../../storage/sqlite-database.ts';
import { cliRuns } from '../../../support/cli-runs.ts';
import type { CliResult } from '../../../support/cli-runs.ts';
import { openDatabases } from '../../../support/databases.ts';
import { rowCounts } from '../../../support/stores.ts';
import { tempDirs } from '../../../support/temp-dirs.ts';

const dirs = tempDirs();
const databases = openDatabases();
const cli = cliRuns();
let directory: string;
let database: string;

beforeEach(() => {
  directory = dirs.make('patchwindow-command-');
  database = join(directory, 'data', 'patchwindow.db');
});

afterEach(async () => {
  await cli.killAll();
  await databases.closeAll();
  dirs.removeAll();
});

/** The actor the CLI records: the OS user running it (the same user as this test). */
const CLI_ACTOR = `cli:${userInfo().username}`;

function command(words: readonly string[], env: Record<string, string> = {}): Promise<CliResult> {
  return cli.run(['command', ...words], { cwd: directory, env: { PATCHWINDOW_DB: database, ...env } });
}

/** Opens the database the CLI wrote, read-only, after the CLI has exited. */
async function stored(): Promise<SqliteDatabase> {
  return databases.track(await openStoreReadOnly(database));
}

const NIGHTLY_WORDS = ['schedule', 'add', 'every', 'day', '02:00-05:00', '--name', 'nightly'];

describe('patchwindow command', () => {
  it.each([
    ['as separate words', NIGHTLY_WORDS],
    ['as one quoted argument', [NIGHTLY_WORDS.join(' ')]],
  ])('runs schedule add given %s: exit 0, reply on stdout, schedule and audit entry stored', async (_how, words) => {
    const result = await command(words);

    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    const lines = result.stdout.split('\n');
    expect(lines).toHaveLength(3);
    expect(lines[0]).toBe('Added schedule #1 nightly: every day 02:00-05:00 UTC (approval required)');
    // The CLI runs at the real current time, so only the shape of the next window is fixed.
    expect(lines[1]).toMatch(/^Next window: (Mon|Tue|Wed|Thu|Fri|Sat|Sun) \d{4}-\d{2}-\d{2} 02:00 → 05:00 UTC \(02:00 → 05:00 UTC\)$/);
    expect(lines[2]).toBe('');

    const db = await stored();
    expect(await db.all('SELECT id, name, spec_text, canonical, approval, created_by, removed_at FROM schedules')).toEqual([
      {
        id: 1,
        name: 'nightly',
        spec_text: 'every day 02:00-05:00',
        canonical: 'every day 02:00-05:00 UTC',
        approval: 'required',
        created_by: CLI_ACTOR,
        removed_at: null,
      },
    ]);
    expect(await db.all('SELECT actor, action, subject, details FROM audit_log')).toEqual([
      {
        actor: CLI_ACTOR,
        action: 'schedule.added',
        subject: 'schedule:1',
        details: JSON.stringify({ name: 'nightly', spec: 'every day 02:00-05:00', canonical: 'every day 02:00-05:00 UTC', approval: 'required' }),
      },
    ]);
  });

  it('uses PATCHWINDOW_DEFAULT_ZONE for a spec that names no zone', async () => {
    const result = await command(NIGHTLY_WORDS, { PATCHWINDOW_DEFAULT_ZONE: 'Europe/Zurich' });

    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^Added schedule #1 nightly: every day 02:00-05:00 Europe\/Zurich \(approval required\)\n/);
  });

  it('sees what earlier runs stored: list, then remove', async () => {
    expect((await command(NIGHTLY_WORDS)).code).toBe(0);

    const list = await command(['schedule', 'list']);
    expect(list.code).toBe(0);
    expect(list.stdout).toMatch(/^#1 nightly every day 02:00-05:00 UTC \(approval required\)\n {4}next: .+ 02:00 → 05:00 UTC \(02:00 → 05:00 UTC\)\n$/);

    const remove = await command(['schedule', 'remove', 'nightly']);
    expect(remove).toMatchObject({ code: 0, stdout: 'Removed schedule #1 nightly: every day 02:00-05:00 UTC\n', stderr: '' });

    const db = await stored();
    expect(await db.all('SELECT action FROM audit_log ORDER BY id')).toEqual([{ action: 'schedule.added' }, { action: 'schedule.removed' }]);
  });

  it('exits 2 with the reply as one line on stderr for a bad spec, storing nothing', async () => {
    const result = await command(['schedule', 'add', 'every', 'blursday', '14:00-17:00', '--name', 'nightly']);

    expect(result.code).toBe(2);
    expect(result.stdout).toBe('');
    expect(result.stderr).toBe(
      'patchwindow: cannot read "blursday": expected what repeats after "every": day, weekdays (mon,tue), an ordinal weekday (2nd tue) ' +
        'or "<n> weeks on <weekdays>"; example: every 2nd tue 14:00-17:00 Europe/Zurich; ' +
        'usage: schedule add <spec> [--name <name>] [--approval required|pre-approved] (see "help schedule add")\n',
    );
    expect(await rowCounts(await stored())).toEqual({ schedules: 0, skips: 0, audit_log: 0 });
  });

  it.each([
    [['schedul', 'list'], 'patchwindow: unknown command "schedul"; did you mean "schedule"? (see "help" for the commands)\n'],
    [['skip', '2026-12-31..2026-12-01'], /^patchwindow: cannot read "2026-12-31\.\.2026-12-01": expected the first date on or before the last date; /],
    [['unskip', '3'], 'patchwindow: no blackout #3 (see "skips")\n'],
    [['schedule', 'add', 'every day 02:00-05:00', '--approval', 'maybe'], /^patchwindow: --approval "maybe" must be required or pre-approved; /],
    [['schedule add "every day 02:00-05:00'], 'patchwindow: a quote is not closed (expected ")\n'],
  ])('exits 2 with one line on stderr and stores nothing: %j', async (words, expected) => {
    const result = await command(words);

    expect(result.code).toBe(2);
    expect(result.stdout).toBe('');
    expect(result.stderr).toMatch(/^patchwindow: [^\n]+\n$/);
    if (typeof expected === 'string') expect(result.stderr).toBe(expected);
    else expect(result.stderr).toMatch(expected);
    expect(await rowCounts(await stored())).toEqual({ schedules: 0, skips: 0, audit_log: 0 });
  });

  it('refuses a duplicate --name with exit 2 and keeps the first schedule only', async () => {
    expect((await command(NIGHTLY_WORDS)).code).toBe(0);

    const result = await command(['schedule', 'add', 'every', 'sat', '23:00-03:00', '--name', 'nightly']);

    expect(result).toMatchObject({
      code: 2,
      stdout: '',
      stderr: 'patchwindow: a schedule named nightly exists already (#1); pick another --name\n',
    });
    expect(await rowCounts(await stored())).toEqual({ schedules: 1, skips: 0, audit_log: 1 });
  });

  it('exits 2 with one storage error line while a bot holds the database, and works once the bot stopped', async () => {
    const bot = cli.start(['bot'], {
      cwd: directory,
      env: { PATCHWINDOW_DB: database, PATCHWINDOW_HTTP_PORT: '0', PATCHWINDOW_LOG_FORMAT: 'json' },
    });
    await bot.waitForLog((line) => line['msg'] === 'HTTP server listening');

    const refused = await command(['schedule', 'list']);

    expect(refused.code).toBe(2);
    expect(refused.stdout).toBe('');
    expect(refused.stderr).toBe(
      `patchwindow: storage error: database ${database} is in use by another patchwindow process; only one bot may use a database file\n`,
    );
    // A change is refused the same way, and nothing reaches the database.
    const change = await command(NIGHTLY_WORDS);
    expect(change.code).toBe(2);
    expect(change.stderr).toContain('is in use by another patchwindow process');

    bot.child.kill('SIGTERM');
    expect((await bot.exited).code).toBe(0);
    const after = await command(['schedule', 'list']);
    expect(after).toMatchObject({
      code: 0,
      stdout: 'No schedules. Add one with "schedule add <spec>" (see "help schedule add").\n',
      stderr: '',
    });
  });
});
