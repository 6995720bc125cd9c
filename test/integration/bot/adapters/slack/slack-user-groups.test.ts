// Slack user groups as approvers (`slack-group:S…`): their members are read from the Slack Web API
// (usergroups.users.list, here the fake's) and may decide windows by button like a listed approver;
// a group Slack stops answering for keeps the members read before, and says so in the log.
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FakeSlackApi } from '../../../../support/fake-slack-api.ts';
import { ALICE_ID, MALLORY_ID, slackTestSettings, startSlackHarness } from '../../../../support/slack-harness.ts';
import type { SlackHarness } from '../../../../support/slack-harness.ts';
import { blockActionsBody, postSigned, slashCommandBody } from '../../../../support/slack-requests.ts';
import { tempDirs } from '../../../../support/temp-dirs.ts';

const CAROL_ID = 'U0CAROL001';
const ONCALL = 'S0ONCALL01';
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

async function harnessWithGroup(): Promise<SlackHarness> {
  const settings = slackTestSettings();
  const started = await startSlackHarness({
    path: join(dirs.make(), 'p.db'),
    fake,
    minPostIntervalMs: 0,
    settings: { ...settings, approvals: { ...settings.approvals, approvers: [`slack:${ALICE_ID}`, `slack-group:${ONCALL}`] } },
  });
  harnesses.push(started);
  return started;
}

async function send(h: SlackHarness, body: ReturnType<typeof slashCommandBody>, responseUrl: string): Promise<Record<string, unknown> | undefined> {
  expect((await postSigned(h.eventsUrl, body)).status).toBe(200);
  await fake.waitFor(() => fake.responses.some((response) => responseUrl.endsWith(`/response/${response.id}`)));
  return fake.responses.find((response) => responseUrl.endsWith(`/response/${response.id}`))?.body;
}

async function click(h: SlackHarness, userId: string, actionId: string, value: string): Promise<Record<string, unknown> | undefined> {
  const responseUrl = fake.responseUrl();
  return send(h, blockActionsBody({ actionId, value, userId, responseUrl }), responseUrl);
}

describe('Slack user groups as approvers', () => {
  it('a member of the group approves by button; someone outside it is refused; the group is read once at start', async () => {
    fake.userGroups.set(ONCALL, [CAROL_ID, 'U0DAVE0001']);
    const h = await harnessWithGroup();
    expect(fake.callsTo('usergroups.users.list').map((call) => call.args['usergroup'])).toEqual([ONCALL]);
    const responseUrl = fake.responseUrl();
    await send(h, slashCommandBody({ text: 'open 1h', userId: ALICE_ID, responseUrl }), responseUrl);
    await h.deliver();

    expect(await click(h, MALLORY_ID, 'approve', '1')).toMatchObject({ text: expect.stringContaining(`slack:${MALLORY_ID} is not an approver`) as unknown });
    expect((await h.repositories.windows.get(1))?.state).toBe('requested');
    expect(await click(h, CAROL_ID, 'approve', '1')).toMatchObject({ text: 'You approved window #1.' });
    expect(await h.repositories.windows.get(1)).toMatchObject({ decidedBy: `slack:${CAROL_ID}` });
  });

  it('reads changes of the group on refresh, and keeps the members read before when Slack cannot answer', async () => {
    fake.userGroups.set(ONCALL, [CAROL_ID]);
    const h = await harnessWithGroup();
    const groups = h.adapter.approverGroups([`slack:${ALICE_ID}`, `slack-group:${ONCALL}`, 'slack-group:S0GONE0001']);
    expect(groups.needed).toBe(true);
    await groups.refresh();
    expect(groups.snapshot()).toEqual(new Map([[`slack-group:${ONCALL}`, new Set([`slack:${CAROL_ID}`])]]));

    fake.userGroups.set(ONCALL, [MALLORY_ID]);
    await groups.refresh();
    expect(groups.snapshot().get(`slack-group:${ONCALL}`)).toEqual(new Set([`slack:${MALLORY_ID}`]));

    fake.userGroups.delete(ONCALL);
    await groups.refresh();
    expect(groups.snapshot().get(`slack-group:${ONCALL}`)).toEqual(new Set([`slack:${MALLORY_ID}`]));
    const warnings = h.log.lines().filter((line) => line['msg'] === 'cannot read the members of a Slack user group of approvers (needs the usergroups:read scope); keeping the members read before');
    expect(warnings.map((line) => [line['group'], line['keptMembers']])).toEqual(
      expect.arrayContaining([
        ['slack-group:S0GONE0001', 0],
        [`slack-group:${ONCALL}`, 1],
      ]),
    );
    expect(groups.snapshot().has('slack-group:S0GONE0001')).toBe(false);
  });

  it('reads nothing when no approver is a group', async () => {
    const h = await startSlackHarness({ path: join(dirs.make(), 'p.db'), fake, minPostIntervalMs: 0 });
    harnesses.push(h);
    expect(h.adapter.approverGroups([`slack:${ALICE_ID}`]).needed).toBe(false);
    expect(fake.callsTo('usergroups.users.list')).toEqual([]);
  });
});
