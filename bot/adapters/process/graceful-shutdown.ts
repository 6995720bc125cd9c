// SIGTERM (Kubernetes) and SIGINT (Ctrl-C) stop the bot cleanly; if that takes longer than the
// deadline the process exits anyway, because kubelet sends SIGKILL soon after.
import type { Logger } from '../logging/create-logger.ts';

export interface ShutdownOptions {
  readonly stop: () => Promise<void>;
  readonly logger: Logger;
  readonly deadlineMs: number;
  readonly exit: (code: number) => void;
  readonly signals?: readonly NodeJS.Signals[];
  /** Where signals come from; the real process unless a test supplies an emitter. */
  readonly process?: { on(signal: NodeJS.Signals, listener: (signal: NodeJS.Signals) => void): unknown };
}

export function exitOnShutdownSignals(options: ShutdownOptions): void {
  const target = options.process ?? process;
  let stopping = false;
  const onSignal = (signal: NodeJS.Signals): void => {
    if (stopping) {
      options.logger.warn({ signal }, 'second signal during shutdown; exiting now');
      options.exit(1);
      return;
    }
    stopping = true;
    options.logger.info({ signal, deadlineMs: options.deadlineMs }, 'shutting down');
    const deadline = setTimeout(() => {
      options.logger.error({ deadlineMs: options.deadlineMs }, 'shutdown did not finish in time; exiting anyway');
      options.exit(1);
    }, options.deadlineMs);
    deadline.unref();
    options.stop().then(
      () => {
        clearTimeout(deadline);
        options.exit(0);
      },
      (error: unknown) => {
        clearTimeout(deadline);
        options.logger.error({ err: error }, 'shutdown failed');
        options.exit(1);
      },
    );
  };
  for (const signal of options.signals ?? ['SIGTERM', 'SIGINT']) target.on(signal, onSignal);
}
