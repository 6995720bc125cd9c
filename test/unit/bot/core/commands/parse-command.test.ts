import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Command } from '../../../../../bot/core/commands/command.ts';
import { COMMANDS } from '../../../../../bot/core/commands/command-definitions.ts';
import {
  MAX_COMMAND_LENGTH,
  MAX_PREVIEW_COUNT,
  MAX_REASON_LENGTH,
  parseCommand,
} from '../../../../../bot/core/commands/parse-command.ts';
import { parseSchedule } from '../../../../../bot/core/schedule/index.ts';
import type { Schedule } from '../../../../../bot/core/schedule/index.ts';

/** A fixed seed keeps the property runs the same on every run. */
const SEED = 20_260_113;

const ZURICH = { defaultZone: 'Europe/Zurich' };

function command(text: string, options = ZURICH): Command {
  const result = parseCommand(text, options);
  if (!result.ok) throw new Error(`expected "${text}" to parse: ${result.message}`);
  return result.command;
}

function schedule(spec: string, defaultZone = 'Europe/Zurich'): Schedule {
  const result = parseSchedule(spec, { defaultZone });
  if (!result.ok) throw new Error(`expected "${spec}" to parse: ${result.error.message}`);
  return result.schedule;
}

describe('parseCommand: schedule add', () => {
  it('reads a spec with the defaults: no name, approval required', () => {
    const spec = 'every sat 23:00-03:00 Europe/London';
    expect(command(`schedule add ${spec}`)).toStrictEqual({
      kind: 'schedule-add',
      spec: { text: spec, schedule: schedule(spec) },
      name: undefined,
      approval: 'required',
    });
  });

  it('reads --name and --approval, wherever they are', () => {
    const spec = 'every 2nd tue of jan,apr,jul,oct 14:00-17:00 Europe/Zurich';
    const expected: Command = { kind: 'schedule-add', spec: { text: spec, schedule: schedule(spec) }, name: 'quarterly', approval: 'pre-approved' };
    expect(command(`schedule add ${spec} --name quarterly --approval pre-approved`)).toEqual(expected);
    expect(command(`schedule add --approval=pre-approved ${spec} --name=quarterly`)).toEqual(expected);
    expect(command(`schedule add every 2nd tue --name quarterly of jan,apr,jul,oct 14:00-17:00 --approval pre-approved Europe/Zurich`)).toEqual(
      expected,
    );
  });

  it('accepts --approval required explicitly', () => {
    expect(command('schedule add every day 02:00-05:00 --approval required')).toMatchObject({ approval: 'required' });
  });

  it.each(['q', 'Nightly.1', 'year-end_freeze', `a${'b'.repeat(63)}`])('accepts the name %s', (name) => {
    expect(command(`schedule add every day 02:00-05:00 --name ${name}`)).toMatchObject({ name });
  });

  it('keeps the spec text as typed, as the words joined by single spaces', () => {
    expect(command('schedule add   Every  SAT\t23:00-03:00\nEurope/London')).toMatchObject({
      spec: { text: 'Every SAT 23:00-03:00 Europe/London', schedule: schedule('every sat 23:00-03:00 Europe/London') },
    });
    expect(command('schedule add "every sat" 23:00-03:00 --name weekend')).toMatchObject({ spec: { text: 'every sat 23:00-03:00' } });
    expect(command('schedule add “every   sat” 23:00-03:00')).toMatchObject({ spec: { text: 'every   sat 23:00-03:00' } });
  });

  it('reads a spec without a zone in the default zone', () => {
    expect(command('schedule add every sat 23:00-03:00')).toMatchObject({ spec: { text: 'every sat 23:00-03:00', schedule: { zone: 'Europe/Zurich' } } });
    expect(command('schedule add every sat 23:00-03:00', { defaultZone: 'America/New_York' })).toStrictEqual({
      kind: 'schedule-add',
      spec: { text: 'every sat 23:00-03:00', schedule: schedule('every sat 23:00-03:00 America/New_York') },
      name: undefined,
      approval: 'required',
    });
  });

  it('a zone in the spec wins over the default zone', () => {
    expect(command('schedule add every sat 23:00-03:00 Asia/Tokyo', { defaultZone: 'UTC' })).toMatchObject({ spec: { schedule: { zone: 'Asia/Tokyo' } } });
  });
});

