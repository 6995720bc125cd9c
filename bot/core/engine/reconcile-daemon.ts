// Makes the cluster match the stored windows: kured runs exactly while a window is opening or
// open, configured for that window, and the pause hold is in place exactly while it is paused.
import type { EngineContext } from './engine-context.ts';
import { PAUSE_LOCK_OWNER } from './advance-windows.ts';
import { daemonStepSucceeded, reportDaemonFailure } from './daemon-failures.ts';

export async function reconcileDaemon(context: EngineContext): Promise<void> {
  context.memory.lastReconcileAt = context.clock.now().getTime();
  const live = await context.repositories.windows.listLive();
  const active = live.find((window) => window.state === 'open' || window.state === 'opening');
  const daemon = await context.cluster.rebootDaemon();
  if (active === undefined) {
    if (daemon.present && !live.some((window) => window.state === 'closing')) {
      context.log.warn('kured is deployed outside any open window; removing it', { windowId: daemon.windowId });
      await context.cluster.removeRebootDaemon();
      await context.repositories.audit.record({
        at: context.clock.now(),
        actor: 'system',
        action: 'daemon.removed-orphan',
        subject: daemon.windowId === undefined ? '' : `window:${daemon.windowId}`,
        details: {},
      });
    }
    return;
  }
  if (active.state === 'open' && (!daemon.present || daemon.windowId !== active.id || daemon.incomplete !== undefined)) {
    if (daemon.incomplete !== undefined && daemon.present && daemon.windowId === active.id) {
      context.log.warn('part of kured\'s deployment for the open window is gone; deploying it again', { window: active.id, missing: daemon.incomplete });
    } else {
      context.log.warn('kured is missing for the open window; deploying it', { window: active.id, deployedFor: daemon.windowId });
    }
    try {
      await context.cluster.deployRebootDaemon({
        windowId: active.id,
        start: active.start,
        end: active.end,
        zone: active.zone,
        concurrency: active.concurrency,
        nodeSelector: active.nodeSelector,
      });
    } catch (error: unknown) {
      // Told in the thread like a failed opening; the next reconcile tries again.
      await reportDaemonFailure(context, active, 'deploy', error);
      return;
    }
    daemonStepSucceeded(context, active.id);
  }
  if (active.state === 'open' && active.paused) await context.cluster.holdRebootLock(PAUSE_LOCK_OWNER);
}
