// The bot's database volume fills up in the middle of a window, on a real tmpfs (real ENOSPC):
// the bot keeps serving (status answers), a command that must be stored is answered with a clear
// error and leaves nothing behind, nothing goes to Slack twice while the store cannot record
// deliveries, and once there is space again the window runs to its end, the reboots kured did
// meanwhile counted, every message delivered exactly once. Stopping instead would not help: a
// restart on a full volume cannot record anything either, and status would be gone too.
// (A volume remounted read-only under the running bot cannot be staged: Linux refuses the
// remount while the database is open for writing; only the kernel forces it after disk errors.
// The writes fail the same way, through the same paths; read-only at start is tested in
// startup-storage-faults.test.ts.)
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { SimulatedCluster } from '../../../bot/adapters/cluster/simulated/simulated-cluster.ts';
import { FakeSlackApi } from '../../support/fake-slack-api.ts';
import { ManualClock } from '../../support/manual-clock.ts';
import { ALICE_ID, BOB_ID, startSlackHarness } from '../../support/slack-harness.ts';
import type { SlackHarness } from '../../support/slack-harness.ts';
import { blockActionsBody, postSigned, slashCommandBody } from '../../support/slack-requests.ts';
import { auditDelivery, readOutbox, readRefs } from '../chat-outages/delivery-audit.ts';
import { until, writeFigures } from '../chat-outages/outage-report.ts';
import { slackFingerprint, slackTranscript } from '../chat-outages/platform-transcripts.ts';
import { mountable, SmallFilesystem } from './small-filesystem.ts';

const cleanups: (() => Promise<void> | void)[] = [];

afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await Promise.resolve(cleanup()).catch(() => undefined);
});

const FAULT_SECONDS = 120;

/** A command through Slack; resolves with the text of the private answer. */
async function ask(h: SlackHarness, fake: FakeSlackApi, text: string, user = ALICE_ID): Promise<string> {
  const before = fake.responses.length;
  expect((await postSigned(h.eventsUrl, slashCommandBody({ text, userId: user, responseUrl: fake.responseUrl() }))).status).toBe(200);
  await fake.waitFor(() => fake.responses.length > before, 5000, `the answer to "${text}"`);
  return String(fake.responses[before]?.body['text']);
}

/** As the bot's background tasks do: time passes, the engine ticks and the outbox delivers, each failure logged and tried again later. */
async function stepLikeTheBot(h: SlackHarness, ms: number, failures: string[]): Promise<void> {
  h.clock.advance(ms);
  h.cluster.advanceTo(h.clock.now());
  await h.engine.tick().catch((error: unknown) => failures.push(`engine tick: ${error instanceof Error ? error.message : String(error)}`));
  await h.deliver().catch((error: unknown) => failures.push(`outbox delivery: ${error instanceof Error ? error.message : String(error)}`));
}

describe.skipIf(!mountable)('the database volume failing under a running bot (a real tmpfs; needs root or CAP_SYS_ADMIN to mount it)', () => {
  it('disk full: keeps serving, refuses writes clearly without partial state, sends nothing twice, and recovers', async () => {
    const volume = SmallFilesystem.mount(4096);
    cleanups.push(() => {
      volume.unmount();
    });
    const clock = new ManualClock('2026-11-25T12:00:00Z');
    const cluster = new SimulatedCluster(clock, { seed: 1, nodeCount: 4, pendingAtStart: 4 });
    const fake = await FakeSlackApi.start({ stamp: () => clock.now().getTime(), postIntervalMs: 0 });
    cleanups.push(() => fake.close());
    const h = await startSlackHarness({ path: join(volume.path, 'p.db'), fake, clock, cluster, minPostIntervalMs: 0 });
    cleanups.push(() => h.shutdown());

    expect(await ask(h, fake, 'open 1h')).toMatch(/^Requested window #1 /);
    await h.step(1000);
    expect((await postSigned(h.eventsUrl, blockActionsBody({ actionId: 'approve', value: '1', userId: BOB_ID, userName: 'bob', responseUrl: fake.responseUrl() }))).status).toBe(200);
    await until(async () => (await h.repositories.windows.get(1))?.state !== 'requested', 'window #1 to be approved');
    await h.runUntil(async () => (await h.repositories.nodeProgress.list(1)).some((node) => node.state === 'draining'), 10 * 60_000);

    const auditBefore = await h.store.database.all('SELECT * FROM audit_log ORDER BY id');
    const callsBefore = fake.calls.length;
    const filler = volume.fill();
    const failures: string[] = [];
    const faultStartedAt = clock.now().getTime();
    for (let second = 0; second < FAULT_SECONDS; second++) await stepLikeTheBot(h, 1000, failures);

    // Reads still work: status answers with the open window.
    expect(await ask(h, fake, 'status')).toContain('#1');
    // A write is refused with a clear answer, and leaves nothing behind.
    const refusal = await ask(h, fake, 'skip 2026-12-24 Christmas Eve');
    expect(refusal).toBe("Sorry, that could not be saved: the database's disk is full. Nothing was changed; try again once an operator has fixed the bot's storage.");
    expect(refusal).toMatch(/nothing was changed/i);
    expect(await h.store.database.all('SELECT * FROM skips')).toEqual([]);
    expect(await h.store.database.all('SELECT * FROM audit_log ORDER BY id')).toEqual(auditBefore);
    // The engine and the outbox failed, and said so, but nothing went to Slack twice.
    expect(failures.some((failure) => failure.startsWith('engine tick: SQLITE_FULL'))).toBe(true);
    const chatWhileFull = fake.calls.slice(callsBefore).filter((call) => call.method === 'chat.postMessage' || call.method === 'chat.update');
    const distinct = new Set(chatWhileFull.map((call) => JSON.stringify([call.method, call.args['ts'], call.args['thread_ts'], call.args['text'], call.args['blocks']])));
    expect(distinct.size).toBe(chatWhileFull.length);

    volume.free();
    expect(await ask(h, fake, 'skip 2026-12-24 Christmas Eve')).toMatch(/^Added blackout #1 /);
    await h.runUntil(async () => (await h.repositories.windows.get(1))?.state === 'closed' && (await h.repositories.outbox.countPending()) === 0, 30 * 60_000, 1000);

    const window = await h.repositories.windows.get(1);
    expect(window).toMatchObject({ state: 'closed', closeReason: 'completed' });
    expect((await h.repositories.nodeProgress.list(1)).every((node) => node.state === 'done')).toBe(true);
    const transcript = slackTranscript(fake);
    const { figures, problems } = auditDelivery({
      outbox: await readOutbox(h.store.database),
      refs: await readRefs(h.store.database),
      calls: transcript.calls,
      fingerprint: slackFingerprint,
      finalContent: transcript.finalContent,
    });
    writeFigures('storage-fault-disk-full', {
      fault: 'disk full (tmpfs of 4 MiB filled to the last byte)',
      fillerBytes: filler,
      faultSimulatedSeconds: FAULT_SECONDS,
      engineAndOutboxFailures: failures.length,
      firstFailure: failures[0],
      chatCallsWhileFull: chatWhileFull.length,
      refusal,
      ...figures,
      minutesToClose: Math.round((clock.now().getTime() - faultStartedAt) / 60_000),
    });
    expect(problems).toEqual([]);
    expect(figures.duplicates).toBe(0);
  });
});
