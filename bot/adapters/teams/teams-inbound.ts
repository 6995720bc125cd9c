// Teams' activities as ChatInbound calls. @mentions in a channel (or messages in a personal chat)
// are commands in the shared grammar, with the mention stripped; the answer is a reply in the same
// conversation (in a channel: in the thread of the message). Card buttons arrive as invokes
// `adaptiveCard/action` (Action.Execute) and are answered in the invoke response, which Teams shows
// to whoever clicked; clients without universal actions send the Action.Submit fallback as a
// message instead, answered with a reply. The bot binds to a conversation when it is added to a
// team (conversationUpdate with the bot among membersAdded) or when someone says `bind` there.
// Requests from another tenant than the one served (the configured one, else the bound
// conversation's) or from another conversation are refused, and an activity Teams delivers twice
// (same id) has one effect.
import type { Activity, ChannelAccount, TurnContext } from 'botbuilder';
import { TurnContext as Turn } from 'botbuilder';
import type { AuditLog } from '../../core/ports/audit-log.ts';
import type { Actor, ChatInbound, InboundReply } from '../../core/ports/chat-port.ts';
import type { Logger } from '../logging/create-logger.ts';
import { baseConversationId } from './conversation-binding.ts';
import type { TeamsBindings } from './conversation-binding.ts';
import type { SendPacer } from './send-pacer.ts';
import { renderTeamsReply } from './teams-cards.ts';
import type { ClickData } from './teams-cards.ts';
import { cardActivity, conversationsOf } from './teams-connector.ts';
import { errorSummary } from '../chat/recent-deliveries.ts';
import type { RecentDeliveries } from '../chat/recent-deliveries.ts';
import { storageFailureAnswer } from '../chat/storage-failure-answer.ts';

export const ADAPTIVE_CARD_ACTION_INVOKE = 'adaptiveCard/action';
const MESSAGE_RESPONSE_TYPE = 'application/vnd.microsoft.activity.message';
const FAILED_INSIDE = 'Sorry, that failed inside the bot; the log says why.';
const ACTOR_ID = /^[A-Za-z0-9._@-]{1,128}$/;

export interface TeamsInboundOptions {
  readonly inbound: ChatInbound;
  readonly bindings: TeamsBindings;
  /** Set: only this Entra ID tenant is served; unset: the tenant of the bound conversation, once there is one. */
  readonly tenantId: string | undefined;
  /** Unauthenticated local testing: the Bot Framework Emulator's channel is accepted too. */
  readonly allowEmulator: boolean;
  readonly logger: Logger;
  readonly pacer: SendPacer;
  readonly seen: RecentDeliveries;
  readonly audit: Pick<AuditLog, 'record'> | undefined;
  readonly now: () => Date;
  /** The bot was bound to a conversation (deliver what waited for one). */
  readonly onBound: (() => void) | undefined;
}

type Scope = 'personal' | 'groupChat' | 'channel';

interface Incoming {
  readonly context: TurnContext;
  readonly activity: Activity;
  readonly actor: Actor | undefined;
  readonly scope: Scope;
  /** The conversation without the thread part. */
  readonly conversationId: string;
}

/** The bot's logic for one turn (the CloudAdapter runs it after authenticating the request). */
export function teamsTurnHandler(options: TeamsInboundOptions): (context: TurnContext) => Promise<void> {
  return async (context) => {
    const activity = context.activity;
    const incoming: Incoming = {
      context,
      activity,
      actor: actorOf(activity),
      scope: scopeOf(activity),
      conversationId: baseConversationId(activity.conversation.id),
    };
    const { logger } = options;
    if (activity.channelId !== 'msteams' && !(options.allowEmulator && activity.channelId === 'emulator')) {
      logger.warn({ channel: activity.channelId, type: activity.type }, 'activity from a channel other than Microsoft Teams ignored');
      return;
    }
    const tenant = tenantOf(activity);
    // Without a configured tenant (MultiTenant, local testing), the bound conversation's tenant is the one served.
    const served = options.tenantId ?? (await options.bindings.current())?.reference.conversation?.tenantId;
    if (served !== undefined && tenant !== served) {
      logger.warn({ tenant, type: activity.type, user: incoming.actor?.id }, 'Teams activity from another tenant refused');
      if (isCardAction(activity)) await invokeAnswer(context, 'This patchwindow serves another Microsoft 365 tenant.');
      return;
    }
    if ((activity.type === 'message' || activity.type === 'invoke') && !options.seen.firstTime(`${incoming.conversationId}|${activity.id ?? ''}`)) {
      logger.info({ type: activity.type, id: activity.id }, 'Teams delivered an activity again; not acted on');
      if (isCardAction(activity)) await invokeAnswer(context, 'Already done.');
      return;
    }
    try {
      if (activity.type === 'conversationUpdate') await onConversationUpdate(incoming, options);
      else if (isCardAction(activity)) await onCardAction(incoming, options);
      else if (activity.type === 'message') await onMessage(incoming, options);
    } catch (error: unknown) {
      logger.error({ err: error, type: activity.type, user: incoming.actor?.id }, 'Teams activity handling failed');
      if (isCardAction(activity)) await invokeAnswer(context, storageFailureAnswer(error) ?? FAILED_INSIDE);
    }
  };
}

