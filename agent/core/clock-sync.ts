/**
 * Is the system clock synchronised? A Raspberry Pi has no real-time clock and boots on a stale
 * time, so until NTP (or a platform time hint) says so, samples and events carry
 * `tq: "unsynced"` (docs/UPLINK.md, "The time hint").
 */
import { execFile } from 'node:child_process';
import { access } from 'node:fs/promises';
import type { Clock, Timer } from './clock.js';
import type { Logger } from './log.js';
import type { TimeQuality } from './types.js';

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
  /** how often to look; NTP usually syncs within a minute of the network coming up */
  checkEveryMs?: number;
  /**
   * How often to ask the probe once it has said "synchronised", or has not been able to tell
   * three times running. Each question starts timedatectl (which wakes systemd-timedated over
   * D-Bus) or chronyc; a synchronised kernel clock stays so for hours without NTP.
   */
  slowProbeEveryMs?: number;
}

/** after this many "cannot tell" answers in a row the probe is asked only every slowProbeEveryMs */
const UNKNOWN_BEFORE_SLOW = 3;

/** a platform time hint this far from the gateway's clock is not believed (network delay included) */
export const HINT_TOLERANCE_MS = 2000;
/** how long a believed hint vouches for the clock without NTP: a Pi's crystal drifts ~1 s a day at most */
const HINT_HOLDS_MS = 6 * 3_600_000;
/** a wall-clock step this large since the hint (someone set the date) ends what the hint vouched for */
const STEP_MS = 1000;
/** no platform sends times before this (2024-01-01): a zero or seconds-not-ms value is a bug */
const EARLIEST_PLAUSIBLE = Date.UTC(2024, 0, 1);

export interface HintResult {
  ok: boolean;
  /** platform time minus gateway time, ms */
  offsetMs: number;
  synced: boolean;
  error?: string;
}

export class ClockSync {
  private probeSynced = false;
  private hinted: { mono: number; wallMinusMono: number } | undefined;
  private reported = false;
  private timer: Timer | undefined;
  private lastProbe = -Infinity;
  private unknownRun = 0;
  private readonly log: Logger;
  private readonly listeners = new Set<(synced: boolean) => void>();

  constructor(private readonly o: ClockSyncOptions) {
    this.log = o.log.child({ component: 'clock-sync' });
  }

  async start(): Promise<void> {
    await this.check();
    // the promise goes back to the clock, which catches what the check throws (GuardedClock)
    this.timer = this.o.clock.setInterval(() => this.check(), this.o.checkEveryMs ?? 30_000);
  }

  stop(): void {
    this.timer?.cancel();
    this.timer = undefined;
  }

  /** NTP says so, or a platform time hint agreed with the clock recently and the clock has not stepped since */
  isSynced(): boolean {
    return this.probeSynced || this.hintHolds();
  }

  /** `'unsynced'` until the clock is known good: stamp it on samples and events */
  tq(): TimeQuality | undefined {
    return this.isSynced() ? undefined : 'unsynced';
  }

  /** a trusted outside source vouches for the clock */
  markSynced(source: string): void {
    this.probeSynced = true;
    this.report(source);
  }

  /**
   * A platform `time` hint: its time `t` (ms) when it sent the command. The gateway never sets
   * its own clock (that is NTP's or the installer's job); it only believes the clock is right
   * when the platform's time agrees within HINT_TOLERANCE_MS.
   */
  hint(t: number): HintResult {
    const now = this.o.clock.now();
    const offsetMs = Math.round(t - now);
    if (!Number.isFinite(t) || t < EARLIEST_PLAUSIBLE) {
      return { ok: false, offsetMs, synced: this.isSynced(), error: 't must be ms since the Unix epoch, after 2024-01-01' };
    }
    if (Math.abs(offsetMs) > HINT_TOLERANCE_MS) {
      this.log.warn({ offsetMs }, 'platform time hint disagrees with the system clock; clock not marked synchronised');
      return {
        ok: false,
        offsetMs,
        synced: this.isSynced(),
        error: `gateway clock is ${(-offsetMs / 1000).toFixed(1)} s off platform time (more than ${HINT_TOLERANCE_MS / 1000} s): not marked synchronised; the gateway does not set its clock, fix NTP on site`,
      };
    }
    const mono = this.o.clock.monotonic();
    this.hinted = { mono, wallMinusMono: now - mono };
    this.report('platform time hint');
    return { ok: true, offsetMs, synced: true };
  }

  onChange(fn: (synced: boolean) => void): () => void {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  }

  /** Ask the probe when due (see slowProbeEveryMs), and notice a platform hint that no longer holds. */
  async check(): Promise<void> {
    const mono = this.o.clock.monotonic();
    const slow = this.probeSynced || this.unknownRun >= UNKNOWN_BEFORE_SLOW;
    if (!slow || mono - this.lastProbe >= (this.o.slowProbeEveryMs ?? 600_000)) {
      this.lastProbe = mono;
      try {
        const v = await this.o.probe.isSynchronized();
        this.unknownRun = v === undefined ? this.unknownRun + 1 : 0;
        if (v !== undefined) this.probeSynced = v;
      } catch (err) {
        this.log.warn({ err }, 'clock sync probe failed');
      }
    }
    this.report('system');
  }

  private hintHolds(): boolean {
    const h = this.hinted;
    if (!h) return false;
    const mono = this.o.clock.monotonic();
    if (mono - h.mono > HINT_HOLDS_MS || Math.abs(this.o.clock.now() - mono - h.wallMinusMono) > STEP_MS) {
      this.hinted = undefined;
      return false;
    }
    return true;
  }

  private report(source: string): void {
    const synced = this.isSynced();
    if (synced === this.reported) return;
    this.reported = synced;
    this.log.info({ synced, source }, synced ? 'system clock synchronised' : 'system clock no longer synchronised');
    for (const l of this.listeners) l(synced);
  }
}
