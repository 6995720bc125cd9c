// The engine: the one dispatch path for commands and clicks from every chat surface, and the
// loop that moves windows along as time passes and the cluster changes. It owns no timers:
// a driver calls tick(), so tests step it with a manual clock. Calls are serialised, so a
// click, a tick and a node event never interleave.
import { executeCommand } from '../commands/execute-command.ts';
import { parseReleaseValue, RELEASE_LOCK_ACTION } from '../cluster/stuck-lock-message.ts';
import type { Command } from '../commands/command.ts';
import type { CommandContext, Reply } from '../commands/command-context.ts';
import { parseCommand } from '../commands/parse-command.ts';
import type { Actor, ChatInbound } from '../ports/chat-port.ts';
import type { NodeSnapshot } from '../ports/cluster-port.ts';
import { advanceWindows } from './advance-windows.ts';
import type { EngineContext, EngineDependencies } from './engine-context.ts';
import { materializeSchedules } from './materialize-schedules.ts';
import { postDigestIfDue } from './pending-digest.ts';
import { reconcileDaemon } from './reconcile-daemon.ts';
import { releaseStuckLock } from './stuck-lock-alerts.ts';
import { trackNodes } from './track-nodes.ts';
import { cancelWindow, closeWindow, decide, openWindow, pauseOrResume } from './window-commands.ts';
import { historyReport, nodesReport, statusReport } from './window-reports.ts';

export class MaintenanceEngine implements ChatInbound {
  readonly #context: EngineContext;
  #queue: Promise<unknown> = Promise.resolve();
  #stopWatching: (() => void) | undefined;

  constructor(dependencies: EngineDependencies) {
    this.#context = { ...dependencies, memory: { nodes: [], plans: new Map(), lastReconcileAt: undefined, lastDigest: undefined, daemonFailures: new Map() } };
  }