async function onConversationUpdate(incoming: Incoming, options: TeamsInboundOptions): Promise<void> {
  const { activity } = incoming;
  const botId = activity.recipient.id;
  if ((activity.membersAdded ?? []).some((member) => member.id === botId)) {
    if (incoming.scope === 'personal') {
      options.logger.info({ user: incoming.actor?.id }, 'patchwindow installed in a personal chat');
      return;
    }
    await bind(incoming, options, 'install');
    return;
  }
  if ((activity.membersRemoved ?? []).some((member) => member.id === botId) && (await options.bindings.current())?.conversationId === incoming.conversationId) {
    options.logger.warn(
      { conversation: incoming.conversationId },
      'patchwindow was removed from the conversation it posts to: say "@patchwindow bind" in another channel, or messages cannot be delivered',
    );
  }
}

async function onMessage(incoming: Incoming, options: TeamsInboundOptions): Promise<void> {
  const { activity } = incoming;
  const submitted = submittedClick(activity.value);
  if (submitted !== undefined) {
    const reply = await act(incoming, options, submitted);
    await replyTo(incoming, options, reply.text);
    return;
  }
  const text = commandText(activity);
  if (/^bind$/i.test(text)) {
    // The Bot Framework Emulator (local testing) has only personal conversations: it may bind one.
    if (incoming.scope === 'personal' && activity.channelId !== 'emulator') {
      await replyTo(incoming, options, 'Say "@patchwindow bind" in the channel patchwindow should post to; a personal chat cannot be bound.');
      return;
    }
    await bind(incoming, options, 'command');
    return;
  }
  const refusal = await whereRefused(incoming, options);
  if (refusal !== undefined) {
    await replyTo(incoming, options, refusal);
    return;
  }
  const actor = incoming.actor;
  if (actor === undefined) {
    await replyTo(incoming, options, 'patchwindow cannot tell who you are (no Entra ID object id in the message).');
    return;
  }
  const reply = await guarded(() => options.inbound.command(actor, text === '' ? 'help' : text), options.logger, actor, 'command');
  await replyTo(incoming, options, reply.text);
}

async function onCardAction(incoming: Incoming, options: TeamsInboundOptions): Promise<void> {
  const action: unknown = (incoming.activity.value as { action?: unknown } | undefined)?.action;
  const fields = typeof action === 'object' && action !== null ? (action as { verb?: unknown; data?: unknown }) : {};
  const data = typeof fields.data === 'object' && fields.data !== null ? (fields.data as { value?: unknown }) : {};
  if (typeof fields.verb !== 'string') {
    await invokeAnswer(incoming.context, 'patchwindow does not know that control.');
    return;
  }
  const reply = await act(incoming, options, { action: fields.verb, value: typeof data.value === 'string' ? data.value : '' });
  await invokeAnswer(incoming.context, reply.text);
}

/** A click: refused outside the bound conversation; otherwise the engine decides (and audits). */
async function act(incoming: Incoming, options: TeamsInboundOptions, click: ClickData): Promise<InboundReply> {
  const refusal = await whereRefused(incoming, options, true);
  if (refusal !== undefined) return { ok: false, text: refusal };
  const actor = incoming.actor;
  if (actor === undefined) return { ok: false, text: 'patchwindow cannot tell who you are (no Entra ID object id in the click).' };
  return guarded(() => options.inbound.action(actor, click.action.slice(0, 64), click.value.slice(0, 200)), options.logger, actor, 'action');
}

/** Why a command or click is not taken here, if it is not: the bound channel (and, for commands, personal chats) only. */
async function whereRefused(incoming: Incoming, options: TeamsInboundOptions, click = false): Promise<string | undefined> {
  const bound = await options.bindings.current();
  if (bound?.conversationId === incoming.conversationId) return undefined;
  if (incoming.scope === 'personal' && !click) return undefined;
  options.logger.warn({ conversation: incoming.conversationId, user: incoming.actor?.id, bound: bound?.conversationId }, 'Teams request from a conversation the bot is not bound to refused');
  if (bound === undefined) return 'patchwindow is not bound to a channel yet: say "@patchwindow bind" in the channel it should post to.';
  return 'patchwindow works in the channel it is bound to (say "@patchwindow bind" here to move it to this one).';
}

async function bind(incoming: Incoming, options: TeamsInboundOptions, via: 'install' | 'command'): Promise<void> {
  const { activity } = incoming;
  const { logger } = options;
  const by = incoming.actor?.id ?? 'teams:unknown';
  const at = options.now();
  const outcome = await options.bindings.bind(Turn.getConversationReference(activity), by, at);
  logger.info({ conversation: incoming.conversationId, previous: outcome.previous, by, via }, 'patchwindow bound to a Teams conversation');
  await options.audit?.record({
    at,
    actor: by,
    action: 'chat.bound',
    subject: 'teams',
    details: { conversation: incoming.conversationId, previous: outcome.previous ?? null, via, scope: incoming.scope },
  });
  options.onBound?.();
  const text = outcome.changed
    ? 'patchwindow posts here from now on: maintenance window requests, approvals and live progress. Say "@patchwindow help" for the commands.'
    : 'patchwindow already posts here.';
  if (via === 'install') await say(incoming, options, text);
  else await replyTo(incoming, options, text);
}

