// `patchwindow schedule preview` as a real process: exact JSON and table output, one-line
// errors with exit code 2, blackout dates read from the database, and the default zone setting.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { cliRuns } from '../../../support/cli-runs.ts';
import type { CliResult } from '../../../support/cli-runs.ts';
import { tempDirs } from '../../../support/temp-dirs.ts';

const dirs = tempDirs();
const cli = cliRuns();
let directory: string;
let database: string;

beforeEach(() => {
  directory = dirs.make('patchwindow-preview-');
  database = join(directory, 'data', 'patchwindow.db');
});

afterEach(async () => {
  await cli.killAll();
  dirs.removeAll();
});

function patchwindow(args: readonly string[], env: Record<string, string> = {}): Promise<CliResult> {
  return cli.run(args, { cwd: directory, env: { PATCHWINDOW_DB: database, ...env } });
}

function preview(spec: string, options: readonly string[], env: Record<string, string> = {}): Promise<CliResult> {
  return patchwindow(['schedule', 'preview', spec, ...options], env);
}

/** Exit code 2, nothing on stdout, exactly one line on stderr; returns that line. */
function expectOneLineFailure(result: CliResult): string {
  expect(result.code, result.stderr).toBe(2);
  expect(result.stdout).toBe('');
  expect(result.stderr).toMatch(/^patchwindow: [^\n]+\n$/);
  return result.stderr.slice(0, -1);
}

// Calendar: Tue 2026-12-01 is the first Tuesday of December, so the 2nd Tuesdays are
// 2026-12-08, 2027-01-12, 2027-02-09 and 2027-03-09; Zurich is on +01:00 until 2027-03-28.
const SECOND_TUESDAYS = 'every 2nd tue 14:00-17:00 Europe/Zurich';
const FROM = ['--from', '2026-11-25T00:00:00Z'];

describe('patchwindow schedule preview --json', () => {
  it('prints exactly a JSON array of {start, end} with the offsets of the spec\'s zone', async () => {
    const result = await preview(SECOND_TUESDAYS, [...FROM, '--count', '3', '--json']);

    expect(result.code).toBe(0);
    expect(result.stderr).toBe('');
    expect(result.stdout).toBe(
      '[{"start":"2026-12-08T14:00:00+01:00","end":"2026-12-08T17:00:00+01:00"},' +
        '{"start":"2027-01-12T14:00:00+01:00","end":"2027-01-12T17:00:00+01:00"},' +
        '{"start":"2027-02-09T14:00:00+01:00","end":"2027-02-09T17:00:00+01:00"}]\n',
    );
    expect(JSON.parse(result.stdout)).toEqual([
      { start: '2026-12-08T14:00:00+01:00', end: '2026-12-08T17:00:00+01:00' },
      { start: '2027-01-12T14:00:00+01:00', end: '2027-01-12T17:00:00+01:00' },
      { start: '2027-02-09T14:00:00+01:00', end: '2027-02-09T17:00:00+01:00' },
    ]);
  });

  it('switches offsets with daylight saving time', async () => {
    // Zurich moves to +02:00 on Sun 2027-03-28; the last Monday of March is the 29th.
    const result = await preview('every last mon of feb,mar 02:00-04:00 Europe/Zurich', [...FROM, '--count', '2', '--json']);

    expect(result.code).toBe(0);
    expect(JSON.parse(result.stdout)).toEqual([
      { start: '2027-02-22T02:00:00+01:00', end: '2027-02-22T04:00:00+01:00' },
      { start: '2027-03-29T02:00:00+02:00', end: '2027-03-29T04:00:00+02:00' },
    ]);
  });

  it('prints windows in the spec\'s zone whatever the offset of --from', async () => {
    const result = await preview(SECOND_TUESDAYS, ['--from', '2026-11-24T19:00:00-05:00', '--count', '1', '--json']);

    expect(result.code).toBe(0);
    expect(result.stdout).toBe('[{"start":"2026-12-08T14:00:00+01:00","end":"2026-12-08T17:00:00+01:00"}]\n');
  });

  it('includes a window that is still running at --from', async () => {
    const result = await preview(SECOND_TUESDAYS, ['--from', '2026-12-08T15:30:00+01:00', '--count', '1', '--json']);

    expect(result.stdout).toBe('[{"start":"2026-12-08T14:00:00+01:00","end":"2026-12-08T17:00:00+01:00"}]\n');
  });

  it('prints an empty array when the spec produces no window after --from', async () => {
    const result = await preview('once 2026-11-01 02:00 for 2h UTC', [...FROM, '--json']);

    expect(result.code).toBe(0);
    expect(result.stdout).toBe('[]\n');
    expect(result.stderr).toBe('');
  });

  it('does not create a database when skips are not asked for', async () => {
    const result = await preview(SECOND_TUESDAYS, [...FROM, '--json']);

    expect(result.code).toBe(0);
    expect(existsSync(join(directory, 'data'))).toBe(false);
  });
});

