// Activities exactly as Microsoft Teams posts them to a bot's messaging endpoint: a channel
// message that @mentions the bot (text with <at>…</at>, a mention entity, channelData with team,
// channel and tenant), a personal-chat message, an Adaptive Card Action.Execute click (invoke
// `adaptiveCard/action`), the Action.Submit fallback (a message with `value`), and the
// conversationUpdate Teams sends when the app is added to a team.
import { randomUUID } from 'node:crypto';

export const TEAMS_APP_ID = '3f6b2c1d-9a8e-4b7f-8c6d-5e4f3a2b1c0d';
export const TEAMS_BOT_ID = `28:${TEAMS_APP_ID}`;
export const TENANT_ID = '72f988bf-86f1-41af-91ab-2d7cd011db47';
export const TEAM_ID = '19:Kx3n5QpLmT8vWz2yRb7cHd4eFg6hJk9a@thread.tacv2';
/** The team's General channel: its id is the team's id. */
export const GENERAL_CHANNEL = TEAM_ID;
export const OTHER_CHANNEL = '19:Qw8eRt5yUi2oPa7sDf4gHj1kLz3xCv6b@thread.tacv2';

export interface TeamsUser {
  /** The Bot Framework user id (`29:…`). */
  readonly id: string;
  readonly name: string;
  readonly aadObjectId: string;
}

export const ALICE: TeamsUser = { id: '29:1A1iceTeamsUserId-aBcDeFgHiJkLmNoPqRsTuVwXyZ', name: 'Alice Andersen', aadObjectId: 'a11ce000-0000-4000-8000-00000000a11c' };
export const BOB: TeamsUser = { id: '29:1B0bTeamsUserId-aBcDeFgHiJkLmNoPqRsTuVwXyZ01', name: 'Bob Berg', aadObjectId: 'b0b00000-0000-4000-8000-000000000b0b' };
export const MALLORY: TeamsUser = { id: '29:1Ma11oryTeamsUserId-aBcDeFgHiJkLmNoPqRsTuV', name: 'Mallory Meyer', aadObjectId: 'd0d00000-0000-4000-8000-00000000d0d0' };

export type Activity = Record<string, unknown>;

let sequence = 0;

/** A Teams message id: a millisecond timestamp, as Teams uses for channel messages (unlike the fake connector's ids). */
export function messageId(): string {
  sequence++;
  return String(1_790_000_000_000 + sequence);
}

interface Where {
  readonly serviceUrl: string;
  readonly channel?: string;
  readonly tenantId?: string;
}

function channelData(channel: string, tenantId: string): Record<string, unknown> {
  return {
    teamsChannelId: channel,
    teamsTeamId: TEAM_ID,
    channel: { id: channel },
    team: { id: TEAM_ID },
    tenant: { id: tenantId },
  };
}

function timestamps(): Record<string, string> {
  const now = new Date();
  return { timestamp: now.toISOString(), localTimestamp: now.toISOString().replace('Z', '+01:00') };
}

const recipient = { id: TEAMS_BOT_ID, name: 'patchwindow' };

/** A new channel post that @mentions the bot: `@patchwindow <text>`. */
export function channelMention(from: TeamsUser, text: string, where: Where & { readonly id?: string }): Activity {
  const id = where.id ?? messageId();
  const channel = where.channel ?? GENERAL_CHANNEL;
  const tenantId = where.tenantId ?? TENANT_ID;
  const mention = '<at>patchwindow</at>';
  return {
    text: `${mention} ${text}`.trimEnd(),
    textFormat: 'plain',
    attachments: [{ contentType: 'text/html', content: `<div><div><span itemscope="" itemtype="http://schema.skype.com/Mention" itemid="0">patchwindow</span>&nbsp;${text}</div></div>` }],
    type: 'message',
    ...timestamps(),
    id,
    channelId: 'msteams',
    serviceUrl: where.serviceUrl,
    from: { id: from.id, name: from.name, aadObjectId: from.aadObjectId },
    conversation: { isGroup: true, conversationType: 'channel', tenantId, id: `${channel};messageid=${id}` },
    recipient,
    entities: [
      { mentioned: { id: TEAMS_BOT_ID, name: 'patchwindow' }, text: mention, type: 'mention' },
      { locale: 'en-US', country: 'US', platform: 'Web', timezone: 'Europe/Zurich', type: 'clientInfo' },
    ],
    channelData: channelData(channel, tenantId),
    locale: 'en-US',
    localTimezone: 'Europe/Zurich',
  };
}

/** A message in the user's personal chat with the bot (no mention needed there). */
export function personalMessage(from: TeamsUser, text: string, where: Where): Activity {
  const tenantId = where.tenantId ?? TENANT_ID;
  return {
    text,
    textFormat: 'plain',
    type: 'message',
    ...timestamps(),
    id: `1:${randomUUID()}`,
    channelId: 'msteams',
    serviceUrl: where.serviceUrl,
    from: { id: from.id, name: from.name, aadObjectId: from.aadObjectId },
    conversation: { conversationType: 'personal', tenantId, id: `a:1${from.aadObjectId.replaceAll('-', '')}personal` },
    recipient,
    entities: [{ locale: 'en-US', country: 'US', platform: 'Web', timezone: 'Europe/Zurich', type: 'clientInfo' }],
    channelData: { tenant: { id: tenantId } },
    locale: 'en-US',
  };
}

