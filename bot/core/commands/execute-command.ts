// Schedule, blackout and help commands, which need only the store; the engine adds the window
// commands on top and is the one dispatch path of the running bot.
import type { Command } from './command.ts';
import type { CommandContext, Reply } from './command-context.ts';
import { addSchedule, listSchedules, previewSchedule, removeSchedule } from './handlers/schedule-handlers.ts';
import { addSkip, listSkips, removeSkip } from './handlers/skip-handlers.ts';
import { helpText } from './help-text.ts';
import { parseCommand } from './parse-command.ts';

export async function handleCommandText(text: string, context: CommandContext): Promise<Reply> {
  const parsed = parseCommand(text, { defaultZone: context.defaultZone });
  const reply = parsed.ok ? await executeCommand(parsed.command, context) : { ok: false, text: parsed.message };
  // Error replies echo what was typed, and a quoted word may hold a line break: keep them one line.
  return reply.ok ? reply : { ok: false, text: reply.text.replace(/\s+/g, ' ') };
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
    default:
      // Window commands act on the cluster; only the running bot's engine can carry them out.
      return Promise.resolve({ ok: false, text: `"${command.kind}" needs the running bot: type it in the console or chat` });
  }
}
