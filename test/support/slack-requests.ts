// Requests exactly as Slack sends them to an app's Request URL: form-encoded slash commands and
// interactivity payloads (`payload=<JSON>`: button clicks, modal submissions), signed with the
// app's signing secret (v0: HMAC-SHA256 over `v0:<timestamp>:<raw body>`, hex, in X-Slack-Signature).
import { createHmac, randomBytes } from 'node:crypto';
import { FAKE_CHANNEL, FAKE_TEAM_ID } from './fake-slack-api.ts';

export const SIGNING_SECRET = '8f742231b10e8888abcd99yyyzzz85a5';

export interface SignOptions {
  readonly secret?: string;
  /** Seconds since the epoch; default now. */
  readonly timestamp?: number;
  /** Replace the computed signature (forgeries). */
  readonly signature?: string;
  /** Extra headers, e.g. X-Slack-Retry-Num. */
  readonly headers?: Record<string, string>;
}

export function slackSignature(secret: string, timestamp: number, body: string): string {
  return `v0=${createHmac('sha256', secret).update(`v0:${timestamp}:${body}`).digest('hex')}`;
}

export function signedHeaders(body: string, options: SignOptions = {}): Record<string, string> {
  const timestamp = options.timestamp ?? Math.floor(Date.now() / 1000);
  return {
    'Content-Type': 'application/x-www-form-urlencoded',
    'User-Agent': 'Slackbot 1.0 (+https://api.slack.com/robots)',
    'X-Slack-Request-Timestamp': String(timestamp),
    'X-Slack-Signature': options.signature ?? slackSignature(options.secret ?? SIGNING_SECRET, timestamp, body),
    ...options.headers,
  };
}

export function triggerId(): string {
  return `${Date.now()}.${randomBytes(4).readUInt32BE()}.${randomBytes(8).toString('hex')}`;
}

export interface SlashCommandFields {
  readonly text: string;
  readonly userId: string;
  readonly userName?: string;
  readonly responseUrl: string;
  readonly command?: string;
  readonly channelId?: string;
  readonly teamId?: string;
  readonly triggerId?: string;
}

/** The form body Slack posts for a slash command. */
export function slashCommandBody(fields: SlashCommandFields): string {
  return new URLSearchParams(slashCommandPayload(fields)).toString();
}

/** A slash command's fields (Socket Mode sends them as the envelope's JSON payload). */
export function slashCommandPayload(fields: SlashCommandFields): Record<string, string> {
  return {
    token: 'gIkuvaNzQIHg97ATvDxqgjtO',
    team_id: fields.teamId ?? FAKE_TEAM_ID,
    team_domain: 'patchwindow-test',
    channel_id: fields.channelId ?? FAKE_CHANNEL,
    channel_name: 'maintenance',
    user_id: fields.userId,
    user_name: fields.userName ?? fields.userId.toLowerCase(),
    command: fields.command ?? '/patchwindow',
    text: fields.text,
    api_app_id: 'A0PATCHWIN',
    is_enterprise_install: 'false',
    response_url: fields.responseUrl,
    trigger_id: fields.triggerId ?? triggerId(),
  };
}

export interface BlockActionFields {
  readonly actionId: string;
  readonly value: string;
  readonly userId: string;
  readonly userName?: string;
  readonly responseUrl: string;
  readonly channelId?: string;
  readonly teamId?: string;
  readonly messageTs?: string;
  readonly triggerId?: string;
  /** The clicked message was shown only to the user (e.g. an answer to a command). */
  readonly ephemeral?: boolean;
}

/** The interactivity payload of a button click in a channel message, form-encoded as `payload=`. */
export function blockActionsBody(fields: BlockActionFields): string {
  return new URLSearchParams({ payload: JSON.stringify(blockActionsPayload(fields)) }).toString();
}

