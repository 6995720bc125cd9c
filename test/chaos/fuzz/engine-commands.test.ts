// Fuzzing the engine's command path (MaintenanceEngine.command, what every chat surface calls) on
// a real SQLite store and the simulated cluster: every text gets a reply; text the grammar refuses
// writes nothing at all; a command the engine refuses writes nothing but its refusal in the audit
// log; an error reply is one clear line. Valid commands do act (windows are requested, approved,
// opened, schedules stored), so later cases meet a bot in many states.
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseCommand } from '../../../bot/core/commands/parse-command.ts';
import { ALICE, BOB, MALLORY, startEngineHarness, testSettings } from '../../support/engine-harness.ts';
import type { EngineHarness } from '../../support/engine-harness.ts';
import { tempDirs } from '../../support/temp-dirs.ts';
import { anyText, COMMAND_EXAMPLES, commandSoup, HOSTILE_FRAGMENTS, mutated } from './arbitraries.ts';
import { fuzzAsync, unclearError } from './fuzz-run.ts';
import { auditedSince, isRefusal, storedState } from './stored-state.ts';

const dirs = tempDirs();
let h: EngineHarness;

beforeAll(async () => {
  h = await startEngineHarness({ path: join(dirs.make(), 'fuzz.sqlite'), settings: testSettings({ defaultZone: 'Europe/Zurich' }) });
});

afterAll(async () => {
  await h.shutdown();
  dirs.removeAll();
});

/** Commands that change state, with ids and values near the ones the bot hands out. */
const windowCommand = fc.oneof(
  fc.tuple(fc.constantFrom('approve', 'reject', 'cancel', 'close'), fc.integer({ min: 0, max: 6 })).map(([verb, id]) => `${verb} ${id}`),
  fc.tuple(fc.constantFrom('30m', '1h', '2h', '7d', '8d'), fc.constantFrom('', ' at 22:00', ' at 2026-11-26 03:00 UTC'), fc.constantFrom(...HOSTILE_FRAGMENTS))
    .map(([duration, start, reason]) => `open ${duration}${start} --reason "${reason.replaceAll('"', '')}"`),
  fc.constantFrom('pause', 'resume', 'close', 'status', 'nodes', 'history 3', 'skips', 'schedule list', 'sim reset', 'sim pending sim-node-1 openssl'),
);

/** Waits for work the engine queued (its reaction to cluster changes): an empty command runs after it. */
async function settled(): Promise<void> {
  await h.engine.command(ALICE, '');
}

const text = fc.oneof(
  { weight: 4, arbitrary: mutated(fc.constantFrom(...COMMAND_EXAMPLES), 3) },
  { weight: 3, arbitrary: commandSoup },
  { weight: 2, arbitrary: windowCommand },
  { weight: 1, arbitrary: anyText(2100) },
);

describe('fuzz: the engine\'s command path', () => {
  it('answers every text; refusals write nothing but their audit entry', async (context) => {
    const actors = fc.constantFrom(ALICE, BOB, MALLORY);
    await fuzzAsync({ context, target: 'engine commands', arbitrary: fc.tuple(actors, text) }, async ([actor, typed]) => {
      // A command that changed the cluster queues the engine's reaction behind it: let that finish first.
      await settled();
      const before = await storedState(h.store.database);
      const reply = await h.engine.command(actor, typed);
      const after = await storedState(h.store.database);
      const parsed = parseCommand(typed, { defaultZone: 'Europe/Zurich' });
      expect(reply.text.trim()).not.toBe('');
      if (!parsed.ok) {
        expect(reply).toStrictEqual({ ok: false, text: parsed.message });
        expect(after.changes).toBe(before.changes);
      }
      if (!reply.ok) {
        expect(unclearError(reply.text)).toBeUndefined();
        const audited = await auditedSince(h.store.database, before);
        expect(audited.filter((action) => !isRefusal(action))).toEqual([]);
        // Each refusal is one inserted audit row; anything more was a write the refusal should not make.
        expect(after.changes - before.changes).toBe(audited.length);
      }
    });
    // The fuzzing reached the engine, not only the parser.
    expect((await h.repositories.windows.listLive()).length + (await h.repositories.audit.list({ limit: 1 })).length).toBeGreaterThan(0);
  });
});
