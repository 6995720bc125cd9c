// Real timers. Unreferenced: the agent's HTTP server is what keeps the process alive.
import type { Timers } from '../ports/timers.ts';

export const systemTimers: Timers = {
  after(ms, callback) {
    const timer = setTimeout(callback, ms);
    timer.unref();
    return () => {
      clearTimeout(timer);
    };
  },
};
