// What the Teams adapter needs of storage: the conversation a chat platform was bound to, with
// the platform's reference to reach it again as opaque JSON text. No SDK types here: storage
// implements this (storage/sqlite-chat-binding-repository.ts), and the core does not know it.

/** One platform's bound conversation, as stored. */
export interface ChatBinding {
  readonly platform: string;
  /** The conversation (Teams: the channel's id, without any `;messageid=` thread suffix). */
  readonly conversationId: string;
  /** The platform's reference to reach the conversation again, as JSON. */
  readonly reference: string;
  /** Actor id of whoever bound it (added the app, or said `bind`). */
  readonly boundBy: string;
  readonly boundAt: Date;
}

/** What the Teams adapter needs of storage; the core does not know about bindings. */
export interface ChatBindingRepository {
  get(platform: string): Promise<ChatBinding | undefined>;
  /** Replaces the platform's binding. */
  save(binding: ChatBinding): Promise<void>;
}

export const TEAMS_PLATFORM = 'teams';
