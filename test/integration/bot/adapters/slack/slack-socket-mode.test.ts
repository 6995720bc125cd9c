// Socket Mode: with an app-level token the bot opens a WebSocket to (fake) Slack instead of
// taking HTTP requests; commands and clicks arrive as envelopes, are acknowledged at once, and
// answered privately through the response_url, just as over HTTP.
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FAKE_APP_TOKEN, FakeSlackApi } from '../../../../support/fake-slack-api.ts';
import { ALICE_ID, BOB_ID, startSlackHarness } from '../../../../support/slack-harness.ts';
import type { SlackHarness, SlackHarnessOptions } from '../../../../support/slack-harness.ts';
import { blockActionsPayload, slashCommandPayload, triggerId } from '../../../../support/slack-requests.ts';
import { tempDirs } from '../../../../support/temp-dirs.ts';

const dirs = tempDirs();
let fake: FakeSlackApi;
const harnesses: SlackHarness[] = [];

beforeEach(async () => {
  fake = await FakeSlackApi.start({ postIntervalMs: 0 });
});

afterEach(async () => {
  for (const harness of harnesses.splice(0)) await harness.shutdown().catch(() => undefined);
  await fake.close();
  dirs.removeAll();
});

async function harness(options: Partial<SlackHarnessOptions> = {}): Promise<SlackHarness> {
  const started = await startSlackHarness({ path: join(dirs.make(), 'p.db'), fake, appToken: FAKE_APP_TOKEN, minPostIntervalMs: 0, ...options });
  harnesses.push(started);
  return started;
}

describe('Slack in Socket Mode', () => {
  it('connects with the app token, takes a command and a click over the socket, and answers privately', async () => {
    const h = await harness();
    expect(h.adapter.mode).toBe('socket');
    expect(h.adapter.routes).toEqual([]);
    expect(fake.openSockets()).toBe(1);
    expect(fake.callsTo('apps.connections.open')[0]?.authorization).toBe(`Bearer ${FAKE_APP_TOKEN}`);
    expect(h.log.text()).toContain('Slack connected (Socket Mode)');

    const started = performance.now();
    const ack = await fake.sendEnvelope('slash_commands', slashCommandPayload({ text: 'open 1h', userId: ALICE_ID, userName: 'alice', responseUrl: fake.responseUrl() }));
    expect(performance.now() - started).toBeLessThan(1000);
    expect(ack.envelope_id).toBeTypeOf('string');
    await fake.waitFor(() => fake.responses.length === 1);
    expect(fake.responses[0]?.body).toMatchObject({ response_type: 'ephemeral', text: expect.stringMatching(/^Requested window #1 /) as unknown });

    await fake.sendEnvelope('interactive', blockActionsPayload({ actionId: 'approve', value: '1', userId: ALICE_ID, responseUrl: fake.responseUrl() }));
    await fake.sendEnvelope('interactive', blockActionsPayload({ actionId: 'approve', value: '1', userId: BOB_ID, userName: 'bob', responseUrl: fake.responseUrl() }));
    await fake.waitFor(() => fake.responses.length === 3);
    expect(fake.responses.slice(1).map((response) => response.body['text'])).toEqual(['refused: four-eyes: someone other than the requester must approve', 'You approved window #1.']);
    await h.step(1000);
    expect(fake.topLevel().find((message) => message.text.includes('Maintenance window #1:'))?.updates).toBeGreaterThan(0);
  });

  it('acts once on an envelope Slack sends again', async () => {
    const h = await harness();
    const payload = slashCommandPayload({ text: 'open 1h', userId: ALICE_ID, responseUrl: fake.responseUrl(), triggerId: triggerId() });
    await fake.sendEnvelope('slash_commands', payload);
    await fake.sendEnvelope('slash_commands', payload, { retryAttempt: 1 });
    await fake.waitFor(() => fake.responses.length === 1);
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(fake.responses).toHaveLength(1);
    expect((await h.repositories.windows.listLive()).map((window) => window.id)).toEqual([1]);
  });

  it('closes the connection on stop', async () => {
    const h = await harness();
    expect(fake.openSockets()).toBe(1);
    await h.adapter.stop();
    await fake.waitFor(() => fake.openSockets() === 0, 3000, 'the socket to close');
  });

  it('fails to start with an app token Slack refuses', async () => {
    await expect(harness({ appToken: 'xapp-1-wrong' })).rejects.toThrow(/cannot open the Slack Socket Mode connection/);
  });
});