describe('parseCommand: schedule list, remove, preview', () => {
  it('reads schedule list', () => {
    expect(command('schedule list')).toStrictEqual({ kind: 'schedule-list' });
  });

  it.each<[string, Command]>([
    ['schedule remove 3', { kind: 'schedule-remove', target: { kind: 'id', id: 3 } }],
    ['schedule remove #3', { kind: 'schedule-remove', target: { kind: 'id', id: 3 } }],
    ['schedule remove 007', { kind: 'schedule-remove', target: { kind: 'id', id: 7 } }],
    ['schedule remove 999999999', { kind: 'schedule-remove', target: { kind: 'id', id: 999_999_999 } }],
    ['schedule remove quarterly', { kind: 'schedule-remove', target: { kind: 'name', name: 'quarterly' } }],
    ['schedule remove "Nightly.1"', { kind: 'schedule-remove', target: { kind: 'name', name: 'Nightly.1' } }],
  ])('%s', (text, expected) => {
    expect(command(text)).toStrictEqual(expected);
  });

  it('reads schedule preview with the default count', () => {
    const spec = 'every last fri 22:00 for 4h UTC';
    expect(command(`schedule preview ${spec}`)).toStrictEqual({
      kind: 'schedule-preview',
      spec: { text: spec, schedule: schedule(spec) },
      count: 5,
      withSkips: false,
    });
  });

  it('reads --count and --with-skips', () => {
    const spec = 'every last fri 22:00 for 4h UTC';
    const expected: Command = { kind: 'schedule-preview', spec: { text: spec, schedule: schedule(spec) }, count: 3, withSkips: true };
    expect(command(`schedule preview ${spec} --count 3 --with-skips`)).toStrictEqual(expected);
    expect(command(`schedule preview --with-skips ${spec} --count=3`)).toStrictEqual(expected);
  });

  it.each([
    ['1', 1],
    [String(MAX_PREVIEW_COUNT), 50],
    ['007', 7],
  ])('accepts --count %s', (count, expected) => {
    expect(command(`schedule preview every day 02:00-05:00 --count ${count}`)).toMatchObject({ count: expected });
  });

  it('reads a preview spec without a zone in the default zone', () => {
    expect(command('schedule preview every day 02:00-05:00', { defaultZone: 'Asia/Kathmandu' })).toMatchObject({
      spec: { text: 'every day 02:00-05:00', schedule: schedule('every day 02:00-05:00 Asia/Kathmandu') },
    });
  });
});

