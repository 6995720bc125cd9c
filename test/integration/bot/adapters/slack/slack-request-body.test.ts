// Bodies Slack never sends, signed as if it did (found by the chaos tier's fuzzing): JSON or a form
// payload that is null, a number, a string or an array made Bolt throw in a promise nobody handles,
// which ends the bot process. They are refused with 400 before Bolt sees them; the bot goes on.
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FakeSlackApi } from '../../../../support/fake-slack-api.ts';
import { ALICE_ID, startSlackHarness } from '../../../../support/slack-harness.ts';
import type { SlackHarness } from '../../../../support/slack-harness.ts';
import { postSigned, signedHeaders, slashCommandBody } from '../../../../support/slack-requests.ts';
import { tempDirs } from '../../../../support/temp-dirs.ts';

const dirs = tempDirs();
let fake: FakeSlackApi;
let h: SlackHarness;
const unhandled: unknown[] = [];
const onRejection = (reason: unknown): void => {
  unhandled.push(reason);
};

beforeEach(async () => {
  unhandled.splice(0);
  process.on('unhandledRejection', onRejection);
  fake = await FakeSlackApi.start({ postIntervalMs: 0 });
  h = await startSlackHarness({ path: join(dirs.make(), 'p.db'), fake, minPostIntervalMs: 0 });
});

afterEach(async () => {
  process.off('unhandledRejection', onRejection);
  await h.shutdown();
  await fake.close();
  dirs.removeAll();
});

async function post(body: string, contentType: string): Promise<{ status: number; text: string }> {
  const response = await fetch(h.eventsUrl, { method: 'POST', headers: { ...signedHeaders(body), 'Content-Type': contentType }, body });
  return { status: response.status, text: await response.text() };
}

describe('POST /slack/events with a signed body that is not a Slack request', () => {
  it('answers 400 to JSON and form payloads that are not objects, with no unhandled rejection', async () => {
    const bodies: [string, string][] = [
      ['null', 'application/json'],
      ['17', 'application/json'],
      ['"text"', 'application/json'],
      ['[{"type":"block_actions"}]', 'application/json'],
      ['null', 'text/plain'],
      ['payload=null', 'application/x-www-form-urlencoded'],
      ['payload=42', 'application/x-www-form-urlencoded'],
      ['payload=%5B%5D', 'application/x-www-form-urlencoded'],
    ];
    for (const [body, type] of bodies) expect(await post(body, type), `${type} ${body}`).toEqual({ status: 400, text: 'expected a Slack request\n' });
    await new Promise((resolve) => setImmediate(resolve));
    expect(unhandled).toEqual([]);
    expect(h.log.text()).toContain('Slack request refused: expected a Slack request');
  });

  it('still leaves bodies Bolt can parse to Bolt: malformed JSON 400, a body over 1 MB 413, and real commands work after them', async () => {
    expect((await post('{', 'application/json')).status).toBe(400);
    const large = `text=${'a'.repeat(1024 * 1024)}`;
    expect((await post(large, 'application/x-www-form-urlencoded')).status).toBe(413);
    const sent = await postSigned(h.eventsUrl, slashCommandBody({ text: 'status', userId: ALICE_ID, responseUrl: fake.responseUrl() }));
    expect(sent.status).toBe(200);
    await fake.waitFor(() => fake.responses.length === 1);
    expect(unhandled).toEqual([]);
  });
});
