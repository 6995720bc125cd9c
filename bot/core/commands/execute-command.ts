// The one dispatch path: every surface hands over text and an actor, and gets a Reply back.
import type { Command } from './command.ts';
import type { CommandContext, Reply } from './command-context.ts';
import { addSchedule, listSchedules, previewSchedule, removeSchedule } from './handlers/schedule-handlers.ts';
import { addSkip, listSkips, removeSkip } from './handlers/skip-handlers.ts';
import { helpText } from './help-text.ts';
import { parseCommand } from './parse-command.ts';

export async function handleCommandText(text: string, context: CommandContext): Promise<Reply> {
  const parsed = parseCommand(text, { defaultZone: context.defaultZone });
  if (!parsed.ok) return { ok: false, text: parsed.message };
  return executeCommand(parsed.command, context);
}

export function executeCommand(command: Command, context: CommandContext): Promise<Reply> {
  switch (command.kind) {
    case 'help':
      return Promise.resolve(helpText(command.topic));
    case 'schedule-add':
      return addSchedule(command, context);
    case 'schedule-list':
      return listSchedules(context);
    case 'schedule-remove':
      return removeSchedule(command, context);
    case 'schedule-preview':
      return previewSchedule(command, context);
    case 'skip':
      return addSkip(command, context);
    case 'skips':
      return listSkips(context);
    case 'unskip':
      return removeSkip(command, context);
  }
}
