// Generators of hostile and nearly-right input: arbitrary text, "token soups" of the real grammar's
// words mixed with hostile fragments, and valid examples mutated a few edits at a time (the inputs
// that get past the first checks and reach deep code).
import fc from 'fast-check';
import { COMMANDS } from '../../../bot/core/commands/command-definitions.ts';
import { SCHEDULE_EXAMPLES } from '../../../bot/core/schedule/index.ts';

/** Shell metacharacters, option injection and other fragments an attacker would try in any field. */
export const HOSTILE_FRAGMENTS = [
  '$(reboot)', '`id`', ';', '; rm -rf /', '&&', '||', '|', '&', '>', '<', '>/etc/passwd', '$IFS', '${PATH}', '\\',
  '--set', '--set=image.tag=evil', '-n', '-n kube-system', '--namespace=kube-system', '--kubeconfig=/tmp/x', '-', '--', '---',
  '\n', '\r\n', '\r', '\t', '\u0000', '\u2028', '\u2029', '\u0085', '\u00a0', '\u200b', '\u202e', '\ufeff', '%00', '%0a',
  '../', '../../etc/shadow', '*', '?', '~', '!', '#', '{', '}', '[', ']', '(', ')', '"', "'", '“', '”', '‘', '’', '„',
  '<script>', '<at>patchwindow</at>', '&amp;', '&lt;', '<@U0ALICE001>', '<!channel>', '*bold*', '`code`', '```',
  '😀', '👨‍👩‍👧', 'constructor', '__proto__', 'toString', 'null', 'undefined', 'NaN', 'Infinity', '-1', '0', '1e9', '99999999999',
  'x'.repeat(70), 'a'.repeat(300),
] as const;

const COMMAND_WORDS = [...new Set(COMMANDS.flatMap((definition) => [...definition.words, ...definition.words.map((word) => word.toUpperCase())]))];

/** Option names, values and schedule words the grammar knows. */
const GRAMMAR_WORDS = [
  '--name', '--approval', '--count', '--with-skips', '--concurrency', '--nodes', '--reason', '--count=3', '--name=quarterly', '--approval=pre-approved',
  '--concurrency=2', '--nodes=agentpool=user', '--reason=kernel', '--name=', '--', 'required', 'pre-approved', 'quarterly',
  'every', 'day', 'days', 'week', 'weeks', 'on', 'of', 'month', 'for', 'at', 'once', 'starting', 'until', 'times', 'to', 'weekday', 'weekend',
  'mon', 'tue', 'Wednesday', 'fri', 'sat', 'sun', 'jan', 'apr,jul,oct', 'dec', '1st', '2nd', 'last', '2nd-last', '+2', 'days', '-3d',
  '14:00-17:00', '23:00-03:00', '22:00', '0:00', '24:00', '23:59', '99:99', '1h', '90m', '2h30m', '3 hours', '0m', '8d', '7d', '1w',
  'UTC', 'Europe/Zurich', 'America/New_York', 'Mars/Base', 'Etc/GMT+14', 'utc', 'Europe/', '/',
  '2026-12-24', '2026-12-20..2027-01-06', '2027-02-29', '2026-13-01', '..', '2026-12-08T13:00:00Z', '2026-11-25T12:00:00+01:00',
  'RRULE:FREQ=MONTHLY;BYDAY=-1SU', 'FREQ=WEEKLY;INTERVAL=2;BYDAY=SA', 'BYSETPOS=-1', 'COUNT=3', 'UNTIL=20270101',
  'agentpool=user', 'kubernetes.io/os=linux', 'zone in (a,b)', '!node-role.kubernetes.io/control-plane', 'a notin (x)', 'k>1',
  '#3', '3', '1', '2', '0', '51', '101', '1000000000', 'sim-node-2', 'openssl', 'linux-image-6.1',
];

const SEPARATORS = [' ', ' ', ' ', ' ', '  ', '', '\n', '\t', ',', ', ', '\u00a0'];

