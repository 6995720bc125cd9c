// handleCommandText end to end: chat text in, reply out, against a real migrated store. Every
// change must come with its audit entry, and bad input must change nothing at all.
import { afterEach, describe, expect, it } from 'vitest';
import type { CommandContext, Reply } from '../../../../../bot/core/commands/command-context.ts';
import { handleCommandText } from '../../../../../bot/core/commands/execute-command.ts';
import type { OpenedStore } from '../../../../../storage/open-store.ts';
import { repositoriesOn, SqliteTransactions } from '../../../../../storage/sqlite-repositories.ts';
import { openDatabases } from '../../../../support/databases.ts';
import { openTempStore, rowCounts } from '../../../../support/stores.ts';
import { tempDirs } from '../../../../support/temp-dirs.ts';

const dirs = tempDirs();
const databases = openDatabases();

afterEach(async () => {
  await databases.closeAll();
  dirs.removeAll();
});

// A Wednesday. Calendar: Tue 2026-12-01 is the first Tuesday of December, so the 2nd Tuesdays
// are 2026-12-08, 2027-01-12 and 2027-02-09; Zurich is on +01:00 until 2027-03-28.
const NOW = new Date('2026-11-25T12:00:00Z');
const ACTOR = 'console:alice';

interface Chat {
  readonly store: OpenedStore;
  readonly say: (text: string, actor?: string) => Promise<Reply>;
  /** Asserts the reply is ok and returns its text. */
  readonly ok: (text: string, actor?: string) => Promise<string>;
}

async function chat(): Promise<Chat> {
  const store = await openTempStore(dirs, databases, NOW);
  const context = (actor: string): CommandContext => ({
    actor,
    now: NOW,
    defaultZone: 'Europe/Zurich',
    repositories: repositoriesOn(store.database),
    transactions: new SqliteTransactions(store.database),
  });
  const say = (text: string, actor = ACTOR): Promise<Reply> => handleCommandText(text, context(actor));
  return {
    store,
    say,
    ok: async (text, actor) => {
      const reply = await say(text, actor);
      expect(reply, `reply to "${text}"`).toMatchObject({ ok: true });
      return reply.text;
    },
  };
}

async function auditRows(store: OpenedStore): Promise<Record<string, unknown>[]> {
  const rows = await store.database.all('SELECT id, at, actor, action, subject, details FROM audit_log ORDER BY id');
  return rows.map((row) => ({ ...row, details: JSON.parse(String(row['details'])) as unknown }));
}