describe('parseCommand: skip, skips, unskip', () => {
  it.each<[string, Command]>([
    ['skip 2026-12-24', { kind: 'skip', range: { from: '2026-12-24', to: '2026-12-24', zone: 'Europe/Zurich' }, reason: '' }],
    [
      'skip 2026-12-20..2027-01-06 year-end freeze',
      { kind: 'skip', range: { from: '2026-12-20', to: '2027-01-06', zone: 'Europe/Zurich' }, reason: 'year-end freeze' },
    ],
    [
      'skip 2026-12-20 .. 2027-01-06',
      { kind: 'skip', range: { from: '2026-12-20', to: '2027-01-06', zone: 'Europe/Zurich' }, reason: '' },
    ],
    [
      'skip 2026-12-24 America/New_York Christmas Eve',
      { kind: 'skip', range: { from: '2026-12-24', to: '2026-12-24', zone: 'America/New_York' }, reason: 'Christmas Eve' },
    ],
    ['skip 2026-12-24 utc', { kind: 'skip', range: { from: '2026-12-24', to: '2026-12-24', zone: 'UTC' }, reason: '' }],
    [
      'skip 2026-12-24 Japan office closed',
      { kind: 'skip', range: { from: '2026-12-24', to: '2026-12-24', zone: 'Europe/Zurich' }, reason: 'Japan office closed' },
    ],
    [
      `skip 2026-12-31 New Year's Eve`,
      { kind: 'skip', range: { from: '2026-12-31', to: '2026-12-31', zone: 'Europe/Zurich' }, reason: "New Year's Eve" },
    ],
    [
      'skip 2026-12-24   “office   party”',
      { kind: 'skip', range: { from: '2026-12-24', to: '2026-12-24', zone: 'Europe/Zurich' }, reason: 'office   party' },
    ],
  ])('%s', (text, expected) => {
    expect(command(text)).toStrictEqual(expected);
  });

  it('reads skip dates in the default zone when none is given', () => {
    expect(command('skip 2026-12-24', { defaultZone: 'Australia/Sydney' })).toMatchObject({ range: { zone: 'Australia/Sydney' } });
  });

  it(`accepts a reason of exactly ${MAX_REASON_LENGTH} characters`, () => {
    const reason = 'r'.repeat(MAX_REASON_LENGTH);
    expect(command(`skip 2026-12-24 ${reason}`)).toMatchObject({ reason });
  });

  it.each<[string, Command]>([
    ['skips', { kind: 'skips' }],
    ['unskip 2', { kind: 'unskip', id: 2 }],
    ['unskip #2', { kind: 'unskip', id: 2 }],
  ])('%s', (text, expected) => {
    expect(command(text)).toStrictEqual(expected);
  });
});

describe('parseCommand: help', () => {
  it.each<[string, readonly string[]]>([
    ['help', []],
    ['help schedule', ['schedule']],
    ['help schedule add', ['schedule', 'add']],
    ['Help Schedule ADD', ['schedule', 'add']],
    ['help skips', ['skips']],
    // An unknown topic is for help to report, not the parser.
    ['help frobnicate', ['frobnicate']],
  ])('%s', (text, topic) => {
    expect(command(text)).toStrictEqual({ kind: 'help', topic });
  });
});

describe('parseCommand: command words', () => {
  it.each<[string, Command['kind']]>([
    ['SCHEDULE LIST', 'schedule-list'],
    ['Schedule List', 'schedule-list'],
    ['schedule ADD every day 02:00-05:00', 'schedule-add'],
    ['Schedule Remove 3', 'schedule-remove'],
    ['SCHEDULE preview every day 02:00-05:00', 'schedule-preview'],
    ['SKIP 2026-12-24', 'skip'],
    ['Skips', 'skips'],
    ['UnSkip 3', 'unskip'],
    ['HELP', 'help'],
    ['  schedule\tlist\n', 'schedule-list'],
    ['"schedule" “list”', 'schedule-list'],
  ])('%j is %s', (text, kind) => {
    expect(command(text).kind).toBe(kind);
  });

  it('parses every example in the command table as its own command', () => {
    for (const definition of COMMANDS) {
      for (const example of definition.examples) {
        expect(command(example).kind, example).toBe(definition.kind);
      }
    }
  });

  it(`accepts a command of exactly ${MAX_COMMAND_LENGTH} characters`, () => {
    const text = 'schedule list'.padEnd(MAX_COMMAND_LENGTH, ' ');
    expect(command(text)).toStrictEqual({ kind: 'schedule-list' });
  });
});