/** The block_actions payload of a button click in a channel message. */
export function blockActionsPayload(fields: BlockActionFields): Record<string, unknown> {
  const channel = fields.channelId ?? FAKE_CHANNEL;
  const team = fields.teamId ?? FAKE_TEAM_ID;
  const ts = fields.messageTs ?? '1780000001.000001';
  return {
    type: 'block_actions',
    user: { id: fields.userId, username: fields.userName ?? fields.userId.toLowerCase(), name: fields.userName ?? fields.userId.toLowerCase(), team_id: team },
    api_app_id: 'A0PATCHWIN',
    token: 'gIkuvaNzQIHg97ATvDxqgjtO',
    container: { type: 'message', message_ts: ts, channel_id: channel, is_ephemeral: fields.ephemeral ?? false },
    trigger_id: fields.triggerId ?? triggerId(),
    team: { id: team, domain: 'patchwindow-test' },
    enterprise: null,
    is_enterprise_install: false,
    channel: { id: channel, name: 'maintenance' },
    message: { type: 'message', user: 'U0PWBOT001', ts, text: 'Maintenance window', blocks: [] },
    state: { values: {} },
    response_url: fields.responseUrl,
    actions: [
      {
        action_id: fields.actionId,
        block_id: 'b1',
        text: { type: 'plain_text', text: fields.actionId, emoji: true },
        value: fields.value,
        type: 'button',
        action_ts: `${Math.floor(Date.now() / 1000)}.123456`,
      },
    ],
  };
}

export interface ViewSubmissionFields {
  /** The view as the app opened it (callback_id, private_metadata, blocks, …), e.g. from FakeSlackApi.views. */
  readonly view: Record<string, unknown>;
  /** The view's id, as views.open answered it. */
  readonly viewId?: string;
  /** `state.values`: block id → action id → { type, value }. */
  readonly values: Record<string, Record<string, { readonly type: string; readonly value: string | null }>>;
  readonly userId: string;
  readonly userName?: string;
  readonly teamId?: string;
  readonly triggerId?: string;
}

/** The interactivity payload of a modal's submit button, form-encoded as `payload=`. */
export function viewSubmissionBody(fields: ViewSubmissionFields): string {
  return new URLSearchParams({ payload: JSON.stringify(viewSubmissionPayload(fields)) }).toString();
}

/** The view_submission payload Slack sends when a user submits a modal. */
export function viewSubmissionPayload(fields: ViewSubmissionFields): Record<string, unknown> {
  const team = fields.teamId ?? FAKE_TEAM_ID;
  const name = fields.userName ?? fields.userId.toLowerCase();
  return {
    type: 'view_submission',
    team: { id: team, domain: 'patchwindow-test' },
    user: { id: fields.userId, username: name, name, team_id: team },
    api_app_id: 'A0PATCHWIN',
    token: 'gIkuvaNzQIHg97ATvDxqgjtO',
    trigger_id: fields.triggerId ?? triggerId(),
    view: {
      id: fields.viewId ?? 'V0FAKE0001',
      team_id: team,
      type: 'modal',
      private_metadata: '',
      callback_id: '',
      hash: '1780000000.fakehash',
      clear_on_close: false,
      notify_on_close: false,
      close: null,
      submit: null,
      root_view_id: fields.viewId ?? 'V0FAKE0001',
      previous_view_id: null,
      app_id: 'A0PATCHWIN',
      external_id: '',
      app_installed_team_id: team,
      bot_id: 'B0PWBOT001',
      ...fields.view,
      state: { values: fields.values },
    },
    response_urls: [],
    is_enterprise_install: false,
    enterprise: null,
  };
}

export interface SentRequest {
  readonly status: number;
  readonly text: string;
  /** How long the answer took (ms). */
  readonly ms: number;
}

/** POSTs `body` signed (or forged, per `options`) to `url`. */
export async function postSigned(url: string, body: string, options: SignOptions = {}): Promise<SentRequest> {
  const started = performance.now();
  const response = await fetch(url, { method: 'POST', headers: signedHeaders(body, options), body });
  const text = await response.text();
  return { status: response.status, text, ms: performance.now() - started };
}
