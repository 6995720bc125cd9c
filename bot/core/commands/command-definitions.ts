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
    kind: 'status',
    words: ['status'],
    arguments: '',
    summary: 'the windows that are open or coming, the nodes waiting for a reboot, and the reboot daemon',
    examples: ['status'],
  },
  {
    kind: 'nodes',
    words: ['nodes'],
    arguments: '',
    summary: 'every node: ready, cordoned, and whether (since when, for which packages) it needs a reboot',
    examples: ['nodes'],
  },
  {
    kind: 'open',
    words: ['open'],
    arguments: '<duration> [at <time>] [--concurrency N] [--nodes <label selector>] [--reason <text>]',
    summary: 'ask for a maintenance window now or later; someone else approves it, then kured reboots the waiting nodes',
    examples: ['open 1h', 'open 3h at 22:00 --concurrency 2 --reason "kernel 6.1.119"', 'open 2h at 2026-12-08 14:00 Europe/Zurich --nodes "agentpool=user"'],
  },
  {
    kind: 'close',
    words: ['close'],
    arguments: '[window id]',
    summary: 'close the open window now (nodes mid-reboot finish; no new node starts) and remove kured',
    examples: ['close', 'close 4'],
  },
  {
    kind: 'cancel',
    words: ['cancel'],
    arguments: '<window id>',
    summary: 'cancel a window that has not opened yet',
    examples: ['cancel 5'],
  },
  {
    kind: 'pause',
    words: ['pause'],
    arguments: '',
    summary: 'hold kured\'s lock so no further node starts rebooting (nodes already rebooting finish)',
    examples: ['pause'],
  },
  {
    kind: 'resume',
    words: ['resume'],
    arguments: '',
    summary: 'release the held lock so kured continues',
    examples: ['resume'],
  },
  {
    kind: 'release-lock',
    words: ['release-lock'],
    arguments: '<node>',
    summary: "approvers: free kured's lock from a stuck holder (a deleted node, or one holding it past its TTL), as the Release button does",
    examples: ['release-lock aks-nodepool1-12345678-vmss000003'],
  },
  {
    kind: 'approve',
    words: ['approve'],
    arguments: '<window id>',
    summary: 'approve a window request (the same as its Approve button)',
    examples: ['approve 3'],
  },
  {
    kind: 'reject',
    words: ['reject'],
    arguments: '<window id>',
    summary: 'reject a window request (the same as its Reject button)',
    examples: ['reject 3'],
  },
  {
    kind: 'history',
    words: ['history'],
    arguments: '[n]',
    summary: 'the last n windows (default 10) with their outcome and reboot times',
    examples: ['history', 'history 25'],
  },
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
    kind: 'sim-pending',
    words: ['sim', 'pending'],
    arguments: '<node> [package …]',
    summary: 'simulated cluster only: make a node need a reboot',
    examples: ['sim pending sim-node-2 openssl'],
  },
  {
    kind: 'sim-reset',
    words: ['sim', 'reset'],
    arguments: '',
    summary: 'simulated cluster only: back to the starting state',
    examples: ['sim reset'],
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