const ADD = '; usage: schedule add <spec> [--name <name>] [--approval required|pre-approved] (see "help schedule add")';
const LIST = '; usage: schedule list (see "help schedule list")';
const REMOVE = '; usage: schedule remove <id or name> (see "help schedule remove")';
const PREVIEW = '; usage: schedule preview <spec> [--count N] [--with-skips] (see "help schedule preview")';
const SKIP = '; usage: skip <date or from..to> [zone] [reason] (see "help skip")';
const SKIPS = '; usage: skips (see "help skips")';
const UNSKIP = '; usage: unskip <id> (see "help unskip")';
const SKIP_EXAMPLE = '; example: 2026-12-20..2027-01-06 Europe/Zurich';
const FAMILY = 'expected one of add, list, remove, preview (see "help schedule")';
const NAME_RULE = 'must start with a letter and use only letters, digits, . _ - (at most 64)';
const COUNT_RULE = 'must be a whole number from 1 to 50';
const REMOVE_TARGET = 'expected the id or name of one schedule, as shown by "schedule list"';
const UNSKIP_TARGET = 'expected the id of one skip, as shown by "skips"';
const SPEC = 'every sat 23:00-03:00';

/** Bad input and the exact reply. */
const BAD_INPUT: readonly (readonly [text: string, message: string])[] = [
  // Nothing, too much, or text that does not tokenize.
  ['', 'no command given; usage: help [command] (see "help help")'],
  [' \t\n ', 'no command given; usage: help [command] (see "help help")'],
  [`schedule list ${'x'.repeat(MAX_COMMAND_LENGTH)}`, 'the command is longer than 2000 characters'],
  ['schedule list'.padEnd(MAX_COMMAND_LENGTH + 1, ' '), 'the command is longer than 2000 characters'],
  [`schedule add "${SPEC}`, 'a quote is not closed (expected ")'],
  ['skip “2026-12-24', 'a quote is not closed (expected ”)'],
  ["skip 2026-12-31 'New Year", "a quote is not closed (expected ')"],
  // Unknown commands.
  ['frobnicate', 'unknown command "frobnicate" (see "help" for the commands)'],
  ['deploy kured now', 'unknown command "deploy" (see "help" for the commands)'],
  ['shedule add every day', 'unknown command "shedule"; did you mean "schedule"? (see "help" for the commands)'],
  ['skp 2026-12-24', 'unknown command "skp"; did you mean "skip"? (see "help" for the commands)'],
  ['unskp 3', 'unknown command "unskp"; did you mean "unskip"? (see "help" for the commands)'],
  ['HELO', 'unknown command "HELO"; did you mean "help"? (see "help" for the commands)'],
  ['x'.repeat(50), `unknown command "${'x'.repeat(39)}…" (see "help" for the commands)`],
  ['"two\nlines" of text', 'unknown command "two lines" (see "help" for the commands)'],
  // The schedule family.
  ['schedule', `"schedule" needs a subcommand: ${FAMILY}`],
  ['Schedule', `"Schedule" needs a subcommand: ${FAMILY}`],
  ['schedule frobnicate', `unknown subcommand "schedule frobnicate": ${FAMILY}`],
  ['schedule lst', `unknown subcommand "schedule lst": ${FAMILY}`],
  ['schedule "a\nb"', `unknown subcommand "schedule a b": ${FAMILY}`],
  // schedule add.
  ['schedule add', `which schedule? give a spec${ADD}`],
  ['schedule add --name quarterly', `which schedule? give a spec${ADD}`],
  [
    'schedule add every blursday 14:00',
    'cannot read "blursday": expected what repeats after "every": day, weekdays (mon,tue), an ordinal weekday (2nd tue) or "<n> weeks on <weekdays>"; '
      + `example: every 2nd tue 14:00-17:00 Europe/Zurich${ADD}`,
  ],
  [
    'schedule add every sat 25:00-03:00',
    `cannot read "25:00-03:00": expected a start time HH:MM (00:00-23:59); example: every mon,tue,wed,thu,fri 14:00-17:00 Europe/Zurich${ADD}`,
  ],
  [
    `schedule add ${SPEC} Mars/Base`,
    'cannot read "Mars/Base": expected "starting yyyy-mm-dd", "until yyyy-mm-dd", "<n> times" or a time zone such as Europe/Zurich or UTC; '
      + `example: every mon,tue,wed,thu,fri 14:00-17:00 Europe/Zurich${ADD}`,
  ],
  [`schedule add ${SPEC} --name 9lives`, `--name "9lives" ${NAME_RULE}${ADD}`],
  [`schedule add ${SPEC} --name "year end"`, `--name "year end" ${NAME_RULE}${ADD}`],
  [`schedule add ${SPEC} --name a${'b'.repeat(64)}`, `--name "a${'b'.repeat(64)}" ${NAME_RULE}${ADD}`],
  [`schedule add ${SPEC} --name=--x`, `--name "--x" ${NAME_RULE}${ADD}`],
  [`schedule add ${SPEC} --name "a\nb"`, `--name "a b" ${NAME_RULE}${ADD}`],
  [`schedule add ${SPEC} --name`, `--name needs a value${ADD}`],
  [`schedule add ${SPEC} --name --approval required`, `--name needs a value${ADD}`],
  [`schedule add ${SPEC} --name a --name b`, `--name is given twice${ADD}`],
  [`schedule add ${SPEC} --nmae a`, `unknown option --nmae (this command takes --name, --approval)${ADD}`],
  [`schedule add ${SPEC} --count 3`, `unknown option --count (this command takes --name, --approval)${ADD}`],
  [`schedule add ${SPEC} --approval maybe`, `--approval "maybe" must be required or pre-approved${ADD}`],
  [`schedule add ${SPEC} --approval Required`, `--approval "Required" must be required or pre-approved${ADD}`],
  [`schedule add ${SPEC} --approval`, `--approval needs a value${ADD}`],
  // schedule preview.
  ['schedule preview', `which schedule? give a spec${PREVIEW}`],
  [`schedule preview ${SPEC} --count 0`, `--count "0" ${COUNT_RULE}${PREVIEW}`],
  [`schedule preview ${SPEC} --count 51`, `--count "51" ${COUNT_RULE}${PREVIEW}`],
  [`schedule preview ${SPEC} --count abc`, `--count "abc" ${COUNT_RULE}${PREVIEW}`],
  [`schedule preview ${SPEC} --count -1`, `--count "-1" ${COUNT_RULE}${PREVIEW}`],
  [`schedule preview ${SPEC} --count 2.5`, `--count "2.5" ${COUNT_RULE}${PREVIEW}`],
  [`schedule preview ${SPEC} --count 99999`, `--count "99999" ${COUNT_RULE}${PREVIEW}`],
  [`schedule preview ${SPEC} --count`, `--count needs a value${PREVIEW}`],
  [`schedule preview ${SPEC} --with-skips=yes`, `--with-skips takes no value${PREVIEW}`],
  [`schedule preview ${SPEC} --name x`, `unknown option --name (this command takes --count, --with-skips)${PREVIEW}`],
  // Commands without arguments.
  ['schedule list extra', `unexpected "extra"${LIST}`],
  ['schedule list --all', `unexpected "--all"${LIST}`],
  ['schedule list "a\nb"', `unexpected "a b"${LIST}`],
  ['skips now', `unexpected "now"${SKIPS}`],
  ['skips 2026 and later', `unexpected "2026 and later"${SKIPS}`],
  // schedule remove.
  ['schedule remove', `${REMOVE_TARGET}${REMOVE}`],
  ['schedule remove my schedule', `${REMOVE_TARGET}${REMOVE}`],
  ['schedule remove "my schedule"', `${REMOVE_TARGET}${REMOVE}`],
  ['schedule remove 1 2', `${REMOVE_TARGET}${REMOVE}`],
  ['schedule remove #', `${REMOVE_TARGET}${REMOVE}`],
  ['schedule remove 1234567890', `${REMOVE_TARGET}${REMOVE}`],
  // unskip.
  ['unskip', `${UNSKIP_TARGET}${UNSKIP}`],
  ['unskip 1 2', `${UNSKIP_TARGET}${UNSKIP}`],
  ['unskip year-end', `${UNSKIP_TARGET}${UNSKIP}`],
  ['unskip 3 please', `${UNSKIP_TARGET}${UNSKIP}`],
  ['unskip #', `${UNSKIP_TARGET}${UNSKIP}`],
  // skip.
  ['skip', `which dates? give a date or a range from..to${SKIP}`],
  ['skip tomorrow', `cannot read "tomorrow": expected a first date yyyy-mm-dd that exists in the calendar${SKIP_EXAMPLE}${SKIP}`],
  ['skip 2026-02-30', `cannot read "2026-02-30": expected a first date yyyy-mm-dd that exists in the calendar${SKIP_EXAMPLE}${SKIP}`],
  [
    'skip 2026-12-31..2026-12-01',
    `cannot read "2026-12-31..2026-12-01": expected the first date on or before the last date${SKIP_EXAMPLE}${SKIP}`,
  ],
  [
    'skip 2026-12-20..2026-13-01',
    `cannot read "2026-13-01": expected a last date yyyy-mm-dd that exists in the calendar${SKIP_EXAMPLE}${SKIP}`,
  ],
  ['skip 2026-12-24..', `cannot read "": expected a last date yyyy-mm-dd that exists in the calendar${SKIP_EXAMPLE}${SKIP}`],
  [
    'skip 2026-12-24..2026-12-26..2026-12-28',
    `cannot read "2026-12-24..2026-12-26..2026-12-28": expected a date yyyy-mm-dd or a range yyyy-mm-dd..yyyy-mm-dd${SKIP_EXAMPLE}${SKIP}`,
  ],
  [
    'skip 2026-12-24 Mars/Base',
    `cannot read "Mars/Base": expected an IANA time zone such as Europe/Zurich, or UTC${SKIP_EXAMPLE}${SKIP}`,
  ],
  [`skip 2026-12-24 ${'r'.repeat(MAX_REASON_LENGTH + 1)}`, `the reason is longer than 200 characters${SKIP}`],
  [`skip 2026-12-24 Europe/Zurich "${'word '.repeat(40)}x"`, `the reason is longer than 200 characters${SKIP}`],
];

