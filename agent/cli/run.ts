/**
 * `firebreak run`: load the site file (refuse a bad one with the full list and exit 78), start
 * the agent, and stop it cleanly on SIGTERM or SIGINT.
 */
import { formatProblem, type LoadResult } from '../config/problem.js';
import { loadSiteFileIsolated } from '../config/load-isolated.js';
import type { SiteConfig } from '../config/schema.js';
import type { Logger } from '../core/log.js';
import { StartupError } from '../core/startup-error.js';
import type { Agent } from '../app.js';
import { EX_CONFIG, EX_SOFTWARE } from '../core/exit-codes.js';

export interface RunOptions {
  configFile: string;
  simulate: boolean;
  out: (line: string) => void;
  err: (line: string) => void;
}

export async function loadOrExplain(file: string, err: (line: string) => void, load: (file: string) => Promise<LoadResult> = async (f) => (await import('../config/load.js')).loadSiteFile(f)): Promise<SiteConfig | undefined> {
  const r = await load(file);
  if (r.ok) return r.config;
  err(`${file}: ${r.problems.length} problem${r.problems.length === 1 ? '' : 's'}; not starting:`);
  for (const p of r.problems) err(formatProblem(p));
  return undefined;
}

export async function runCommand(o: RunOptions): Promise<number> {
  // The YAML parser and the schema stay in a worker that exits; the agent's modules load after
  // it has gone, so that the two never sit in memory together.
  const config = await loadOrExplain(o.configFile, o.err, loadSiteFileIsolated);
  if (!config) return EX_CONFIG;
  const [{ startAgent }, { createLogger }, { SystemClock }, { GuardedClock }, { SdNotify }] = await Promise.all([
    import('../app.js'),
    import('../core/log.js'),
    import('../core/clock.js'),
    import('../core/guarded-clock.js'),
    import('../core/sd-notify.js'),
  ]);
  const log = createLogger();
  // Under systemd (Type=notify): pings start before the start-up so a slow start is watched too;
  // READY=1 once every part runs, STOPPING=1 on the signal. Outside systemd these are no-ops.
  const systemd = new SdNotify({ clock: new GuardedClock(new SystemClock(), log), log });
  systemd.startWatchdog();
  try {
    return await runUntilSignal(
      () => startAgent({ config, log, simulate: o.simulate }),
      log,
      o.err,
      (agent) => void systemd.ready(`running: ${agent.config.site.gateway}`),
      (signal) => void systemd.stopping(`stopping on ${signal}`),
    );
  } finally {
    systemd.close();
  }
}

/** Start, then hold the process until SIGTERM/SIGINT; a start-up failure is one clear line. */
export async function runUntilSignal(
  start: () => Promise<Agent>,
  log: Logger,
  err: (line: string) => void,
  onStarted?: (a: Agent) => void,
  onStopping?: (signal: NodeJS.Signals) => void,
): Promise<number> {
  let agent: Agent;
  try {
    agent = await start();
  } catch (e) {
    if (e instanceof StartupError) {
      err(`firebreak: ${e.message}`);
      return e.exitCode;
    }
    log.fatal({ err: e }, 'start-up failed');
    err(`firebreak: start-up failed: ${(e as Error).message}`);
    return EX_SOFTWARE;
  }
  onStarted?.(agent);
  log.info({ bootId: agent.bootId, gateway: agent.config.site.gateway }, 'agent running');
  return new Promise<number>((resolve) => {
    const shutdown = (signal: NodeJS.Signals) => {
      process.off('SIGTERM', shutdown);
      process.off('SIGINT', shutdown);
      onStopping?.(signal);
      agent.stop(signal).then(
        () => resolve(0),
        () => resolve(EX_SOFTWARE),
      );
    };
    process.on('SIGTERM', shutdown);
    process.on('SIGINT', shutdown);
  });
}
