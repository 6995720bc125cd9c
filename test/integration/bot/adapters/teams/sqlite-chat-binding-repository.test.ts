// The Teams binding in SQLite (migration 0004, chat_bindings): one row per platform, replaced on
// a new binding, kept across a reopen, and refused when the reference is not JSON.
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { TeamsBindings } from '../../../../../bot/adapters/teams/conversation-binding.ts';
import { openStore } from '../../../../../storage/open-store.ts';
import { SqliteChatBindingRepository } from '../../../../../storage/sqlite-chat-binding-repository.ts';
import { StorageError } from '../../../../../storage/storage-error.ts';
import { openDatabases } from '../../../../support/databases.ts';
import { openTempStore } from '../../../../support/stores.ts';
import { GENERAL_CHANNEL, OTHER_CHANNEL, TEAMS_BOT_ID, TENANT_ID } from '../../../../support/teams-activities.ts';
import { tempDirs } from '../../../../support/temp-dirs.ts';

const dirs = tempDirs();
const databases = openDatabases();
const NOW = new Date('2026-11-25T12:00:00Z');

afterEach(async () => {
  await databases.closeAll();
  dirs.removeAll();
});

function reference(conversationId: string): Record<string, unknown> {
  return {
    activityId: '1790000000001',
    user: { id: '29:1abc', name: 'Alice', aadObjectId: 'a11ce000-0000-4000-8000-00000000a11c' },
    bot: { id: TEAMS_BOT_ID, name: 'patchwindow' },
    conversation: { id: `${conversationId};messageid=1790000000001`, isGroup: true, conversationType: 'channel', tenantId: TENANT_ID, name: '' },
    channelId: 'msteams',
    serviceUrl: 'https://smba.trafficmanager.net/emea/',
    locale: 'en-US',
  };
}

describe('SqliteChatBindingRepository', () => {
  it('is migrated in (schema version 4) and starts empty', async () => {
    const store = await openTempStore(dirs, databases, NOW);
    expect(store.migration.to).toBeGreaterThanOrEqual(4);
    expect(await new SqliteChatBindingRepository(store.database).get('teams')).toBeUndefined();
  });

  it('stores one binding per platform, replaces it, and reads it back after a reopen', async () => {
    const path = join(dirs.make(), 'p.db');
    const first = databases.track(await openStore(path, { now: () => NOW }));
    const repository = new SqliteChatBindingRepository(first.database);
    await repository.save({ platform: 'teams', conversationId: GENERAL_CHANNEL, reference: '{"a":1}', boundBy: 'teams:a', boundAt: NOW });
    await repository.save({ platform: 'teams', conversationId: OTHER_CHANNEL, reference: '{"b":2}', boundBy: 'teams:b', boundAt: new Date('2026-11-26T08:00:00Z') });
    await first.close();

    const second = databases.track(await openStore(path, { now: () => NOW }));
    const reopened = new SqliteChatBindingRepository(second.database);
    expect(await reopened.get('teams')).toEqual({ platform: 'teams', conversationId: OTHER_CHANNEL, reference: '{"b":2}', boundBy: 'teams:b', boundAt: new Date('2026-11-26T08:00:00Z') });
    expect(await second.database.all('SELECT platform FROM chat_bindings')).toEqual([{ platform: 'teams' }]);
  });

  it('refuses a reference that is not JSON', async () => {
    const store = await openTempStore(dirs, databases, NOW);
    const repository = new SqliteChatBindingRepository(store.database);
    await expect(repository.save({ platform: 'teams', conversationId: GENERAL_CHANNEL, reference: 'not json', boundBy: 'teams:a', boundAt: NOW })).rejects.toThrow(StorageError);
  });
});

describe('TeamsBindings on SQLite', () => {
  it('keeps only what proactive sends need: the channel without the thread, no activity id, no user', async () => {
    const store = await openTempStore(dirs, databases, NOW);
    const repository = new SqliteChatBindingRepository(store.database);
    const outcome = await new TeamsBindings(repository).bind(reference(GENERAL_CHANNEL), 'teams:a11ce000-0000-4000-8000-00000000a11c', NOW);
    expect(outcome).toEqual({ changed: true, previous: undefined });
    const stored = await repository.get('teams');
    expect(stored?.conversationId).toBe(GENERAL_CHANNEL);
    expect(JSON.parse(stored?.reference ?? '')).toEqual({
      channelId: 'msteams',
      serviceUrl: 'https://smba.trafficmanager.net/emea/',
      conversation: { id: GENERAL_CHANNEL, isGroup: true, conversationType: 'channel', name: '', tenantId: TENANT_ID },
      bot: { id: TEAMS_BOT_ID, name: 'patchwindow' },
    });

    const fresh = new TeamsBindings(repository);
    expect((await fresh.current())?.reference.serviceUrl).toBe('https://smba.trafficmanager.net/emea/');
    expect(await fresh.bind(reference(GENERAL_CHANNEL), 'teams:b', NOW)).toEqual({ changed: false, previous: GENERAL_CHANNEL });
    expect(await fresh.bind(reference(OTHER_CHANNEL), 'teams:b', NOW)).toEqual({ changed: true, previous: GENERAL_CHANNEL });
  });

  it('refuses to use a stored binding without a usable service URL', async () => {
    const store = await openTempStore(dirs, databases, NOW);
    const repository = new SqliteChatBindingRepository(store.database);
    await repository.save({ platform: 'teams', conversationId: GENERAL_CHANNEL, reference: JSON.stringify({ ...reference(GENERAL_CHANNEL), serviceUrl: 'file:///etc/passwd' }), boundBy: 'teams:a', boundAt: NOW });
    await expect(new TeamsBindings(repository).current()).rejects.toThrow('the stored Teams binding to 19:');
  });
});