const shortRandom = fc.oneof(
  fc.string({ unit: 'binary', maxLength: 6 }),
  fc.string({ unit: 'grapheme-ascii', maxLength: 10 }),
);

const plainWord: fc.Arbitrary<string> = fc.oneof(
  { weight: 4, arbitrary: fc.constantFrom(...GRAMMAR_WORDS) },
  { weight: 2, arbitrary: fc.constantFrom(...COMMAND_WORDS) },
  { weight: 2, arbitrary: fc.constantFrom(...HOSTILE_FRAGMENTS) },
  { weight: 1, arbitrary: shortRandom },
);

/** Quotes come in pairs here (a lone quote is a hostile fragment), so most soups get past the tokenizer. */
const QUOTES = [['"', '"'], ["'", "'"], ['“', '”'], ['„', '“'], ['‘', '’']] as const;

/** A word of the grammar, a hostile fragment, a few random characters, or a quoted phrase of them. */
export const grammarWord: fc.Arbitrary<string> = fc.oneof(
  { weight: 9, arbitrary: plainWord },
  {
    weight: 1,
    arbitrary: fc.tuple(fc.constantFrom(...QUOTES), fc.array(plainWord, { minLength: 1, maxLength: 3 })).map(([[open, close], words]) => `${open}${words.join(' ')}${close}`),
  },
);

/** Words joined by separators (spaces, line breaks, quotes), `maxWords` at most. */
export function soup(word: fc.Arbitrary<string>, maxWords: number): fc.Arbitrary<string> {
  return fc
    .array(fc.tuple(word, fc.constantFrom(...SEPARATORS)), { maxLength: maxWords })
    .map((parts) => parts.map(([part, separator]) => `${part}${separator}`).join(''));
}

/** A command word first (so the parser dispatches), then a soup of arguments. */
export const commandSoup: fc.Arbitrary<string> = fc
  .tuple(fc.constantFrom(...COMMANDS.map((definition) => definition.words.join(' '))), soup(grammarWord, 10))
  .map(([head, rest]) => `${head} ${rest}`);

type Mutation =
  | { readonly kind: 'drop' | 'duplicate' | 'swap' | 'upper'; readonly at: number }
  | { readonly kind: 'insert' | 'replace'; readonly at: number; readonly word: string }
  | { readonly kind: 'char'; readonly at: number; readonly text: string };

const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  fc.record({ kind: fc.constantFrom('drop' as const, 'duplicate' as const, 'swap' as const, 'upper' as const), at: fc.nat() }),
  fc.record({ kind: fc.constantFrom('insert' as const, 'replace' as const), at: fc.nat(), word: grammarWord }),
  fc.record({ kind: fc.constant('char' as const), at: fc.nat(), text: fc.oneof(fc.string({ unit: 'binary', maxLength: 2 }), fc.constantFrom(...HOSTILE_FRAGMENTS)) }),
);

function applyMutation(text: string, change: Mutation): string {
  const words = text.split(' ');
  const at = change.at % Math.max(1, words.length);
  switch (change.kind) {
    case 'drop':
      words.splice(at, 1);
      return words.join(' ');
    case 'duplicate':
      words.splice(at, 0, words[at] ?? '');
      return words.join(' ');
    case 'swap': {
      const next = (at + 1) % words.length;
      [words[at], words[next]] = [words[next] ?? '', words[at] ?? ''];
      return words.join(' ');
    }
    case 'upper':
      words[at] = (words[at] ?? '').toUpperCase();
      return words.join(' ');
    case 'insert':
      words.splice(at, 0, change.word);
      return words.join(' ');
    case 'replace':
      words[at] = change.word;
      return words.join(' ');
    case 'char': {
      const position = change.at % (text.length + 1);
      return `${text.slice(0, position)}${change.text}${text.slice(position + 1)}`;
    }
  }
}

/** One of `valid`, changed by up to `maxEdits` word or character edits (none at all now and then). */
export function mutated(valid: fc.Arbitrary<string>, maxEdits = 3): fc.Arbitrary<string> {
  return fc.tuple(valid, fc.array(mutation, { maxLength: maxEdits })).map(([text, changes]) => changes.reduce(applyMutation, text));
}