/** Failures found before the command is known, which therefore show no usage. */
const WITHOUT_USAGE = new Set(['the command is longer than 2000 characters', 'a quote is not closed (expected ")', 'a quote is not closed (expected ”)', "a quote is not closed (expected ')"]);

describe('parseCommand: bad input', () => {
  it('has a good number of cases', () => {
    expect(BAD_INPUT.length).toBeGreaterThanOrEqual(40);
  });

  it.each(BAD_INPUT.map(([text, message]) => [text.length > 60 ? `${text.slice(0, 57)}…` : text, text, message] as const))(
    '%j',
    (_title, text, message) => {
      expect(parseCommand(text, ZURICH)).toStrictEqual({ ok: false, message });
    },
  );

  it('replies with one line that points to usage or help', () => {
    for (const [text] of BAD_INPUT) {
      const result = parseCommand(text, ZURICH);
      if (result.ok) throw new Error(`expected "${text}" to fail`);
      expect(result.message, text).not.toMatch(/[\r\n\u2028\u2029]/);
      if (!WITHOUT_USAGE.has(result.message)) expect(result.message, text).toMatch(/usage: |see "help/);
    }
  });

  it('suggests a spelling only when it is close', () => {
    const suggestion = (text: string): string | undefined => {
      const result = parseCommand(text, ZURICH);
      return result.ok ? undefined : /did you mean "([^"]+)"/.exec(result.message)?.[1];
    };
    expect(suggestion('schedul')).toBe('schedule');
    expect(suggestion('skipss')).toBe('skips');
    expect(suggestion('hlep')).toBe('help');
    expect(suggestion('reboot')).toBeUndefined();
  });

  it('cuts a long unknown word without splitting a character in two', () => {
    const word = `${'x'.repeat(38)}😀😀😀`;
    expect(parseCommand(word, ZURICH)).toStrictEqual({ ok: false, message: `unknown command "${'x'.repeat(38)}😀…" (see "help" for the commands)` });
  });
});