  /** Reads the cluster, repairs what a crash left half done, and starts following node changes. */
  start(): Promise<void> {
    return this.#serial(async () => {
      this.#context.memory.nodes = await this.#context.cluster.nodes();
      await reconcileDaemon(this.#context);
      await this.#step();
      this.#stopWatching = this.#context.cluster.watchNodes((nodes) => {
        void this.observe(nodes).catch((error: unknown) => {
          this.#context.log.error('following node changes failed', { err: error });
        });
      });
    });
  }

  /** Stops following the cluster and waits for work in progress. */
  async stop(): Promise<void> {
    this.#stopWatching?.();
    this.#stopWatching = undefined;
    await this.#queue.catch(() => undefined);
  }

  /** The nodes as last seen; read by metrics at scrape time, so it must not wait for work in progress. */
  get nodes(): readonly NodeSnapshot[] {
    return this.#context.memory.nodes;
  }

  /** Time passed: expire, open, close, reconcile when due. */
  tick(): Promise<void> {
    return this.#serial(async () => {
      const last = this.#context.memory.lastReconcileAt;
      if (last === undefined || this.#context.clock.now().getTime() - last >= this.#context.settings.reconcileEveryMs) {
        await reconcileDaemon(this.#context);
      }
      await this.#step();
    });
  }

  /** The cluster changed. */
  observe(nodes: readonly NodeSnapshot[]): Promise<void> {
    return this.#serial(async () => {
      this.#context.memory.nodes = nodes;
      await trackNodes(this.#context);
      await postDigestIfDue(this.#context);
    });
  }

  command(actor: Actor, text: string): Promise<Reply> {
    return this.#serial(async () => {
      const parsed = parseCommand(text, { defaultZone: this.#context.settings.defaultZone });
      if (!parsed.ok) return { ok: false, text: parsed.message };
      const reply = await this.#execute(actor, parsed.command);
      await this.#stepAfter('command');
      return reply;
    });
  }

  action(actor: Actor, action: string, value: string): Promise<Reply> {
    return this.#serial(async () => {
      const target = action === RELEASE_LOCK_ACTION ? parseReleaseValue(value) : undefined;
      if (target !== undefined) {
        const reply = await releaseStuckLock(this.#context, actor, target, 'button');
        await this.#stepAfter('click');
        return reply;
      }
      const windowId = /^\d{1,9}$/.test(value) ? Number(value) : undefined;
      if ((action !== 'approve' && action !== 'reject') || windowId === undefined) {
        await this.#context.repositories.audit.record({
          at: this.#context.clock.now(),
          actor: actor.id,
          action: 'action.refused',
          subject: '',
          details: { action: action.slice(0, 40), value: value.slice(0, 40), reason: 'unknown action' },
        });
        return { ok: false, text: 'unknown action' };
      }
      const reply = await decide(this.#context, actor, action, windowId, 'button');
      await this.#stepAfter('click');
      return reply;
    });
  }

  async #execute(actor: Actor, command: Command): Promise<Reply> {
    const context = this.#context;
    switch (command.kind) {
      case 'status':
        return statusReport(context);
      case 'nodes':
        return nodesReport(context);
      case 'history':
        return historyReport(context, command.count);
      case 'open':
        return openWindow(context, actor, command);
      case 'approve':
      case 'reject':
        return decide(context, actor, command.kind, command.windowId, 'command');
      case 'close':
        return closeWindow(context, actor, command.windowId);
      case 'cancel':
        return cancelWindow(context, actor, command.windowId);
      case 'pause':
      case 'resume':
        return pauseOrResume(context, actor, command.kind);
      case 'release-lock':
        return releaseStuckLock(context, actor, { holder: command.holder, since: undefined }, 'command');
      case 'sim-pending':
      case 'sim-reset':
        return this.#simulate(actor, command);
      default:
        return executeCommand(command, this.#commandContext(actor));
    }
  }

  async #simulate(actor: Actor, command: Extract<Command, { kind: 'sim-pending' | 'sim-reset' }>): Promise<Reply> {
    const simulation = this.#context.simulation;
    if (simulation === undefined) return { ok: false, text: 'the cluster is not simulated; sim commands do nothing here' };
    try {
      if (command.kind === 'sim-pending') simulation.makePending(command.node, command.packages);
      else simulation.reset();
    } catch (error: unknown) {
      return { ok: false, text: error instanceof Error ? error.message : String(error) };
    }
    await this.#context.repositories.audit.record({
      at: this.#context.clock.now(),
      actor: actor.id,
      action: command.kind === 'sim-pending' ? 'sim.pending' : 'sim.reset',
      subject: command.kind === 'sim-pending' ? `node:${command.node}` : '',
      details: {},
    });
    return { ok: true, text: command.kind === 'sim-pending' ? `${command.node} now needs a reboot (simulated).` : 'The simulated cluster is back to its starting state.' };
  }

  #commandContext(actor: Actor): CommandContext {
    return {
      actor: actor.id,
      now: this.#context.clock.now(),
      defaultZone: this.#context.settings.defaultZone,
      repositories: this.#context.repositories,
      transactions: this.#context.transactions,
    };
  }

  async #step(): Promise<void> {
    await materializeSchedules(this.#context);
    await advanceWindows(this.#context);
    await trackNodes(this.#context);
    await postDigestIfDue(this.#context);
  }

  /**
   * Moves on right after a command or click (e.g. opens a window approved to start now). Its
   * failure is not the command's: the reply stands (a status must answer while the database cannot
   * be written), and the next tick tries again.
   */
  async #stepAfter(what: 'command' | 'click'): Promise<void> {
    try {
      await this.#step();
    } catch (error: unknown) {
      this.#context.log.error(`the engine could not move on after a ${what}; it tries again at its next tick`, { err: error });
    }
  }

  #serial<T>(work: () => Promise<T>): Promise<T> {
    const next = this.#queue.then(work);
    this.#queue = next.catch(() => undefined);
    return next;
  }
}