describe('schedule add', () => {
  it('replies with the canonical form and the next window', async () => {
    const { say } = await chat();

    expect(await say('schedule add every 2nd tue 14:00-17:00 --name patch-tuesday')).toEqual({
      ok: true,
      text:
        'Added schedule #1 patch-tuesday: every 2nd tue 14:00-17:00 Europe/Zurich (approval required)\n' +
        'Next window: Tue 2026-12-08 14:00 → 17:00 Europe/Zurich (13:00 → 16:00 UTC)',
    });
  });

  it('stores the spec as typed and its canonical form, with the actor and time', async () => {
    const { store, ok } = await chat();

    await ok('schedule add Every 2nd TUE 14:00-17:00 europe/zurich --approval pre-approved --name patch');

    expect(await store.database.all('SELECT * FROM schedules')).toEqual([
      {
        id: 1,
        name: 'patch',
        spec_text: 'Every 2nd TUE 14:00-17:00 europe/zurich',
        canonical: 'every 2nd tue 14:00-17:00 Europe/Zurich',
        approval: 'pre-approved',
        created_by: 'console:alice',
        created_at: '2026-11-25T12:00:00.000Z',
        removed_by: null,
        removed_at: null,
      },
    ]);
  });

  it('records schedule.added with name, spec, canonical form and approval', async () => {
    const { store, ok } = await chat();

    await ok('schedule add every 2nd tue 14:00-17:00 --name patch');
    await ok('schedule add "every last fri" 22:00 for 4h UTC --approval=pre-approved', 'console:bob');

    expect(await auditRows(store)).toEqual([
      {
        id: 1,
        at: '2026-11-25T12:00:00.000Z',
        actor: 'console:alice',
        action: 'schedule.added',
        subject: 'schedule:1',
        details: { name: 'patch', spec: 'every 2nd tue 14:00-17:00', canonical: 'every 2nd tue 14:00-17:00 Europe/Zurich', approval: 'required' },
      },
      {
        id: 2,
        at: '2026-11-25T12:00:00.000Z',
        actor: 'console:bob',
        action: 'schedule.added',
        subject: 'schedule:2',
        details: { name: null, spec: 'every last fri 22:00 for 4h UTC', canonical: 'every last fri 22:00 for 4h UTC', approval: 'pre-approved' },
      },
    ]);
  });

  it('shows a window that crosses midnight with both dates', async () => {
    const { ok } = await chat();

    expect(await ok('schedule add every last fri 22:00 for 4h UTC')).toBe(
      'Added schedule #1: every last fri 22:00 for 4h UTC (approval required)\n' +
        'Next window: Fri 2026-11-27 22:00 → Sat 2026-11-28 02:00 UTC (22:00 → 11-28 02:00 UTC)',
    );
  });

  it('says so when the schedule produces no window from now on, and still stores it', async () => {
    const { store, ok } = await chat();

    expect(await ok('schedule add every day 02:00-05:00 until 2026-11-01')).toBe(
      'Added schedule #1: every day 02:00-05:00 until 2026-11-01 Europe/Zurich (approval required)\nIt produces no window from now on.',
    );
    expect(await rowCounts(store.database)).toEqual({ schedules: 1, skips: 0, audit_log: 1 });
  });

  it('gives the next window after the blackout dates already stored', async () => {
    const { ok } = await chat();
    await ok('skip 2026-12-01..2026-12-31 freeze');

    expect(await ok('schedule add every 2nd tue 14:00-17:00')).toBe(
      'Added schedule #1: every 2nd tue 14:00-17:00 Europe/Zurich (approval required)\n' +
        'Next window: Tue 2027-01-12 14:00 → 17:00 Europe/Zurich (13:00 → 16:00 UTC)',
    );
  });

  it('refuses a duplicate --name and stores nothing more', async () => {
    const { store, ok, say } = await chat();
    await ok('schedule add every day 02:00-05:00 --name nightly');

    expect(await say('schedule add every sat 23:00-03:00 Europe/London --name nightly', 'console:bob')).toEqual({
      ok: false,
      text: 'a schedule named nightly exists already (#1); pick another --name',
    });
    expect(await rowCounts(store.database)).toEqual({ schedules: 1, skips: 0, audit_log: 1 });
    expect(await store.database.all('SELECT id, canonical FROM schedules')).toEqual([{ id: 1, canonical: 'every day 02:00-05:00 Europe/Zurich' }]);
  });

  it('lets a new schedule take the name of a removed one', async () => {
    const { store, ok } = await chat();
    await ok('schedule add every day 02:00-05:00 --name nightly');
    await ok('schedule remove nightly');

    expect(await ok('schedule add every day 03:00-04:00 --name nightly')).toMatch(/^Added schedule #2 nightly: every day 03:00-04:00 Europe\/Zurich /);
    expect(await rowCounts(store.database)).toEqual({ schedules: 2, skips: 0, audit_log: 3 });
  });
});

describe('schedule list', () => {
  it('says there are none on an empty store', async () => {
    const { ok } = await chat();

    expect(await ok('schedule list')).toBe('No schedules. Add one with "schedule add <spec>" (see "help schedule add").');
  });

  it('lists each active schedule with its next window, oldest first', async () => {
    const { ok } = await chat();
    await ok('schedule add every 2nd tue 14:00-17:00 --name patch');
    await ok('schedule add every sat 23:00-03:00 Europe/London --approval pre-approved');

    expect(await ok('schedule list')).toBe(
      [
        '#1 patch every 2nd tue 14:00-17:00 Europe/Zurich (approval required)',
        '    next: Tue 2026-12-08 14:00 → 17:00 Europe/Zurich (13:00 → 16:00 UTC)',
        '#2 every sat 23:00-03:00 Europe/London (approval pre-approved)',
        '    next: Sat 2026-11-28 23:00 → Sun 2026-11-29 03:00 Europe/London (23:00 → 11-29 03:00 UTC)',
      ].join('\n'),
    );
  });

  it('moves the next window past a blackout range, and back when the blackout is removed', async () => {
    const { ok } = await chat();
    await ok('schedule add every 2nd tue 14:00-17:00 --name patch');
    expect(await ok('schedule list')).toContain('    next: Tue 2026-12-08 14:00 → 17:00 Europe/Zurich (13:00 → 16:00 UTC)');

    await ok('skip 2026-12-08 patch day freeze');

    expect(await ok('schedule list')).toBe(
      '#1 patch every 2nd tue 14:00-17:00 Europe/Zurich (approval required)\n' +
        '    next: Tue 2027-01-12 14:00 → 17:00 Europe/Zurich (13:00 → 16:00 UTC)',
    );

    await ok('unskip 1');

    expect(await ok('schedule list')).toContain('    next: Tue 2026-12-08 14:00 → 17:00 Europe/Zurich (13:00 → 16:00 UTC)');
  });

  it('applies a blackout to whole days in its own zone, not in the window\'s', async () => {
    const { ok } = await chat();
    // 08:00 in Tokyo is 23:00 UTC the day before; now is 21:00 on the 25th in Tokyo.
    await ok('schedule add every day 08:00-08:30 Asia/Tokyo');
    expect(await ok('schedule list')).toContain('    next: Thu 2026-11-26 08:00 → 08:30 Asia/Tokyo (Wed 2026-11-25 23:00 → 23:30 UTC)');

    // The UTC day 2026-11-25 ends at 09:00 on the 26th in Tokyo, so it covers the window of the 26th.
    await ok('skip 2026-11-25 UTC');
    expect(await ok('schedule list')).toContain('    next: Fri 2026-11-27 08:00 → 08:30 Asia/Tokyo (Thu 2026-11-26 23:00 → 23:30 UTC)');

    await ok('skip 2026-11-27 Asia/Tokyo');
    expect(await ok('schedule list')).toContain('    next: Sat 2026-11-28 08:00 → 08:30 Asia/Tokyo (Fri 2026-11-27 23:00 → 23:30 UTC)');
  });

  it('leaves removed schedules out', async () => {
    const { ok } = await chat();
    await ok('schedule add every day 02:00-05:00 --name nightly');
    await ok('schedule add every sat 23:00-03:00 --name weekend');
    await ok('schedule remove nightly');

    expect(await ok('schedule list')).toMatch(/^#2 weekend every sat 23:00-03:00 Europe\/Zurich \(approval required\)\n {4}next: /);
  });

  it('says so for a stored schedule this version cannot evaluate', async () => {
    const { store, ok } = await chat();
    await store.database.run(
      "INSERT INTO schedules (name, spec_text, canonical, approval, created_by, created_at) VALUES ('future', 'x', 'every fortnight on a blue moon', 'required', 'console:alice', '2026-11-25T12:00:00.000Z')",
    );

    expect(await ok('schedule list')).toBe(
      '#1 future every fortnight on a blue moon (approval required)\n    next: cannot be evaluated by this version',
    );
  });
});

describe('schedule remove', () => {
  it('removes by id (with or without #) and by name, recording schedule.removed', async () => {
    const { store, ok } = await chat();
    await ok('schedule add every day 02:00-05:00 --name nightly');
    await ok('schedule add every sat 23:00-03:00');
    await ok('schedule add every 2nd tue 14:00-17:00 --name patch');

    expect(await ok('schedule remove 2', 'console:bob')).toBe('Removed schedule #2: every sat 23:00-03:00 Europe/Zurich');
    expect(await ok('schedule remove nightly', 'console:bob')).toBe('Removed schedule #1 nightly: every day 02:00-05:00 Europe/Zurich');
    expect(await ok('schedule remove #3', 'console:bob')).toBe('Removed schedule #3 patch: every 2nd tue 14:00-17:00 Europe/Zurich');

    expect((await auditRows(store)).slice(3)).toEqual([
      {
        id: 4,
        at: '2026-11-25T12:00:00.000Z',
        actor: 'console:bob',
        action: 'schedule.removed',
        subject: 'schedule:2',
        details: { name: null, canonical: 'every sat 23:00-03:00 Europe/Zurich' },
      },
      {
        id: 5,
        at: '2026-11-25T12:00:00.000Z',
        actor: 'console:bob',
        action: 'schedule.removed',
        subject: 'schedule:1',
        details: { name: 'nightly', canonical: 'every day 02:00-05:00 Europe/Zurich' },
      },
      {
        id: 6,
        at: '2026-11-25T12:00:00.000Z',
        actor: 'console:bob',
        action: 'schedule.removed',
        subject: 'schedule:3',
        details: { name: 'patch', canonical: 'every 2nd tue 14:00-17:00 Europe/Zurich' },
      },
    ]);
    expect(await store.database.all('SELECT id, removed_by, removed_at FROM schedules ORDER BY id')).toEqual([
      { id: 1, removed_by: 'console:bob', removed_at: '2026-11-25T12:00:00.000Z' },
      { id: 2, removed_by: 'console:bob', removed_at: '2026-11-25T12:00:00.000Z' },
      { id: 3, removed_by: 'console:bob', removed_at: '2026-11-25T12:00:00.000Z' },
    ]);
    expect(await ok('schedule list')).toBe('No schedules. Add one with "schedule add <spec>" (see "help schedule add").');
  });

  it('refuses an unknown id or name, and a second removal, recording nothing', async () => {
    const { store, ok, say } = await chat();
    await ok('schedule add every day 02:00-05:00 --name nightly');
    await ok('schedule remove 1');

    expect(await say('schedule remove 7')).toEqual({ ok: false, text: 'no schedule #7 (see "schedule list")' });
    expect(await say('schedule remove 1')).toEqual({ ok: false, text: 'no schedule #1 (see "schedule list")' });
    expect(await say('schedule remove nightly')).toEqual({ ok: false, text: 'no schedule named nightly (see "schedule list")' });
    expect(await say('schedule remove Nightly2')).toEqual({ ok: false, text: 'no schedule named Nightly2 (see "schedule list")' });
    expect(await rowCounts(store.database)).toEqual({ schedules: 1, skips: 0, audit_log: 2 });
  });
});

describe('schedule preview', () => {
  it('shows the windows and stores nothing', async () => {
    const { store, ok } = await chat();

    expect(await ok('schedule preview every 2nd tue 14:00-17:00 --count 3')).toBe(
      [
        'every 2nd tue 14:00-17:00 Europe/Zurich',
        '  Tue 2026-12-08 14:00 → 17:00 Europe/Zurich (13:00 → 16:00 UTC)',
        '  Tue 2027-01-12 14:00 → 17:00 Europe/Zurich (13:00 → 16:00 UTC)',
        '  Tue 2027-02-09 14:00 → 17:00 Europe/Zurich (13:00 → 16:00 UTC)',
      ].join('\n'),
    );
    expect(await rowCounts(store.database)).toEqual({ schedules: 0, skips: 0, audit_log: 0 });
  });

  it('defaults to 5 windows', async () => {
    const { ok } = await chat();

    expect((await ok('schedule preview every day 02:00-05:00')).split('\n')).toHaveLength(6);
  });

  it('ignores blackout dates unless --with-skips is given', async () => {
    const { store, ok } = await chat();
    await ok('skip 2026-12-01..2026-12-31 freeze');
    const before = await rowCounts(store.database);

    expect(await ok('schedule preview every 2nd tue 14:00-17:00 --count 1')).toBe(
      'every 2nd tue 14:00-17:00 Europe/Zurich\n  Tue 2026-12-08 14:00 → 17:00 Europe/Zurich (13:00 → 16:00 UTC)',
    );
    expect(await ok('schedule preview every 2nd tue 14:00-17:00 --count 1 --with-skips')).toBe(
      'every 2nd tue 14:00-17:00 Europe/Zurich (blackout dates applied)\n  Tue 2027-01-12 14:00 → 17:00 Europe/Zurich (13:00 → 16:00 UTC)',
    );
    expect(await rowCounts(store.database)).toEqual(before);
  });

  it('says so when there are no windows from now on', async () => {
    const { ok } = await chat();

    expect(await ok('schedule preview once 2026-11-01 02:00 for 2h')).toBe('once 2026-11-01 02:00 for 2h Europe/Zurich\nNo windows from now on.');
  });
});

describe('skip, skips, unskip', () => {
  it('adds blackouts in the default zone or a named one, recording skip.added', async () => {
    const { store, ok } = await chat();

    expect(await ok('skip 2026-12-20..2027-01-06 year-end freeze')).toBe(
      'Added blackout #1 2026-12-20..2027-01-06 Europe/Zurich (year-end freeze). No window will overlap it.',
    );
    expect(await ok('skip 2026-12-24 America/New_York', 'console:bob')).toBe('Added blackout #2 2026-12-24 America/New_York. No window will overlap it.');

    expect(await store.database.all('SELECT id, from_date, to_date, zone, reason, created_by, created_at FROM skips ORDER BY id')).toEqual([
      {
        id: 1,
        from_date: '2026-12-20',
        to_date: '2027-01-06',
        zone: 'Europe/Zurich',
        reason: 'year-end freeze',
        created_by: 'console:alice',
        created_at: '2026-11-25T12:00:00.000Z',
      },
      { id: 2, from_date: '2026-12-24', to_date: '2026-12-24', zone: 'America/New_York', reason: '', created_by: 'console:bob', created_at: '2026-11-25T12:00:00.000Z' },
    ]);
    expect(await auditRows(store)).toEqual([
      {
        id: 1,
        at: '2026-11-25T12:00:00.000Z',
        actor: 'console:alice',
        action: 'skip.added',
        subject: 'skip:1',
        details: { from: '2026-12-20', to: '2027-01-06', zone: 'Europe/Zurich', reason: 'year-end freeze' },
      },
      {
        id: 2,
        at: '2026-11-25T12:00:00.000Z',
        actor: 'console:bob',
        action: 'skip.added',
        subject: 'skip:2',
        details: { from: '2026-12-24', to: '2026-12-24', zone: 'America/New_York', reason: '' },
      },
    ]);
  });

  it('keeps a quoted reason as one and accepts spaces around ..', async () => {
    const { ok } = await chat();

    expect(await ok('skip 2027-04-02 .. 2027-04-05 UTC "Easter: office closed"')).toBe(
      'Added blackout #1 2027-04-02..2027-04-05 UTC (Easter: office closed). No window will overlap it.',
    );
  });

  it('lists blackouts by first date, without removed ones', async () => {
    const { ok } = await chat();
    expect(await ok('skips')).toBe('No blackout dates. Add one with "skip <from>..<to> [reason]".');
    await ok('skip 2027-04-02..2027-04-05 Easter');
    await ok('skip 2026-12-20..2027-01-06 year-end freeze');
    await ok('skip 2026-12-24 UTC');
    await ok('unskip 3');

    expect(await ok('skips')).toBe(
      '#2 2026-12-20..2027-01-06 Europe/Zurich (year-end freeze)\n#1 2027-04-02..2027-04-05 Europe/Zurich (Easter)',
    );
  });

  it('removes a blackout by id, recording skip.removed, and refuses it the second time', async () => {
    const { store, ok, say } = await chat();
    await ok('skip 2026-12-20..2027-01-06 year-end freeze');

    expect(await ok('unskip #1', 'console:bob')).toBe('Removed blackout #1 2026-12-20..2027-01-06 Europe/Zurich (year-end freeze)');
    expect(await say('unskip 1')).toEqual({ ok: false, text: 'no blackout #1 (see "skips")' });

    expect((await auditRows(store)).map((row) => [row['action'], row['actor'], row['subject']])).toEqual([
      ['skip.added', 'console:alice', 'skip:1'],
      ['skip.removed', 'console:bob', 'skip:1'],
    ]);
    expect((await auditRows(store))[1]?.['details']).toEqual({ from: '2026-12-20', to: '2027-01-06', zone: 'Europe/Zurich', reason: 'year-end freeze' });
    expect(await store.database.get('SELECT removed_by, removed_at FROM skips WHERE id = 1')).toEqual({
      removed_by: 'console:bob',
      removed_at: '2026-11-25T12:00:00.000Z',
    });
  });

  it('refuses to remove an unknown blackout and records nothing', async () => {
    const { store, say } = await chat();

    expect(await say('unskip 42')).toEqual({ ok: false, text: 'no blackout #42 (see "skips")' });
    expect(await rowCounts(store.database)).toEqual({ schedules: 0, skips: 0, audit_log: 0 });
  });
});

describe('help', () => {
  it('answers without touching the store', async () => {
    const { store, ok } = await chat();

    expect(await ok('help')).toMatch(/^patchwindow commands:\n/);
    expect(await ok('help schedule add')).toContain('e.g. schedule add every 2nd tue of jan,apr,jul,oct 14:00-17:00 Europe/Zurich --name quarterly');
    expect(await rowCounts(store.database)).toEqual({ schedules: 0, skips: 0, audit_log: 0 });
  });
});

/** Malformed commands: each must be refused with one line, and none may write anything. */
const MALFORMED: readonly string[] = [
  // no or unknown command
  '',
  '   ',
  'schedul list',
  'reboot now',
  'schedule',
  'schedule frobnicate',
  'schedule list extra',
  'skips all',
  'help nonsense',
  // bad specs
  'schedule add',
  'schedule add every blursday 14:00-17:00',
  'schedule add every day 25:00-26:00',
  'schedule add every day 02:00-05:00 Mars/Olympus',
  'schedule add every day 02:00',
  'schedule add every 2 weeks on sat 01:00 for 6h',
  'schedule add every day 02:00-05:00 until 2027-02-30',
  'schedule add RRULE:FREQ=HOURLY at 01:00 for 1h UTC',
  'schedule add every day 02:00-05:00 0 times starting 2026-12-01',
  'schedule preview every 6th mon 02:00-03:00',
  // bad options
  'schedule add every day 02:00-05:00 --name',
  'schedule add every day 02:00-05:00 --name 1abc',
  `schedule add every day 02:00-05:00 --name ${'n'.repeat(65)}`,
  'schedule add every day 02:00-05:00 --name "two words"',
  'schedule add every day 02:00-05:00 --approval maybe',
  'schedule add every day 02:00-05:00 --nmae nightly',
  'schedule add every day 02:00-05:00 --name a --name b',
  'schedule add every day 02:00-05:00 --name --approval required',
  'schedule add every day 02:00-05:00 --',
  'schedule preview every day 02:00-05:00 --count 0',
  'schedule preview every day 02:00-05:00 --count 51',
  'schedule preview every day 02:00-05:00 --count lots',
  'schedule preview every day 02:00-05:00 --with-skips=yes',
  // unclosed quotes (straight and typographic)
  'schedule add "every day 02:00-05:00',
  'skip 2026-12-24 “Christmas Eve',
  "schedule add every day 02:00-05:00 --name 'nightly",
  // bad skips
  'skip',
  'skip 2026-12-31..2026-12-01 reversed',
  'skip 2026-02-30',
  'skip tomorrow',
  'skip 2026-12-01..2026-12-05..2026-12-09',
  'skip 2026-12-24 Mars/Olympus',
  `skip 2026-12-24 ${'r'.repeat(201)}`,
  // bad targets
  'unskip',
  'unskip abc',
  'unskip 1 2',
  'unskip -1',
  'schedule remove',
  'schedule remove 1 2',
  'schedule remove "bad name!"',
  // line breaks inside quoted words are echoed back; the reply must stay on one line
  'schedule add every day 02:00-05:00 --name "night\nly"',
  '"reboot\nnow"',
  'schedule list "a\r\nb"',
  'schedule add every day 02:00-05:00 --approval "pre-\napproved"',
  'help "schedule\nadd"',
  // too long
  `schedule add every day 02:00-05:00 --name nightly ${' '.repeat(2000)}`,
];

describe('malformed commands', () => {
  it(`refuses all ${MALFORMED.length} with a one-line message and writes nothing`, async () => {
    const { store, say } = await chat();
    expect(MALFORMED.length).toBeGreaterThanOrEqual(30);

    const failures: string[] = [];
    for (const text of MALFORMED) {
      const reply = await say(text);
      if (reply.ok || reply.text === '' || /[\r\n]/.test(reply.text)) failures.push(`${JSON.stringify(text)} → ${JSON.stringify(reply)}`);
    }

    expect(failures).toEqual([]);
    expect(await rowCounts(store.database)).toEqual({ schedules: 0, skips: 0, audit_log: 0 });
  });

  it.each([
    ['schedule add every blursday 14:00-17:00', /^cannot read "blursday": .*; example: every 2nd tue 14:00-17:00 Europe\/Zurich; usage: schedule add <spec> /],
    ['schedule add every day 02:00-05:00 --approval maybe', /^--approval "maybe" must be required or pre-approved; usage: schedule add /],
    ['schedule add "every day 02:00-05:00', /^a quote is not closed \(expected "\)$/],
    ['skip 2026-12-31..2026-12-01', /^cannot read "2026-12-31\.\.2026-12-01": expected the first date on or before the last date; /],
    ['schedul list', /^unknown command "schedul"; did you mean "schedule"\? \(see "help" for the commands\)$/],
    ['schedule add every day 02:00-05:00 --name "night\nly"', /^--name "night ly" must start with a letter /],
    ['"reboot\nnow"', /^unknown command "reboot now" /],
  ])('says what was wrong: %j', async (text, expected) => {
    const { say } = await chat();

    const reply = await say(text);

    expect(reply.ok).toBe(false);
    expect(reply.text).toMatch(expected);
  });

  it('leaves existing schedules, skips and audit entries exactly as they were', async () => {
    const { store, ok, say } = await chat();
    await ok('schedule add every day 02:00-05:00 --name nightly');
    await ok('skip 2026-12-20..2027-01-06 freeze');
    const snapshot = async (): Promise<unknown> => ({
      schedules: await store.database.all('SELECT * FROM schedules ORDER BY id'),
      skips: await store.database.all('SELECT * FROM skips ORDER BY id'),
      audit: await store.database.all('SELECT * FROM audit_log ORDER BY id'),
    });
    const before = await snapshot();

    for (const text of [
      ...MALFORMED,
      'schedule add every sat 23:00-03:00 --name nightly',
      'schedule remove 2',
      'schedule remove weekend',
      'unskip 2',
    ]) {
      const reply = await say(text, 'console:mallory');
      expect(reply.ok, `reply to ${JSON.stringify(text)}`).toBe(false);
    }

    expect(await snapshot()).toEqual(before);
  });
});
