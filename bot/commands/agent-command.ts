// `patchwindow agent`: configuration, logger, the agent's composition root, and signal handling.
import { homedir } from 'node:os';
import { loadConfig } from '../config/load-config.ts';
import type { ConfigSources } from '../config/load-config.ts';
import { createLogger } from '../adapters/logging/create-logger.ts';
import { exitOnShutdownSignals } from '../adapters/process/graceful-shutdown.ts';
import { VERSION } from '../version.ts';

/** Well inside Kubernetes' 30 s grace period; the agent holds no state that needs longer. */
export const AGENT_SHUTDOWN_DEADLINE_MS = 10_000;
const HTTP_GRACE_MS = 5_000;

export async function runAgentCommand(sources: ConfigSources): Promise<void> {
  const config = loadConfig(sources);
  const logger = createLogger({ level: config.log.level, format: config.log.format });
  // Loaded here, not at the top: the CLI's other commands should not pay for the agent's modules.
  const { startAgent } = await import('../../agent/main.ts');
  const starting = startAgent({ config, logger, version: VERSION, env: sources.env, homeDir: homedir() });
  // Handlers go in before start-up finishes, so a signal that arrives meanwhile still stops cleanly.
  exitOnShutdownSignals({
    stop: async () => {
      const agent = await starting;
      await agent.stop(HTTP_GRACE_MS);
    },
    logger,
    deadlineMs: AGENT_SHUTDOWN_DEADLINE_MS,
    exit: (code) => process.exit(code),
  });
  await starting;
}
