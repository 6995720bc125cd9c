// Attacks on POST /slack/events beyond the integration tier's forged and stale signatures
// (test/integration/bot/adapters/slack/slack-inbound.test.ts): a captured request replayed many
// times at once, replayed later with a fresh timestamp, replayed with its body extended; header
// tricks; oversized bodies. Whatever the attacker does, a signed request acts at most once and an
// unsigned or altered one not at all.
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FORM_BLOCKS, FORM_INPUT_ACTION, OPEN_WINDOW_VIEW, openWindowModal } from '../../../bot/adapters/slack/slack-window-form.ts';
import { FAKE_CHANNEL, FakeSlackApi } from '../../support/fake-slack-api.ts';
import { ALICE_ID, BOB_ID, startSlackHarness } from '../../support/slack-harness.ts';
import type { SlackHarness } from '../../support/slack-harness.ts';
import { blockActionsBody, postSigned, signedHeaders, slackSignature, SIGNING_SECRET, slashCommandBody, triggerId, viewSubmissionBody } from '../../support/slack-requests.ts';
import { tempDirs } from '../../support/temp-dirs.ts';
import { storedState } from '../fuzz/stored-state.ts';

const dirs = tempDirs();
let fake: FakeSlackApi;
let h: SlackHarness;

beforeEach(async () => {
  fake = await FakeSlackApi.start({ postIntervalMs: 0 });
  h = await startSlackHarness({ path: join(dirs.make(), 'p.db'), fake, minPostIntervalMs: 0 });
});

afterEach(async () => {
  await h.shutdown();
  await fake.close();
  dirs.removeAll();
});

const now = (): number => Math.floor(Date.now() / 1000);

async function post(body: string, headers: Record<string, string>): Promise<number> {
  const response = await fetch(h.eventsUrl, { method: 'POST', headers, body });
  await response.text();
  return response.status;
}

/** Waits until the engine has done what the requests so far started (an empty command runs after it). */
async function settled(): Promise<void> {
  await new Promise((resolve) => setImmediate(resolve));
  await h.engine.command({ id: 'console:settle', displayName: 'settle' }, '');
}

describe('a captured Slack request replayed', () => {
  it('ten times at once: one window, one answer', async () => {
    const responseUrl = fake.responseUrl();
    const body = slashCommandBody({ text: 'open 1h --reason replayed', userId: ALICE_ID, responseUrl, triggerId: triggerId() });
    const headers = signedHeaders(body);
    const statuses = await Promise.all(Array.from({ length: 10 }, () => post(body, headers)));
    expect(statuses).toEqual(Array.from({ length: 10 }, () => 200));
    await settled();
    await fake.waitFor(() => fake.responses.length >= 1);
    expect((await h.repositories.windows.listLive()).map((window) => window.id)).toEqual([1]);
    expect(await h.repositories.audit.list({ action: 'window.requested' })).toHaveLength(1);
    expect(fake.responses).toHaveLength(1);
  });

  it('an approval click and a form submission, five times each, some signed four minutes ago: each acts once', async () => {
    await postSigned(h.eventsUrl, slashCommandBody({ text: 'open 1h', userId: ALICE_ID, responseUrl: fake.responseUrl() }));
    await settled();
    const click = blockActionsBody({ actionId: 'approve', value: '1', userId: BOB_ID, responseUrl: fake.responseUrl(), triggerId: triggerId() });
    const older = now() - 240;
    const clickHeaders = [signedHeaders(click), signedHeaders(click, { timestamp: older })];
    expect(await Promise.all(Array.from({ length: 5 }, (_, index) => post(click, clickHeaders[index % 2] ?? {})))).toEqual([200, 200, 200, 200, 200]);
    await settled();
    expect(await h.repositories.audit.list({ action: 'window.approved' })).toHaveLength(1);
    expect(await h.repositories.audit.list({ action: 'window.decision-refused' })).toEqual([]);

    const form = viewSubmissionBody({
      view: { ...(openWindowModal(FAKE_CHANNEL) as unknown as Record<string, unknown>), callback_id: OPEN_WINDOW_VIEW },
      values: { [FORM_BLOCKS.duration]: { [FORM_INPUT_ACTION]: { type: 'plain_text_input', value: '1h' } }, [FORM_BLOCKS.start]: { [FORM_INPUT_ACTION]: { type: 'plain_text_input', value: '2026-11-26 15:00' } } },
      userId: ALICE_ID,
      triggerId: triggerId(),
    });
    const formHeaders = signedHeaders(form);
    expect(await Promise.all(Array.from({ length: 5 }, () => post(form, formHeaders)))).toEqual([200, 200, 200, 200, 200]);
    await settled();
    expect(await h.repositories.audit.list({ action: 'window.requested' })).toHaveLength(2);
  });

  it('after five minutes, with its timestamp header renewed or its body extended: refused, no effect', async () => {
    const body = slashCommandBody({ text: 'open 1h', userId: ALICE_ID, responseUrl: fake.responseUrl(), triggerId: triggerId() });
    const captured = signedHeaders(body, { timestamp: now() - 6 * 60 });
    const before = await storedState(h.store.database);
    expect(await post(body, captured)).toBe(401);
    // The signature covers the timestamp: a renewed timestamp makes it wrong.
    expect(await post(body, { ...captured, 'X-Slack-Request-Timestamp': String(now()) })).toBe(401);
    // And the body: an extra field (a second text wins in some parsers) makes it wrong too.
    const fresh = signedHeaders(body);
    expect(await post(`${body}&text=close`, fresh)).toBe(401);
    expect(await post(`text=close&${body}`, fresh)).toBe(401);
    await settled();
    expect((await storedState(h.store.database)).changes).toBe(before.changes);
    expect(fake.responses).toEqual([]);
  });
});

