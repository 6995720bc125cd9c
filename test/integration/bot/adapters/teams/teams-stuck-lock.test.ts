// A stuck kured lock on Teams: the alert is an Adaptive Card with a destructive Release button
// (Action.Execute behind a confirmation card); a click from a non-approver is refused in the invoke
// response; an approver's click releases the lock, the card is updated without the button and its
// thread gets the note.
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { SimulatedCluster } from '../../../../../bot/adapters/cluster/simulated/simulated-cluster.ts';
import { cardActions, cardText, FakeBotConnector } from '../../../../support/fake-bot-connector.ts';
import type { ConnectorMessage } from '../../../../support/fake-bot-connector.ts';
import { ManualClock } from '../../../../support/manual-clock.ts';
import { ALICE, BOB, cardAction, channelMention, GENERAL_CHANNEL, installedInTeam, invokeMessage, MALLORY } from '../../../../support/teams-activities.ts';
import { startTeamsHarness, teamsTestSettings } from '../../../../support/teams-harness.ts';
import { tempDirs } from '../../../../support/temp-dirs.ts';

const MINUTE = 60_000;
const dirs = tempDirs();
const cleanups: (() => Promise<void>)[] = [];

afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup().catch(() => undefined);
  dirs.removeAll();
});

function alert(fake: FakeBotConnector): ConnectorMessage | undefined {
  return fake.topLevel(GENERAL_CHANNEL).find((message) => /kured's lock (is stuck|released)/.test(String(message.activity['summary'])));
}

describe('a stuck lock on Teams', () => {
  it('posts the alert card with a Release button, and releases on an approver’s click only', async () => {
    const clock = new ManualClock('2026-11-25T12:00:00Z');
    // Reboots that take three hours: the first node holds kured's lock past its TTL.
    const cluster = new SimulatedCluster(clock, { seed: 1, timings: { shutdownMs: 3 * 3_600_000 } });
    const fake = await FakeBotConnector.start({ stamp: () => clock.now().getTime() });
    cleanups.push(() => fake.close());
    const h = await startTeamsHarness({ path: join(dirs.make(), 'p.db'), fake, clock, cluster, settings: teamsTestSettings({ kuredLockTtlMs: 20 * MINUTE }) });
    cleanups.push(() => h.shutdown());
    const where = { serviceUrl: fake.serviceUrl };

    expect((await h.send(installedInTeam(ALICE, where))).status).toBe(200);
    expect((await h.send(channelMention(ALICE, 'open 2h', where))).status).toBe(200);
    await h.deliver();
    const windowCard = fake.topLevel(GENERAL_CHANNEL).find((message) => String(message.activity['summary']).includes('Maintenance window #1:'));
    expect(invokeMessage(await h.send(cardAction(BOB, 'approve', '1', { ...where, cardId: windowCard?.id ?? '' })))).toBe('You approved window #1.');
    await h.runUntil(() => alert(fake) !== undefined, 30 * MINUTE, 30_000);
    const holder = (await h.cluster.readLock()).holders[0] ?? '';

    const posted = alert(fake);
    const cardId = posted?.id ?? '';
    expect(cardText(posted?.activity)).toContain(`kured's lock has been held by **${holder}** for 2`);
    const release = cardActions(posted?.activity).find((action) => action['verb'] === 'release-lock');
    expect(release).toMatchObject({ type: 'Action.Execute', title: 'Release', style: 'destructive' });
    // Behind a confirmation card, as every button with a confirm text.
    expect(JSON.stringify(posted?.activity)).toContain(`"type":"Action.ShowCard","title":"Release"`);
    const value = String((release?.['data'] as { value?: unknown } | undefined)?.value);
    expect(value).toMatch(new RegExp(`^${holder}@\\d+$`));

    const refused = await h.send(cardAction(MALLORY, 'release-lock', value, { ...where, cardId }));
    expect(invokeMessage(refused)).toBe(`refused: teams:${MALLORY.aadObjectId} is not an approver; ask one of: teams:${ALICE.aadObjectId}, teams:${BOB.aadObjectId}`);
    expect((await h.cluster.readLock()).holders).toEqual([holder]);

    expect(invokeMessage(await h.send(cardAction(ALICE, 'release-lock', value, { ...where, cardId })))).toBe(`You released kured's lock held by ${holder}.`);
    expect((await h.cluster.readLock()).holders).not.toContain(holder);
    await h.deliver();
    const updated = alert(fake);
    expect(updated?.id).toBe(cardId);
    expect(cardText(updated?.activity)).toContain("kured's lock released (window #1)");
    expect(cardActions(updated?.activity)).toEqual([]);
    expect(fake.replies(cardId).map((reply) => cardText(reply.activity))).toEqual([
      expect.stringContaining(`Alice Andersen released kured's lock held by ${holder}; kured may now reboot the next node.`) as unknown,
    ]);
    expect((await h.repositories.audit.list({ subject: `node:${holder}` })).map((entry) => [entry.actor, entry.action]).reverse()).toEqual([
      ['system', 'lock.stuck'],
      [`teams:${MALLORY.aadObjectId}`, 'lock.release-refused'],
      [`teams:${ALICE.aadObjectId}`, 'lock.released'],
    ]);
  });
});
