// The Bot Connector calls the adapter makes, on the ConnectorClient that botbuilder puts on every
// turn (an incoming one, or a proactive one opened with continueConversationAsync). Called
// directly, so that a post is a post, a thread reply a reply and an update a PUT: TurnContext's
// own sendActivity would make every proactive post a reply to the continuation activity.
import type { Activity, CloudAdapter, ConversationReference, TurnContext } from 'botbuilder';
import { ActivityTypes } from 'botbuilder';
import { ADAPTIVE_CARD_CONTENT_TYPE } from './teams-cards.ts';
import type { TeamsCardPayload } from './teams-cards.ts';

export interface ConversationsApi {
  sendToConversation(conversationId: string, activity: Partial<Activity>): Promise<{ id?: string }>;
  replyToActivity(conversationId: string, activityId: string, activity: Partial<Activity>): Promise<{ id?: string }>;
  updateActivity(conversationId: string, activityId: string, activity: Partial<Activity>): Promise<{ id?: string }>;
}

/** The connector client of a turn. */
export function conversationsOf(context: TurnContext): ConversationsApi {
  const client: unknown = context.turnState.get(context.adapter.ConnectorClientKey);
  const conversations = typeof client === 'object' && client !== null ? (client as { conversations?: unknown }).conversations : undefined;
  if (typeof conversations !== 'object' || conversations === null) throw new Error('botbuilder put no connector client on the turn');
  return conversations as ConversationsApi;
}

/** Runs `work` with a connector client for the conversation of `reference` (a proactive turn). */
export async function withConversation<T>(
  adapter: CloudAdapter,
  appId: string,
  reference: Partial<ConversationReference>,
  work: (conversations: ConversationsApi) => Promise<T>,
): Promise<T> {
  const outcome: { value?: T; done: boolean } = { done: false };
  await adapter.continueConversationAsync(appId, reference, async (context) => {
    outcome.value = await work(conversationsOf(context));
    outcome.done = true;
  });
  if (!outcome.done) throw new Error('the proactive turn ended without running');
  return outcome.value as T;
}

/** A message activity carrying one Adaptive Card, addressed as `reference` says. */
export function cardActivity(payload: TeamsCardPayload, reference: Partial<ConversationReference>, conversationId: string): Partial<Activity> {
  return {
    type: ActivityTypes.Message,
    ...(reference.channelId === undefined ? {} : { channelId: reference.channelId }),
    ...(reference.serviceUrl === undefined ? {} : { serviceUrl: reference.serviceUrl }),
    ...(reference.conversation === undefined ? {} : { conversation: { ...reference.conversation, id: conversationId } }),
    ...(reference.bot === undefined ? {} : { from: reference.bot }),
    summary: payload.summary,
    attachments: [{ contentType: ADAPTIVE_CARD_CONTENT_TYPE, content: payload.card }],
  };
}