/** A click on an Action.Execute button of the card `cardId` in a channel. */
export function cardAction(from: TeamsUser, verb: string, value: string, where: Where & { readonly cardId: string; readonly id?: string }): Activity {
  const channel = where.channel ?? GENERAL_CHANNEL;
  const tenantId = where.tenantId ?? TENANT_ID;
  return {
    name: 'adaptiveCard/action',
    type: 'invoke',
    ...timestamps(),
    id: where.id ?? `f:${randomUUID()}`,
    channelId: 'msteams',
    serviceUrl: where.serviceUrl,
    from: { id: from.id, name: from.name, aadObjectId: from.aadObjectId },
    conversation: { isGroup: true, conversationType: 'channel', tenantId, id: `${channel};messageid=${where.cardId}` },
    recipient,
    entities: [{ locale: 'en-US', country: 'US', platform: 'Web', timezone: 'Europe/Zurich', type: 'clientInfo' }],
    channelData: { ...channelData(channel, tenantId), source: { name: 'message' }, legacy: { replyToId: where.cardId } },
    replyToId: where.cardId,
    value: { action: { type: 'Action.Execute', title: verb, verb, data: { value } }, trigger: 'manual' },
    locale: 'en-US',
  };
}

/** The Action.Submit fallback of a button: a message carrying the button's data, no text. */
export function submittedAction(from: TeamsUser, action: string, value: string, where: Where & { readonly cardId: string }): Activity {
  const channel = where.channel ?? GENERAL_CHANNEL;
  const tenantId = where.tenantId ?? TENANT_ID;
  return {
    type: 'message',
    ...timestamps(),
    id: messageId(),
    channelId: 'msteams',
    serviceUrl: where.serviceUrl,
    from: { id: from.id, name: from.name, aadObjectId: from.aadObjectId },
    conversation: { isGroup: true, conversationType: 'channel', tenantId, id: `${channel};messageid=${where.cardId}` },
    recipient,
    channelData: { ...channelData(channel, tenantId), source: { name: 'message' }, legacy: { replyToId: where.cardId } },
    replyToId: where.cardId,
    value: { action, value },
    locale: 'en-US',
  };
}

/** What Teams sends when someone adds the app to a team: the bot among membersAdded, in the General channel. */
export function installedInTeam(by: TeamsUser, where: Where): Activity {
  const tenantId = where.tenantId ?? TENANT_ID;
  return {
    membersAdded: [{ id: TEAMS_BOT_ID }],
    type: 'conversationUpdate',
    ...timestamps(),
    id: `f:${randomUUID()}`,
    channelId: 'msteams',
    serviceUrl: where.serviceUrl,
    from: { id: by.id, aadObjectId: by.aadObjectId },
    conversation: { isGroup: true, conversationType: 'channel', tenantId, id: GENERAL_CHANNEL },
    recipient,
    channelData: {
      team: { aadGroupId: 'e6a8f0d2-1b3c-4d5e-8f90-a1b2c3d4e5f6', name: 'Platform', id: TEAM_ID },
      eventType: 'teamMemberAdded',
      tenant: { id: tenantId },
      settings: { selectedChannel: { id: GENERAL_CHANNEL } },
    },
  };
}

/** What Teams sends when the app is removed from the team. */
export function removedFromTeam(by: TeamsUser, where: Where): Activity {
  const activity = installedInTeam(by, where);
  delete activity['membersAdded'];
  return { ...activity, membersRemoved: [{ id: TEAMS_BOT_ID }], channelData: { ...(activity['channelData'] as object), eventType: 'teamMemberRemoved' } };
}

export interface PostedActivity {
  readonly status: number;
  readonly text: string;
  /** Parsed JSON answer (invoke responses), if any. */
  readonly json: Record<string, unknown> | undefined;
}

/** POSTs an activity to the bot's messaging endpoint, as the Bot Connector service does. */
export async function postActivity(url: string, activity: Activity, options: { authorization?: string } = {}): Promise<PostedActivity> {
  const response = await fetch(url, {
    method: 'POST',
    headers: {
      'Content-Type': 'application/json; charset=utf-8',
      'User-Agent': 'Microsoft-SkypeBotApi (Microsoft-BotFramework 3.0)',
      ...(options.authorization === undefined ? {} : { Authorization: options.authorization }),
    },
    body: JSON.stringify(activity),
  });
  const text = await response.text();
  let json: Record<string, unknown> | undefined;
  try {
    json = text === '' ? undefined : (JSON.parse(text) as Record<string, unknown>);
  } catch {
    json = undefined;
  }
  return { status: response.status, text, json };
}

/** The message an invoke response shows to whoever clicked. */
export function invokeMessage(posted: PostedActivity): unknown {
  return posted.json?.['type'] === 'application/vnd.microsoft.activity.message' ? posted.json['value'] : undefined;
}