describe('patchwindow schedule preview (table)', () => {
  it('prints the canonical spec, a header and one row per window in local time and UTC', async () => {
    const result = await preview(SECOND_TUESDAYS, [...FROM, '--count', '3']);

    expect(result.code).toBe(0);
    expect(result.stderr).toBe('');
    expect(result.stdout).toBe(
      [
        'every 2nd tue 14:00-17:00 Europe/Zurich',
        '#  start (Europe/Zurich)        end                          start (UTC)        end (UTC)',
        '1  Tue 2026-12-08 14:00 +01:00  Tue 2026-12-08 17:00 +01:00  2026-12-08 13:00Z  2026-12-08 16:00Z',
        '2  Tue 2027-01-12 14:00 +01:00  Tue 2027-01-12 17:00 +01:00  2027-01-12 13:00Z  2027-01-12 16:00Z',
        '3  Tue 2027-02-09 14:00 +01:00  Tue 2027-02-09 17:00 +01:00  2027-02-09 13:00Z  2027-02-09 16:00Z',
        '',
      ].join('\n'),
    );
  });

  it('prints 5 rows by default', async () => {
    const result = await preview('every day 02:00-05:00 UTC', FROM);

    const lines = result.stdout.trimEnd().split('\n');
    expect(lines.slice(0, 2)).toEqual(['every day 02:00-05:00 UTC', '#  start (UTC)                  end                          start (UTC)        end (UTC)']);
    expect(lines.slice(2).map((line) => line.slice(0, 3))).toEqual(['1  ', '2  ', '3  ', '4  ', '5  ']);
    expect(lines[2]).toBe('1  Wed 2026-11-25 02:00 +00:00  Wed 2026-11-25 05:00 +00:00  2026-11-25 02:00Z  2026-11-25 05:00Z');
  });

  it('says so when there are no windows', async () => {
    const result = await preview('once 2026-11-01 02:00 for 2h UTC', FROM);

    expect(result.stdout).toBe('once 2026-11-01 02:00 for 2h UTC\nno windows after the given time\n');
  });
});

