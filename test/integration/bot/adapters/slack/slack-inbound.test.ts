// Slack's requests, signed exactly as Slack signs them, sent to POST /slack/events on the bot's
// own HTTP server: slash commands and button clicks reach the engine once, are acknowledged at
// once, and are answered privately through the response_url; forgeries and strangers are refused.
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Actor, ChatInbound, InboundReply } from '../../../../../bot/core/ports/chat-port.ts';
import { FAKE_CHANNEL, FAKE_TEAM_ID, FakeSlackApi } from '../../../../support/fake-slack-api.ts';
import type { FakeMessage } from '../../../../support/fake-slack-api.ts';
import { ALICE_ID, BOB_ID, MALLORY_ID, startSlackHarness } from '../../../../support/slack-harness.ts';
import type { SlackHarness, SlackHarnessOptions } from '../../../../support/slack-harness.ts';
import { blockActionsBody, postSigned, signedHeaders, slashCommandBody, triggerId } from '../../../../support/slack-requests.ts';
import { tempDirs } from '../../../../support/temp-dirs.ts';

const dirs = tempDirs();
let fake: FakeSlackApi;
const harnesses: SlackHarness[] = [];

beforeEach(async () => {
  // Pacing and the fake's per-channel rate limit are covered elsewhere; here posts go out at once.
  fake = await FakeSlackApi.start({ postIntervalMs: 0 });
});

afterEach(async () => {
  for (const harness of harnesses.splice(0)) await harness.shutdown().catch(() => undefined);
  await fake.close();
  dirs.removeAll();
});

async function harness(options: Partial<SlackHarnessOptions> = {}): Promise<SlackHarness> {
  const started = await startSlackHarness({ path: join(dirs.make(), 'p.db'), fake, minPostIntervalMs: 0, ...options });
  harnesses.push(started);
  return started;
}

/** A ChatInbound that records calls and answers only when the test says so. */
class HeldInbound implements ChatInbound {
  readonly calls: { kind: string; actor: Actor; text: string }[] = [];
  #release: (() => void) | undefined;
  readonly #released: Promise<void>;

  constructor() {
    this.#released = new Promise((resolve) => {
      this.#release = resolve;
    });
  }

  release(): void {
    this.#release?.();
  }

  async command(actor: Actor, text: string): Promise<InboundReply> {
    this.calls.push({ kind: 'command', actor, text });
    await this.#released;
    return { ok: true, text: `done: ${text}` };
  }

  async action(actor: Actor, action: string, value: string): Promise<InboundReply> {
    this.calls.push({ kind: 'action', actor, text: `${action} ${value}` });
    await this.#released;
    return { ok: false, text: `refused: ${action}` };
  }
}

async function command(h: SlackHarness, userId: string, text: string, extra: Partial<Parameters<typeof slashCommandBody>[0]> = {}): Promise<{ status: number; text: string; answer: Record<string, unknown> | undefined }> {
  const responseUrl = fake.responseUrl();
  const sent = await postSigned(h.eventsUrl, slashCommandBody({ text, userId, responseUrl, ...extra }));
  if (sent.status !== 200 || sent.text !== '') return { status: sent.status, text: sent.text, answer: undefined };
  await fake.waitFor(() => fake.responses.some((response) => responseUrl.endsWith(`/response/${response.id}`)) || fake.ephemerals.length > 0);
  const answer = fake.responses.find((response) => responseUrl.endsWith(`/response/${response.id}`))?.body;
  return { status: sent.status, text: sent.text, answer };
}

function windowCard(id: number): FakeMessage | undefined {
  return fake.topLevel().find((message) => message.text.includes(`Maintenance window #${id}:`));
}

async function click(h: SlackHarness, userId: string, actionId: string, value: string): Promise<Record<string, unknown> | undefined> {
  const responseUrl = fake.responseUrl();
  const sent = await postSigned(h.eventsUrl, blockActionsBody({ actionId, value, userId, responseUrl }));
  expect(sent.status).toBe(200);
  await fake.waitFor(() => fake.responses.some((response) => responseUrl.endsWith(`/response/${response.id}`)));
  return fake.responses.find((response) => responseUrl.endsWith(`/response/${response.id}`))?.body;
}

