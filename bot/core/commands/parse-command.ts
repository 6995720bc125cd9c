// Chat text → typed command, or one short line saying what was expected. Parsing stores
// nothing, so bad input can never change state.
import type { ApprovalPolicy } from '../ports/schedule-repository.ts';
import { parseSchedule, parseSkipRange } from '../schedule/index.ts';
import type { Command, ScheduleSpec, ScheduleTarget } from './command.ts';
import { commandsStartingWith, COMMANDS, matchCommand, usageOf } from './command-definitions.ts';
import type { CommandDefinition } from './command-definitions.ts';
import { extractOptions } from './options.ts';
import { parseHistoryCount, parseOpen, parseSimPending, parseWindowId } from './parse-window-command.ts';
import type { OptionKind } from './options.ts';
import { closestName } from '../text/closest-name.ts';
import { tokenize } from './tokenize.ts';

export interface ParseCommandOptions {
  /** Zone for specs and skip dates that name none. */
  readonly defaultZone: string;
}

export type ParseCommandResult = { readonly ok: true; readonly command: Command } | { readonly ok: false; readonly message: string };

export const MAX_COMMAND_LENGTH = 2000;
export const MAX_REASON_LENGTH = 200;
export const MAX_PREVIEW_COUNT = 50;
const DEFAULT_PREVIEW_COUNT = 5;
const NAME = /^[A-Za-z][A-Za-z0-9._-]{0,63}$/;
const LOCK_HOLDER = /^[^\s@]{1,253}$/;

export function parseCommand(text: string, options: ParseCommandOptions): ParseCommandResult {
  const parsed = parseText(text, options);
  // Messages quote the user's words, and a quoted word may hold line breaks: keep the reply one line.
  return parsed.ok ? parsed : { ok: false, message: parsed.message.replace(/\s+/g, ' ') };
}

function parseText(text: string, options: ParseCommandOptions): ParseCommandResult {
  if (text.length > MAX_COMMAND_LENGTH) return failure(`the command is longer than ${MAX_COMMAND_LENGTH} characters`);
  const tokens = tokenize(text);
  if (!tokens.ok) return failure(tokens.message);
  const words = tokens.words;
  if (words.length === 0) return failure('no command given', COMMANDS.find((definition) => definition.kind === 'help'));
  const definition = matchCommand(words);
  if (definition === undefined) return unknownCommand(words);
  const args = words.slice(definition.words.length);
  const parsed = parseArguments(definition, args, options);
  return parsed.ok ? parsed : failure(parsed.message, definition);
}

function parseArguments(definition: CommandDefinition, args: readonly string[], options: ParseCommandOptions): ParseCommandResult {
  switch (definition.kind) {
    case 'help':
      return ok({ kind: 'help', topic: args.map((word) => word.toLowerCase()) });
    case 'schedule-list':
    case 'skips':
    case 'status':
    case 'nodes':
    case 'pause':
    case 'resume':
    case 'sim-reset':
      return args.length === 0 ? ok({ kind: definition.kind }) : { ok: false, message: `unexpected "${args.join(' ')}"` };
    case 'open':
      return parseOpen(args, options.defaultZone, MAX_REASON_LENGTH);
    case 'close': {
      const id = parseWindowId(args, true);
      return id.ok ? ok({ kind: 'close', windowId: id.id }) : id;
    }
    case 'cancel':
    case 'approve':
    case 'reject': {
      const id = parseWindowId(args, false);
      return id.ok && id.id !== undefined ? ok({ kind: definition.kind, windowId: id.id }) : { ok: false, message: id.ok ? 'which window?' : id.message };
    }
    case 'release-lock': {
      const [holder] = args;
      // kured's lock names nodes (DNS subdomains), or whatever a hand-written lock says.
      if (args.length !== 1 || holder === undefined || !LOCK_HOLDER.test(holder)) return { ok: false, message: 'expected the one node (lock holder) to release, as the alert names it' };
      return ok({ kind: 'release-lock', holder });
    }
    case 'history': {
      const count = parseHistoryCount(args);
      return count.ok ? ok({ kind: 'history', count: count.count }) : count;
    }
    case 'sim-pending':
      return parseSimPending(args);
    case 'schedule-add':
      return withOptions(args, { name: 'value', approval: 'value' }, (values, _flags, rest) => {
        const spec = readSpec(rest, options);
        if (!spec.ok) return spec;
        const name = values.get('name');
        if (name !== undefined && !NAME.test(name)) {
          return { ok: false, message: `--name "${name}" must start with a letter and use only letters, digits, . _ - (at most 64)` };
        }
        const approval = values.get('approval') ?? 'required';
        if (!isApprovalPolicy(approval)) return { ok: false, message: `--approval "${approval}" must be required or pre-approved` };
        return ok({ kind: 'schedule-add', spec: spec.spec, name, approval });
      });
    case 'schedule-preview':
      return withOptions(args, { count: 'value', 'with-skips': 'flag' }, (values, flags, rest) => {
        const spec = readSpec(rest, options);
        if (!spec.ok) return spec;
        const countText = values.get('count') ?? String(DEFAULT_PREVIEW_COUNT);
        const count = /^\d{1,4}$/.test(countText) ? Number(countText) : Number.NaN;
        if (!(count >= 1 && count <= MAX_PREVIEW_COUNT)) {
          return { ok: false, message: `--count "${countText}" must be a whole number from 1 to ${MAX_PREVIEW_COUNT}` };
        }
        return ok({ kind: 'schedule-preview', spec: spec.spec, count, withSkips: flags.has('with-skips') });
      });
    case 'schedule-remove': {
      const target = readScheduleTarget(args);
      return target.ok ? ok({ kind: 'schedule-remove', target: target.target }) : target;
    }
    case 'skip': {
      if (args.length === 0) return { ok: false, message: 'which dates? give a date or a range from..to' };
      const read = parseSkipRange(args.join(' '), options.defaultZone);
      if (!read.ok) return { ok: false, message: read.error.message };
      if (read.rest.length > MAX_REASON_LENGTH) return { ok: false, message: `the reason is longer than ${MAX_REASON_LENGTH} characters` };
      return ok({ kind: 'skip', range: read.range, reason: read.rest });
    }
    case 'unskip': {
      const id = readId(args);
      return id === undefined ? { ok: false, message: 'expected the id of one skip, as shown by "skips"' } : ok({ kind: 'unskip', id });
    }
  }
}

