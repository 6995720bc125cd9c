import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { extractOptions } from '../../../../../bot/core/commands/options.ts';
import type { OptionKind, OptionsResult } from '../../../../../bot/core/commands/options.ts';

/** A fixed seed keeps the property runs the same on every run. */
const SEED = 20_260_113;

const KNOWN: Readonly<Record<string, OptionKind>> = { name: 'value', count: 'value', 'with-skips': 'flag' };

/** The result as plain data, so maps and sets compare by content. */
function plain(result: OptionsResult): unknown {
  return result.ok
    ? { values: Object.fromEntries(result.values), flags: [...result.flags], rest: result.rest }
    : { message: result.message };
}

function extract(line: string, known = KNOWN): unknown {
  return plain(extractOptions(line === '' ? [] : line.split(' '), known));
}

describe('extractOptions: accepted', () => {
  it.each<[string, string, unknown]>([
    ['no words', '', { values: {}, flags: [], rest: [] }],
    ['no options', 'every day 02:00-05:00', { values: {}, flags: [], rest: ['every', 'day', '02:00-05:00'] }],
    ['a value after a space', 'every day --name nightly', { values: { name: 'nightly' }, flags: [], rest: ['every', 'day'] }],
    ['a value after =', 'every day --name=nightly', { values: { name: 'nightly' }, flags: [], rest: ['every', 'day'] }],
    ['a value containing =', '--name=a=b x', { values: { name: 'a=b' }, flags: [], rest: ['x'] }],
    ['a value given after = may start with --', '--name=--x', { values: { name: '--x' }, flags: [], rest: [] }],
    ['a value that starts with a single -', '--count -1', { values: { count: '-1' }, flags: [], rest: [] }],
    ['a flag', 'every day --with-skips', { values: {}, flags: ['with-skips'], rest: ['every', 'day'] }],
    [
      'options anywhere, rest keeping its order',
      'a --count 3 b --with-skips c --name=n d',
      { values: { count: '3', name: 'n' }, flags: ['with-skips'], rest: ['a', 'b', 'c', 'd'] },
    ],
    ['options first', '--name n --count 2 every day', { values: { name: 'n', count: '2' }, flags: [], rest: ['every', 'day'] }],
    ['a lone single dash is a word', 'a - b', { values: {}, flags: [], rest: ['a', '-', 'b'] }],
  ])('%s', (_what, line, expected) => {
    expect(extract(line)).toEqual(expected);
  });

  it('takes a value with spaces from a single (quoted) word', () => {
    expect(plain(extractOptions(['--name', 'two words', 'x'], KNOWN))).toEqual({ values: { name: 'two words' }, flags: [], rest: ['x'] });
  });
});

describe('extractOptions: refused', () => {
  it.each<[string, string, string]>([
    ['an unknown option, listing the known ones', 'every day --nmae x', 'unknown option --nmae (this command takes --name, --count, --with-skips)'],
    ['an unknown option written with =', '--colour=red', 'unknown option --colour (this command takes --name, --count, --with-skips)'],
    ['a bare --', 'every day --', 'unknown option -- (this command takes --name, --count, --with-skips)'],
    ['option names are case-sensitive', '--Name x', 'unknown option --Name (this command takes --name, --count, --with-skips)'],
    ['a value option given twice', '--name a --name b', '--name is given twice'],
    ['a value option given twice, once with =', '--name=a x --name b', '--name is given twice'],
    ['a flag given twice', '--with-skips --with-skips', '--with-skips is given twice'],
    ['a value option at the end', 'every day --name', '--name needs a value'],
    ['an empty value after =', '--name= x', '--name needs a value'],
    ['a value that starts with --', '--name --count 3', '--name needs a value'],
    ['a value that is just --', '--name -- x', '--name needs a value'],
    ['a flag with =', '--with-skips=yes', '--with-skips takes no value'],
    ['a flag with an empty =', '--with-skips=', '--with-skips takes no value'],
  ])('%s', (_what, line, message) => {
    expect(extract(line)).toEqual({ message });
  });

  it('an empty value word is missing', () => {
    expect(plain(extractOptions(['--name', ''], KNOWN))).toEqual({ message: '--name needs a value' });
  });

  it('says no more than "unknown option" when the command takes none', () => {
    expect(extract('every day --name x', {})).toEqual({ message: 'unknown option --name' });
  });

  it('stops at the first problem', () => {
    expect(extract('--bogus --name')).toEqual({ message: 'unknown option --bogus (this command takes --name, --count, --with-skips)' });
    expect(extract('--name --bogus')).toEqual({ message: '--name needs a value' });
  });
});

describe('extractOptions: properties', () => {
  const word = fc.string({ unit: 'binary', maxLength: 8 }).filter((text) => !text.startsWith('--'));

  it('leaves words that are not options in rest, in order', () => {
    fc.assert(
      fc.property(fc.array(word, { maxLength: 10 }), (words) => {
        expect(plain(extractOptions(words, KNOWN))).toEqual({ values: {}, flags: [], rest: words });
      }),
      { seed: SEED },
    );
  });

  it('takes out the options wherever they are and keeps the rest in order', () => {
    const value = word.filter((text) => text !== '');
    fc.assert(
      fc.property(
        fc.array(word, { maxLength: 6 }),
        fc.option(value, { nil: undefined }),
        fc.boolean(),
        fc.nat(),
        fc.nat(),
        (words, name, withSkips, namePosition, flagPosition) => {
          const line = [...words];
          if (name !== undefined) line.splice(namePosition % (line.length + 1), 0, '--name', name);
          if (withSkips) {
            // Not between --name and its value.
            const slots = [...line.keys(), line.length].filter((index) => line[index - 1] !== '--name');
            line.splice(slots[flagPosition % slots.length] ?? line.length, 0, '--with-skips');
          }
          expect(plain(extractOptions(line, KNOWN))).toEqual({
            values: name === undefined ? {} : { name },
            flags: withSkips ? ['with-skips'] : [],
            rest: words,
          });
        },
      ),
      { seed: SEED },
    );
  });
});
