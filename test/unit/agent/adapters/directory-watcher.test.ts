// The watcher on a real directory with real fs.watch: each test waits for the event it expects,
// with a deadline, never for a fixed time. Failure paths use a fake watch and fake timers.
import { EventEmitter } from 'node:events';
import { mkdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { watch } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { DirectoryWatcher, WATCH_BACKOFF } from '../../../../agent/adapters/directory-watcher.ts';
import type { WatchFunction, WatchHandle } from '../../../../agent/adapters/directory-watcher.ts';
import { systemTimers } from '../../../../agent/adapters/system-timers.ts';
import type { Timers } from '../../../../agent/ports/timers.ts';
import { tempDirs } from '../../../support/temp-dirs.ts';
import { FakeTimers } from '../support/fake-timers.ts';

const DEADLINE_MS = 5000;
const dirs = tempDirs();
const watchers: DirectoryWatcher[] = [];

afterEach(() => {
  for (const watcher of watchers.splice(0)) watcher.stop();
  dirs.removeAll();
});

interface Recorder {
  readonly changes: string[];
  readonly problems: string[];
  /** Resolves with the first change (from now on, or already seen since `from`) matching. */
  next(match: RegExp, from?: number): Promise<string>;
}

function recorder(): Recorder & { onChange: (why: string) => void; onProblem: (message: string) => void } {
  const changes: string[] = [];
  const problems: string[] = [];
  const waiters: { match: RegExp; resolve: (why: string) => void }[] = [];
  return {
    changes,
    problems,
    onChange: (why) => {
      changes.push(why);
      for (const waiter of [...waiters]) {
        if (waiter.match.test(why)) {
          waiters.splice(waiters.indexOf(waiter), 1);
          waiter.resolve(why);
        }
      }
    },
    onProblem: (message) => problems.push(message),
    next(match, from = changes.length) {
      const seen = changes.slice(from).find((why) => match.test(why));
      if (seen !== undefined) return Promise.resolve(seen);
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => {
          reject(new Error(`no change matching ${String(match)} within ${DEADLINE_MS} ms; saw: ${changes.join(' | ')}`));
        }, DEADLINE_MS);
        waiters.push({
          match,
          resolve: (why) => {
            clearTimeout(timer);
            resolve(why);
          },
        });
      });
    },
  };
}

function startWatcher(directory: string, events: ReturnType<typeof recorder>, options: { timers?: Timers; watch?: WatchFunction; random?: () => number } = {}): DirectoryWatcher {
  const watcher = new DirectoryWatcher({
    directory,
    names: ['reboot-required', 'reboot-required.pkgs'],
    onChange: events.onChange,
    onProblem: events.onProblem,
    timers: options.timers ?? systemTimers,
    random: options.random ?? (() => 0),
    checkIntervalMs: 50,
    backoff: { initialMs: 20, maxMs: 200 },
    ...(options.watch === undefined ? {} : { watch: options.watch }),
  });
  watchers.push(watcher);
  watcher.start();
  return watcher;
}

describe('DirectoryWatcher on a real directory', () => {
  it('reports the sentinel file appearing and disappearing', async () => {
    const directory = dirs.make('patchwindow-watch-');
    const events = recorder();
    startWatcher(directory, events);
    await events.next(/^watching /);

    const created = events.next(/reboot-required$/);
    writeFileSync(join(directory, 'reboot-required'), '');
    await created;

    const removed = events.next(/reboot-required$/);
    rmSync(join(directory, 'reboot-required'));
    await removed;
  });

  it('reports changes to the package file and ignores other files', async () => {
    const directory = dirs.make('patchwindow-watch-');
    const events = recorder();
    startWatcher(directory, events);
    await events.next(/^watching /);
    const from = events.changes.length;

    writeFileSync(join(directory, 'sshd.pid'), '123');
    writeFileSync(join(directory, 'reboot-required.pkgs'), 'libc6\n');
    await events.next(/reboot-required\.pkgs$/, from);
    expect(events.changes.slice(from).filter((why) => why.includes('sshd.pid'))).toEqual([]);
  });

  it('watches a directory again after it was removed and recreated', async () => {
    const directory = dirs.make('patchwindow-watch-');
    const events = recorder();
    startWatcher(directory, events);
    await events.next(/^watching /);

    const rearmed = events.next(/^watching /);
    rmSync(directory, { recursive: true });
    mkdirSync(directory);
    await rearmed;
    expect(events.problems.some((problem) => /was (removed|replaced)|does not exist/.test(problem))).toBe(true);

    const created = events.next(/reboot-required$/);
    writeFileSync(join(directory, 'reboot-required'), '');
    await created;
  });

  it('watches a directory again after it was renamed away and replaced', async () => {
    const parent = dirs.make('patchwindow-watch-');
    const directory = join(parent, 'run');
    mkdirSync(directory);
    const events = recorder();
    startWatcher(directory, events);
    await events.next(/^watching /);

    const rearmed = events.next(/^watching /);
    renameSync(directory, join(parent, 'run.old'));
    mkdirSync(directory);
    await rearmed;
    expect(events.problems.some((problem) => /was (removed|replaced)/.test(problem))).toBe(true);

    const created = events.next(/reboot-required$/);
    writeFileSync(join(directory, 'reboot-required'), '');
    await created;
  });

  it('waits for a directory that does not exist yet, then watches it', async () => {
    const parent = dirs.make('patchwindow-watch-');
    const directory = join(parent, 'later');
    const events = recorder();
    const watcher = startWatcher(directory, events);
    await events.next(/does not exist/);
    expect(watcher.watching).toBe(false);

    mkdirSync(directory);
    await events.next(/^watching /);
    expect(watcher.watching).toBe(true);
  });
});