/** Every example command of the help text. */
export const COMMAND_EXAMPLES: readonly string[] = COMMANDS.flatMap((definition) => definition.examples);

/** Every example schedule spec the parser's errors quote. */
export const SPEC_EXAMPLES: readonly string[] = Object.values(SCHEDULE_EXAMPLES);

/** Arbitrary text of any length up to `max`: mostly short, sometimes long. */
export function anyText(max: number): fc.Arbitrary<string> {
  return fc.oneof(
    { weight: 6, arbitrary: fc.string({ unit: 'binary', maxLength: 60 }) },
    { weight: 3, arbitrary: fc.string({ unit: 'grapheme', maxLength: 200 }) },
    { weight: 1, arbitrary: fc.string({ unit: 'binary-ascii', minLength: max - 20, maxLength: max }) },
  );
}

type JsonEdit =
  | { readonly kind: 'delete'; readonly at: number }
  | { readonly kind: 'replace'; readonly at: number; readonly value: unknown }
  | { readonly kind: 'add'; readonly at: number; readonly key: string; readonly value: unknown };

const jsonEdit: fc.Arbitrary<JsonEdit> = fc.oneof(
  fc.record({ kind: fc.constant('delete' as const), at: fc.nat() }),
  fc.record({ kind: fc.constant('replace' as const), at: fc.nat(), value: fc.oneof(fc.jsonValue({ maxDepth: 2 }), fc.constantFrom<unknown>(...HOSTILE_FRAGMENTS, null, '', 0, -1, true, [], {})) }),
  fc.record({ kind: fc.constant('add' as const), at: fc.nat(), key: fc.constantFrom('__proto__', 'constructor', 'type', 'value', 'id', 'x'), value: fc.jsonValue({ maxDepth: 1 }) }),
);

/** Every object or array inside `value`, with `value` itself first. */
function containers(value: unknown, found: (Record<string, unknown> | unknown[])[] = []): (Record<string, unknown> | unknown[])[] {
  if (typeof value !== 'object' || value === null) return found;
  found.push(value as Record<string, unknown> | unknown[]);
  for (const child of Object.values(value)) containers(child, found);
  return found;
}

function applyJsonEdit(document: Record<string, unknown>, edit: JsonEdit): Record<string, unknown> {
  const all = containers(document);
  const target = all[edit.at % all.length] ?? document;
  const keys = Object.keys(target);
  const key = keys[edit.at % Math.max(1, keys.length)];
  if (edit.kind === 'add') {
    // defineProperty, so "__proto__" becomes an own key as JSON.parse would make it.
    Object.defineProperty(target, edit.key, { value: edit.value, enumerable: true, writable: true, configurable: true });
  } else if (key !== undefined && edit.kind === 'delete') {
    if (Array.isArray(target)) target.splice(Number(key), 1);
    else Reflect.deleteProperty(target, key);
  } else if (key !== undefined && edit.kind === 'replace') {
    (target as Record<string, unknown>)[key] = edit.value;
  }
  return document;
}

/** A valid payload changed by up to `maxEdits` deletions, replacements (any JSON, hostile strings) and additions. */
export function mutatedJson(valid: fc.Arbitrary<Record<string, unknown>>, maxEdits = 3): fc.Arbitrary<Record<string, unknown>> {
  return fc
    .tuple(valid, fc.array(jsonEdit, { maxLength: maxEdits }))
    .map(([document, edits]) => edits.reduce(applyJsonEdit, structuredClone(document)));
}

/** Text the grammar might accept, or nearly: what chat users type. */
export const chatText: fc.Arbitrary<string> = fc.oneof(
  { weight: 4, arbitrary: mutated(fc.constantFrom(...COMMAND_EXAMPLES), 3) },
  { weight: 3, arbitrary: commandSoup },
  { weight: 1, arbitrary: anyText(2100) },
);
