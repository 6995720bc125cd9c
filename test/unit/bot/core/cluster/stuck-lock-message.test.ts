// The stuck-lock alert: its reason in words, the Release button carrying the holder and the
// acquisition, the alert once released or found free, and the thread note.
import { describe, expect, it } from 'vitest';
import {
  formatHeld,
  formatTtl,
  freedLockMessage,
  parseReleaseValue,
  RELEASE_LOCK_ACTION,
  releasedLockMessage,
  releaseNote,
  releaseValue,
  stuckLockMessage,
} from '../../../../../bot/core/cluster/stuck-lock-message.ts';
import type { StuckLock } from '../../../../../bot/core/cluster/stuck-locks.ts';
import type { MessageBlock } from '../../../../../bot/core/ports/chat-port.ts';

const MINUTE = 60_000;
const SINCE = new Date('2026-03-07T21:13:00Z');
const EXPIRED: StuckLock = { holder: 'node-3', since: SINCE, heldMs: 47 * MINUTE, reason: 'expired', ttlMs: 30 * MINUTE };
const GONE: StuckLock = { holder: 'node-3', since: SINCE, heldMs: 12 * MINUTE, reason: 'holder-gone', ttlMs: 30 * MINUTE };

function texts(blocks: readonly MessageBlock[]): string {
  return blocks.map((block) => ('text' in block ? block.text : '')).join('\n');
}

describe('stuckLockMessage', () => {
  it('says how long the node has held the lock against its TTL, and offers a confirmed Release', () => {
    const message = stuckLockMessage({ stuck: EXPIRED, windowId: 4, zone: 'Europe/Zurich' });
    expect(message.blocks[0]).toEqual({ kind: 'header', text: "🔒 kured's lock is stuck (window #4)" });
    expect(texts(message.blocks)).toContain("kured's lock has been held by *node-3* for 47 min, longer than its TTL of 30m.");
    expect(texts(message.blocks)).toContain('Held since 22:13 Europe/Zurich.');
    expect(message.fallbackText).toBe("🔒 kured's lock is stuck (window #4): kured's lock has been held by node-3 for 47 min, longer than its TTL of 30m.");
    const actions = message.blocks.find((block) => block.kind === 'actions');
    expect(actions).toEqual({
      kind: 'actions',
      actions: [
        {
          action: RELEASE_LOCK_ACTION,
          label: 'Release',
          style: 'danger',
          value: `node-3@${SINCE.getTime()}`,
          confirm: "Release kured's lock held by node-3? kured then reboots the next node, even if node-3 is still down.",
        },
      ],
    });
  });

  it('says a holder that is gone will never release it', () => {
    const message = stuckLockMessage({ stuck: GONE, windowId: 4, zone: 'UTC' });
    expect(texts(message.blocks)).toContain("kured's lock is held by *node-3*, which no longer exists in the cluster (for 12 min).");
    expect(texts(message.blocks)).toContain('Nothing will release it by itself');
    const noTime = stuckLockMessage({ stuck: { ...GONE, holder: 'manual', since: undefined, heldMs: undefined }, windowId: 4, zone: 'UTC' });
    expect(texts(noTime.blocks)).toContain("kured's lock is held by *manual*, which no longer exists in the cluster.");
    expect(texts(noTime.blocks)).not.toContain('Held since');
    expect(noTime.blocks.find((block) => block.kind === 'actions')).toMatchObject({ actions: [{ value: 'manual' }] });
  });
});

describe('after the click', () => {
  it('the released alert keeps the reason, says who released it when, and has no button', () => {
    const message = releasedLockMessage({ stuck: EXPIRED, windowId: 4, zone: 'Europe/Zurich' }, 'bob', new Date('2026-03-07T22:05:00Z'));
    expect(message.blocks.some((block) => block.kind === 'actions')).toBe(false);
    expect(texts(message.blocks)).toContain('Released by bob at 23:05.');
    expect(texts(message.blocks)).toContain('held by *node-3* for 47 min');
  });

  it('an alert whose lock is free already says so, without a button', () => {
    const message = freedLockMessage({ stuck: GONE, windowId: 4, zone: 'UTC' }, new Date('2026-03-07T22:05:00Z'));
    expect(message.blocks.some((block) => block.kind === 'actions')).toBe(false);
    expect(texts(message.blocks)).toContain('node-3 no longer held it at 22:05; nothing had to be released.');
  });

  it('the thread note tells what is left to do for a node that still exists', () => {
    expect(releaseNote(GONE, 'bob')).toBe("🔓 bob released kured's lock held by node-3; kured may now reboot the next node.");
    expect(releaseNote(EXPIRED, 'bob')).toContain('If node-3 comes back it stays cordoned: check it, then `kubectl uncordon node-3`.');
  });
});

describe('the Release button value', () => {
  it('round-trips holder and acquisition', () => {
    expect(parseReleaseValue(releaseValue('node-3', SINCE))).toEqual({ holder: 'node-3', since: SINCE });
    expect(parseReleaseValue(releaseValue('manual', undefined))).toEqual({ holder: 'manual', since: undefined });
  });

  it('refuses anything else', () => {
    for (const value of ['', 'node 3', 'node-3@', 'node-3@x', '@123', 'a@1@2', 'n'.repeat(254), 'node-3@1234567890123456']) {
      expect(parseReleaseValue(value), value).toBeUndefined();
    }
  });
});

describe('durations', () => {
  it('held: seconds, minutes, hours and minutes', () => {
    expect(formatHeld(40_000)).toBe('40 s');
    expect(formatHeld(47 * MINUTE + 59_000)).toBe('47 min');
    expect(formatHeld(125 * MINUTE)).toBe('2 h 05 min');
  });

  it('TTL: as kured --lock-ttl is written', () => {
    expect(formatTtl(30 * MINUTE)).toBe('30m');
    expect(formatTtl(60 * MINUTE)).toBe('1h');
    expect(formatTtl(90 * MINUTE)).toBe('1h30m');
    expect(formatTtl(90_000)).toBe('1m30s');
    expect(formatTtl(0)).toBe('0s');
  });
});
