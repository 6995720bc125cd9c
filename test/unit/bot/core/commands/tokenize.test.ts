import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { tokenize } from '../../../../../bot/core/commands/tokenize.ts';

/** A fixed seed keeps the property runs the same on every run. */
const SEED = 20_260_113;

const QUOTES = ['"', "'", '“', '”', '‘', '’', '„'];

/** A word tokenize must return unchanged: no whitespace, no opening quote. */
const plainWord = fc
  .string({ unit: 'binary', minLength: 1, maxLength: 12 })
  .filter((word) => !/\s/.test(word) && !['"', "'", '“', '‘', '„'].some((quote) => word.includes(quote)));

describe('tokenize: whitespace', () => {
  it.each<[string, string, string[]]>([
    ['nothing', '', []],
    ['only whitespace', ' \t\n\r\n ', []],
    ['single spaces', 'schedule add every day', ['schedule', 'add', 'every', 'day']],
    ['runs of spaces', '  schedule   list  ', ['schedule', 'list']],
    ['tabs', 'skip\t2026-12-24\t\tfreeze', ['skip', '2026-12-24', 'freeze']],
    ['newlines', 'skip\n2026-12-24\r\nfreeze\n', ['skip', '2026-12-24', 'freeze']],
    ['a no-break space as pasted from chat', 'schedule\u00a0list', ['schedule', 'list']],
  ])('%s', (_what, text, words) => {
    expect(tokenize(text)).toEqual({ ok: true, words });
  });

  it('keeps characters outside the Basic Multilingual Plane whole', () => {
    expect(tokenize('skip 2026-12-24 🎄 party')).toEqual({ ok: true, words: ['skip', '2026-12-24', '🎄', 'party'] });
  });
});

describe('tokenize: quotes', () => {
  it.each<[string, string, string[]]>([
    ['straight double quotes', 'skip 2026-12-24 "year-end  freeze"', ['skip', '2026-12-24', 'year-end  freeze']],
    ['straight single quotes', "skip 2026-12-24 'year-end freeze'", ['skip', '2026-12-24', 'year-end freeze']],
    ['typographic double quotes “…”', 'skip “year-end freeze” x', ['skip', 'year-end freeze', 'x']],
    ['typographic single quotes ‘…’', 'skip ‘year-end freeze’ x', ['skip', 'year-end freeze', 'x']],
    ['low-high quotes „…“', 'skip „Weihnachten im Büro“ x', ['skip', 'Weihnachten im Büro', 'x']],
    ['whitespace of every kind inside quotes', '"a\tb\nc"', ['a\tb\nc']],
    ['the other kind of quote inside quotes', `"don't" 'say "no"'`, ["don't", 'say "no"']],
    ['closing typographic quotes that open nothing', 'Year’s end”', ['Year’s', 'end”']],
    ['an empty quoted string as an empty word', 'a "" b', ['a', '', 'b']],
    ['an empty single-quoted string', "''", ['']],
    ['an empty typographic quoted string', '“” „“', ['', '']],
    ['a quote inside a word', 'a"b c"d', ['ab cd']],
    ['adjacent quoted parts join into one word', `"a b"“c d”`, ['a bc d']],
    ['an apostrophe inside a word is part of the word', "New Year's Eve", ['New', "Year's", 'Eve']],
    ['a typographic apostrophe inside a word too', 'New Year‘s Eve', ['New', 'Year‘s', 'Eve']],
    ['a quoted word directly followed by a space', '"a" b', ['a', 'b']],
  ])('%s', (_what, text, words) => {
    expect(tokenize(text)).toEqual({ ok: true, words });
  });

  it.each<[string, string]>([
    ['"year-end freeze', 'a quote is not closed (expected ")'],
    ["skip 'year-end freeze", "a quote is not closed (expected ')"],
    ["skip 'New Year", "a quote is not closed (expected ')"],
    ['skip “year-end freeze', 'a quote is not closed (expected ”)'],
    ['skip “year-end freeze"', 'a quote is not closed (expected ”)'],
    ['skip ‘year-end freeze', 'a quote is not closed (expected ’)'],
    ['skip „year-end freeze', 'a quote is not closed (expected “)'],
    ['"a" "b', 'a quote is not closed (expected ")'],
  ])('refuses %j: %s', (text, message) => {
    expect(tokenize(text)).toEqual({ ok: false, message });
  });
});

describe('tokenize: properties', () => {
  it('returns words without quotes or whitespace unchanged when joined by spaces', () => {
    fc.assert(
      fc.property(fc.array(plainWord, { maxLength: 8 }), (words) => {
        expect(tokenize(words.join(' '))).toEqual({ ok: true, words });
      }),
      { seed: SEED },
    );
  });

  it('returns any word without a double quote unchanged when it is double-quoted', () => {
    const word = fc.string({ unit: 'binary', maxLength: 12 }).filter((text) => !text.includes('"'));
    fc.assert(
      fc.property(fc.array(word, { maxLength: 8 }), (words) => {
        expect(tokenize(words.map((text) => `"${text}"`).join(' \t'))).toEqual({ ok: true, words });
      }),
      { seed: SEED },
    );
  });

  it('never throws, and a failure names one of the closing quotes', () => {
    const unit = fc.oneof(fc.constantFrom(...QUOTES, ' ', '\n', 'a'), fc.string({ unit: 'binary', minLength: 1, maxLength: 1 }));
    const text = fc.string({ unit, maxLength: 40 });
    fc.assert(
      fc.property(text, (input) => {
        const result = tokenize(input);
        if (result.ok) {
          // Quotes and separating whitespace are dropped, nothing is added.
          expect(result.words.join('').length).toBeLessThanOrEqual(input.length);
        } else {
          expect(result.message).toMatch(/^a quote is not closed \(expected ["'”’“]\)$/);
        }
      }),
      { seed: SEED },
    );
  });
});
