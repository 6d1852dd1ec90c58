/**
 * Is the system clock synchronised? A Raspberry Pi has no real-time clock and boots on a stale
 * time, so until NTP (or a platform time hint) says so, samples and events carry
 * `tq: "unsynced"` (UPLINK.md, "Time").
 */
import { execFile } from 'node:child_process';
import { access } from 'node:fs/promises';
import type { Clock, Timer } from '../core/clock.js';
import type { Logger } from '../core/log.js';
import type { TimeQuality } from '../core/types.js';

export interface SyncProbe {
  /** true or false when the probe can tell, undefined when it cannot */
  isSynchronized(): Promise<boolean | undefined>;
}

type Run = (cmd: string, args: string[]) => Promise<string>;

const run: Run = (cmd, args) =>
  new Promise((resolve, reject) => execFile(cmd, args, { timeout: 3000 }, (err, stdout) => (err ? reject(err) : resolve(String(stdout)))));

/** systemd-timesyncd or chrony, whichever the image runs. */
export class SystemSyncProbe implements SyncProbe {
  constructor(
    private readonly exec: Run = run,
    private readonly flagFile = '/run/systemd/timesync/synchronized',
  ) {}

  async isSynchronized(): Promise<boolean | undefined> {
    try {
      const v = (await this.exec('timedatectl', ['show', '-p', 'NTPSynchronized', '--value'])).trim();
      if (v === 'yes') return true;
      if (v === 'no') return false;
    } catch {
      // no systemd (container, other init): try the next source
    }
    try {
      await access(this.flagFile);
      return true;
    } catch {
      // not there: timesyncd not running or not synced yet
    }
    try {
      const out = await this.exec('chronyc', ['-n', 'tracking']);
      const leap = /Leap status\s*:\s*(.+)/.exec(out)?.[1]?.trim();
      if (leap !== undefined) return leap === 'Normal';
    } catch {
      // no chrony either
    }
    return undefined;
  }
}

export interface ClockSyncOptions {
  probe: SyncProbe;
  clock: Clock;
  log: Logger;
  /** how often to ask; NTP usually syncs within a minute of the network coming up */
  checkEveryMs?: number;
}

export class ClockSync {
  private synced = false;
  private timer: Timer | undefined;
  private readonly log: Logger;
  private readonly listeners = new Set<(synced: boolean) => void>();

  constructor(private readonly o: ClockSyncOptions) {
    this.log = o.log.child({ component: 'clock-sync' });
  }

  async start(): Promise<void> {
    await this.check();
    this.timer = this.o.clock.setInterval(() => void this.check(), this.o.checkEveryMs ?? 30_000);
  }

  stop(): void {
    this.timer?.cancel();
    this.timer = undefined;
  }

  isSynced(): boolean {
    return this.synced;
  }

  /** `'unsynced'` until the clock is known good: stamp it on samples and events */
  tq(): TimeQuality | undefined {
    return this.synced ? undefined : 'unsynced';
  }

  /** a trusted outside source (e.g. a platform time hint) vouches for the clock */
  markSynced(source: string): void {
    this.set(true, source);
  }

  onChange(fn: (synced: boolean) => void): () => void {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  }

  async check(): Promise<void> {
    try {
      const v = await this.o.probe.isSynchronized();
      if (v !== undefined) this.set(v, 'system');
    } catch (err) {
      this.log.warn({ err }, 'clock sync probe failed');
    }
  }

  private set(synced: boolean, source: string): void {
    if (synced === this.synced) return;
    this.synced = synced;
    this.log.info({ synced, source }, synced ? 'system clock synchronised' : 'system clock no longer synchronised');
    for (const l of this.listeners) l(synced);
  }
}
