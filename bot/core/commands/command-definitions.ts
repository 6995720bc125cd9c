// The command table: words, usage, summary and an example per command. The parser dispatches
// on it and `help` is generated from it, so the two cannot drift apart.
import type { CommandKind } from './command.ts';

export interface CommandDefinition {
  readonly kind: CommandKind;
  /** The words that name the command, e.g. ['schedule', 'add']. */
  readonly words: readonly string[];
  /** Everything after the words, in usage notation. */
  readonly arguments: string;
  readonly summary: string;
  readonly examples: readonly string[];
}

export const COMMANDS: readonly CommandDefinition[] = [
  {
    kind: 'schedule-add',
    words: ['schedule', 'add'],
    arguments: '<spec> [--name <name>] [--approval required|pre-approved]',
    summary: 'store a calendar schedule for maintenance windows (approval required unless pre-approved)',
    examples: [
      'schedule add every 2nd tue of jan,apr,jul,oct 14:00-17:00 Europe/Zurich --name quarterly',
      'schedule add every sat 23:00-03:00 Europe/London --approval pre-approved',
    ],
  },
  {
    kind: 'schedule-list',
    words: ['schedule', 'list'],
    arguments: '',
    summary: 'list the stored schedules, each with its next window',
    examples: ['schedule list'],
  },
  {
    kind: 'schedule-remove',
    words: ['schedule', 'remove'],
    arguments: '<id or name>',
    summary: 'remove a stored schedule',
    examples: ['schedule remove 3', 'schedule remove quarterly'],
  },
  {
    kind: 'schedule-preview',
    words: ['schedule', 'preview'],
    arguments: '<spec> [--count N] [--with-skips]',
    summary: 'show the next windows a spec produces (default 5, at most 50), without storing anything',
    examples: ['schedule preview every last fri 22:00 for 4h UTC --count 3'],
  },
  {
    kind: 'skip',
    words: ['skip'],
    arguments: '<date or from..to> [zone] [reason]',
    summary: 'block out dates: no window may overlap them',
    examples: ['skip 2026-12-20..2027-01-06 year-end freeze', 'skip 2026-12-24 Europe/Zurich Christmas Eve'],
  },
  {
    kind: 'skips',
    words: ['skips'],
    arguments: '',
    summary: 'list the blackout dates',
    examples: ['skips'],
  },
  {
    kind: 'unskip',
    words: ['unskip'],
    arguments: '<id>',
    summary: 'remove a blackout range',
    examples: ['unskip 2'],
  },
  {
    kind: 'help',
    words: ['help'],
    arguments: '[command]',
    summary: 'show the commands, or the details of one',
    examples: ['help', 'help schedule add'],
  },
];

export function usageOf(definition: CommandDefinition): string {
  return [...definition.words, definition.arguments].filter((part) => part !== '').join(' ');
}

/** The command whose words start `words`, preferring the longest match. */
export function matchCommand(words: readonly string[]): CommandDefinition | undefined {
  const lower = words.map((word) => word.toLowerCase());
  return [...COMMANDS]
    .sort((a, b) => b.words.length - a.words.length)
    .find((definition) => definition.words.every((word, index) => lower[index] === word));
}

/** The commands in a family (`schedule`), for "expected one of …" and help. */
export function commandsStartingWith(word: string): CommandDefinition[] {
  return COMMANDS.filter((definition) => definition.words[0] === word.toLowerCase());
}
