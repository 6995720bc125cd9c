// Where the bot posts in Teams: the conversation it was bound to, when the app was added to a
// team or when someone said `@patchwindow bind` in a channel. The binding is stored (as the
// platform's conversation reference, JSON) so that proactive posts and updates of earlier cards
// keep working after a restart. Storage sees only text: the reference's shape is this folder's.
import type { ConversationReference } from 'botbuilder';
import { TEAMS_PLATFORM } from './chat-binding.ts';
import type { ChatBinding, ChatBindingRepository } from './chat-binding.ts';

/** A bound Teams conversation: its channel id and the reference proactive sends start from. */
export interface BoundConversation {
  readonly conversationId: string;
  readonly reference: Partial<ConversationReference>;
  readonly boundBy: string;
  readonly boundAt: Date;
}

export type BindOutcome = { readonly changed: boolean; readonly previous: string | undefined };

/** The binding, read from storage once and kept in memory. */
export class TeamsBindings {
  readonly #repository: ChatBindingRepository;
  #current: BoundConversation | undefined;
  #loaded = false;

  constructor(repository: ChatBindingRepository) {
    this.#repository = repository;
  }

  async current(): Promise<BoundConversation | undefined> {
    if (!this.#loaded) {
      const stored = await this.#repository.get(TEAMS_PLATFORM);
      this.#current = stored === undefined ? undefined : fromStored(stored);
      this.#loaded = true;
    }
    return this.#current;
  }

  /** Binds to the conversation of `reference` (an incoming activity's); the thread part is dropped. */
  async bind(reference: Partial<ConversationReference>, boundBy: string, at: Date): Promise<BindOutcome> {
    const previous = (await this.current())?.conversationId;
    const bound = normalise(reference);
    await this.#repository.save({
      platform: TEAMS_PLATFORM,
      conversationId: bound.conversationId,
      reference: JSON.stringify(bound.reference),
      boundBy,
      boundAt: at,
    });
    this.#current = { ...bound, boundBy, boundAt: at };
    return { changed: previous !== bound.conversationId, previous };
  }
}

/** A Teams conversation id without its thread part: `19:…@thread.tacv2;messageid=123` → `19:…@thread.tacv2`. */
export function baseConversationId(id: string): string {
  const cut = id.indexOf(';messageid=');
  return cut === -1 ? id : id.slice(0, cut);
}

/** The conversation id of the thread under the channel message `rootId`. */
export function threadConversationId(conversationId: string, rootId: string): string {
  return `${baseConversationId(conversationId)};messageid=${rootId}`;
}

/** Only what proactive sends need; no activity id (that would make every post a reply to it). */
function normalise(reference: Partial<ConversationReference>): { conversationId: string; reference: Partial<ConversationReference> } {
  const conversation = reference.conversation;
  if (conversation?.id === undefined || reference.serviceUrl === undefined || reference.channelId === undefined) {
    throw new Error('a conversation reference needs a conversation id, a service URL and a channel id');
  }
  const conversationId = baseConversationId(conversation.id);
  return {
    conversationId,
    reference: {
      channelId: reference.channelId,
      serviceUrl: reference.serviceUrl,
      conversation: {
        id: conversationId,
        isGroup: conversation.isGroup,
        conversationType: conversation.conversationType,
        name: conversation.name,
        ...(conversation.tenantId === undefined ? {} : { tenantId: conversation.tenantId }),
      },
      ...(reference.bot === undefined ? {} : { bot: { id: reference.bot.id, name: reference.bot.name } }),
    },
  };
}

function fromStored(stored: ChatBinding): BoundConversation {
  let parsed: unknown;
  try {
    parsed = JSON.parse(stored.reference);
  } catch (error: unknown) {
    throw new Error(`the stored Teams binding to ${stored.conversationId} is not JSON`, { cause: error });
  }
  const record = typeof parsed === 'object' && parsed !== null ? (parsed as Partial<ConversationReference>) : {};
  const serviceUrl = record.serviceUrl;
  if (typeof serviceUrl !== 'string' || !/^https?:\/\//.test(serviceUrl) || typeof record.conversation?.id !== 'string' || typeof record.channelId !== 'string') {
    throw new Error(`the stored Teams binding to ${stored.conversationId} lacks a service URL, conversation or channel`);
  }
  return { conversationId: stored.conversationId, reference: record, boundBy: stored.boundBy, boundAt: stored.boundAt };
}