describe('header tricks', () => {
  it('a timestamp that is not the signed one, a signature in another form, no secret: 401, no effect', async () => {
    const body = slashCommandBody({ text: 'open 1h', userId: ALICE_ID, responseUrl: fake.responseUrl(), triggerId: triggerId() });
    const at = now();
    const signature = slackSignature(SIGNING_SECRET, at, body);
    const base = signedHeaders(body, { timestamp: at });
    const before = await storedState(h.store.database);
    const attempts: Record<string, string>[] = [
      { ...base, 'X-Slack-Request-Timestamp': `${at}.5` },
      { ...base, 'X-Slack-Request-Timestamp': '' },
      { ...base, 'X-Slack-Request-Timestamp': 'NaN' },
      { ...base, 'X-Slack-Request-Timestamp': String(at - 10 * 365 * 86_400) },
      { ...base, 'X-Slack-Signature': signature.replace('v0=', 'v1=') },
      { ...base, 'X-Slack-Signature': signature.slice(0, -2) },
      { ...base, 'X-Slack-Signature': `${signature}, ${signature}` },
      { ...base, 'X-Slack-Signature': '' },
      signedHeaders(body, { secret: '', timestamp: at }),
      signedHeaders(body, { secret: SIGNING_SECRET.toUpperCase(), timestamp: at }),
    ];
    for (const headers of attempts) expect(await post(body, headers), JSON.stringify(headers)).toBe(401);
    const withoutSignature = { ...base };
    delete withoutSignature['X-Slack-Signature'];
    expect(await post(body, withoutSignature)).toBe(401);
    await settled();
    expect((await storedState(h.store.database)).changes).toBe(before.changes);
    expect(fake.responses).toEqual([]);

    // The same number written another way (hex, spaces) is the number that was signed: the same
    // request, so it is answered, and its replays act once like any other.
    for (const timestamp of [String(at), `0x${at.toString(16)}`, ` ${at} `]) {
      expect(await post(body, { ...base, 'X-Slack-Request-Timestamp': timestamp })).toBe(200);
    }
    await settled();
    expect(await h.repositories.audit.list({ action: 'window.requested' })).toHaveLength(1);
  });
});

describe('oversized bodies', () => {
  it('1 MB and more, signed or not, declared or streamed: 413 at once, and the bot goes on', async () => {
    const huge = `text=${'a'.repeat(1024 * 1024)}&command=%2Fpatchwindow&user_id=${ALICE_ID}&channel_id=${FAKE_CHANNEL}`;
    expect(await post(huge, signedHeaders(huge))).toBe(413);
    expect(await post(huge, { 'Content-Type': 'application/x-www-form-urlencoded', 'X-Slack-Request-Timestamp': String(now()), 'X-Slack-Signature': 'v0=00' })).toBe(413);
    const streamed = new ReadableStream<Uint8Array>({
      start(controller) {
        for (let index = 0; index < 5; index++) controller.enqueue(new TextEncoder().encode('a'.repeat(1024 * 1024)));
        controller.close();
      },
    });
    const response = await fetch(h.eventsUrl, { method: 'POST', headers: signedHeaders('x'), body: streamed, duplex: 'half' });
    expect(response.status).toBe(413);
    await response.text();
    expect(h.log.text()).toContain('Slack request refused: request too large');
    const sent = await postSigned(h.eventsUrl, slashCommandBody({ text: 'status', userId: ALICE_ID, responseUrl: fake.responseUrl() }));
    expect(sent.status).toBe(200);
    await fake.waitFor(() => fake.responses.length === 1);
  });
});
