// The conversation each chat platform was bound to (chat_bindings), for the adapters that learn
// their conversation at run time (Teams). The platform's reference is stored as JSON text; its
// shape belongs to the adapter.
import type { ChatBinding, ChatBindingRepository } from '../bot/adapters/teams/chat-binding.ts';
import type { SqlExecutor } from './sqlite-database.ts';
import { iso, RowReader } from './sqlite-rows.ts';

export class SqliteChatBindingRepository implements ChatBindingRepository {
  readonly #database: SqlExecutor;

  constructor(database: SqlExecutor) {
    this.#database = database;
  }

  async get(platform: string): Promise<ChatBinding | undefined> {
    const row = await this.#database.get('SELECT * FROM chat_bindings WHERE platform = ?', [platform]);
    if (row === undefined) return undefined;
    const fields = new RowReader(row, `chat binding of ${platform}`);
    return {
      platform: fields.text('platform'),
      conversationId: fields.text('conversation_id'),
      reference: fields.text('reference'),
      boundBy: fields.text('bound_by'),
      boundAt: fields.date('bound_at'),
    };
  }

  async save(binding: ChatBinding): Promise<void> {
    await this.#database.run(
      `INSERT INTO chat_bindings (platform, conversation_id, reference, bound_by, bound_at) VALUES (?, ?, ?, ?, ?)
        ON CONFLICT (platform) DO UPDATE SET conversation_id = excluded.conversation_id, reference = excluded.reference,
          bound_by = excluded.bound_by, bound_at = excluded.bound_at`,
      [binding.platform, binding.conversationId, binding.reference, binding.boundBy, iso(binding.boundAt, `bind time of ${binding.platform}`)],
    );
  }
}