/** Answers in the conversation of the activity: in a channel, in its thread. */
async function replyTo(incoming: Incoming, options: TeamsInboundOptions, text: string): Promise<void> {
  const { activity, context } = incoming;
  const reference = Turn.getConversationReference(activity);
  const reply = { ...cardActivity(renderTeamsReply(text), reference, activity.conversation.id), ...(activity.id === undefined ? {} : { replyToId: activity.id }) };
  await deliverAnswer(options, incoming, () =>
    activity.id === undefined
      ? conversationsOf(context).sendToConversation(activity.conversation.id, reply)
      : conversationsOf(context).replyToActivity(activity.conversation.id, activity.id, reply),
  );
}

/** A new message in the conversation (after an install there is nothing to reply to). */
async function say(incoming: Incoming, options: TeamsInboundOptions, text: string): Promise<void> {
  const reference = Turn.getConversationReference(incoming.activity);
  const message = cardActivity(renderTeamsReply(text), reference, incoming.conversationId);
  await deliverAnswer(options, incoming, () => conversationsOf(incoming.context).sendToConversation(incoming.conversationId, message));
}

async function deliverAnswer(options: TeamsInboundOptions, incoming: Incoming, send: () => Promise<unknown>): Promise<void> {
  try {
    await options.pacer.run(incoming.conversationId, send);
  } catch (error: unknown) {
    options.logger.error({ err: errorSummary(error), conversation: incoming.conversationId, user: incoming.actor?.id }, 'could not answer in Teams');
  }
}

/** The invoke response to a card action: a message Teams shows to whoever clicked. */
async function invokeAnswer(context: TurnContext, text: string): Promise<void> {
  await context.sendActivity({
    type: 'invokeResponse',
    value: { status: 200, body: { statusCode: 200, type: MESSAGE_RESPONSE_TYPE, value: text } },
  });
}

async function guarded(call: () => Promise<InboundReply>, logger: Logger, actor: Actor, what: string): Promise<InboundReply> {
  try {
    return await call();
  } catch (error: unknown) {
    logger.error({ err: error, actor: actor.id }, `Teams ${what} failed`);
    return { ok: false, text: storageFailureAnswer(error) ?? FAILED_INSIDE };
  }
}

function isCardAction(activity: Activity): boolean {
  return activity.type === 'invoke' && activity.name === ADAPTIVE_CARD_ACTION_INVOKE;
}

/** The command typed after the @mention: mention removed, HTML entities and spaces normalised. */
export function commandText(activity: Activity): string {
  const text = typeof activity.text === 'string' ? Turn.removeRecipientMention(activity) : '';
  return decodeEntities(text.replaceAll(/<at>[^<]*<\/at>/g, ' ').replaceAll(/<[^>]+>/g, ' '))
    .replaceAll(/[\s\u00a0]+/g, ' ')
    .trim();
}

function decodeEntities(text: string): string {
  return text
    .replaceAll('&nbsp;', ' ')
    .replaceAll('&lt;', '<')
    .replaceAll('&gt;', '>')
    .replaceAll('&quot;', '"')
    .replaceAll('&#39;', "'")
    .replaceAll('&amp;', '&');
}

/** Action.Submit data of one of our buttons, sent as a message by clients without universal actions. */
function submittedClick(value: unknown): ClickData | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  const { action, value: data } = value as { action?: unknown; value?: unknown };
  return typeof action === 'string' && typeof data === 'string' ? { action, value: data } : undefined;
}

/** `teams:<Entra ID object id>`; the emulator (local testing) has no object ids, so its user id stands in. */
function actorOf(activity: Activity): Actor | undefined {
  const from: Partial<ChannelAccount> = activity.from;
  const id = from.aadObjectId ?? (activity.channelId === 'emulator' ? from.id : undefined);
  if (id === undefined || !ACTOR_ID.test(id)) return undefined;
  return { id: `teams:${id}`, displayName: from.name !== undefined && from.name !== '' ? from.name : id };
}

function scopeOf(activity: Activity): Scope {
  const type = activity.conversation.conversationType;
  if (type === 'channel' || type === 'groupChat') return type;
  return 'personal';
}

function tenantOf(activity: Activity): string | undefined {
  const channelData: unknown = activity.channelData;
  const fromChannelData =
    typeof channelData === 'object' && channelData !== null ? (channelData as { tenant?: { id?: unknown } }).tenant?.id : undefined;
  return activity.conversation.tenantId ?? (typeof fromChannelData === 'string' ? fromChannelData : undefined);
}
