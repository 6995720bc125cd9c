import { describe, expect, it } from 'vitest';
import { COMMANDS, commandsStartingWith, usageOf } from '../../../../../bot/core/commands/command-definitions.ts';
import type { CommandDefinition } from '../../../../../bot/core/commands/command-definitions.ts';
import { helpText } from '../../../../../bot/core/commands/help-text.ts';
import { parseCommand } from '../../../../../bot/core/commands/parse-command.ts';

/** The details block help shows for one command, built from the table. */
function detailsOf(definition: CommandDefinition): string {
  return [usageOf(definition), `  ${definition.summary}`, ...definition.examples.map((example) => `  e.g. ${example}`)].join('\n');
}

function definition(kind: CommandDefinition['kind']): CommandDefinition {
  const found = COMMANDS.find((candidate) => candidate.kind === kind);
  if (found === undefined) throw new Error(`no command ${kind}`);
  return found;
}

function okText(topic: readonly string[]): string {
  const result = helpText(topic);
  if (!result.ok) throw new Error(`expected help for "${topic.join(' ')}": ${result.text}`);
  return result.text;
}

describe('helpText: the command table', () => {
  it('has one entry per command kind, each with words, a summary and examples', () => {
    const kinds = COMMANDS.map((command) => command.kind);
    expect(new Set(kinds).size).toBe(kinds.length);
    expect(kinds).toEqual(expect.arrayContaining(['help', 'schedule-add', 'schedule-list', 'schedule-preview', 'schedule-remove', 'skip', 'skips', 'unskip']));
    for (const command of COMMANDS) {
      expect(command.words.length, command.kind).toBeGreaterThan(0);
      expect(command.summary, command.kind).not.toBe('');
      expect(command.examples.length, command.kind).toBeGreaterThan(0);
    }
  });

  it('usageOf joins the words and arguments, leaving out empty arguments', () => {
    expect(usageOf(definition('schedule-remove'))).toBe('schedule remove <id or name>');
    expect(usageOf(definition('schedule-list'))).toBe('schedule list');
    expect(usageOf(definition('skips'))).toBe('skips');
  });
});

describe('helpText: help', () => {
  const text = okText([]);
  const lines = text.split('\n');

  it('starts with a title and ends pointing to help <command>', () => {
    expect(lines[0]).toBe('patchwindow commands:');
    expect(lines.at(-1)).toBe('Say "help <command>" for details and examples.');
  });

  it('lists every command, in table order, each usage followed by its summary', () => {
    expect(lines.slice(1, -1)).toEqual(COMMANDS.flatMap((command) => [`  ${usageOf(command)}`, `      ${command.summary}`]));
  });

  it('leaves the examples for the details', () => {
    expect(text).not.toContain('e.g.');
  });
});

describe('helpText: help <topic>', () => {
  it('shows the whole schedule family with its examples', () => {
    const family = commandsStartingWith('schedule');
    expect(family.map((command) => command.kind)).toEqual(['schedule-add', 'schedule-list', 'schedule-remove', 'schedule-preview']);
    const text = okText(['schedule']);
    expect(text).toBe(family.map(detailsOf).join('\n\n'));
    for (const example of family.flatMap((command) => command.examples)) expect(text).toContain(`  e.g. ${example}`);
    expect(text).not.toContain('unskip');
  });

  it('shows one command for help schedule add', () => {
    const add = definition('schedule-add');
    expect(okText(['schedule', 'add'])).toBe(detailsOf(add));
    expect(okText(['schedule', 'add']).split('\n')).toEqual([
      'schedule add <spec> [--name <name>] [--approval required|pre-approved]',
      `  ${add.summary}`,
      ...add.examples.map((example) => `  e.g. ${example}`),
    ]);
  });

  it.each(COMMANDS.map((command) => [command.words.join(' '), command] as const))('help %s shows only that command', (_words, command) => {
    expect(helpText(command.words)).toEqual({ ok: true, text: detailsOf(command) });
  });

  it('keeps skip and skips apart', () => {
    expect(okText(['skip'])).toBe(detailsOf(definition('skip')));
    expect(okText(['skips'])).toBe(detailsOf(definition('skips')));
  });

  it('gets its topic from the parser in lower case', () => {
    const parsed = parseCommand('HELP Schedule Add', { defaultZone: 'UTC' });
    if (!parsed.ok || parsed.command.kind !== 'help') throw new Error('expected a help command');
    expect(helpText(parsed.command.topic)).toEqual({ ok: true, text: detailsOf(definition('schedule-add')) });
  });
});

describe('helpText: unknown topics', () => {
  it.each<[readonly string[], string]>([
    [['frobnicate'], 'no command "frobnicate" (see "help" for the commands)'],
    [['schedule', 'frobnicate'], 'no command "schedule frobnicate" (see "help" for the commands)'],
    [['schedule', 'add', 'now'], 'no command "schedule add now" (see "help" for the commands)'],
    [['add'], 'no command "add" (see "help" for the commands)'],
    [['skipss'], 'no command "skipss" (see "help" for the commands)'],
    // A quoted topic may hold line breaks (found by the chaos tier's fuzzing): the answer stays one line.
    [['\n'], 'no command " " (see "help" for the commands)'],
    [['a\r\nb', 'c\u2028d'], 'no command "a b c d" (see "help" for the commands)'],
  ])('%j', (topic, text) => {
    expect(helpText(topic)).toEqual({ ok: false, text });
  });
});