type ArgumentsResult = ParseCommandResult;

function withOptions(
  args: readonly string[],
  known: Readonly<Record<string, OptionKind>>,
  read: (values: ReadonlyMap<string, string>, flags: ReadonlySet<string>, rest: string[]) => ArgumentsResult,
): ArgumentsResult {
  const extracted = extractOptions(args, known);
  return extracted.ok ? read(extracted.values, extracted.flags, extracted.rest) : extracted;
}

function readSpec(words: readonly string[], options: ParseCommandOptions): { ok: true; spec: ScheduleSpec } | { ok: false; message: string } {
  const text = words.join(' ');
  if (text === '') return { ok: false, message: 'which schedule? give a spec' };
  const parsed = parseSchedule(text, { defaultZone: options.defaultZone });
  return parsed.ok ? { ok: true, spec: { text, schedule: parsed.schedule } } : { ok: false, message: parsed.error.message };
}

function readScheduleTarget(args: readonly string[]): { ok: true; target: ScheduleTarget } | { ok: false; message: string } {
  const id = readId(args);
  if (id !== undefined) return { ok: true, target: { kind: 'id', id } };
  const [name] = args;
  if (args.length === 1 && name !== undefined && NAME.test(name)) return { ok: true, target: { kind: 'name', name } };
  return { ok: false, message: 'expected the id or name of one schedule, as shown by "schedule list"' };
}

/** `3` or `#3`. */
function readId(args: readonly string[]): number | undefined {
  const [word] = args;
  if (args.length !== 1 || word === undefined) return undefined;
  const match = /^#?(\d{1,9})$/.exec(word);
  return match?.[1] === undefined ? undefined : Number(match[1]);
}

function isApprovalPolicy(value: string): value is ApprovalPolicy {
  return value === 'required' || value === 'pre-approved';
}

function ok(command: Command): ParseCommandResult {
  return { ok: true, command };
}

function failure(message: string, definition?: CommandDefinition): ParseCommandResult {
  if (definition === undefined) return { ok: false, message };
  const topic = definition.words.join(' ');
  return { ok: false, message: `${message}; usage: ${usageOf(definition)} (see "help ${topic}")` };
}

function unknownCommand(words: readonly string[]): ParseCommandResult {
  const [first = '', second] = words;
  const family = commandsStartingWith(first);
  if (family.length > 0) {
    const choices = family.map((definition) => definition.words.slice(1).join(' ')).join(', ');
    const what = second === undefined ? `"${first}" needs a subcommand` : `unknown subcommand "${first} ${second}"`;
    return { ok: false, message: `${what}: expected one of ${choices} (see "help ${first.toLowerCase()}")` };
  }
  const characters = Array.from(first); // by code point, so an emoji is not cut in half
  const shown = characters.length > 40 ? `${characters.slice(0, 39).join('')}…` : first;
  const suggestion = closestName(first, [...new Set(COMMANDS.map((definition) => definition.words[0] ?? ''))]);
  const hint = suggestion === undefined ? '' : `; did you mean "${suggestion}"?`;
  return { ok: false, message: `unknown command "${shown}"${hint} (see "help" for the commands)` };
}
