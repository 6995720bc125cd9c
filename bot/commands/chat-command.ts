// `patchwindow command <text>`: one chat command against the database, for setting things up
// before the bot runs or from a maintenance shell. Same grammar, handlers and audit as chat.
import { userInfo } from 'node:os';
import { loadConfig } from '../config/load-config.ts';
import type { ConfigSources } from '../config/load-config.ts';
import { handleCommandText } from '../core/commands/execute-command.ts';
import { openStore } from '../../storage/open-store.ts';
import { repositoriesOn, SqliteTransactions } from '../../storage/sqlite-repositories.ts';
import type { Output } from './schedule-preview-command.ts';

export async function runChatCommand(
  text: string,
  sources: ConfigSources,
  io: { readonly stdout: Output; readonly stderr: Output; readonly now: () => Date },
): Promise<number> {
  const config = loadConfig(sources);
  const store = await openStore(config.db.path, { now: io.now });
  try {
    const reply = await handleCommandText(text, {
      actor: `cli:${userInfo().username}`,
      now: io.now(),
      defaultZone: config.schedules.defaultZone,
      repositories: repositoriesOn(store.database),
      transactions: new SqliteTransactions(store.database),
    });
    if (reply.ok) io.stdout.write(`${reply.text}\n`);
    else io.stderr.write(`patchwindow: ${reply.text}\n`);
    return reply.ok ? 0 : 2;
  } finally {
    await store.close();
  }
}
