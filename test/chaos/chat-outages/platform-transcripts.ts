// What the fake Slack API and the fake Bot Connector saw of the outbox, as PlatformCalls for the
// delivery audit, and each platform's rendering of an outbox message in the same form.
import { slackRef } from '../../../bot/adapters/slack/slack-chat.ts';
import { renderSlackMessage } from '../../../bot/adapters/slack/slack-blocks.ts';
import { teamsRef } from '../../../bot/adapters/teams/teams-chat.ts';
import { renderTeamsMessage } from '../../../bot/adapters/teams/teams-cards.ts';
import type { ChatMessage } from '../../../bot/core/ports/chat-port.ts';
import { cardOf } from '../../support/fake-bot-connector.ts';
import type { ConnectorCall, FakeBotConnector } from '../../support/fake-bot-connector.ts';
import type { FakeSlackApi } from '../../support/fake-slack-api.ts';
import type { PlatformCall } from './delivery-audit.ts';

export interface Transcript {
  readonly calls: PlatformCall[];
  readonly finalContent: (ref: string) => string | undefined;
}

export function slackFingerprint(message: ChatMessage): string {
  const payload = renderSlackMessage(message);
  return slackContent(payload.text, payload.blocks);
}

function slackContent(text: unknown, blocks: unknown): string {
  return JSON.stringify({ text, blocks });
}

/** chat.postMessage and chat.update calls (the outbox's only methods), in the order the fake took them. */
export function slackTranscript(fake: FakeSlackApi): Transcript {
  const calls: PlatformCall[] = [];
  let made = 0;
  for (const call of fake.calls) {
    if (call.method !== 'chat.postMessage' && call.method !== 'chat.update') continue;
    const channel = String(call.args['channel']);
    const content = slackContent(call.args['text'], call.args['blocks']);
    const outcome = call.outcome !== 'ok' ? 'failed' : call.responseLost === undefined ? 'accepted' : 'accepted-answer-lost';
    if (call.method === 'chat.update') {
      calls.push({ kind: 'update', content, target: slackRef(channel, String(call.args['ts'])), outcome, made: undefined });
      continue;
    }
    const thread = typeof call.args['thread_ts'] === 'string' ? slackRef(channel, call.args['thread_ts']) : undefined;
    // Every accepted post made one message, in the same order.
    const message = outcome === 'failed' ? undefined : fake.messages[made++];
    calls.push({ kind: 'post', content, target: thread, outcome, made: message === undefined ? undefined : slackRef(message.channel, message.ts) });
  }
  return {
    calls,
    finalContent: (ref) => {
      const message = fake.messages.find((candidate) => slackRef(candidate.channel, candidate.ts) === ref);
      return message === undefined ? undefined : slackContent(message.text, message.blocks);
    },
  };
}

export function teamsFingerprint(message: ChatMessage): string {
  const payload = renderTeamsMessage(message);
  return teamsContent(payload.summary, payload.card);
}

function teamsContent(summary: unknown, card: unknown): string {
  return JSON.stringify({ summary, card });
}

/**
 * Posts, replies and updates the outbox made, in the order the fake took them. `inTurn` marks the
 * calls that answered a command inside its turn (not outbox traffic): left out.
 */
export function teamsTranscript(fake: FakeBotConnector, inTurn: (call: ConnectorCall) => boolean): Transcript {
  const calls: PlatformCall[] = [];
  let made = 0;
  for (const call of fake.calls) {
    const outcome = call.outcome !== 'ok' ? 'failed' : call.responseLost === undefined ? 'accepted' : 'accepted-answer-lost';
    // Every accepted post or reply made one message, in the same order (in-turn answers included).
    const message = call.kind !== 'update' && outcome !== 'failed' ? fake.messages[made++] : undefined;
    if (inTurn(call)) continue;
    const channel = call.conversationId.split(';messageid=')[0] ?? call.conversationId;
    const content = teamsContent(call.body['summary'], cardOf(call.body));
    if (call.kind === 'update') {
      calls.push({ kind: 'update', content, target: teamsRef(channel, call.activityId ?? ''), outcome, made: undefined });
      continue;
    }
    const root = call.kind === 'reply' ? (/;messageid=(.+)$/.exec(call.conversationId)?.[1] ?? call.activityId) : /;messageid=(.+)$/.exec(call.conversationId)?.[1];
    calls.push({
      kind: 'post',
      content,
      target: root === undefined ? undefined : teamsRef(channel, root),
      outcome,
      made: message === undefined ? undefined : teamsRef(message.conversationId, message.id),
    });
  }
  return {
    calls,
    finalContent: (ref) => {
      const message = fake.messages.find((candidate) => teamsRef(candidate.conversationId, candidate.id) === ref);
      return message === undefined ? undefined : teamsContent(message.activity['summary'], cardOf(message.activity));
    },
  };
}