describe('DirectoryWatcher when watching fails', () => {
  it('re-arms with growing, jittered delays while fs.watch throws, then watches', async () => {
    const directory = dirs.make('patchwindow-watch-');
    const timers = new FakeTimers('2026-03-10T08:00:00Z');
    const events = recorder();
    let attempts = 0;
    const flaky: WatchFunction = (path, listener) => {
      attempts += 1;
      if (attempts <= 3) throw Object.assign(new Error('ENOSPC: System limit for number of file watchers reached'), { code: 'ENOSPC' });
      return watch(path, { persistent: false }, listener);
    };
    const watcher = new DirectoryWatcher({
      directory,
      names: ['reboot-required'],
      onChange: events.onChange,
      onProblem: events.onProblem,
      timers,
      random: () => 0,
      checkIntervalMs: 60_000,
      backoff: WATCH_BACKOFF,
      watch: flaky,
    });
    watchers.push(watcher);
    watcher.start();

    const delays: number[] = [];
    for (let failure = 1; failure <= 3; failure++) {
      await events.next(/^cannot watch/, 0).then(() => waitUntil(() => timers.pending().length === 1 && events.problems.length === failure));
      delays.push(timers.fireNext());
    }
    await events.next(/^watching /);
    expect(delays).toEqual([250, 500, 1000]);
    expect(events.problems).toEqual([
      `cannot watch ${directory}; rescanning and watching again later`,
      `cannot watch ${directory}; rescanning and watching again later`,
      `cannot watch ${directory}; rescanning and watching again later`,
    ]);
    expect(watcher.watching).toBe(true);
  });

  it('re-arms after the watch reports an error', async () => {
    const directory = dirs.make('patchwindow-watch-');
    const timers = new FakeTimers('2026-03-10T08:00:00Z');
    const events = recorder();
    const handles: (EventEmitter & WatchHandle)[] = [];
    const fake: WatchFunction = () => {
      const handle = Object.assign(new EventEmitter(), { close: () => undefined });
      handles.push(handle);
      return handle;
    };
    const watcher = new DirectoryWatcher({
      directory,
      names: ['reboot-required'],
      onChange: events.onChange,
      onProblem: events.onProblem,
      timers,
      random: () => 0,
      checkIntervalMs: 60_000,
      backoff: WATCH_BACKOFF,
      watch: fake,
    });
    watchers.push(watcher);
    watcher.start();
    await events.next(/^watching /);

    handles[0]?.emit('error', new Error('EIO'));
    expect(events.problems).toEqual([`watching ${directory} failed; rescanning and watching again later`]);
    expect(watcher.watching).toBe(false);
    expect(timers.pending()).toEqual([250]);
    const rearmed = events.next(/^watching /);
    timers.fireNext();
    await rearmed;
    expect(handles).toHaveLength(2);
  });
});

describe('DirectoryWatcher identity check', () => {
  it('re-arms when the periodic check finds another directory under the same path, even without an event', async () => {
    const parent = dirs.make('patchwindow-watch-');
    const directory = join(parent, 'run');
    mkdirSync(directory);
    const timers = new FakeTimers('2026-03-10T08:00:00Z');
    const events = recorder();
    let armed = 0;
    const silent: WatchFunction = () => {
      armed += 1;
      return Object.assign(new EventEmitter(), { close: () => undefined });
    };
    startWatcher(directory, events, { timers, watch: silent });
    await events.next(/^watching /);
    expect(timers.pending()).toEqual([50]);

    renameSync(directory, join(parent, 'run.old'));
    mkdirSync(directory);
    const rearmed = events.next(/^watching /);
    timers.fireNext();
    await rearmed;
    expect(events.problems).toEqual([`directory ${directory} was replaced; watching it again`]);
    expect(armed).toBe(2);
  });

  it('keeps the watch when the directory is unchanged', async () => {
    const directory = dirs.make('patchwindow-watch-');
    const timers = new FakeTimers('2026-03-10T08:00:00Z');
    const events = recorder();
    const silent: WatchFunction = () => Object.assign(new EventEmitter(), { close: () => undefined });
    const watcher = startWatcher(directory, events, { timers, watch: silent });
    await events.next(/^watching /);
    timers.fireNext();
    await waitUntil(() => timers.pending().length === 1);
    expect(timers.pending()).toEqual([50]);
    expect(events.problems).toEqual([]);
    expect(watcher.watching).toBe(true);
  });
});

async function waitUntil(condition: () => boolean): Promise<void> {
  const deadline = Date.now() + DEADLINE_MS;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise<void>((resolve) => setImmediate(resolve));
  }
}
