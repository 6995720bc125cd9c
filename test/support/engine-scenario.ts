// Small helpers for engine scenarios: reach an instant, read a window's state, and find what the
// channel shows for a window (its live message and the replies in its thread).
import type { Repositories } from '../../bot/core/ports/repositories.ts';
import type { EngineHarness } from './engine-harness.ts';
import { messageText } from './recording-chat.ts';
import type { RecordedMessage, RecordingChat } from './recording-chat.ts';

/** Steps the harness once, straight to `instant` (which must not be in the past). */
export async function stepTo(harness: EngineHarness, instant: string): Promise<void> {
  const ms = new Date(instant).getTime() - harness.clock.now().getTime();
  if (ms < 0) throw new Error(`${instant} is in the past (now ${harness.clock.now().toISOString()})`);
  await harness.step(ms);
}

export async function windowState(harness: EngineHarness, id: number): Promise<string | undefined> {
  return (await harness.repositories.windows.get(id))?.state;
}

/** Top-level messages that are window #id's live message (normally exactly one). */
export function liveMessages(chat: RecordingChat, id: number): RecordedMessage[] {
  const title = new RegExp(`Maintenance window #${id}(?!\\d)`);
  return chat.topLevel().filter((message) => title.test(message.message.fallbackText));
}

/** Window #id's live message as the channel shows it now (every block), or '' when never posted. */
export function liveText(chat: RecordingChat, id: number): string {
  const [live] = liveMessages(chat, id);
  return live === undefined ? '' : messageText(live.message);
}

/** The replies in window #id's thread, oldest first. */
export function threadOf(chat: RecordingChat, id: number): string[] {
  const [live] = liveMessages(chat, id);
  return live === undefined ? [] : chat.repliesTo(live.id);
}

/** Audited actions about `subject`, oldest first. */
export async function auditActions(repositories: Repositories, subject: string): Promise<string[]> {
  return (await repositories.audit.list({ subject, limit: 1000 })).map((entry) => entry.action).reverse();
}

/** Names of the nodes that currently need a reboot, sorted. */
export async function pendingNodes(harness: EngineHarness): Promise<string[]> {
  return (await harness.cluster.nodes())
    .filter((node) => node.pendingReboot !== undefined)
    .map((node) => node.name)
    .sort();
}
