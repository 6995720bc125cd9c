// The Teams ChatPort: the outbox's posts, updates and thread replies as proactive Bot Connector
// calls (continueConversationAsync) into the bound conversation: a new channel post, an
// updateActivity of the same card (PUT), a reply under the card. It never retries: every failure
// becomes a ChatDeliveryError saying whether (and when) the outbox should try again. It paces its
// sends per conversation within Teams' limits (SendPacer).
import type { CloudAdapter } from 'botbuilder';
import { ChatDeliveryError } from '../../core/ports/chat-port.ts';
import type { ChatMessage, ChatPort, MessageRef } from '../../core/ports/chat-port.ts';
import { ConnectorHttpError } from './connector-http-client.ts';
import { baseConversationId, threadConversationId } from './conversation-binding.ts';
import type { BoundConversation, TeamsBindings } from './conversation-binding.ts';
import type { SendPacer } from './send-pacer.ts';
import { renderTeamsMessage } from './teams-cards.ts';
import { cardActivity, withConversation } from './teams-connector.ts';
import type { ConversationsApi } from './teams-connector.ts';

export interface TeamsChatOptions {
  readonly adapter: CloudAdapter;
  /** The bot's app id; empty in unauthenticated mode. */
  readonly appId: string;
  readonly bindings: TeamsBindings;
  readonly pacer: SendPacer;
}

/** Statuses Teams asks bots to retry (429 with Retry-After; 412, 502 and 504 are transient), and other server errors. */
const RETRYABLE_STATUSES = new Set([408, 412, 429, 500, 502, 503, 504]);
/** Wrong or expired credentials: retried slowly, so nothing is lost while someone fixes them. */
const CREDENTIAL_RETRY_MS = 60_000;
/** Nothing bound yet: retried until someone adds the app to a team or says `bind`. */
const UNBOUND_RETRY_MS = 5000;

export class TeamsChat implements ChatPort {
  readonly platform = 'teams' as const;
  readonly #options: TeamsChatOptions;

  constructor(options: TeamsChatOptions) {
    this.#options = options;
  }

  async post(message: ChatMessage): Promise<MessageRef> {
    const bound = await this.#bound();
    const id = await this.#send('post', bound, bound.conversationId, (conversations) =>
      conversations.sendToConversation(bound.conversationId, cardActivity(renderTeamsMessage(message), bound.reference, bound.conversationId)),
    );
    return { id: teamsRef(bound.conversationId, id) };
  }

  async update(ref: MessageRef, message: ChatMessage): Promise<void> {
    const { conversationId, activityId } = parseTeamsRef(ref);
    const bound = await this.#boundTo(conversationId);
    await this.#send('update', bound, conversationId, (conversations) =>
      conversations.updateActivity(conversationId, activityId, { ...cardActivity(renderTeamsMessage(message), bound.reference, conversationId), id: activityId }),
    );
  }

  async reply(thread: MessageRef, message: ChatMessage): Promise<MessageRef> {
    const { conversationId, activityId } = parseTeamsRef(thread);
    const bound = await this.#boundTo(conversationId);
    const threadId = threadConversationId(conversationId, activityId);
    const id = await this.#send('reply', bound, conversationId, (conversations) =>
      conversations.replyToActivity(threadId, activityId, { ...cardActivity(renderTeamsMessage(message), bound.reference, threadId), replyToId: activityId }),
    );
    return { id: teamsRef(conversationId, id) };
  }

  async #bound(): Promise<BoundConversation> {
    const bound = await this.#options.bindings.current();
    if (bound === undefined) {
      throw new ChatDeliveryError('no Teams conversation bound yet: add the app to a team, or say "@patchwindow bind" in a channel', {
        retryable: true,
        retryAfterMs: UNBOUND_RETRY_MS,
      });
    }
    return bound;
  }

  /** The binding, if `conversationId` is still the bound conversation; a card elsewhere is not ours to touch any more. */
  async #boundTo(conversationId: string): Promise<BoundConversation> {
    const bound = await this.#bound();
    if (bound.conversationId !== conversationId) {
      throw new ChatDeliveryError('the message is in a conversation the bot is no longer bound to', { retryable: false });
    }
    return bound;
  }

  async #send(operation: string, bound: BoundConversation, conversationId: string, call: (conversations: ConversationsApi) => Promise<{ id?: string }>): Promise<string> {
    const { adapter, appId, pacer } = this.#options;
    let result: { id?: string };
    try {
      result = await pacer.run(conversationId, () => withConversation(adapter, appId, bound.reference, call));
    } catch (error: unknown) {
      throw toDeliveryError(operation, error);
    }
    return result.id ?? '';
  }
}

/** A Teams message as the outbox stores it: `teams:<conversation id>:<activity id>`, both URI-encoded. */
export function teamsRef(conversationId: string, activityId: string): string {
  return `teams:${encodeURIComponent(conversationId)}:${encodeURIComponent(activityId)}`;
}

/** Refs of another platform (or an older console run) are permanent failures: the outbox then posts anew. */
export function parseTeamsRef(ref: MessageRef): { readonly conversationId: string; readonly activityId: string } {
  const match = /^teams:([^:]+):([^:]+)$/.exec(ref.id);
  if (match?.[1] !== undefined && match[2] !== undefined) {
    try {
      return { conversationId: baseConversationId(decodeURIComponent(match[1])), activityId: decodeURIComponent(match[2]) };
    } catch {
      // not URI-encoded: not ours
    }
  }
  throw new ChatDeliveryError(`"${ref.id.slice(0, 60)}" is not a Teams message reference`, { retryable: false });
}

/** Maps Bot Connector failures to what the outbox needs to know: retry or not, and when. */
export function toDeliveryError(operation: string, error: unknown): ChatDeliveryError {
  if (error instanceof ChatDeliveryError) return error;
  if (error instanceof ConnectorHttpError) {
    const status = error.status;
    if (status === undefined) return new ChatDeliveryError(`Teams ${operation}: ${error.message}`, { retryable: true, cause: error });
    if (status === 401) {
      return new ChatDeliveryError(`Teams ${operation}: the Bot Connector refused the bot's credentials (HTTP 401)`, { retryable: true, retryAfterMs: CREDENTIAL_RETRY_MS, cause: error });
    }
    const retryable = RETRYABLE_STATUSES.has(status) || status >= 500;
    return new ChatDeliveryError(`Teams ${operation}: ${error.message}`, {
      retryable,
      ...(retryable && error.retryAfterMs !== undefined ? { retryAfterMs: error.retryAfterMs } : {}),
      cause: error,
    });
  }
  // Token acquisition (Entra ID) and anything else unexpected: assume it passes.
  const message = error instanceof Error ? error.message : String(error);
  return new ChatDeliveryError(`Teams ${operation}: ${message}`, { retryable: true, cause: error });
}
