// skip | skips | unskip: blackout dates.
import type { Command } from '../command.ts';
import type { CommandContext, Reply } from '../command-context.ts';
import type { StoredSkip } from '../../ports/skip-repository.ts';
import { formatSkipRange } from '../../schedule/index.ts';

type Of<K extends Command['kind']> = Extract<Command, { kind: K }>;

export async function addSkip(command: Of<'skip'>, context: CommandContext): Promise<Reply> {
  const stored = await context.transactions.run(async ({ skips, audit }) => {
    const skip = await skips.add({ range: command.range, reason: command.reason, createdBy: context.actor, createdAt: context.now });
    await audit.record({
      at: context.now,
      actor: context.actor,
      action: 'skip.added',
      subject: `skip:${skip.id}`,
      details: { from: skip.range.from, to: skip.range.to, zone: skip.range.zone, reason: skip.reason },
    });
    return skip;
  });
  return { ok: true, text: `Added blackout ${describeSkip(stored)}. No window will overlap it.` };
}

export async function listSkips(context: CommandContext): Promise<Reply> {
  const skips = await context.repositories.skips.list();
  if (skips.length === 0) return { ok: true, text: 'No blackout dates. Add one with "skip <from>..<to> [reason]".' };
  return { ok: true, text: skips.map(describeSkip).join('\n') };
}

export async function removeSkip(command: Of<'unskip'>, context: CommandContext): Promise<Reply> {
  const removed = await context.transactions.run(async ({ skips, audit }) => {
    const existing = (await skips.list()).find((skip) => skip.id === command.id);
    if (existing === undefined) return undefined;
    await skips.remove(existing.id, context.actor, context.now);
    await audit.record({
      at: context.now,
      actor: context.actor,
      action: 'skip.removed',
      subject: `skip:${existing.id}`,
      details: { from: existing.range.from, to: existing.range.to, zone: existing.range.zone, reason: existing.reason },
    });
    return existing;
  });
  if (removed === undefined) return { ok: false, text: `no blackout #${command.id} (see "skips")` };
  return { ok: true, text: `Removed blackout ${describeSkip(removed)}` };
}

function describeSkip(skip: StoredSkip): string {
  return `#${skip.id} ${formatSkipRange(skip.range)}${skip.reason === '' ? '' : ` (${skip.reason})`}`;
}
