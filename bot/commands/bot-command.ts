// `patchwindow bot`: configuration, logger, the composition root, and signal handling.
import { loadConfig } from '../config/load-config.ts';
import type { ConfigSources } from '../config/load-config.ts';
import { createLogger } from '../adapters/logging/create-logger.ts';
import { exitOnShutdownSignals } from '../adapters/process/graceful-shutdown.ts';
import { startBot } from '../main.ts';
import { VERSION } from '../version.ts';

/** Kubernetes' default termination grace period is 30 s; the brief promises exit within 10 s. */
export const SHUTDOWN_DEADLINE_MS = 10_000;
const HTTP_GRACE_MS = 8_000;

export async function runBotCommand(sources: ConfigSources): Promise<void> {
  const config = loadConfig(sources);
  const logger = createLogger({ level: config.log.level, format: config.log.format });
  const shutdown = new AbortController();
  const starting = startBot({ config, logger, version: VERSION, now: () => new Date(), shutdown: shutdown.signal });
  // Handlers go in before start-up finishes, so a signal that arrives meanwhile still stops cleanly.
  exitOnShutdownSignals({
    stop: async () => {
      // A standby waiting to lead stops waiting; a bot already starting to act finishes starting, then stops.
      shutdown.abort();
      const bot = await starting;
      await bot.stop(HTTP_GRACE_MS);
    },
    logger,
    deadlineMs: SHUTDOWN_DEADLINE_MS,
    exit: (code) => process.exit(code),
  });
  await starting;
}
