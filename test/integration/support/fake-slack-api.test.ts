// The fake Slack API's rate limits, which tests and benchmarks count on: chat.update's tier-3 limit
// per rolling minute when asked for (off by default), with Retry-After until the oldest call ages out.
import { afterEach, describe, expect, it } from 'vitest';
import { FAKE_CHANNEL, FAKE_TOKEN, FakeSlackApi } from '../../support/fake-slack-api.ts';

let fake: FakeSlackApi | undefined;

afterEach(async () => {
  await fake?.close();
  fake = undefined;
});

async function call(api: FakeSlackApi, method: string, args: Record<string, unknown>): Promise<{ status: number; retryAfter: string | null; body: Record<string, unknown> }> {
  const response = await fetch(`${api.apiUrl}${method}`, {
    method: 'POST',
    headers: { Authorization: `Bearer ${FAKE_TOKEN}`, 'Content-Type': 'application/json; charset=utf-8' },
    body: JSON.stringify(args),
  });
  return { status: response.status, retryAfter: response.headers.get('retry-after'), body: (await response.json()) as Record<string, unknown> };
}

async function postedTs(api: FakeSlackApi): Promise<string> {
  const posted = await call(api, 'chat.postMessage', { channel: FAKE_CHANNEL, text: 'live' });
  expect(posted.body['ok']).toBe(true);
  return String(posted.body['ts']);
}

describe('fake Slack API rate limits', () => {
  it('answers 429 with Retry-After once chat.update goes over updatesPerMinute, and records it', async () => {
    fake = await FakeSlackApi.start({ updatesPerMinute: 3 });
    const ts = await postedTs(fake);
    const answers = [];
    for (let index = 0; index < 4; index++) answers.push(await call(fake, 'chat.update', { channel: FAKE_CHANNEL, ts, text: `update ${index}` }));
    expect(answers.slice(0, 3).map((answer) => answer.status)).toEqual([200, 200, 200]);
    const refused = answers[3];
    expect(refused?.status).toBe(429);
    expect(refused?.body).toEqual({ ok: false, error: 'ratelimited' });
    const retryAfter = Number(refused?.retryAfter);
    expect(retryAfter).toBeGreaterThanOrEqual(59);
    expect(retryAfter).toBeLessThanOrEqual(60);
    expect(fake.updatesRateLimited).toBe(1);
    expect(fake.rateLimited).toBe(0);
    expect(fake.callsTo('chat.update').map((recorded) => recorded.outcome)).toEqual(['ok', 'ok', 'ok', '429']);
    // the refused update changed nothing
    expect(fake.messages[0]?.text).toBe('update 2');
    expect(fake.messages[0]?.updates).toBe(3);
  });

  it('does not limit chat.update unless asked', async () => {
    fake = await FakeSlackApi.start();
    const ts = await postedTs(fake);
    for (let index = 0; index < 60; index++) expect((await call(fake, 'chat.update', { channel: FAKE_CHANNEL, ts, text: `update ${index}` })).status).toBe(200);
    expect(fake.updatesRateLimited).toBe(0);
  });
});