describe('patchwindow schedule preview errors', () => {
  it.each([
    ['an unknown word', 'every blursday 14:00-17:00 Europe/Zurich'],
    ['an impossible time', 'every day 25:00-26:00 UTC'],
    ['an unknown zone', 'every day 02:00-05:00 Mars/Olympus'],
    ['no time', 'every day'],
    ['an empty spec', ''],
  ])('exits 2 with one "cannot read" line for %s', async (_what, spec) => {
    const line = expectOneLineFailure(await preview(spec, [...FROM, '--json']));

    expect(line.startsWith('patchwindow: cannot read "')).toBe(true);
    expect(line).toContain('example: ');
  });

  it('names the fragment it could not read', async () => {
    const line = expectOneLineFailure(await preview('every blursday 14:00-17:00 Europe/Zurich', []));

    expect(line).toBe(
      'patchwindow: cannot read "blursday": expected what repeats after "every": day, weekdays (mon,tue), an ordinal weekday (2nd tue) ' +
        'or "<n> weeks on <weekdays>"; example: every 2nd tue 14:00-17:00 Europe/Zurich',
    );
  });

  it.each([
    ['no offset', '2026-11-25T00:00:00'],
    ['a date only', '2026-11-25'],
    ['garbage', 'next tuesday'],
    ['an impossible date', '2026-02-30T00:00:00Z'],
  ])('exits 2 with one line for a --from with %s', async (_what, from) => {
    const line = expectOneLineFailure(await preview(SECOND_TUESDAYS, ['--from', from, '--json']));

    expect(line).toBe(
      `patchwindow: --from "${from}" is not an ISO 8601 instant with an offset; example: --from 2026-12-01T00:00:00Z`,
    );
  });

  it.each(['0', '10001', 'abc', '-1', '2.5', ''])('exits 2 with one line for --count %j', async (count) => {
    const line = expectOneLineFailure(await preview(SECOND_TUESDAYS, [...FROM, '--count', count, '--json']));

    expect(line).toBe(`patchwindow: --count "${count}" is not a whole number from 1 to 10000; example: --count 10`);
  });

  it('accepts --count 10000, the largest', async () => {
    const result = await preview('every day 02:00-05:00 UTC', [...FROM, '--count', '10000', '--json']);

    expect(result.code).toBe(0);
    const windows = JSON.parse(result.stdout) as unknown[];
    expect(windows).toHaveLength(10_000);
    expect(windows.at(-1)).toEqual({ start: '2054-04-11T02:00:00Z', end: '2054-04-11T05:00:00Z' });
  });
});

describe('patchwindow schedule preview --with-skips', () => {
  async function storeDecemberFreeze(): Promise<void> {
    const stored = await patchwindow(['command', 'skip', '2026-12-01..2026-12-31', 'freeze']);
    expect(stored.stderr).toBe('');
    expect(stored.code).toBe(0);
    expect(stored.stdout).toBe('Added blackout #1 2026-12-01..2026-12-31 UTC (freeze). No window will overlap it.\n');
  }

  it('leaves out the windows inside stored blackout dates, which appear without it', async () => {
    await storeDecemberFreeze();

    const without = await preview(SECOND_TUESDAYS, [...FROM, '--count', '3', '--json']);
    const withSkips = await preview(SECOND_TUESDAYS, [...FROM, '--count', '3', '--json', '--with-skips']);

    expect(without.code).toBe(0);
    expect(JSON.parse(without.stdout)).toEqual([
      { start: '2026-12-08T14:00:00+01:00', end: '2026-12-08T17:00:00+01:00' },
      { start: '2027-01-12T14:00:00+01:00', end: '2027-01-12T17:00:00+01:00' },
      { start: '2027-02-09T14:00:00+01:00', end: '2027-02-09T17:00:00+01:00' },
    ]);
    expect(withSkips.code).toBe(0);
    expect(withSkips.stderr).toBe('');
    expect(JSON.parse(withSkips.stdout)).toEqual([
      { start: '2027-01-12T14:00:00+01:00', end: '2027-01-12T17:00:00+01:00' },
      { start: '2027-02-09T14:00:00+01:00', end: '2027-02-09T17:00:00+01:00' },
      { start: '2027-03-09T14:00:00+01:00', end: '2027-03-09T17:00:00+01:00' },
    ]);
  });

  it('leaves out every December window of a daily schedule', async () => {
    await storeDecemberFreeze();

    const result = await preview('every day 02:00-05:00 UTC', ['--from', '2026-11-29T00:00:00Z', '--count', '4', '--json', '--with-skips']);

    expect((JSON.parse(result.stdout) as { start: string }[]).map((window) => window.start)).toEqual([
      '2026-11-29T02:00:00Z',
      '2026-11-30T02:00:00Z',
      '2027-01-01T02:00:00Z',
      '2027-01-02T02:00:00Z',
    ]);
  });

  it('ignores a blackout that was removed', async () => {
    await storeDecemberFreeze();
    expect((await patchwindow(['command', 'unskip', '1'])).code).toBe(0);

    const result = await preview(SECOND_TUESDAYS, [...FROM, '--count', '1', '--json', '--with-skips']);

    expect(result.stdout).toBe('[{"start":"2026-12-08T14:00:00+01:00","end":"2026-12-08T17:00:00+01:00"}]\n');
  });

  it('reads the blackout dates while a bot holds the database', async () => {
    await storeDecemberFreeze();
    const bot = cli.start(['bot'], {
      cwd: directory,
      env: { PATCHWINDOW_DB: database, PATCHWINDOW_HTTP_PORT: '0', PATCHWINDOW_LOG_FORMAT: 'json' },
    });
    await bot.waitForLog((line) => line['msg'] === 'HTTP server listening');

    const result = await preview(SECOND_TUESDAYS, [...FROM, '--count', '1', '--json', '--with-skips']);

    expect(result.stderr).toBe('');
    expect(result.stdout).toBe('[{"start":"2027-01-12T14:00:00+01:00","end":"2027-01-12T17:00:00+01:00"}]\n');
  });

  it('exits 2 with one line when there is no database file, and creates none', async () => {
    const line = expectOneLineFailure(await preview(SECOND_TUESDAYS, [...FROM, '--json', '--with-skips']));

    expect(line).toBe(`patchwindow: storage error: database ${database} does not exist`);
    expect(existsSync(database)).toBe(false);
  });
});

