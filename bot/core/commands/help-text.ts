// `help`, generated from the command table.
import { COMMANDS, usageOf } from './command-definitions.ts';
import type { CommandDefinition } from './command-definitions.ts';

export type HelpResult = { readonly ok: true; readonly text: string } | { readonly ok: false; readonly text: string };

export function helpText(topic: readonly string[]): HelpResult {
  if (topic.length === 0) {
    const lines = COMMANDS.map((definition) => `  ${usageOf(definition)}\n      ${definition.summary}`);
    return { ok: true, text: ['patchwindow commands:', ...lines, 'Say "help <command>" for details and examples.'].join('\n') };
  }
  const matching = COMMANDS.filter((definition) => topic.every((word, index) => definition.words[index] === word));
  // The topic is quoted back, and a quoted word may hold a line break: keep the answer one line.
  if (matching.length === 0) return { ok: false, text: `no command "${topic.join(' ').replace(/\s+/g, ' ')}" (see "help" for the commands)` };
  return { ok: true, text: matching.map(details).join('\n\n') };
}

function details(definition: CommandDefinition): string {
  return [usageOf(definition), `  ${definition.summary}`, ...definition.examples.map((example) => `  e.g. ${example}`)].join('\n');
}
