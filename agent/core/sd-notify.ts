/**
 * Telling systemd READY, WATCHDOG and STOPPING (sd_notify(3)), as zigbee2mqtt's sd-notify does.
 *
 * Node's dgram has no AF_UNIX datagram sockets, and NOTIFY_SOCKET is one. The two ways out are a
 * native addon (unix-dgram: built with node-gyp on every Pi, no prebuilt binaries for armhf)
 * or systemd's own `systemd-notify --pid=<our pid>`, which ships with every systemd. We take
 * the second: nothing to compile, and systemd-notify waits on a BARRIER=1 (systemd ≥ 246) so the
 * message is processed before it exits. Its cost is NotifyAccess=all in the unit, because the
 * datagram comes from a child process of the agent; the unit's cgroup still limits that to our
 * own processes.
 *
 * The WATCHDOG=1 pings are scheduled on the agent's own event loop (the injected clock's
 * interval timer), so a blocked or hung loop stops them and systemd kills and restarts the
 * agent, and the permit relays drop with it (docs/DOMAIN.md, "The safety boundary").
 */
import { execFile } from 'node:child_process';
import type { Clock, Timer } from './clock.js';
import type { Logger } from './log.js';

/** Sends one notification (newline-separated VAR=VALUE lines). */
export type NotifySender = (assignments: string[]) => Promise<void>;

export interface SdNotifyOptions {
  env?: NodeJS.ProcessEnv;
  clock: Clock;
  log: Logger;
  pid?: number;
  send?: NotifySender;
}

/** systemd-notify as the sender: `--pid` names the agent, so systemd credits the agent. */
export function systemdNotifySender(pid: number, env: NodeJS.ProcessEnv): NotifySender {
  return (assignments) =>
    new Promise((resolve, reject) =>
      execFile('systemd-notify', [`--pid=${pid}`, ...assignments], { env, timeout: 5000 }, (err, _stdout, stderr) =>
        err ? reject(new Error(`systemd-notify ${assignments.join(' ')}: ${String(stderr).trim() || err.message}`)) : resolve(),
      ),
    );
}

export class SdNotify {
  /** false when not started by systemd with Type=notify (no NOTIFY_SOCKET): every call is a no-op */
  readonly enabled: boolean;
  /** half of WatchdogSec, as sd_watchdog_enabled(3) advises; undefined when the watchdog is off */
  readonly watchdogIntervalMs: number | undefined;
  private readonly send: NotifySender;
  private readonly log: Logger;
  private timer: Timer | undefined;
  private pingInFlight = false;
  /** notifications that failed in a row: the first is logged, the rest are counted until one goes through */
  private failedInARow = 0;

  constructor(private readonly o: SdNotifyOptions) {
    const env = o.env ?? process.env;
    const pid = o.pid ?? process.pid;
    this.log = o.log.child({ component: 'sd-notify' });
    this.enabled = Boolean(env.NOTIFY_SOCKET);
    this.send = o.send ?? systemdNotifySender(pid, env);
    const usec = Number(env.WATCHDOG_USEC);
    // WATCHDOG_PID, when set, names the process systemd expects pings from
    const forUs = env.WATCHDOG_PID === undefined || Number(env.WATCHDOG_PID) === pid;
    this.watchdogIntervalMs = this.enabled && forUs && Number.isFinite(usec) && usec > 0 ? Math.max(1, Math.floor(usec / 2000)) : undefined;
  }

  /** Start pinging at half the watchdog interval, from the event loop. Call before a long start-up. */
  startWatchdog(): void {
    if (this.watchdogIntervalMs === undefined || this.timer) return;
    this.ping();
    this.timer = this.o.clock.setInterval(() => this.ping(), this.watchdogIntervalMs);
  }

  ready(status?: string): Promise<void> {
    return this.notify(['READY=1', ...(status ? [`STATUS=${status}`] : [])]);
  }

  /** Stops the pings too: systemd stops watching once it knows we are stopping. */
  stopping(status?: string): Promise<void> {
    this.close();
    return this.notify(['STOPPING=1', ...(status ? [`STATUS=${status}`] : [])]);
  }

  status(text: string): Promise<void> {
    return this.notify([`STATUS=${text}`]);
  }

  /** Stop the pings (the process can then end). */
  close(): void {
    this.timer?.cancel();
    this.timer = undefined;
  }

  private ping(): void {
    // one ping at a time: if systemd-notify itself is slow, the next tick tries again
    if (this.pingInFlight) return;
    this.pingInFlight = true;
    void this.notify(['WATCHDOG=1']).finally(() => (this.pingInFlight = false));
  }

  private async notify(assignments: string[]): Promise<void> {
    if (!this.enabled) return;
    try {
      await this.send(assignments);
    } catch (err) {
      // a failed notification is logged, never fatal: systemd's own timeout decides. Once, not
      // on every ping: out of file handles, each ping fails the same way (issue #14)
      if (this.failedInARow++ === 0) this.log.warn({ err, what: assignments[0] }, 'notification to systemd failed');
      return;
    }
    if (this.failedInARow > 0) this.log.info({ failed: this.failedInARow }, 'notifications to systemd go through again');
    this.failedInARow = 0;
  }
}