describe('PATCHWINDOW_DEFAULT_ZONE', () => {
  it('sets the zone of a spec that names none', async () => {
    const result = await preview('every day 02:00-05:00', [...FROM, '--count', '2', '--json'], { PATCHWINDOW_DEFAULT_ZONE: 'America/New_York' });

    expect(result.code).toBe(0);
    expect(result.stderr).toBe('');
    // 2026-11-25T00:00:00Z is 19:00 on the 24th in New York, so the 25th is the first window.
    expect(result.stdout).toBe(
      '[{"start":"2026-11-25T02:00:00-05:00","end":"2026-11-25T05:00:00-05:00"},' +
        '{"start":"2026-11-26T02:00:00-05:00","end":"2026-11-26T05:00:00-05:00"}]\n',
    );
  });

  it('names the default zone in the table', async () => {
    const result = await preview('every day 02:00-05:00', [...FROM, '--count', '1'], { PATCHWINDOW_DEFAULT_ZONE: 'Asia/Tokyo' });

    expect(result.stdout.split('\n').slice(0, 3)).toEqual([
      'every day 02:00-05:00 Asia/Tokyo',
      '#  start (Asia/Tokyo)           end                          start (UTC)        end (UTC)',
      '1  Thu 2026-11-26 02:00 +09:00  Thu 2026-11-26 05:00 +09:00  2026-11-25 17:00Z  2026-11-25 20:00Z',
    ]);
  });

  it('does not override a zone the spec names', async () => {
    const result = await preview(SECOND_TUESDAYS, [...FROM, '--count', '1', '--json'], { PATCHWINDOW_DEFAULT_ZONE: 'America/New_York' });

    expect(result.stdout).toBe('[{"start":"2026-12-08T14:00:00+01:00","end":"2026-12-08T17:00:00+01:00"}]\n');
  });

  it('is UTC when not set', async () => {
    const result = await preview('every day 02:00-05:00', [...FROM, '--count', '1', '--json']);

    expect(result.stdout).toBe('[{"start":"2026-11-25T02:00:00Z","end":"2026-11-25T05:00:00Z"}]\n');
  });

  it('exits 2 with one config error line when it is not a time zone', async () => {
    const line = expectOneLineFailure(await preview('every day 02:00-05:00', FROM, { PATCHWINDOW_DEFAULT_ZONE: 'Mars/Olympus' }));

    expect(line).toMatch(/^patchwindow: config error: PATCHWINDOW_DEFAULT_ZONE="Mars\/Olympus" \(environment\): /);
  });
});
