// A stuck kured lock on Slack: the alert is a Block Kit message with a danger Release button (with
// a confirm dialog); a click from a non-approver is refused; an approver's click releases the lock,
// the alert is updated without the button and its thread gets the note.
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { SimulatedCluster } from '../../../../../bot/adapters/cluster/simulated/simulated-cluster.ts';
import { FakeSlackApi } from '../../../../support/fake-slack-api.ts';
import type { FakeMessage } from '../../../../support/fake-slack-api.ts';
import { ManualClock } from '../../../../support/manual-clock.ts';
import { ALICE_ID, BOB_ID, MALLORY_ID, slackTestSettings, startSlackHarness } from '../../../../support/slack-harness.ts';
import type { SlackHarness } from '../../../../support/slack-harness.ts';
import { blockActionsBody, postSigned, slashCommandBody } from '../../../../support/slack-requests.ts';
import { tempDirs } from '../../../../support/temp-dirs.ts';

const MINUTE = 60_000;
const dirs = tempDirs();
const cleanups: (() => Promise<void>)[] = [];

afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup().catch(() => undefined);
  dirs.removeAll();
});

async function start(): Promise<{ h: SlackHarness; fake: FakeSlackApi }> {
  const clock = new ManualClock('2026-11-25T12:00:00Z');
  // Reboots that take three hours: the first node holds kured's lock past its TTL.
  const cluster = new SimulatedCluster(clock, { seed: 1, timings: { shutdownMs: 3 * 3_600_000 } });
  // Slack's one post per second, compressed (as in slack-window.test.ts): the fake enforces a quarter of it, the port paces a little above.
  const fake = await FakeSlackApi.start({ stamp: () => clock.now().getTime(), postIntervalMs: 250 });
  cleanups.push(() => fake.close());
  const h = await startSlackHarness({ path: join(dirs.make(), 'p.db'), fake, clock, cluster, minPostIntervalMs: 300, settings: slackTestSettings({ kuredLockTtlMs: 20 * MINUTE }) });
  cleanups.push(() => h.shutdown());
  return { h, fake };
}

function alert(fake: FakeSlackApi): FakeMessage | undefined {
  return fake.topLevel().find((message) => /kured's lock (is stuck|released)/.test(message.text));
}

interface SlackButton {
  type: string;
  action_id: string;
  value: string;
  style?: string;
  text: { text: string };
  confirm?: { text: { text: string } };
}

function buttons(message: FakeMessage | undefined): SlackButton[] {
  const blocks = (message?.blocks ?? []) as { type: string; elements?: SlackButton[] }[];
  return blocks.filter((block) => block.type === 'actions').flatMap((block) => block.elements ?? []);
}

async function click(h: SlackHarness, fake: FakeSlackApi, userId: string, value: string): Promise<string> {
  const before = fake.responses.length;
  const response = await postSigned(h.eventsUrl, blockActionsBody({ actionId: 'release-lock', value, userId, userName: userId.toLowerCase(), responseUrl: fake.responseUrl() }));
  expect(response.status).toBe(200);
  await fake.waitFor(() => fake.responses.length > before);
  return String(fake.responses.at(-1)?.body['text']);
}

describe('a stuck lock on Slack', () => {
  it('posts the alert with a Release button, and releases on an approver’s click only', async () => {
    const { h, fake } = await start();
    expect((await postSigned(h.eventsUrl, slashCommandBody({ text: 'open 2h', userId: ALICE_ID, responseUrl: fake.responseUrl() }))).status).toBe(200);
    await fake.waitFor(() => fake.responses.length === 1);
    expect((await postSigned(h.eventsUrl, blockActionsBody({ actionId: 'approve', value: '1', userId: BOB_ID, userName: 'bob', responseUrl: fake.responseUrl() }))).status).toBe(200);
    await fake.waitFor(() => fake.responses.length === 2);
    await h.runUntil(() => alert(fake) !== undefined, 30 * MINUTE, 30_000);
    const holder = (await h.cluster.readLock()).holders[0] ?? '';

    const posted = alert(fake);
    expect(posted?.text).toContain(`kured's lock has been held by ${holder} for 2`);
    const [release] = buttons(posted);
    expect(release).toMatchObject({ type: 'button', action_id: 'release-lock', style: 'danger', text: { text: 'Release' } });
    expect(release?.value).toMatch(new RegExp(`^${holder}@\\d+$`));
    expect(release?.confirm?.text.text).toContain(`Release kured's lock held by ${holder}?`);

    expect(await click(h, fake, MALLORY_ID, release?.value ?? '')).toBe(`refused: slack:${MALLORY_ID} is not an approver; ask one of: slack:${ALICE_ID}, slack:${BOB_ID}`);
    expect((await h.cluster.readLock()).holders).toEqual([holder]);

    expect(await click(h, fake, BOB_ID, release?.value ?? '')).toBe(`You released kured's lock held by ${holder}.`);
    expect((await h.cluster.readLock()).holders).not.toContain(holder);
    await h.deliver();
    await fake.waitFor(() => buttons(alert(fake)).length === 0);
    expect(alert(fake)?.text).toContain("kured's lock released (window #1)");
    expect(fake.topLevel().filter((message) => message.text.includes("kured's lock"))).toHaveLength(1);
    expect(fake.replies(posted?.ts ?? '').map((reply) => reply.text)).toEqual([
      expect.stringContaining(`released kured's lock held by ${holder}; kured may now reboot the next node.`) as unknown,
    ]);
    expect((await h.repositories.audit.list({ subject: `node:${holder}` })).map((entry) => [entry.actor, entry.action]).reverse()).toEqual([
      ['system', 'lock.stuck'],
      [`slack:${MALLORY_ID}`, 'lock.release-refused'],
      [`slack:${BOB_ID}`, 'lock.released'],
    ]);
  });
});
