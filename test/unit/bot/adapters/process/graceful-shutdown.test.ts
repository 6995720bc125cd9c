import { EventEmitter } from 'node:events';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { exitOnShutdownSignals } from '../../../../../bot/adapters/process/graceful-shutdown.ts';
import { captureLogger } from '../../../../support/capture-logger.ts';

function deferred(): { promise: Promise<void>; resolve: () => void; reject: (error: Error) => void } {
  let resolve = (): void => undefined;
  let reject: (error: Error) => void = () => undefined;
  const promise = new Promise<void>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

describe('exitOnShutdownSignals', () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  function setup(stop: () => Promise<void>): { signals: EventEmitter; exits: number[]; lines: () => Record<string, unknown>[] } {
    const signals = new EventEmitter();
    const exits: number[] = [];
    const { logger, lines } = captureLogger();
    exitOnShutdownSignals({ stop, logger, deadlineMs: 10_000, exit: (code) => exits.push(code), process: signals });
    return { signals, exits, lines };
  }

  it.each(['SIGTERM', 'SIGINT'])('stops and exits 0 on %s', async (signal) => {
    const stopped = deferred();
    const stop = vi.fn(() => stopped.promise);
    const { signals, exits } = setup(stop);
    signals.emit(signal, signal);
    expect(stop).toHaveBeenCalledOnce();
    expect(exits).toEqual([]);
    stopped.resolve();
    await vi.runAllTimersAsync();
    expect(exits).toEqual([0]);
  });

  it('exits 1 when stopping takes longer than the deadline', async () => {
    const { signals, exits, lines } = setup(() => new Promise(() => undefined));
    signals.emit('SIGTERM', 'SIGTERM');
    await vi.advanceTimersByTimeAsync(9_999);
    expect(exits).toEqual([]);
    await vi.advanceTimersByTimeAsync(1);
    expect(exits).toEqual([1]);
    expect(lines().at(-1)?.['msg']).toBe('shutdown did not finish in time; exiting anyway');
  });

  it('exits 1 when stopping fails, and logs why', async () => {
    const { signals, exits, lines } = setup(() => Promise.reject(new Error('disk gone')));
    signals.emit('SIGTERM', 'SIGTERM');
    await vi.runAllTimersAsync();
    expect(exits).toEqual([1]);
    expect(lines().at(-1)).toMatchObject({ msg: 'shutdown failed', err: { message: 'disk gone' } });
  });

  it('exits at once on a second signal', () => {
    const stop = vi.fn(() => new Promise<void>(() => undefined));
    const { signals, exits } = setup(stop);
    signals.emit('SIGTERM', 'SIGTERM');
    signals.emit('SIGINT', 'SIGINT');
    expect(stop).toHaveBeenCalledOnce();
    expect(exits).toEqual([1]);
  });
});
