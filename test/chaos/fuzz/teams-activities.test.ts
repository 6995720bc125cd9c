// Fuzzing Teams' way in: activities with arbitrary command text, mutated activity JSON (messages,
// card clicks, the Action.Submit fallback, install events) and raw bodies, posted to the real
// CloudAdapter route POST /api/messages in front of the real engine and store (unauthenticated, as
// PATCHWINDOW_TEAMS=on on loopback: tokens are the attackers' part). Every activity is answered
// without a server error; what the engine refuses writes nothing but its refusal's audit entry,
// and the adapter itself writes only a binding when asked to bind.
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { MaintenanceEngine } from '../../../bot/core/engine/maintenance-engine.ts';
import type { Actor, ChatInbound, InboundReply } from '../../../bot/core/ports/chat-port.ts';
import { FakeBotConnector } from '../../support/fake-bot-connector.ts';
import { ALICE, BOB, cardAction, channelMention, installedInTeam, MALLORY, OTHER_CHANNEL, personalMessage, removedFromTeam, submittedAction } from '../../support/teams-activities.ts';
import type { Activity, TeamsUser } from '../../support/teams-activities.ts';
import { startTeamsHarness } from '../../support/teams-harness.ts';
import type { TeamsHarness } from '../../support/teams-harness.ts';
import { tempDirs } from '../../support/temp-dirs.ts';
import { anyText, chatText, HOSTILE_FRAGMENTS, mutatedJson } from './arbitraries.ts';
import { fuzzAsync, unclearError } from './fuzz-run.ts';
import { auditedSince, isRefusal, storedState } from './stored-state.ts';

const dirs = tempDirs();
let fake: FakeBotConnector;
let h: TeamsHarness;
let engine: MaintenanceEngine | undefined;
const calls: Promise<InboundReply>[] = [];

const recorded: ChatInbound = {
  command: (actor: Actor, text: string) => remember((target) => target.command(actor, text)),
  action: (actor: Actor, action: string, value: string) => remember((target) => target.action(actor, action, value)),
};

function remember(call: (target: MaintenanceEngine) => Promise<InboundReply>): Promise<InboundReply> {
  if (engine === undefined) throw new Error('a Teams activity arrived before the engine started');
  const reply = call(engine);
  calls.push(reply);
  return reply;
}

beforeAll(async () => {
  fake = await FakeBotConnector.start();
  h = await startTeamsHarness({ path: join(dirs.make(), 'teams-fuzz.sqlite'), fake, inbound: recorded });
  engine = h.engine;
  expect((await h.send(installedInTeam(ALICE, { serviceUrl: fake.serviceUrl }))).status).toBe(200);
});

afterAll(async () => {
  await h.shutdown();
  await fake.close();
  dirs.removeAll();
});

const user = fc.constantFrom<TeamsUser>(ALICE, BOB, MALLORY);
const channel = fc.oneof({ weight: 6, arbitrary: fc.constant(undefined) }, { weight: 1, arbitrary: fc.constant(OTHER_CHANNEL) });
const clickValue = fc.oneof(fc.integer({ min: 0, max: 5 }).map(String), fc.constantFrom(...HOSTILE_FRAGMENTS), anyText(300));
const verb = fc.constantFrom('approve', 'reject', 'delete-everything', ...HOSTILE_FRAGMENTS);

/** Activities as Teams sends them, with the fake connector as service URL. */
function activity(serviceUrl: string): fc.Arbitrary<Activity> {
  return fc.oneof(
    { weight: 5, arbitrary: fc.tuple(user, chatText, channel).map(([from, text, where]) => channelMention(from, text, { serviceUrl, ...(where === undefined ? {} : { channel: where }) })) },
    { weight: 2, arbitrary: fc.tuple(user, chatText).map(([from, text]) => personalMessage(from, text, { serviceUrl })) },
    { weight: 3, arbitrary: fc.tuple(user, verb, clickValue, channel).map(([from, name, value, where]) => cardAction(from, name, value, { serviceUrl, cardId: '1790000000001', ...(where === undefined ? {} : { channel: where }) })) },
    { weight: 2, arbitrary: fc.tuple(user, verb, clickValue).map(([from, name, value]) => submittedAction(from, name, value, { serviceUrl, cardId: '1790000000001' })) },
    { weight: 1, arbitrary: fc.tuple(user, fc.boolean()).map(([by, added]) => (added ? installedInTeam(by, { serviceUrl }) : removedFromTeam(by, { serviceUrl }))) },
  );
}

interface TeamsRequest {
  readonly body: string;
  readonly contentType: string;
}

function requests(serviceUrl: string): fc.Arbitrary<TeamsRequest> {
  const json = (value: unknown): TeamsRequest => ({ body: JSON.stringify(value), contentType: 'application/json' });
  return fc.oneof(
    { weight: 5, arbitrary: activity(serviceUrl).map(json) },
    { weight: 6, arbitrary: mutatedJson(activity(serviceUrl), 2).map(json) },
    { weight: 1, arbitrary: fc.jsonValue().map(json) },
    { weight: 1, arbitrary: fc.record({ body: anyText(3000), contentType: fc.constantFrom('application/json', 'application/json; charset=utf-8', 'text/plain', '') }) },
  );
}

let sequence = 0;

/** A fresh activity id (Teams' duplicate detection would swallow a repeated one). */
function fresh(body: string): string {
  sequence++;
  return body.replace(/"id":"(1790\d+|f:[^"]+|1:[^"]+)"/, `"id":"fuzz-${sequence}"`);
}

async function settled(): Promise<void> {
  await h.engine.command({ id: 'console:settle', displayName: 'settle' }, '');
}

describe('fuzz: Teams activities', () => {
  it('answers every activity without a server error; refusals write nothing but their audit entry', async (context) => {
    let reachedEngine = 0;
    await fuzzAsync({ context, target: 'Teams activities', arbitrary: requests(fake.serviceUrl) }, async ({ body: generated, contentType }) => {
      const body = fresh(generated);
      calls.length = 0;
      await settled();
      const before = await storedState(h.store.database);
      const response = await fetch(h.messagesUrl, { method: 'POST', headers: contentType === '' ? {} : { 'Content-Type': contentType }, body, signal: AbortSignal.timeout(10_000) });
      const text = await response.text();
      // An invoke the bot does not take (not a card click) gets the Bot Framework's 501 Not Implemented.
      if (!(response.status === 501 && /"type":"invoke"/.test(body))) expect(response.status, text).toBeLessThan(500);
      const replies = await Promise.all(calls);
      await settled();
      const after = await storedState(h.store.database);
      reachedEngine += replies.length;
      for (const reply of replies) {
        expect(reply.text.trim()).not.toBe('');
        if (!reply.ok) expect(unclearError(reply.text)).toBeUndefined();
      }
      if (replies.every((reply) => !reply.ok)) {
        const audited = await auditedSince(h.store.database, before);
        expect(audited.filter((action) => !isRefusal(action) && action !== 'chat.bound')).toEqual([]);
        // A binding writes its row and its audit entry; a refusal only its audit entry.
        const bindings = audited.filter((action) => action === 'chat.bound').length;
        expect(after.changes - before.changes).toBe(audited.length + bindings);
      }
    });
    process.stdout.write(`Teams fuzzing: ${reachedEngine} of ${context.task.meta.fuzz?.cases ?? 0} activities reached the engine\n`);
    expect(reachedEngine).toBeGreaterThan((context.task.meta.fuzz?.cases ?? 0) / 3);
  });
});