describe('slash commands', () => {
  it('are acknowledged before the engine works, then answered privately via the response_url', async () => {
    const held = new HeldInbound();
    const h = await harness({ inbound: held });
    const responseUrl = fake.responseUrl();
    const sent = await postSigned(h.eventsUrl, slashCommandBody({ text: 'status', userId: ALICE_ID, userName: 'alice', responseUrl }));
    expect(sent).toMatchObject({ status: 200, text: '' });
    expect(sent.ms).toBeLessThan(1000);
    expect(held.calls).toEqual([{ kind: 'command', actor: { id: `slack:${ALICE_ID}`, displayName: 'alice' }, text: 'status' }]);
    expect(fake.responses).toHaveLength(0);

    held.release();
    await fake.waitFor(() => fake.responses.length === 1);
    expect(fake.responses[0]?.body).toMatchObject({ response_type: 'ephemeral', replace_original: false, text: 'done: status' });
    expect(fake.callsTo('chat.postMessage').filter((call) => JSON.stringify(call.args).includes('done: status'))).toHaveLength(0);
  });

  it('open posts the window card with Approve/Reject to the channel; the requester gets the private confirmation', async () => {
    const h = await harness();
    const opened = await command(h, ALICE_ID, 'open 1h --reason "kernel update"');
    expect(opened.answer).toMatchObject({ response_type: 'ephemeral', text: expect.stringMatching(/^Requested window #1 /) as unknown });
    await h.deliver();
    const card = windowCard(1);
    expect(card?.channel).toBe(FAKE_CHANNEL);
    expect(card?.text).toContain('Maintenance window #1: requested');
    const actions = card?.blocks.find((block) => (block as { type: string }).type === 'actions') as { elements: { action_id: string; value: string; style: string }[] } | undefined;
    expect(actions?.elements.map((element) => [element.action_id, element.value, element.style])).toEqual([
      ['approve', '1', 'primary'],
      ['reject', '1', 'danger'],
    ]);
  });

  it('tell only the caller what was wrong, and give help for an empty command; nothing reaches the channel', async () => {
    const h = await harness();
    const postsBefore = fake.callsTo('chat.postMessage').length;
    const bad = await command(h, ALICE_ID, 'opne 1h');
    expect(bad.answer).toMatchObject({ response_type: 'ephemeral', text: expect.stringContaining('open') as unknown });
    const help = await command(h, ALICE_ID, '');
    expect(JSON.stringify(help.answer)).toContain('patchwindow commands:');
    await h.deliver();
    expect(fake.callsTo('chat.postMessage')).toHaveLength(postsBefore);
    expect(await h.repositories.windows.listLive()).toEqual([]);
  });

  it('answer through chat.postEphemeral when the response_url fails', async () => {
    const h = await harness();
    fake.failResponseUrls({ kind: 'http', status: 404 });
    const responseUrl = fake.responseUrl();
    const sent = await postSigned(h.eventsUrl, slashCommandBody({ text: 'status', userId: BOB_ID, responseUrl }));
    expect(sent.status).toBe(200);
    await fake.waitFor(() => fake.ephemerals.length === 1);
    expect(fake.ephemerals[0]).toMatchObject({ channel: FAKE_CHANNEL, user: BOB_ID });
  });
});

describe('buttons', () => {
  it('an allowed approver approves by clicking; self-approval and non-approvers are refused privately and audited', async () => {
    const h = await harness();
    await command(h, ALICE_ID, 'open 1h');
    await h.deliver();

    expect(await click(h, ALICE_ID, 'approve', '1')).toMatchObject({
      response_type: 'ephemeral',
      replace_original: false,
      text: 'refused: four-eyes: someone other than the requester must approve',
    });
    expect(await click(h, MALLORY_ID, 'approve', '1')).toMatchObject({ response_type: 'ephemeral', text: expect.stringContaining(`slack:${MALLORY_ID} is not an approver`) as unknown });
    expect((await h.repositories.windows.get(1))?.state).toBe('requested');

    expect(await click(h, BOB_ID, 'approve', '1')).toMatchObject({ response_type: 'ephemeral', replace_original: false, text: 'You approved window #1.' });
    expect((await h.repositories.windows.get(1))?.state).not.toBe('requested');

    await h.step(1000);
    const card = windowCard(1);
    expect(card?.updates).toBeGreaterThan(0);
    expect(card?.blocks.some((block) => (block as { type: string }).type === 'actions')).toBe(false);
    expect(fake.replies(card?.ts ?? '').map((reply) => reply.text)).toContain(`👍 ${BOB_ID.toLowerCase()} approved window #1.`);

    const audit = (await h.repositories.audit.list({ subject: 'window:1', limit: 20 })).reverse();
    expect(audit.map((entry) => [entry.actor, entry.action])).toEqual(
      expect.arrayContaining([
        [`slack:${ALICE_ID}`, 'window.requested'],
        [`slack:${ALICE_ID}`, 'window.decision-refused'],
        [`slack:${MALLORY_ID}`, 'window.decision-refused'],
        [`slack:${BOB_ID}`, 'window.approved'],
      ]),
    );
    expect(audit.find((entry) => entry.action === 'window.approved')?.details).toMatchObject({ surface: 'button' });
  });

  it('a click on an action the engine does not know is refused (and audited by the engine)', async () => {
    const h = await harness();
    expect(await click(h, BOB_ID, 'delete-everything', '1')).toMatchObject({ response_type: 'ephemeral', text: 'unknown action' });
    expect((await h.repositories.audit.list({ action: 'action.refused' }))[0]?.actor).toBe(`slack:${BOB_ID}`);
  });
});

describe('request verification', () => {
  it('refuses forged signatures with 401 and no effect', async () => {
    const held = new HeldInbound();
    const h = await harness({ inbound: held });
    const body = slashCommandBody({ text: 'open 1h', userId: ALICE_ID, responseUrl: fake.responseUrl() });
    const forgeries = [
      await postSigned(h.eventsUrl, body, { secret: 'not-the-signing-secret' }),
      await postSigned(h.eventsUrl, body, { signature: 'v0=0000000000000000000000000000000000000000000000000000000000000000' }),
      await postSigned(h.eventsUrl, body, { signature: 'v1=abc' }),
      await postSigned(h.eventsUrl, body.replace('open+1h', 'open+9h'), { signature: signedHeaders(body)['X-Slack-Signature'] ?? '' }),
    ];
    const unsigned = await fetch(h.eventsUrl, { method: 'POST', headers: { 'Content-Type': 'application/x-www-form-urlencoded' }, body });
    expect([...forgeries.map((sent) => sent.status), unsigned.status]).toEqual([401, 401, 401, 401, 401]);
    held.release();
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(held.calls).toEqual([]);
    expect(fake.responses).toEqual([]);
  });

  it('refuses signatures older or newer than 5 minutes with 401 and no effect', async () => {
    const held = new HeldInbound();
    const h = await harness({ inbound: held });
    const now = Math.floor(Date.now() / 1000);
    const body = slashCommandBody({ text: 'status', userId: ALICE_ID, responseUrl: fake.responseUrl() });
    expect((await postSigned(h.eventsUrl, body, { timestamp: now - 6 * 60 })).status).toBe(401);
    expect((await postSigned(h.eventsUrl, body, { timestamp: now + 6 * 60 })).status).toBe(401);
    expect(held.calls).toEqual([]);
    expect((await postSigned(h.eventsUrl, body, { timestamp: now - 4 * 60 })).status).toBe(200);
    expect(held.calls).toHaveLength(1);
    held.release();
  });

  it('acts once on a request delivered twice (same trigger id, Slack retry headers)', async () => {
    const h = await harness();
    const trigger = triggerId();
    const responseUrl = fake.responseUrl();
    const body = slashCommandBody({ text: 'open 1h', userId: ALICE_ID, responseUrl, triggerId: trigger });
    const first = await postSigned(h.eventsUrl, body);
    const again = await postSigned(h.eventsUrl, body, { headers: { 'X-Slack-Retry-Num': '1', 'X-Slack-Retry-Reason': 'http_timeout' } });
    expect([first.status, again.status]).toEqual([200, 200]);
    await fake.waitFor(() => fake.responses.length >= 1);
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(fake.responses).toHaveLength(1);
    expect((await h.repositories.windows.listLive()).map((window) => window.id)).toEqual([1]);

    const click = blockActionsBody({ actionId: 'approve', value: '1', userId: BOB_ID, responseUrl: fake.responseUrl(), triggerId: triggerId() });
    expect((await postSigned(h.eventsUrl, click)).status).toBe(200);
    expect((await postSigned(h.eventsUrl, click, { headers: { 'X-Slack-Retry-Num': '1' } })).status).toBe(200);
    await fake.waitFor(() => fake.responses.length >= 2);
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(fake.responses.map((response) => response.body['text'])).toEqual([expect.stringMatching(/^Requested window #1/), 'You approved window #1.']);
    expect(await h.repositories.audit.list({ action: 'window.decision-refused' })).toEqual([]);
  });

  it('refuses requests from another channel, telling only the caller', async () => {
    const held = new HeldInbound();
    const h = await harness({ inbound: held });
    const sent = await postSigned(h.eventsUrl, slashCommandBody({ text: 'status', userId: ALICE_ID, responseUrl: fake.responseUrl(), channelId: 'C0ELSEWHER' }));
    expect(sent.status).toBe(200);
    expect(JSON.parse(sent.text)).toEqual({ response_type: 'ephemeral', text: `patchwindow works only in <#${FAKE_CHANNEL}>.` });
    const responseUrl = fake.responseUrl();
    const clicked = await postSigned(h.eventsUrl, blockActionsBody({ actionId: 'approve', value: '1', userId: BOB_ID, responseUrl, channelId: 'C0ELSEWHER' }));
    expect(clicked.status).toBe(200);
    await fake.waitFor(() => fake.responses.length === 1);
    expect(fake.responses[0]?.body).toMatchObject({ response_type: 'ephemeral', text: `patchwindow works only in &lt;#${FAKE_CHANNEL}&gt;.` });
    expect(held.calls).toEqual([]);
  });

  it('refuses requests from another workspace when one is configured', async () => {
    const held = new HeldInbound();
    const h = await harness({ inbound: held, teamId: FAKE_TEAM_ID });
    const sent = await postSigned(h.eventsUrl, slashCommandBody({ text: 'status', userId: ALICE_ID, responseUrl: fake.responseUrl(), teamId: 'T0STRANGER' }));
    expect(JSON.parse(sent.text)).toMatchObject({ text: 'This patchwindow serves another Slack workspace.' });
    const clicked = await postSigned(h.eventsUrl, blockActionsBody({ actionId: 'approve', value: '1', userId: BOB_ID, responseUrl: fake.responseUrl(), teamId: 'T0STRANGER' }));
    expect(clicked.status).toBe(200);
    expect(held.calls).toEqual([]);
    expect((await postSigned(h.eventsUrl, slashCommandBody({ text: 'status', userId: ALICE_ID, responseUrl: fake.responseUrl() }))).status).toBe(200);
    expect(held.calls).toHaveLength(1);
    held.release();
  });

  it('refuses to start with a bot token of another workspace', async () => {
    await expect(harness({ teamId: 'T0OTHERWS1' })).rejects.toThrow(`SLACK_BOT_TOKEN belongs to workspace ${FAKE_TEAM_ID}, but PATCHWINDOW_SLACK_TEAM_ID is T0OTHERWS1`);
  });

  it('answers 503 once stopping, and never logs the tokens or the signing secret', async () => {
    const h = await harness();
    await command(h, ALICE_ID, 'status');
    await postSigned(h.eventsUrl, slashCommandBody({ text: 'status', userId: ALICE_ID, responseUrl: fake.responseUrl() }), { secret: 'wrong' });
    await h.adapter.stop();
    expect((await postSigned(h.eventsUrl, slashCommandBody({ text: 'status', userId: ALICE_ID, responseUrl: fake.responseUrl() }))).status).toBe(503);
    const logs = h.log.text();
    expect(logs).toContain('signature mismatch');
    expect(logs).not.toContain('xoxb-');
    expect(logs).not.toContain('8f742231b10e8888abcd99yyyzzz85a5');
    expect(logs).not.toContain('gIkuvaNzQIHg97ATvDxqgjtO');
  });
});