/** Words the parser knows, in pieces that make it past the first checks more often than random text. */
const FRAGMENTS = [
  'schedule', 'add', 'list', 'remove', 'preview', 'skip', 'skips', 'unskip', 'help', 'SCHEDULE', 'Skip',
  '--name', '--approval', '--count', '--with-skips', '--count=3', '--name=', '--', 'pre-approved', 'required', 'quarterly',
  'every', 'sat', 'day', '2nd', 'tue', '23:00-03:00', '14:00', 'for', '4h', 'Europe/London', 'UTC', 'Mars/Base',
  '2026-12-24', '2026-12-20..2027-01-06', '..', '#3', '3', '0', '51',
  '"', "'", '“', '”', '‘', '’', '„', ' ', '\n', '\r\n', '\t', '\u2028', '\u00a0', '😀', '',
];

const commandLike = fc
  .array(fc.oneof(fc.constantFrom(...FRAGMENTS), fc.string({ unit: 'binary', maxLength: 6 })), { maxLength: 12 })
  .chain((parts) => fc.array(fc.constantFrom(' ', ' ', '', '\n', '"'), { minLength: parts.length, maxLength: parts.length })
    .map((separators) => parts.map((part, index) => `${part}${separators[index] ?? ''}`).join('')));

describe('parseCommand: properties', () => {
  const checkReply = (text: string): void => {
    const result = parseCommand(text, ZURICH);
    if (result.ok) {
      expect(result.command.kind).toBeTypeOf('string');
    } else {
      expect(result.message.trim()).not.toBe('');
      expect(result.message).not.toMatch(/[\r\n\u2028\u2029]/);
    }
  };

  it('never throws on arbitrary text, and a failure is one non-empty line', () => {
    fc.assert(fc.property(fc.string({ unit: 'binary', maxLength: 80 }), checkReply), { seed: SEED, numRuns: 500 });
  });

  it('never throws on text built from command words, options, quotes and line breaks', () => {
    fc.assert(fc.property(commandLike, checkReply), { seed: SEED, numRuns: 2000 });
  });

  it('is not confused by command words in any letter case', () => {
    fc.assert(
      fc.property(fc.constantFrom('schedule list', 'skips', 'help', 'unskip 4'), fc.array(fc.boolean(), { minLength: 13, maxLength: 13 }), (text, upper) => {
        const mixed = Array.from(text).map((character, index) => (upper[index] === true ? character.toUpperCase() : character)).join('');
        expect(parseCommand(mixed, ZURICH)).toStrictEqual(parseCommand(text, ZURICH));
      }),
      { seed: SEED },
    );
  });
});

describe('parseCommand: release-lock', () => {
  const USAGE = '; usage: release-lock <node> (see "help release-lock")';

  it('names the one holder to release, as the alert does', () => {
    expect(command('release-lock aks-nodepool1-12345678-vmss000003')).toStrictEqual({ kind: 'release-lock', holder: 'aks-nodepool1-12345678-vmss000003' });
    expect(command('RELEASE-LOCK node-3')).toStrictEqual({ kind: 'release-lock', holder: 'node-3' });
  });

  it.each(['release-lock', 'release-lock node-1 node-2', `release-lock ${'n'.repeat(254)}`, 'release-lock node-3@123'])('refuses %j', (text) => {
    expect(parseCommand(text, ZURICH)).toEqual({ ok: false, message: `expected the one node (lock holder) to release, as the alert names it${USAGE}` });
  });
});
