// Fuzzing the chat command grammar (parseCommand): every text is answered with a command or one
// clear line, and whatever is accepted keeps the grammar's limits, so nothing out of bounds
// reaches the engine, the store or the cluster.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseLabelSelector } from '../../../bot/core/cluster/label-selector.ts';
import type { Command } from '../../../bot/core/commands/command.ts';
import { MAX_COMMAND_LENGTH, MAX_PREVIEW_COUNT, MAX_REASON_LENGTH, parseCommand } from '../../../bot/core/commands/parse-command.ts';
import { MAX_CONCURRENCY, MAX_HISTORY } from '../../../bot/core/commands/parse-window-command.ts';
import { canonicalZoneName } from '../../../bot/core/schedule/zone.ts';
import { anyText, COMMAND_EXAMPLES, commandSoup, mutated } from './arbitraries.ts';
import { fuzzSync, unclearError } from './fuzz-run.ts';

const ZONES = ['Europe/Zurich', 'UTC', 'America/New_York'] as const;
const NAME = /^[A-Za-z][A-Za-z0-9._-]{0,63}$/;
const NODE = /^[a-z0-9]([a-z0-9.-]{0,251}[a-z0-9])?$/;

/** What an accepted command may carry: the limits the engine relies on. */
function outOfBounds(command: Command): string | undefined {
  switch (command.kind) {
    case 'open': {
      if (!(Number.isInteger(command.minutes) && command.minutes > 0)) return `open: ${command.minutes} minutes`;
      if (command.concurrency !== undefined && !(Number.isInteger(command.concurrency) && command.concurrency >= 1 && command.concurrency <= MAX_CONCURRENCY)) {
        return `open: concurrency ${command.concurrency}`;
      }
      if (command.nodeSelector !== undefined && !parseLabelSelector(command.nodeSelector).ok) return `open: selector ${command.nodeSelector}`;
      if (command.reason.length > MAX_REASON_LENGTH) return `open: reason of ${command.reason.length} characters`;
      if ((command.start.kind === 'clock' || command.start.kind === 'local') && canonicalZoneName(command.start.zone) !== command.start.zone) {
        return `open: zone ${command.start.zone}`;
      }
      if (command.start.kind === 'instant' && Number.isNaN(Date.parse(command.start.iso))) return `open: start ${command.start.iso}`;
      return undefined;
    }
    case 'close':
    case 'cancel':
    case 'approve':
    case 'reject': {
      const id = command.windowId;
      return id === undefined || (Number.isSafeInteger(id) && id >= 0) ? undefined : `${command.kind}: window ${id}`;
    }
    case 'history':
      return command.count >= 1 && command.count <= MAX_HISTORY ? undefined : `history: ${command.count}`;
    case 'schedule-add':
      return command.name === undefined || NAME.test(command.name) ? undefined : `schedule add: name ${command.name}`;
    case 'schedule-preview':
      return command.count >= 1 && command.count <= MAX_PREVIEW_COUNT ? undefined : `schedule preview: count ${command.count}`;
    case 'schedule-remove':
      return command.target.kind === 'id' || NAME.test(command.target.name) ? undefined : `schedule remove: ${command.target.name}`;
    case 'skip':
      return command.reason.length <= MAX_REASON_LENGTH ? undefined : `skip: reason of ${command.reason.length} characters`;
    case 'sim-pending':
      return NODE.test(command.node) ? undefined : `sim pending: node ${command.node}`;
    default:
      return undefined;
  }
}

const withZone = <T>(text: fc.Arbitrary<T>): fc.Arbitrary<[T, string]> => fc.tuple(text, fc.constantFrom(...ZONES));

function check([text, defaultZone]: [string, string]): void {
  const result = parseCommand(text, { defaultZone });
  if (result.ok) {
    expect(text.length).toBeLessThanOrEqual(MAX_COMMAND_LENGTH);
    expect(outOfBounds(result.command)).toBeUndefined();
  } else {
    expect(unclearError(result.message)).toBeUndefined();
  }
  // The same text always reads the same way (no state between calls).
  expect(parseCommand(text, { defaultZone })).toStrictEqual(result);
}

describe('fuzz: the command grammar', () => {
  it('answers arbitrary text with a command or one clear line', async (context) => {
    await fuzzSync({ context, target: 'command grammar: arbitrary text', arbitrary: withZone(anyText(MAX_COMMAND_LENGTH + 20)) }, check);
  });

  it('answers token soups of the grammar\'s own words and hostile fragments', async (context) => {
    await fuzzSync({ context, target: 'command grammar: token soup', arbitrary: withZone(commandSoup) }, check);
  });

  it('answers the help examples changed by a few edits', async (context) => {
    await fuzzSync({ context, target: 'command grammar: mutated examples', arbitrary: withZone(mutated(fc.constantFrom(...COMMAND_EXAMPLES), 4)) }, check);
  });
});
